#!/usr/bin/env python3
"""What Intelligent-Tiering access tracking costs a GET, and how long the
daily pass takes to archive, in one bounded run.

Puts N objects of 128 KiB (the smallest size S3 monitors) as STANDARD and N
as INTELLIGENT_TIERING, then times GETs of every object from 8 keep-alive
threads over HTTP: round 1 is each object's first read of the day (for
INTELLIGENT_TIERING, every GET queues a LastAccess write), round 2 reads them
all again the same day (nothing to record). Then, with an ARCHIVE_ACCESS 90
days configuration, times the clock advance whose pass archives all N.

Usage: bench/s3_tiering_bench.py [BINARY] [N]
"""
import concurrent.futures
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

binary = sys.argv[1] if len(sys.argv) > 1 else "build/sluice"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
THREADS = 8
BODY = b"t" * (128 * 1024)

data_dir = tempfile.mkdtemp(prefix="sluice-tier-bench-")
proc = subprocess.Popen([binary, "server", "--port", "0", "--data-dir", data_dir, "--clock",
                         "virtual"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    host, port = re.search(r"http://([\d.]+):(\d+)", proc.stdout.readline()).groups()
    base = f"http://{host}:{port}"

    def admin(path, body=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read())

    def request(c, method, path, body=b"", headers=None):
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
        return data

    def each(fn):
        """Runs fn(connection, i) for i in range(count) from THREADS threads; seconds taken."""
        def part(start):
            c = http.client.HTTPConnection(host, int(port), timeout=600)
            for i in range(start, count, THREADS):
                fn(c, i)
            c.close()
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(part, range(THREADS)))
        return time.perf_counter() - t0

    c = http.client.HTTPConnection(host, int(port), timeout=600)
    for bucket in ("standard", "tiering"):
        request(c, "PUT", "/" + bucket)
    request(c, "PUT", "/tiering?intelligent-tiering&id=all", body=(
        b'<IntelligentTieringConfiguration><Id>all</Id><Status>Enabled</Status>'
        b'<Tiering><Days>90</Days><AccessTier>ARCHIVE_ACCESS</AccessTier></Tiering>'
        b'</IntelligentTieringConfiguration>'))
    each(lambda c, i: request(c, "PUT", f"/standard/o/{i:06d}", BODY))
    each(lambda c, i: request(c, "PUT", f"/tiering/o/{i:06d}", BODY,
                              {"x-amz-storage-class": "INTELLIGENT_TIERING"}))

    results = {}
    for rnd in (1, 2):
        for bucket in ("standard", "tiering"):
            secs = each(lambda c, i: request(c, "GET", f"/{bucket}/o/{i:06d}"))
            results[(rnd, bucket)] = secs
        admin("/_sluice/idle")
    t0 = time.perf_counter()
    admin("/_sluice/clock/advance", {"seconds": 92 * 86400})
    archive_s = time.perf_counter() - t0
    c.request("HEAD", "/tiering/o/000000")
    r = c.getresponse()
    r.read()
    assert r.getheader("x-amz-archive-status") == "ARCHIVE_ACCESS", r.getheaders()
    c.close()

    print(f"objects: {count} x 128 KiB per class, GETs from {THREADS} threads")
    for rnd, label in ((1, "first read of the day"), (2, "read again the same day")):
        s, t = results[(rnd, "standard")], results[(rnd, "tiering")]
        print(f"  {label}: STANDARD {count / s:.0f} GET/s, INTELLIGENT_TIERING "
              f"{count / t:.0f} GET/s ({(t / s - 1) * 100:+.0f}% time)")
    print(f"daily pass archiving all {count}: {archive_s * 1000:.0f} ms "
          f"({count / archive_s:.0f} objects/s)")
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(data_dir, ignore_errors=True)
