#!/usr/bin/env bash
# Runs the medallion pipeline with `sluice run`, binding each Lambda function
# to its local stand-in under functions/. Extra arguments go to `sluice run`
# (e.g. --history). DQ_SCORE=0.5 ./run.sh shows the failure path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sluice="${SLUICE:-$here/../../build/sluice}"
bindings=()
for f in "$here"/functions/*; do bindings+=(--function "$(basename "$f")=$f"); done
exec "$sluice" run "$here/state_machine.json" --input "@$here/input.json" "${bindings[@]}" "$@"
