#!/usr/bin/env bash
# Sets up Sluice and runs the shipped example: the medallion pipeline's state
# machine, its tasks bound to local stand-in functions, printing the result.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec examples/medallion/run.sh "$@"
