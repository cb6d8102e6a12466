#!/usr/bin/env bash
# Installs Sluice's build dependencies on Debian 12 (idempotent) and builds
# everything into ./build. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev zlib1g-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 clang-format nodejs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# DuckDB's C library and header (npm; pinned and checked), for the lake.
./scripts/fetch_duckdb.sh

# One configuration for demo.sh and test.sh alike (warnings are errors), so
# neither rebuilds what the other built.
build_type="${SLUICE_BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DSLUICE_WERROR=ON \
  ${SLUICE_CMAKE_ARGS:-} >/dev/null
cmake --build build
