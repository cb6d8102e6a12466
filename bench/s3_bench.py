#!/usr/bin/env python3
"""S3 throughput of `sluice server` against the raw disk, in one bounded run.

  1. The limits, measured in the data directory's file system: sequential
     write bandwidth (256 MiB, then fsync) and durable small-file writes
     (4 KiB file + fsync + rename + directory fsync: what a PUT over 64 KiB
     pays; smaller objects are rows in SQLite's group-committed WAL).
  2. PUT then GET of 4 KiB objects from 16 concurrent clients (ops/s).
  3. PUT then GET of 64 MiB objects, one client (MiB/s).
  4. ListObjectsV2 over LIST_KEYS (default 100,000; 0 skips) keys, in pages
     of 1,000.
  5. Steps 2 and 3 again on the npm `s3rver` (the peer; bench/s3-peer,
     installed on first use), and the ratios (PEER=0 skips it).

NOTIFY=1 gives Sluice's bench bucket a notification configuration (every
ObjectCreated event to an SQS queue in the same server), so each PUT also
stores its event in the write's transaction and delivers it; compare the PUT
rate with a run without it.

Clients are separate processes speaking plain HTTP/1.1 with keep-alive
(anonymous requests: no signing cost on either side), so the Python GIL is
not the bottleneck. The machine has 2 cores, shared by server and clients.

Usage: bench/s3_bench.py [BINARY] [SECONDS_PER_PHASE]
"""
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

MiB = 1024 * 1024
binary = sys.argv[1] if len(sys.argv) > 1 else "build/sluice"
phase_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
CLIENTS = 16


def disk_limits(directory):
    path = os.path.join(directory, "bench.tmp")
    block = os.urandom(8 * MiB)
    t0 = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    for _ in range(32):
        os.write(fd, block)
    os.fsync(fd)
    os.close(fd)
    seq = 256 / (time.perf_counter() - t0)
    os.unlink(path)
    small = os.urandom(4096)
    dfd = os.open(directory, os.O_RDONLY)
    count, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 3 and count < 2000:
        tmp = os.path.join(directory, f".t{count}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.write(fd, small)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, os.path.join(directory, f"f{count}"))
        os.fsync(dfd)
        count += 1
    small_rate = count / (time.perf_counter() - t0)
    os.close(dfd)
    for i in range(count):
        os.unlink(os.path.join(directory, f"f{i}"))
    return seq, small_rate


def small_worker(args):
    port, worker, method, deadline, keys = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = os.urandom(4096)
    done = 0
    while time.time() < deadline:
        key = f"/bench/w{worker}/k{done if keys is None else done % keys}"
        conn.request(method, key, body=body if method == "PUT" else None)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {key}: {r.status}")
        done += 1
    conn.close()
    return done


def run_small(port, method, keys_per_worker=None):
    deadline = time.time() + phase_seconds
    t0 = time.perf_counter()
    with multiprocessing.Pool(CLIENTS) as pool:
        counts = pool.map(small_worker,
                          [(port, w, method, deadline, keys_per_worker) for w in range(CLIENTS)])
    return sum(counts), sum(counts) / (time.perf_counter() - t0), min(counts)


def run_large(port, count=4):
    body = os.urandom(64 * MiB)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    for i in range(count):
        conn.request("PUT", f"/bench/large/{i}", body=body)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
    put = count * 64 / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(count):
        conn.request("GET", f"/bench/large/{i}")
        r = conn.getresponse()
        got = 0
        while chunk := r.read(4 * MiB):
            got += len(chunk)
        assert got == 64 * MiB
    get = count * 64 / (time.perf_counter() - t0)
    conn.close()
    return put, get


def start_sluice(data_dir):
    proc = subprocess.Popen([binary, "server", "--port", "0", "--data-dir", data_dir],
                            stdout=subprocess.PIPE, text=True)
    return proc, int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))


