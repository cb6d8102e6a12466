#!/usr/bin/env bash
# Installs the pinned JS SDK (first run only) and runs the node tests.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/@aws-sdk/client-sfn ] || [ ! -d node_modules/@aws-sdk/client-scheduler ] ||
  [ ! -d node_modules/@aws-sdk/client-s3 ] || [ ! -d node_modules/@aws-sdk/client-lambda ] ||
  [ ! -d node_modules/@aws-sdk/client-athena ] || [ ! -d node_modules/@aws-sdk/client-glue ]; then
  npm ci --silent --no-audit --no-fund
fi
exec node --test
