"""Runs the AWS CLI against a started SluiceServer and parses its JSON output."""
import json
import os
import subprocess

from sluice_server import REGION


def aws(server, service, *args, check=True):
    """Returns (returncode, parsed stdout or None, stderr)."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": ""}
    r = subprocess.run(["aws", "--endpoint-url", server.endpoint, "--output", "json", service,
                        *args], capture_output=True, text=True, env=env, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"aws {service} {' '.join(args)} failed: {r.stderr}")
    out = json.loads(r.stdout) if r.stdout.strip() else None
    return r.returncode, out, r.stderr
