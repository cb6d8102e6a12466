#!/usr/bin/env bash
# Sets up (dependencies + build) and runs every test: unit tests, the ASL
# conformance corpus (../shared/conformance) and the CLI end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --test-dir build --output-on-failure --timeout 600 -j 2
