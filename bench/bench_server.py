"""A `sluice server` on a fresh data directory for one benchmark run:

    with sluice_server("build") as port:
        ...

The server listens on a free port and is stopped, its data removed, after."""
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time


@contextlib.contextmanager
def sluice_server(build, *extra_args):
    data_dir = tempfile.mkdtemp(prefix="sluice-bench-")
    server = subprocess.Popen([os.path.join(build, "sluice"), "server", "--port", "0",
                               "--data-dir", data_dir, *extra_args],
                              stdout=subprocess.PIPE, text=True)
    try:
        yield int(re.search(r":(\d+)", server.stdout.readline()).group(1))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


def timed_ms(fn):
    """Milliseconds `fn()` takes."""
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def print_ratios(title, peer_label, rows):
    """A table of (label, Sluice ms, peer ms) with the ratio of each."""
    print(f"{title:18} {'Sluice API ms':>14} {peer_label + ' ms':>16} {'ratio':>7}")
    for label, api, bare in rows:
        print(f"{label:18} {api:14.1f} {bare:16.1f} {api / bare:6.2f}x")

