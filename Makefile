# Tripline. `make start` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The runtime: Node.js 24 LTS from the npm registry's official build, kept in .runtime/node. Every
# target runs on it (it leads PATH), and native code (better-sqlite3, the fanotify addon) builds
# against its headers, so nothing falls back to whatever node the machine has.
NODE_VERSION := 24.22.3
RUNTIME := $(CURDIR)/.runtime/node
NODE := $(RUNTIME)/bin/node
export PATH := $(RUNTIME)/bin:$(PATH)
export npm_config_nodedir := $(RUNTIME)
NODE_GYP := node_modules/.bin/node-gyp
STAMP := .make

# Arguments for the server started by `make start`, e.g. make start ARGS="--listen 0.0.0.0:9090".
ARGS ?=
# Test files to run; default every test under test/.
TESTS ?= $(shell find test -name '*.test.ts' | sort)
TEST_CONCURRENCY ?= 2

# Tests that need the machine: root (fanotify, network namespaces) or the Debian packages the tests
# drive for real (PostgreSQL, Chromium, dig, the AWS CLI, kubectl, git, ssh-keygen, openssl, wrk).
# They are every test under SYSTEM_TEST_DIRS, every test file that starts PostgreSQL through
# test/support/dialects.ts or postgres.ts, and the files in SYSTEM_TEST_FILES. `make check` runs
# all the others, without root: a new test belongs to `make check` unless it falls under this rule.
SYSTEM_TEST_DIRS := test/e2e test/browser test/agent/sensors
SYSTEM_TEST_FILES := test/tokens/file-decoys.test.ts
POSTGRES_TESTS = $(shell grep -lE "support/(dialects|postgres)\.js" $(TESTS))
CHECK_TESTS ?= $(filter-out $(addsuffix /%,$(SYSTEM_TEST_DIRS)) $(SYSTEM_TEST_FILES) $(POSTGRES_TESTS),$(TESTS))
# Those tests mostly wait on sockets and timers, so more processes run them than there are cores.
CHECK_SHARDS ?= 3

BIOME := node_modules/.bin/biome
# What `make test` and `make check` lint with: the linter and the formatter in check mode
# (`biome format --write .` fixes formatting).
LINT_TARGETS ?= lint format-check

.PHONY: help start test check lint format-check build bench deps debian-packages build-tools native web clean typecheck runtime image

help:
	@echo "make start   install, build and run the server (SQLite store in ./data)"
	@echo "make test    install (npm and Debian packages) and run every test"
	@echo "make check   typecheck, lint and the tests that need neither root nor Debian packages"
	@echo "make image   build the container image localhost/tripline:latest (buildah or podman, no registry)"
	@echo "make build   compile TypeScript, the fanotify addon and the dashboard"
	@echo "make bench   run the benchmarks under bench/"

$(STAMP):
	@mkdir -p $(STAMP)

runtime: $(NODE)
$(NODE): scripts/install-node.sh
	scripts/install-node.sh $(NODE_VERSION) $(RUNTIME)
	@touch $@

# Reinstalled when the runtime changes too: better-sqlite3 is compiled for one Node ABI.
node_modules/.package-lock.json: package.json package-lock.json $(NODE)
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

debian-packages:
	scripts/install-debian-packages.sh

# A compiler and python3 for node-gyp: a fresh Debian 12 may have neither.
build-tools:
	scripts/install-debian-packages.sh build

build: deps web native
	node_modules/.bin/tsc -p tsconfig.json
	@chmod +x dist/cli/main.js

# The fanotify addon the agent's sensor loads; rebuilt when its C sources change.
native: native/build/Release/tripline_fanotify.node
native/build/Release/tripline_fanotify.node: native/binding.gyp $(wildcard native/src/*.c native/src/*.h) $(NODE) | deps build-tools
	$(NODE_GYP) rebuild --directory=native --nodedir=$(RUNTIME)

# The dashboard (React + Vite) into web/dist, served by the server under /ui/. Rebuilt only when
# its sources change; typechecked first because Vite itself only strips types.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
web: web/dist/index.html

web/dist/index.html: node_modules/.package-lock.json $(WEB_SOURCES)
	node_modules/.bin/tsc -p web/tsconfig.json
	node_modules/.bin/vite build web --logLevel warn

# Both projects at once, incrementally (the build info in $(STAMP)/): after one full run, a check
# after an edit costs about a third of a full one.
typecheck: deps | $(STAMP)
	node_modules/.bin/tsc -p web/tsconfig.json --incremental --tsBuildInfoFile $(STAMP)/web.tsbuildinfo & web=$$!; \
	node_modules/.bin/tsc -p tsconfig.check.json --incremental --tsBuildInfoFile $(STAMP)/check.tsbuildinfo; status=$$?; \
	wait $$web && exit $$status

# The linter (Biome's recommended rules; biome.jsonc says why each rule turned off is off).
lint: deps
	$(BIOME) lint --error-on-warnings .

# The formatter in check mode: lists the files `biome format --write .` would change.
format-check: deps
	$(BIOME) format .

# The edit-test loop: no root, no Debian packages, under a minute.
check: typecheck $(LINT_TARGETS)
	scripts/check-tests.sh $(CHECK_SHARDS) $(STAMP) $(CHECK_TESTS)

start: build
	$(NODE) dist/cli/main.js server $(ARGS)

test: debian-packages build typecheck $(LINT_TARGETS)
	$(NODE) --import tsx --test --test-concurrency=$(TEST_CONCURRENCY) --test-timeout=600000 $(TESTS)

# Every bench runs; one that misses its target exits 1, and make bench fails naming it. Each
# target can be overridden through an environment variable (see the bench's header comment).
bench: debian-packages build
	@failed=; for b in bench/*/run.ts; do echo "== $$b"; $(NODE) --import tsx $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "bench: target missed or run failed:$$failed" >&2; exit 1; fi

# The container image localhost/tripline:latest (Containerfile), built here with buildah or podman
# from a Debian rootfs made by mmdebstrap: no registry. Not part of `make test`.
image: build
	scripts/build-image.sh

clean:
	rm -rf dist native/build web/dist $(STAMP) .runtime
