#!/usr/bin/env python3
"""Lambda benchmark (bounded, ~40 s): Invoke over HTTP against `sluice server`
as a user runs it, with a Python and a Node.js echo function.

    bench/lambda_bench.py [--build build] [--seconds 5] [--cold 15] [--warm 2000]

- cold start: Invoke latency when no sandbox exists (each round changes the
  function's configuration, so the next invoke starts a fresh process), beside
  the bare start of the same interpreter measured in the same run
  (`python3 -c pass`, `node -e 0`): the ratio is what the runtime adds (Python
  sandboxes fork from a warm interpreter, so theirs is below 1);
- warm invoke latency p50/p99 on one keep-alive connection, beside the
  server's floor on the same connection (GET /_sluice/health);
- warm invokes/s with 1, 4 and 16 client processes;
- an SQS event source mapping's messages/s (BatchSize 10) draining a queue,
  beside the same queue drained by one ReceiveMessage/DeleteMessageBatch client
  (the SQS floor, measured in the same run).

Requests are not signed (a server without configured keys accepts that); the
Authorization header only names the service, as the SDKs' would.
"""
import argparse
import http.client
import io
import json
import multiprocessing as mp
import shutil
import statistics
import subprocess
import time
import zipfile

from bench_server import sluice_server
from sqs_bench import call as sqs_call

AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/"
                         "aws4_request, SignedHeaders=host, Signature=00"}
ROLE = "arn:aws:iam::000000000000:role/bench"


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def call(conn, method, path, body=None):
    conn.request(method, path, body, {**AUTH, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    if r.getheader("X-Amz-Function-Error"):
        raise RuntimeError(f"function error: {data[:300]!r}")
    return data


def invoke(conn, name, payload=b'{"n": 1}'):
    return call(conn, "POST", f"/2015-03-31/functions/{name}/invocations", payload)


def create(conn, name, runtime, handler, files):
    import base64
    body = {"FunctionName": name, "Runtime": runtime, "Role": ROLE, "Handler": handler,
            "Code": {"ZipFile": base64.b64encode(zip_of(files)).decode()}}
    call(conn, "POST", "/2015-03-31/functions", json.dumps(body))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def bare_start(argv, rounds):
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run(argv, check=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def cold_starts(conn, name, rounds):
    times = []
    for i in range(rounds):
        call(conn, "PUT", f"/2015-03-31/functions/{name}/configuration",
             json.dumps({"Description": f"round {i}"}))
        t = time.perf_counter()
        invoke(conn, name)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def warm_latency(conn, name, count):
    invoke(conn, name)
    times = []
    for _ in range(count):
        t = time.perf_counter()
        invoke(conn, name)
        times.append((time.perf_counter() - t) * 1000)
    floor = []
    for _ in range(count):
        t = time.perf_counter()
        call(conn, "GET", "/_sluice/health")
        floor.append((time.perf_counter() - t) * 1000)
    return percentile(times, 0.5), percentile(times, 0.99), percentile(floor, 0.5)


def worker(port, name, seconds, start, out):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    invoke(conn, name)
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        invoke(conn, name)
        done += 1
    out.put(done)


def throughput(port, name, seconds, clients):
    start, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=worker, args=(port, name, seconds, start, out))
             for _ in range(clients)]
    for p in procs:
        p.start()
    time.sleep(1.0)
    start.set()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def fill(conn, url, count):
    for i in range(0, count, 10):
        sqs_call(conn, "SendMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(j), "MessageBody": json.dumps({"n": i + j})} for j in range(10)]})


def depth(conn, url):
    attrs = sqs_call(conn, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": [
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]})["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"])


def mapping_rate(conn, count):
    url = sqs_call(conn, "CreateQueue", {"QueueName": "bench-mapped"})["QueueUrl"]
    fill(conn, url, count)
    t = time.perf_counter()
    call(conn, "POST", "/2015-03-31/event-source-mappings", json.dumps({
        "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:bench-mapped",
        "FunctionName": "py-echo", "BatchSize": 10}))
    while depth(conn, url):
        time.sleep(0.01)
    mapped = count / (time.perf_counter() - t)
    url = sqs_call(conn, "CreateQueue", {"QueueName": "bench-direct"})["QueueUrl"]
    fill(conn, url, count)
    t = time.perf_counter()
    while True:
        got = sqs_call(conn, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10})
        messages = got.get("Messages", [])
        if not messages:
            break
        sqs_call(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]})
    direct = count / (time.perf_counter() - t)
    return mapped, direct


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--cold", type=int, default=15)
    ap.add_argument("--warm", type=int, default=2000)
    ap.add_argument("--messages", type=int, default=5000)
    args = ap.parse_args()
    with sluice_server(args.build) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        create(conn, "py-echo", "python3.12", "app.handler",
               {"app.py": "def handler(event, context):\n    return event\n"})
        create(conn, "node-echo", "nodejs20.x", "index.handler",
               {"index.mjs": "export const handler = async (event) => event;\n"})
        python = shutil.which("python3")
        python = subprocess.run([python, "-c", "import sys; print(sys.executable)"],
                                capture_output=True, text=True).stdout.strip()
        node = shutil.which("node")
        print(f"{'':28}{'sluice':>12}{'bare start':>12}{'ratio':>8}")
        for label, name, argv in [("python3.12", "py-echo", [python, "-c", "pass"]),
                                  ("nodejs20.x", "node-echo", [node, "-e", "0"])]:
            cold = cold_starts(conn, name, args.cold)
            bare = bare_start(argv, args.cold)
            print(f"{label + ' cold invoke p50':28}{cold:>10.1f}ms{bare:>10.1f}ms"
                  f"{cold / bare:>7.2f}x")
        print()
        print(f"{'':28}{'p50':>10}{'p99':>10}{'floor p50':>11}")
        for label, name in [("python3.12", "py-echo"), ("nodejs20.x", "node-echo")]:
            p50, p99, floor = warm_latency(conn, name, args.warm)
            print(f"{label + ' warm invoke':28}{p50:>8.3f}ms{p99:>8.3f}ms{floor:>9.3f}ms")
        print()
        for clients in (1, 4, 16):
            rate = throughput(port, "py-echo", args.seconds, clients)
            print(f"python3.12 warm invokes/s, {clients:>2} clients: {rate:>10.0f}")
        print()
        mapped, direct = mapping_rate(conn, args.messages)
        print(f"SQS mapping, BatchSize 10: {mapped:>8.0f} messages/s; one client receiving and "
              f"deleting: {direct:>8.0f} messages/s ({mapped / direct:.2f}x)")


if __name__ == "__main__":
    main()
