#!/usr/bin/env bash
# Runs the JSONata orders example with `sluice run`, its pricing Lambda function
# (functions/price_order, Python) run for real behind the Lambda Runtime API.
# Extra arguments go to `sluice run` (e.g. --history).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sluice="${SLUICE:-$here/../../build/sluice}"
exec "$sluice" run "$here/state_machine.json" --input "@$here/input.json" \
  --lambda "name=price-order,code=$here/functions/price_order,runtime=python3.12,handler=app.handler" \
  "$@"
