#!/usr/bin/env bash
# Sets up Sluice (dependencies + build, shared with scripts/test.sh) and runs the
# README's main job: the WordPress medallion lake deployed to a local `sluice
# server` and run end to end (examples/wordpress-medallion/run.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The example talks to Sluice as a user would: the AWS CLI, and boto3 inside
# its Python function.
need=()
command -v aws >/dev/null || need+=(awscli)
python3 -c "import boto3" 2>/dev/null || need+=(python3-boto3)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
exec examples/wordpress-medallion/run.sh "$@"
