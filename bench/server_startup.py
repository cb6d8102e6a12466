#!/usr/bin/env python3
"""Start-up time and idle memory of `sluice server`.

Measures, over N runs, the time from spawning the process to the first
accepted TCP connection, and the resident set size once idle: on a data
directory that already exists (the usual restart) and on a new one (which
also creates, fsyncs and migrates the database).
Usage: bench/server_startup.py [BINARY] [RUNS]
"""
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1] if len(sys.argv) > 1 else "build/sluice"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def start_once(data_dir):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "server", "--port", "0", "--data-dir", data_dir],
                            stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))
    socket.create_connection(("127.0.0.1", port)).close()
    elapsed = (time.perf_counter() - t0) * 1000
    time.sleep(0.2)  # let it settle before reading its memory
    with open(f"/proc/{proc.pid}/status") as f:
        rss = int(next(l for l in f if l.startswith("VmRSS")).split()[1]) / 1024
    proc.terminate()
    proc.wait()
    return elapsed, rss


existing = tempfile.mkdtemp(prefix="sluice-startup-")
start_once(existing)  # creates the database
restart = [start_once(existing) for _ in range(runs)]
shutil.rmtree(existing, ignore_errors=True)
fresh = []
for _ in range(runs):
    d = tempfile.mkdtemp(prefix="sluice-startup-")
    fresh.append(start_once(d))
    shutil.rmtree(d, ignore_errors=True)

for label, rows in (("existing data dir", restart), ("new data dir", fresh)):
    ms = [r[0] for r in rows]
    print(f"{label}: start to accepting connections median {statistics.median(ms):.1f} ms, "
          f"max {max(ms):.1f} ms (goal < 25 ms); idle resident memory median "
          f"{statistics.median(r[1] for r in rows):.1f} MiB (goal < 20 MiB)")
