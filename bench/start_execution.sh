#!/usr/bin/env bash
# StartExecution (3-state STANDARD machine, durable) and StartSyncExecution
# (EXPRESS) over HTTP on loopback, with the raw SQLite insert rate measured in
# the same run as the limit. For each: the maximum sustained rate (closed
# loop, CONNECTIONS connections) and median/p99 latency at a fixed RATE (open
# loop). Bounded: SECONDS per measurement (default 5).
#
#   bench/start_execution.sh            # after scripts/setup.sh (or cmake --build build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD:-build}"
seconds="${SECONDS_PER_RUN:-5}"
rate="${RATE:-1000}"
connections="${CONNECTIONS:-32}"
cmake --build "$build" --target sluice sluice_http_load sluice_bench >/dev/null
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/sluice" server --port "$port" --data-dir "$data" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
python3 - "$port" <<'PY'
import json, sys, time, urllib.request
port = sys.argv[1]
for _ in range(500):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_sluice/health", timeout=1); break
    except OSError:
        time.sleep(0.01)
import boto3
c = boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                 aws_access_key_id="bench", aws_secret_access_key="bench")
d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
                                "C": {"Type": "Pass", "End": True}}}
for name, kind in (("three", "STANDARD"), ("three-express", "EXPRESS")):
    c.create_state_machine(name=name, roleArn="arn:aws:iam::000000000000:role/bench",
                           definition=json.dumps(d), type=kind)
PY
arn="arn:aws:states:us-east-1:000000000000:stateMachine"
load() {  # target machine connections [rate]
  local extra=()
  [ -n "${4:-}" ] && extra=(--rate "$4")
  "$build/bench/sluice_http_load" --port "$port" --seconds "$seconds" --connections "$3" "${extra[@]}" \
    --header "X-Amz-Target: AWSStepFunctions.$1" \
    --header "Content-Type: application/x-amz-json-1.0" \
    --body "{\"stateMachineArn\":\"$arn:$2\",\"name\":\"run-%N\",\"input\":\"{\\\"k\\\":1}\"}"
}
std_max=$(load StartExecution three "$connections")
std_fixed=$(load StartExecution three 16 "$rate")
exp_max=$(load StartSyncExecution three-express "$connections")
exp_fixed=$(load StartSyncExecution three-express 16 "$rate")
raw=$("$build/bench/sluice_bench" --benchmark_filter='BM_RawInsertTxnPerRow/fsync:0' \
  --benchmark_min_time=2 --benchmark_format=json 2>/dev/null)
python3 - "$std_max" "$std_fixed" "$exp_max" "$exp_fixed" "$raw" "$rate" <<'PY'
import json, sys
std_max, std_fixed, exp_max, exp_fixed = (json.loads(a) for a in sys.argv[1:5])
raw = json.loads(sys.argv[5])["benchmarks"][0]["rows_per_s"]
rate = sys.argv[6]
print(f"raw SQLite insert, one transaction per row (synchronous=NORMAL): {raw:,.0f} rows/s (the limit)")
for label, mx, fx in (("StartExecution, STANDARD, durable", std_max, std_fixed),
                      ("StartSyncExecution, EXPRESS", exp_max, exp_fixed)):
    print(f"{label}:")
    print(f"  max sustained: {mx['rate']:,.0f}/s (p50 {mx['p50_ms']:.2f} ms, p99 {mx['p99_ms']:.2f} ms, "
          f"{mx['errors']} errors) = {mx['rate'] / raw:.2f}x the raw insert rate")
    print(f"  at {rate}/s: p50 {fx['p50_ms']:.2f} ms, p99 {fx['p99_ms']:.2f} ms, "
          f"{fx['requests']} requests, {fx['errors']} errors")
PY
