#!/usr/bin/env bash
# Runs the JSONata orders example with `sluice run`, binding price-order to its
# local stand-in. Extra arguments go to `sluice run` (e.g. --history).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sluice="${SLUICE:-$here/../../build/sluice}"
exec "$sluice" run "$here/state_machine.json" --input "@$here/input.json" \
  --function "price-order=$here/functions/price-order" "$@"
