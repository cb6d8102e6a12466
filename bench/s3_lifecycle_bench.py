#!/usr/bin/env python3
"""How long one S3 lifecycle pass takes, in one bounded run.

Puts N small objects (anonymous HTTP PUTs from 8 threads) into a bucket with
an Expiration rule on a `--clock virtual` server, then times two
POST /_sluice/clock/advance calls of one day each: the first pass finds
nothing due (a scan of N versions), the second expires all N (N deletes
and N events published with no destination configured).

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
import urllib.request

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
    t0 = time.perf_counter()
    admin("/_sluice/clock/advance", {"seconds": 2 * 86400})
    expire_s = time.perf_counter() - t0
    left = request("GET", "/bench?list-type=2&max-keys=1")
    assert b"<KeyCount>0</KeyCount>" in left, left[:300]
    print(f"objects: {count}, PUT {count / put_s:.0f}/s")
    print(f"lifecycle pass, nothing due: {scan_s * 1000:.0f} ms ({count / scan_s:.0f} versions/s)")
    print(f"lifecycle passes expiring all: {expire_s * 1000:.0f} ms ({count / expire_s:.0f} deletes/s)")
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(data_dir, ignore_errors=True)
