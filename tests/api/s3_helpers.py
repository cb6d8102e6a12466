"""Shared set-up for the S3 API tests: a started server and boto3 S3 clients."""
import datetime
import shutil
import tempfile
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from sluice_server import REGION, SluiceServer


def s3_client(server, region=REGION, **config):
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, **config),
    )


def error_code(fn, **kw):
    """(Error code, HTTP status) of a call that fails; None when it succeeds."""
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None


class S3TestCase(unittest.TestCase):
    """One server per test class; each test gets fresh buckets via make_bucket()."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(*cls.server_args).start()
        cls.s3 = s3_client(cls.server)
        cls._counter = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def make_bucket(self, prefix="bkt"):
        type(self)._counter += 1
        name = f"{prefix}-{type(self)._counter}-{self._testMethodName[:20].replace('_', '-')}"
        name = name.lower().strip("-")
        self.s3.create_bucket(Bucket=name)
        return name

    def assertError(self, code, fn, *args, **kwargs):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response


class VirtualClockS3TestCase(S3TestCase):
    """An S3TestCase on `--clock virtual`, moved by the tests."""

    server_args = ("--clock", "virtual")

    def now(self):
        text = self.server.admin("/_sluice/clock")["now"]
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))

    def advance(self, seconds):
        self.server.admin("/_sluice/clock/advance", {"seconds": seconds})

    def advance_to(self, when):
        seconds = (when - self.now()).total_seconds()
        if seconds > 0:
            self.advance(seconds)


class VirtualClockCliCase(unittest.TestCase):
    """A virtual-clock server for AWS CLI tests, with a scratch directory
    (`self.tmp`) for the files the CLI reads and writes."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-cli-")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def s3api(self, *args, check=True):
        from aws_cli import aws
        return aws(self.server, "s3api", *args, check=check)
