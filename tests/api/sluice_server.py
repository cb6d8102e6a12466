"""Starts a real `sluice server` for API tests and hands out boto3 clients.

The binary comes from $SLUICE_BINARY (CTest sets it). The server listens on a
free port (--port 0) and reports it on its first line of output.
"""
import collections
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.request

import boto3
from botocore.config import Config

ACCOUNT = "000000000000"
REGION = "us-east-1"


class SluiceServer:
    def __init__(self, *extra_args, env=None):
        self.binary = os.environ.get("SLUICE_BINARY", "build/sluice")
        self.data_dir = tempfile.mkdtemp(prefix="sluice-api-")
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.endpoint = None

    def start(self):
        args = [self.binary, "server", "--port", "0", "--data-dir", self.data_dir, *self.extra_args]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env={**os.environ, **(self.env or {})})
        line = self.proc.stdout.readline()
        match = re.search(r"http://([\d.]+):(\d+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"sluice server did not start: {line!r}")
        self.endpoint = f"http://{match.group(1)}:{match.group(2)}"
        # Keep reading what the server prints (its stderr too): a pipe nobody
        # reads fills up and then blocks the server's next write.
        self.output = collections.deque(maxlen=200)
        self._reader = threading.Thread(target=self._drain, args=(self.proc, self.output),
                                        daemon=True)
        self._reader.start()
        return self

    @staticmethod
    def _drain(proc, lines):
        for line in proc.stdout:
            lines.append(line)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.poll() is not None and self.proc.stdout:
            reader = getattr(self, "_reader", None)
            if reader:
                reader.join(timeout=5)  # it stops at the end of the output
            if not (reader and reader.is_alive()):
                self.proc.stdout.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def resident_mb(self):
        """The running server's resident memory (VmRSS) in MB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def client(self, service, access_key="test", secret_key="test"):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            # StartSyncExecution's endpoint has a "sync-" host prefix on AWS;
            # a local endpoint has no such host name.
            config=Config(retries={"max_attempts": 1}, inject_host_prefix=False),
        )

    def admin(self, path, body=None):
        data = None if body is None else __import__("json").dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data,
                                     method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=30) as r:
            return __import__("json").loads(r.read())

    def idle(self):
        """Waits until the server is quiet (GET /_sluice/idle): every delivery,
        execution step and write the last calls set off has run."""
        return self.admin("/_sluice/idle")["idle"]
