"""Shared set-up for the Lambda API tests: a started server, boto3 clients
and deployment packages built in memory."""
import io
import json
import unittest
import zipfile

from botocore.config import Config
from botocore.exceptions import ClientError

from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_of(files, modes=None):
    """A zip archive of {name: text} (modes: {name: unix mode})."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            z.writestr(info, text)
    return buf.getvalue()


class LambdaTestCase(unittest.TestCase):
    """One server per test class; each test makes its functions with create()."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(*cls.server_args).start()
        cls.lam = cls.server.client("lambda")
        cls._counter = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def name(self, prefix="fn"):
        type(self)._counter += 1
        return f"{prefix}-{type(self)._counter}-{self._testMethodName[:30]}"

    def create(self, files, handler="app.handler", runtime="python3.11", name=None, **kwargs):
        name = name or self.name()
        self.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                 Code={"ZipFile": zip_of(files)}, **kwargs)
        self.lam.get_waiter("function_active_v2").wait(FunctionName=name)
        return name

    def invoke(self, name, event=None, **kwargs):
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps(event or {}), **kwargs)
        r["body"] = r["Payload"].read()
        return r

    def assertError(self, code, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response


def long_client(server, service, seconds=60, validate=True):
    """A client whose reads wait long enough for a slow function (and, with
    validate=False, that sends what boto3 would refuse itself)."""
    import boto3
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, read_timeout=seconds,
                                      parameter_validation=validate))
