#!/usr/bin/env bash
# Fetches DuckDB's C library and header into third_party/duckdb (gitignored):
# libduckdb.so from the official prebuilt npm package
# @duckdb/node-bindings-linux-x64, and duckdb.h from the source tree inside
# the `duckdb` npm package of the same version (1.4.4: the last version with
# both). The tarballs are checked against pinned SHA-256 sums. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.4.4
bindings="@duckdb/node-bindings-linux-x64@${version}-r.4"
bindings_sha=732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b
source_pkg="duckdb@${version}"
source_sha=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed

dest=third_party/duckdb
if [ -f "$dest/libduckdb.so" ] && [ -f "$dest/duckdb.h" ] &&
  [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_duckdb: npm is needed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$bindings" "$source_pkg" >/dev/null)
check() {
  local file=$1 want=$2
  local got
  got=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "fetch_duckdb: $(basename "$file") has SHA-256 $got, expected $want" >&2
    exit 1
  fi
}
check "$work/duckdb-node-bindings-linux-x64-${version}-r.4.tgz" "$bindings_sha"
check "$work/duckdb-${version}.tgz" "$source_sha"
mkdir -p "$dest"
tar -xzf "$work/duckdb-node-bindings-linux-x64-${version}-r.4.tgz" -C "$work" package/libduckdb.so
tar -xzf "$work/duckdb-${version}.tgz" -C "$work" package/src/duckdb/src/include/duckdb.h \
  package/LICENSE
mv "$work/package/libduckdb.so" "$dest/libduckdb.so"
mv "$work/package/src/duckdb/src/include/duckdb.h" "$dest/duckdb.h"
mv "$work/package/LICENSE" "$dest/LICENSE"
echo "$version" >"$dest/VERSION"
echo "fetch_duckdb: DuckDB $version in $dest"
