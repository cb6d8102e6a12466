#!/usr/bin/env python3
"""How long one S3 lifecycle pass takes, in one bounded run.

Puts N small objects (anonymous HTTP PUTs from 8 threads) into a bucket with
an Expiration rule on a `--clock virtual` server, then times two
POST /_sluice/clock/advance calls of one day each: the first pass finds
nothing due (a scan of N versions), the second expires all N (N deletes
and N events published with no destination configured).

While the passes run, a probe thread times HeadBucket (served by S3's own
workers) and SQS ListQueues (served on the engine loop, where the lifecycle
timer fires): their worst latency shows whether a pass stalls the server.

Usage: bench/s3_lifecycle_bench.py [BINARY] [N]
"""
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import threading
import urllib.request

import boto3
from botocore.config import Config

binary = sys.argv[1] if len(sys.argv) > 1 else "build/sluice"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000

data_dir = tempfile.mkdtemp(prefix="sluice-lc-bench-")
proc = subprocess.Popen([binary, "server", "--port", "0", "--data-dir", data_dir, "--clock",
                         "virtual"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    host, port = re.search(r"http://([\d.]+):(\d+)", proc.stdout.readline()).groups()
    base = f"http://{host}:{port}"

    def request(method, path, body=b"", headers=None):
        c = http.client.HTTPConnection(host, int(port), timeout=600)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
        return data

    def admin(path, body=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read())

    request("PUT", "/bench")
    request("PUT", "/bench?lifecycle", body=(
        b'<LifecycleConfiguration><Rule><ID>e</ID><Status>Enabled</Status><Filter></Filter>'
        b'<Expiration><Days>2</Days></Expiration></Rule></LifecycleConfiguration>'))

    def put_range(start):
        c = http.client.HTTPConnection(host, int(port), timeout=60)
        for i in range(start, count, 8):
            c.request("PUT", f"/bench/obj/{i:08d}", body=b"x" * 100)
            c.getresponse().read()
        c.close()

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(put_range, range(8)))
    put_s = time.perf_counter() - t0

    # Move to just after the next midnight: a pass with nothing due.
    now = admin("/_sluice/clock")["now"]
    secs = 86400 - (int(now[11:13]) * 3600 + int(now[14:16]) * 60 + float(now[17:-1])) + 1
    t0 = time.perf_counter()
    admin("/_sluice/clock/advance", {"seconds": secs})
    scan_s = time.perf_counter() - t0
    sqs = boto3.client("sqs", endpoint_url=base, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"max_attempts": 1}))
    sqs.list_queues()  # connect before timing
    probes = {"HeadBucket": [], "SQS ListQueues": []}
    stop = threading.Event()

    def probe():
        c = http.client.HTTPConnection(host, int(port), timeout=600)
        while not stop.is_set():
            t = time.perf_counter()
            c.request("HEAD", "/bench")
            c.getresponse().read()
            probes["HeadBucket"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sqs.list_queues()
            probes["SQS ListQueues"].append(time.perf_counter() - t)
            time.sleep(0.005)
        c.close()

    prober = threading.Thread(target=probe)
    prober.start()
    t0 = time.perf_counter()
    admin("/_sluice/clock/advance", {"seconds": 2 * 86400})
    expire_s = time.perf_counter() - t0
    stop.set()
    prober.join()
    left = request("GET", "/bench?list-type=2&max-keys=1")
    assert b"<KeyCount>0</KeyCount>" in left, left[:300]
    print(f"objects: {count}, PUT {count / put_s:.0f}/s")
    print(f"lifecycle pass, nothing due: {scan_s * 1000:.0f} ms ({count / scan_s:.0f} versions/s)")
    print(f"lifecycle passes expiring all: {expire_s * 1000:.0f} ms ({count / expire_s:.0f} deletes/s)")
    for name, times in probes.items():
        times.sort()
        print(f"  {name} during the passes: {len(times)} calls, median "
              f"{times[len(times) // 2] * 1000:.1f} ms, max {times[-1] * 1000:.0f} ms")
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(data_dir, ignore_errors=True)
