#!/usr/bin/env bash
# Builds the container image localhost/tripline:latest on this machine, without a registry:
# a minimal Debian bookworm rootfs from mmdebstrap (Debian's mirror, as apt is set up), the Node.js
# runtime in .runtime/node, and the built tree (make build first). Uses buildah, else podman.
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${IMAGE_TAG:-localhost/tripline:latest}
CTX=.make/image
rm -rf "$CTX"
mkdir -p "$CTX/app"

for need in dist/cli/main.js native/build/Release/tripline_fanotify.node web/dist/index.html .runtime/node/bin/node; do
  [ -e "$need" ] || { echo "missing $need: run make build first" >&2; exit 1; }
done

# ca-certificates: GetUrl, alert channels and PostgreSQL over TLS need the CA bundle.
mmdebstrap --variant=minbase --include=ca-certificates --quiet bookworm "$CTX/rootfs.tar"

cp .runtime/node/bin/node "$CTX/node"
cp -a dist package.json package-lock.json proto "$CTX/app/"
mkdir -p "$CTX/app/native/build/Release" "$CTX/app/web"
cp native/build/Release/tripline_fanotify.node "$CTX/app/native/build/Release/"
cp -a web/dist "$CTX/app/web/dist"
# Production dependencies only, copied from the tree already installed (no registry).
cp -a node_modules "$CTX/app/node_modules"
(cd "$CTX/app" && PATH="$PWD/../../../.runtime/node/bin:$PATH" npm prune --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)

if command -v buildah >/dev/null; then
  buildah build --isolation chroot --layers=false -f Containerfile -t "$TAG" "$CTX"
else
  podman build --runtime runc --cgroup-manager cgroupfs -f Containerfile -t "$TAG" "$CTX"
fi
