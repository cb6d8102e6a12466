#!/usr/bin/env python3
"""Start-up time and idle memory of `sluice server`.

Measures, over N runs, the time from spawning the process to the first
accepted TCP connection, and the resident set size once idle.
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
startup, rss = [], []
for _ in range(runs):
    data_dir = tempfile.mkdtemp(prefix="sluice-startup-")
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "server", "--port", "0", "--data-dir", data_dir],
                            stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))
    socket.create_connection(("127.0.0.1", port)).close()
    startup.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.2)  # let it settle before reading its memory
    with open(f"/proc/{proc.pid}/status") as f:
        rss.append(int(next(l for l in f if l.startswith("VmRSS")).split()[1]) / 1024)
    proc.terminate()
    proc.wait()
    shutil.rmtree(data_dir, ignore_errors=True)
print(f"start to accepting connections: median {statistics.median(startup):.1f} ms, "
      f"max {max(startup):.1f} ms (goal < 25 ms)")
print(f"idle resident memory: median {statistics.median(rss):.1f} MiB (goal < 20 MiB)")
