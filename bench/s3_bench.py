#!/usr/bin/env python3
"""S3 throughput of `sluice server` against the raw disk, in one bounded run.

  1. The limits, measured in the data directory's file system: sequential
     write bandwidth (256 MiB, then fsync) and durable small-file writes
     (4 KiB file + fsync + rename + directory fsync: what every PUT pays).
  2. PUT then GET of 4 KiB objects from 16 concurrent clients (ops/s).
  3. PUT then GET of 64 MiB objects, one client (MiB/s).

Clients are separate processes speaking plain HTTP/1.1 with keep-alive
(anonymous requests: no signing cost on either side), so the Python GIL is
not the bottleneck. The machine has 2 cores, shared by server and clients.

Usage: bench/s3_bench.py [BINARY] [SECONDS_PER_PHASE]
"""
import http.client
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

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


def main():
    data_dir = tempfile.mkdtemp(prefix="sluice-s3-bench-", dir=os.environ.get("BENCH_DIR"))
    proc = None
    try:
        seq, small_rate = disk_limits(data_dir)
        print(f"disk ({data_dir}): sequential write + fsync {seq:.0f} MiB/s; "
              f"durable 4 KiB file writes {small_rate:.0f}/s (write+fsync+rename+dir fsync)")
        proc = subprocess.Popen([binary, "server", "--port", "0", "--data-dir",
                                 os.path.join(data_dir, "d")], stdout=subprocess.PIPE, text=True)
        port = int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.request("PUT", "/bench")
        c.getresponse().read()
        n, rate, fewest = run_small(port, "PUT")
        print(f"PUT 4 KiB x {CLIENTS} clients: {rate:.0f} ops/s ({n} objects)")
        # Each client reads back (cyclically) the keys every client wrote.
        n, rate, _ = run_small(port, "GET", keys_per_worker=max(1, fewest))
        print(f"GET 4 KiB x {CLIENTS} clients: {rate:.0f} ops/s ({n} requests)")
        put, get = run_large(port)
        print(f"PUT 64 MiB x 1 client: {put:.0f} MiB/s; GET 64 MiB: {get:.0f} MiB/s "
              f"(disk limit for writes: {seq:.0f} MiB/s)")
    finally:
        if proc:
            proc.terminate()
            proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
