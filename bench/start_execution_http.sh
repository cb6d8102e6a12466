#!/usr/bin/env bash
# StartExecution over HTTP on loopback with wrk: a 3-state STANDARD machine,
# 16 connections, bounded in time (DURATION, default 5s). Prints throughput and
# latency percentiles. Needs `wrk` (Debian package) and the machine's python3 with boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${SLUICE:-build/sluice}"
duration="${DURATION:-5s}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" server --port "$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
python3 - "$port" <<'PY'
import json, sys, time, urllib.request
port = sys.argv[1]
for _ in range(200):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_sluice/health", timeout=1); break
    except OSError:
        time.sleep(0.01)
import boto3
c = boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                 aws_access_key_id="bench", aws_secret_access_key="bench")
d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
                                "C": {"Type": "Pass", "End": True}}}
c.create_state_machine(name="three", roleArn="arn:aws:iam::000000000000:role/bench",
                       definition=json.dumps(d))
PY
script=$(mktemp --suffix .lua)
cat > "$script" <<'LUA'
wrk.method = "POST"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions.StartExecution"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.body = '{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:three","input":"{\\"k\\":1}"}'
LUA
wrk -t1 -c16 -d"$duration" --latency -s "$script" "http://127.0.0.1:$port/"
rm -f "$script"
