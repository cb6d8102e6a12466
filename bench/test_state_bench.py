#!/usr/bin/env python3
"""TestState benchmark (bounded, ~3 x --seconds): requests per second and
latency percentiles of TestState over HTTP, with 4 concurrent clients, for
three shapes: a JSONPath Pass state at DEBUG (every I/O step recorded), a Task
with a mocked result and a Retry/Catch (mock path, CAUGHT_ERROR), and a real
aws-sdk:ssm:getParameter call (through the operation registry).

    bench/test_state_bench.py [--build build] [--seconds 5] [--clients 4]

Clients are separate processes speaking awsJson 1.0 over keep-alive
connections (unsigned: a server without configured keys accepts that).
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

PASS = {"Type": "Pass", "InputPath": "$.order",
        "Parameters": {"id.$": "$.id", "lines.$": "$.lines", "k": 1},
        "ResultPath": "$.copy", "Next": "Ship"}
MOCKED = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload.$": "$"},
          "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handle"}],
          "End": True}
SSM = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
       "Parameters": {"Name": "/bench/param"}, "ResultSelector": {"v.$": "$.Parameter.Value"},
       "End": True}
INPUT = json.dumps({"order": {"id": 7, "lines": [{"sku": f"s{i}", "qty": i} for i in range(20)]}})

CASES = {
    "pass_debug": {"definition": json.dumps(PASS), "input": INPUT, "inspectionLevel": "DEBUG"},
    "mocked_task_caught": {"definition": json.dumps(MOCKED), "input": INPUT,
                           "mock": {"errorOutput": {"error": "Boom", "cause": "x"}}},
    "ssm_get_parameter": {"definition": json.dumps(SSM)},
}


def call(conn, target, body):
    conn.request("POST", "/", json.dumps(body), {"Content-Type": "application/x-amz-json-1.0",
                                                 "X-Amz-Target": target})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise RuntimeError(f"{target}: {r.status} {data[:200]!r}")
    return json.loads(data) if data else {}


def worker(port, body, seconds, start, out):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start.wait()
    latencies, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        t = time.perf_counter()
        call(conn, "AWSStepFunctions.TestState", body)
        latencies.append(time.perf_counter() - t)
    out.put(latencies)


def run_case(port, body, seconds, clients):
    start, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=worker, args=(port, body, seconds, start, out))
             for _ in range(clients)]
    for p in procs:
        p.start()
    time.sleep(0.3)
    t = time.monotonic()
    start.set()
    latencies = [x for _ in procs for x in out.get()]
    elapsed = time.monotonic() - t
    for p in procs:
        p.join()
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, q[49] * 1e3, q[98] * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp(prefix="sluice-bench-")
    server = subprocess.Popen([os.path.join(args.build, "sluice"), "server", "--port", "0",
                               "--data-dir", data_dir], stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+) ", server.stdout.readline()).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port)
        call(conn, "AmazonSSM.PutParameter", {"Name": "/bench/param", "Value": "v",
                                              "Type": "String"})
        for name, body in CASES.items():
            status = call(conn, "AWSStepFunctions.TestState", body)["status"]
            rate, p50, p99 = run_case(port, body, args.seconds, args.clients)
            print(f"{name:20s} {status:13s} {rate:8.0f} req/s  p50 {p50:6.2f} ms"
                  f"  p99 {p99:6.2f} ms  ({args.clients} clients)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
