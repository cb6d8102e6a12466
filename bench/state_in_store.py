#!/usr/bin/env python3
"""State lives in the store (issue 26): fill a server with closed executions,
queued messages and log events, kill -9 it, restart it on the same data and
print the time from spawn to the first answer and the resident memory; then
the hot paths on that full server. The WAL's largest size while filling is
sampled too.

    bench/state_in_store.py [--build build] [--count 1000000] [--seconds 5]

--count sets each of the three collections (1,000,000 takes a few minutes on
2 cores: most of it the executions). Requests go over keep-alive HTTP from
bench/tools/http_load.cpp (closed loop, 32 connections); ReceiveMessage +
DeleteMessageBatch from 8 client processes.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqs_bench import call, throughput  # noqa: E402

ACCOUNT = "000000000000"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, build, data, port):
        self.cmd = [os.path.join(build, "sluice"), "server", "--port", str(port), "--data-dir", data]
        self.port = port
        self.proc = None

    def start(self):
        """Spawns the server; returns ms from spawn to its first API answer.
        The server prints its "listening" line once it accepts connections."""
        t = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        line = self.proc.stdout.readline()
        if "listening" not in line:
            raise RuntimeError(f"sluice server did not start: {line!r}")
        call(http.client.HTTPConnection("127.0.0.1", self.port, timeout=5), "ListQueues", {})
        first = (time.perf_counter() - t) * 1000
        # Keep reading what it prints: a pipe nobody reads fills and blocks it.
        threading.Thread(target=lambda out: [None for _ in out], args=(self.proc.stdout,),
                         daemon=True).start()
        return first

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def idle(self):
        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_sluice/idle", timeout=600).read()


def load(build, port, target, body, requests=0, seconds=5.0, connections=32,
         content="application/x-amz-json-1.0"):
    cmd = [os.path.join(build, "bench", "sluice_http_load"), "--port", str(port),
           "--connections", str(connections), "--seconds", str(seconds),
           "--header", f"X-Amz-Target: {target}", "--header", f"Content-Type: {content}",
           "--body", body]
    if requests:
        cmd += ["--requests", str(requests)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def receive_delete_worker(port, url, seconds, start, out):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = call(conn, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10})
        msgs = got.get("Messages", [])
        if msgs:
            call(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)]})
        done += len(msgs)
    out.put(done)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    n = args.count
    data = tempfile.mkdtemp(prefix="sluice-state-")
    port = free_port()
    server = Server(args.build, data, port)
    wal_max = [0]
    stop = threading.Event()

    def sample_wal():
        wal = os.path.join(data, "sluice.db-wal")
        while not stop.wait(0.2):
            try:
                wal_max[0] = max(wal_max[0], os.path.getsize(wal))
            except OSError:
                pass

    try:
        server.start()
        threading.Thread(target=sample_wal, daemon=True).start()
        c = http.client.HTTPConnection("127.0.0.1", port)
        url = call(c, "CreateQueue", {"QueueName": "buffer"})["QueueUrl"]
        machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                              "B": {"Type": "Pass", "Next": "C"},
                                              "C": {"Type": "Pass", "End": True}}}
        c.request("POST", "/", json.dumps({
            "name": "three", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/bench",
            "definition": json.dumps(machine)}), {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AWSStepFunctions.CreateStateMachine"})
        arn = json.loads(c.getresponse().read())["stateMachineArn"]
        for target, body in (("Logs_20140328.CreateLogGroup", {"logGroupName": "g"}),
                             ("Logs_20140328.CreateLogStream",
                              {"logGroupName": "g", "logStreamName": "s"})):
            c.request("POST", "/", json.dumps(body), {
                "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})
            c.getresponse().read()

        t = time.perf_counter()
        sent = load(args.build, port, "AmazonSQS.SendMessage",
                    json.dumps({"QueueUrl": url, "MessageBody": "message %N, a payload of some "
                                "hundred bytes " + "x" * 64}), requests=n, seconds=3600)
        print(f"filled {sent['requests']:,} messages in {time.perf_counter() - t:.1f} s "
              f"({sent['rate']:,.0f}/s)")
        t = time.perf_counter()
        started = load(args.build, port, "AWSStepFunctions.StartExecution",
                       json.dumps({"stateMachineArn": arn, "name": "run-%N"}),
                       requests=n, seconds=3600)
        server.idle()
        print(f"filled {started['requests']:,} executions (all ended) in "
              f"{time.perf_counter() - t:.1f} s ({started['rate']:,.0f}/s)")
        now = int(time.time() * 1000)
        batch = 1_000  # events a call (the body is a command-line argument)
        events = json.dumps({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now - 60_000 + i // 100, "message": f"event {i} of a batch"}
            for i in range(batch)]})
        t = time.perf_counter()
        put = load(args.build, port, "Logs_20140328.PutLogEvents", events,
                   requests=max(1, n // batch), seconds=3600, connections=4,
                   content="application/x-amz-json-1.1")
        print(f"filled {put['requests'] * batch:,} log events in {time.perf_counter() - t:.1f} s")
        print(f"resident while full, before restart: {rss_mb(server.proc.pid):.1f} MB; "
              f"largest WAL while filling: {wal_max[0] / 2**20:.0f} MB; "
              f"data dir {sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data) for f in fs) / 2**20:.0f} MB")

        server.kill9()
        first = server.start()
        print(f"restart (kill -9, then spawn): first answer after {first:.0f} ms, "
              f"resident {rss_mb(server.proc.pid):.1f} MB")

        s = args.seconds
        send = load(args.build, port, "AmazonSQS.SendMessage",
                    json.dumps({"QueueUrl": url, "MessageBody": "hot %N"}), seconds=s)
        rd = throughput(port, url, s, 8, worker=receive_delete_worker)
        start = load(args.build, port, "AWSStepFunctions.StartExecution",
                     json.dumps({"stateMachineArn": arn, "name": "hot-%N"}), seconds=s)
        server.idle()
        small = json.dumps({"logGroupName": "g", "logStreamName": "s", "logEvents": [
            {"timestamp": now, "message": "hot event"}]})
        logs = load(args.build, port, "Logs_20140328.PutLogEvents", small, seconds=s,
                    content="application/x-amz-json-1.1")
        print(f"hot paths on the full server ({s:.0f} s each): SendMessage {send['rate']:,.0f}/s "
              f"(p99 {send['p99_ms']:.1f} ms); ReceiveMessage+DeleteMessageBatch {rd:,.0f} "
              f"messages/s; StartExecution {start['rate']:,.0f}/s; PutLogEvents "
              f"{logs['rate']:,.0f}/s")
        print(f"resident after the hot paths: {rss_mb(server.proc.pid):.1f} MB; "
              f"largest WAL: {wal_max[0] / 2**20:.0f} MB")
    finally:
        stop.set()
        if server.proc and server.proc.poll() is None:
            server.proc.terminate()
            server.proc.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