def start_s3rver(data_dir):
    """The peer, installed from bench/s3-peer (npm) on first use; None when npm
    or node is missing."""
    peer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "s3-peer")
    exe = os.path.join(peer, "node_modules", ".bin", "s3rver")
    if not os.path.exists(exe):
        if not shutil.which("npm") or subprocess.call(
                ["npm", "install", "--prefix", peer, "--no-audit", "--no-fund", "--silent"]) != 0:
            return None, None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.makedirs(data_dir)
    proc = subprocess.Popen([exe, "--directory", data_dir, "--port", str(port), "--silent"],
                            stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()  # "S3rver listening on ..."
    return proc, port


def call(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
    return data


def sqs_call(conn, action, request):
    return call(conn, "POST", "/", body=json.dumps(request),
                headers={"X-Amz-Target": f"AmazonSQS.{action}",
                         "Content-Type": "application/x-amz-json-1.0"})


def configure_notifications(conn):
    """Every ObjectCreated event of the bench bucket to queue bench-events."""
    url = json.loads(sqs_call(conn, "CreateQueue", {"QueueName": "bench-events"}))["QueueUrl"]
    call(conn, "PUT", "/bench?notification", body=(
        "<NotificationConfiguration><QueueConfiguration><Id>all</Id>"
        "<Queue>arn:aws:sqs:us-east-1:000000000000:bench-events</Queue>"
        "<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>"))
    return url


def queued(conn, url):
    out = sqs_call(conn, "GetQueueAttributes",
                   {"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]})
    return int(json.loads(out)["Attributes"]["ApproximateNumberOfMessages"])


def measure(port, notify=False):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("PUT", "/bench")
    c.getresponse().read()
    queue_url = configure_notifications(c) if notify else None
    put_n, put_rate, fewest = run_small(port, "PUT")
    if notify:
        # Deliveries run after the answers: let the last ones land, then check.
        deadline, events = time.time() + 30, 0
        while time.time() < deadline and events < put_n:
            events = queued(c, queue_url) - 1  # the s3:TestEvent
            time.sleep(0.2)
        print(f"notifications: {events} ObjectCreated events queued for {put_n} PUTs")
    # Each client reads back (cyclically) the keys every client wrote.
    get_n, get_rate, _ = run_small(port, "GET", keys_per_worker=max(1, fewest))
    put_large, get_large = run_large(port)
    return {"put": put_rate, "put_n": put_n, "get": get_rate, "get_n": get_n,
            "put_large": put_large, "get_large": get_large}


def list_keys(port, keys):
    """ListObjectsV2 over `keys` keys (written first by 16 clients): pages of
    1,000, and the time to walk them all."""
    per_worker = keys // CLIENTS
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("PUT", "/listing")
    conn.getresponse().read()
    with multiprocessing.Pool(CLIENTS) as pool:
        pool.map(fill_worker, [(port, w, per_worker) for w in range(CLIENTS)])
    t0 = time.perf_counter()
    token, listed, pages = None, 0, 0
    while True:
        query = "/listing?list-type=2&max-keys=1000"
        if token:
            query += "&continuation-token=" + urllib.parse.quote(token, safe="")
        conn.request("GET", query)
        body = conn.getresponse().read().decode()
        listed += body.count("<Key>")
        pages += 1
        m = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
        if not m:
            break
        token = m.group(1)
    return listed, pages, time.perf_counter() - t0


def fill_worker(args):
    port, worker, n = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(n):
        conn.request("PUT", f"/listing/w{worker:02d}/k{i:06d}", body=b"x")
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"PUT: {r.status}")
    conn.close()


def main():
    data_dir = tempfile.mkdtemp(prefix="sluice-s3-bench-", dir=os.environ.get("BENCH_DIR"))
    procs = []
    try:
        seq, small_rate = disk_limits(data_dir)
        print(f"disk ({data_dir}): sequential write + fsync {seq:.0f} MiB/s; "
              f"durable 4 KiB file writes {small_rate:.0f}/s (write+fsync+rename+dir fsync)")
        proc, port = start_sluice(os.path.join(data_dir, "sluice"))
        procs.append(proc)
        ours = measure(port, notify=os.environ.get("NOTIFY") == "1")
        list_n = int(os.environ.get("LIST_KEYS", "100000"))
        listed, pages, secs = list_keys(port, list_n) if list_n else (0, 0, 0)
        proc.terminate()
        peer_proc, peer_port = (None, None) if os.environ.get("PEER") == "0" else start_s3rver(
            os.path.join(data_dir, "s3rver"))
        peer = None
        if peer_proc:
            procs.append(peer_proc)
            peer = measure(peer_port)

        def row(label, key, unit):
            line = f"{label}: sluice {ours[key]:.0f} {unit}"
            if peer:
                line += f", s3rver {peer[key]:.0f} {unit}, ratio {ours[key] / peer[key]:.1f}x"
            print(line)

        row(f"PUT 4 KiB x {CLIENTS} clients", "put", "ops/s")
        row(f"GET 4 KiB x {CLIENTS} clients", "get", "ops/s")
        row("PUT 64 MiB x 1 client", "put_large", "MiB/s")
        row("GET 64 MiB x 1 client", "get_large", "MiB/s")
        print(f"sluice 64 MiB PUT at {100 * ours['put_large'] / seq:.0f}% of the disk's "
              f"sequential write bandwidth ({seq:.0f} MiB/s; goal 70%)")
        if listed:
            print(f"sluice ListObjectsV2 over {listed} keys: {pages} pages of 1,000 in "
                  f"{secs * 1000:.0f} ms ({listed / secs:.0f} keys/s)")
        if not peer:
            print("s3rver: not measured (PEER=0, or npm or node missing)")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
            p.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
