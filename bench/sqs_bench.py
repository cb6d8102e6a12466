#!/usr/bin/env python3
"""SQS and SNS benchmark (bounded, ~50 s): durable send+receive+delete
throughput with 16 concurrent HTTP clients, long-poll latency from send to
receive, SNS fan-out of published messages to 10 subscribed queues, and, in
the same run, the raw group-commit insert rate of the store (the ceiling: every
message costs three durable writes: insert, receive update, delete).

    bench/sqs_bench.py [--build build] [--seconds 10] [--clients 16]

Clients are separate processes speaking awsJson 1.0 over keep-alive
connections (no signing: a server without configured keys accepts that), so
the figure is the server's, not the Python client's GIL.
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
import threading
import time
import urllib.parse


def call(conn, op, body):
    conn.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{op}"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise RuntimeError(f"{op}: {r.status} {data[:200]!r}")
    return json.loads(data) if data else {}


def worker(port, url, seconds, start, out):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        call(conn, "SendMessage", {"QueueUrl": url, "MessageBody": "x" * 256})
        got = call(conn, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 1})
        for m in got.get("Messages", []):
            call(conn, "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]})
            done += 1
    out.put(done)


def throughput(port, url, seconds, clients, worker=worker):
    """Messages/s of `clients` processes running `worker(port, url, seconds,
    start, out)` together; each puts its count on `out`."""
    start, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=worker, args=(port, url, seconds, start, out)) for _ in range(clients)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    t = time.monotonic()
    start.set()
    total = sum(out.get() for _ in procs)
    elapsed = time.monotonic() - t
    for p in procs:
        p.join()
    return total / elapsed


def long_poll_latency(port, url, rounds):
    latencies = []
    for _ in range(rounds):
        result = {}

        def receive():
            conn = http.client.HTTPConnection("127.0.0.1", port)
            result["r"] = call(conn, "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 20})
            result["t"] = time.perf_counter()

        th = threading.Thread(target=receive)
        th.start()
        time.sleep(0.02)  # let the receive park
        sender = http.client.HTTPConnection("127.0.0.1", port)
        t0 = time.perf_counter()
        call(sender, "SendMessage", {"QueueUrl": url, "MessageBody": "ping"})
        th.join()
        latencies.append((result["t"] - t0) * 1000)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for m in result["r"]["Messages"]:
            call(conn, "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]})
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return statistics.median(latencies), pick(0.95), pick(0.99)


def sns_call(conn, action, params):
    """The query protocol; a well-formed (unverified) credential scope names the service."""
    body = "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}"
                    for k, v in {"Action": action, "Version": "2010-03-31", **params}.items())
    conn.request("POST", "/", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sns/aws4_request, "
                         "SignedHeaders=host, Signature=00"})
    r = conn.getresponse()
    data = r.read().decode()
    if r.status != 200:
        raise RuntimeError(f"{action}: {r.status} {data[:200]!r}")
    return data


def publisher(port, topic, count, start, out):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start.wait()
    for i in range(count):
        sns_call(conn, "Publish", {"TopicArn": topic, "Message": f"m{i}"})
    out.put(count)


def fan_out(port, queues, messages, clients):
    """Publishes `messages` (from `clients` processes) to a topic with `queues`
    SQS subscribers; returns (publishes/s, deliveries/s until every copy is in
    its queue)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    topic = re.search(r"<TopicArn>(.*?)</TopicArn>",
                      sns_call(conn, "CreateTopic", {"Name": "bench-fan"})).group(1)
    urls = []
    for q in range(queues):
        url = call(conn, "CreateQueue", {"QueueName": f"bench-fan-{q}"})["QueueUrl"]
        arn = call(conn, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["QueueArn"]})
        sns_call(conn, "Subscribe", {"TopicArn": topic, "Protocol": "sqs",
                                     "Endpoint": arn["Attributes"]["QueueArn"]})
        urls.append(url)
    start, out = mp.Event(), mp.Queue()
    per = messages // clients
    procs = [mp.Process(target=publisher, args=(port, topic, per, start, out))
             for _ in range(clients)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    t = time.monotonic()
    start.set()
    published = sum(out.get() for _ in procs)
    publish_elapsed = time.monotonic() - t
    for p in procs:
        p.join()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = [int(call(conn, "GetQueueAttributes", {
            "QueueUrl": u, "AttributeNames": ["ApproximateNumberOfMessages"]})
            ["Attributes"]["ApproximateNumberOfMessages"]) for u in urls]
        if sum(counts) >= published * queues:
            break
        time.sleep(0.01)
    else:
        raise RuntimeError(f"fan-out incomplete: {counts} of {published} each")
    delivered_elapsed = time.monotonic() - t
    return published / publish_elapsed, published * queues / delivered_elapsed


def store_insert_rate(build, threads):
    binary = os.path.join(build, "bench", "sluice_bench")
    r = subprocess.run([binary, f"--benchmark_filter=BM_GroupCommit/fsync:0/real_time/threads:{threads}$",
                        "--benchmark_min_time=2", "--benchmark_format=json"],
                       capture_output=True, text=True, timeout=120)
    data = json.loads(r.stdout)
    return data["benchmarks"][0]["rows_per_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--fan-messages", type=int, default=2000)
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="sqs-bench-", dir=os.getcwd())
    server = subprocess.Popen([os.path.join(args.build, "sluice"), "server", "--port", "0",
                               "--data-dir", data_dir], stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+) ", server.stdout.readline()).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port)
        url = call(conn, "CreateQueue", {"QueueName": "bench"})["QueueUrl"]
        poll_url = call(conn, "CreateQueue", {"QueueName": "bench-poll"})["QueueUrl"]
        rate = throughput(port, url, args.seconds, args.clients)
        p50, p95, p99 = long_poll_latency(port, poll_url, args.rounds)
        publishes, deliveries = fan_out(port, 10, args.fan_messages, 8)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
    inserts = store_insert_rate(args.build, 64)
    print(f"send+receive+delete, {args.clients} HTTP clients, durable: {rate:,.0f} messages/s "
          f"({3 * rate:,.0f} durable writes/s)")
    print(f"long poll, send -> receive: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms "
          f"({args.rounds} rounds)")
    print(f"SNS fan-out to 10 SQS queues, 8 publishers, durable: {publishes:,.0f} publishes/s, "
          f"{deliveries:,.0f} queue deliveries/s until all {args.fan_messages * 10:,} copies landed")
    print(f"store limit (group-commit inserts, 64 submitters, same run): {inserts:,.0f} rows/s "
          f"= {inserts / 3:,.0f} messages/s at 3 writes each")


if __name__ == "__main__":
    main()
