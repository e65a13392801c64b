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

.PHONY: help start test build bench deps debian-packages build-tools native web clean typecheck runtime

help:
	@echo "make start   install, build and run the server (SQLite store in ./data)"
	@echo "make test    install (npm and Debian packages) and run every test"
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

typecheck: deps
	node_modules/.bin/tsc -p tsconfig.check.json
	node_modules/.bin/tsc -p web/tsconfig.json

start: build
	$(NODE) dist/cli/main.js server $(ARGS)

test: debian-packages build
	node_modules/.bin/tsc -p tsconfig.check.json
	$(NODE) --import tsx --test --test-concurrency=$(TEST_CONCURRENCY) --test-timeout=600000 $(TESTS)

bench: debian-packages build
	@for b in bench/*/run.ts; do echo "== $$b"; $(NODE) --import tsx $$b || exit 1; done

clean:
	rm -rf dist native/build web/dist $(STAMP) .runtime
