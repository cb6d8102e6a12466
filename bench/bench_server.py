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
