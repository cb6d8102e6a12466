"""Lambda through the AWS CLI: create-function from a zip file, the waiter,
invoke to an output file with a log tail, publish-version, and the CLI's view
of AWS's errors."""
import base64
import json
import os
import shutil
import tempfile
import unittest

from aws_cli import aws
from lambda_helpers import ROLE, zip_of
from sluice_server import SluiceServer


class LambdaCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-lambda-cli-")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def lam(self, *args, check=True):
        return aws(self.server, "lambda", *args, check=check)

    def test_create_invoke_publish_delete(self):
        package = os.path.join(self.tmp, "fn.zip")
        with open(package, "wb") as f:
            f.write(zip_of({"app.py": "def handler(event, context):\n"
                                      "    print('cli event', event)\n"
                                      "    return {'sum': event['a'] + event['b']}\n"}))
        _, created, _ = self.lam("create-function", "--function-name", "cli-fn",
                                 "--runtime", "python3.11", "--handler", "app.handler",
                                 "--role", ROLE, "--zip-file", f"fileb://{package}",
                                 "--timeout", "10")
        self.assertEqual(created["FunctionName"], "cli-fn")
        self.assertEqual(created["Timeout"], 10)
        self.lam("wait", "function-active-v2", "--function-name", "cli-fn")

        out = os.path.join(self.tmp, "out.json")
        _, result, _ = self.lam("invoke", "--function-name", "cli-fn",
                                "--payload", '{"a": 2, "b": 3}', "--log-type", "Tail", out)
        self.assertEqual(result["StatusCode"], 200)
        with open(out) as f:
            self.assertEqual(json.load(f), {"sum": 5})
        self.assertIn("cli event {'a': 2, 'b': 3}", base64.b64decode(result["LogResult"]).decode())

        _, version, _ = self.lam("publish-version", "--function-name", "cli-fn")
        self.assertEqual(version["Version"], "1")
        _, listed, _ = self.lam("list-versions-by-function", "--function-name", "cli-fn")
        self.assertEqual([v["Version"] for v in listed["Versions"]], ["$LATEST", "1"])
        self.lam("delete-function", "--function-name", "cli-fn")
        code, _, err = self.lam("get-function", "--function-name", "cli-fn", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)
        self.assertIn("Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-fn",
                      err)

    def test_a_bad_zip_is_refused(self):
        # A well-formed archive whose content fails its CRC: the CLI's own zip
        # check passes it on, the server must refuse it.
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("app.py", "def handler(e, c):\n    return 1\n")
        data = bytearray(buf.getvalue())
        data[data.index(b"def handler")] ^= 0x20
        package = os.path.join(self.tmp, "bad.zip")
        with open(package, "wb") as f:
            f.write(bytes(data))
        code, _, err = self.lam("create-function", "--function-name", "cli-bad",
                                "--runtime", "python3.11", "--handler", "app.handler",
                                "--role", ROLE, "--zip-file", f"fileb://{package}", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("InvalidParameterValueException", err)
        self.assertIn("Could not unzip uploaded file", err)
        self.assertIn("CRC", err)
        _, listed, _ = self.lam("list-functions")
        self.assertNotIn("cli-bad", [f["FunctionName"] for f in listed["Functions"]])


if __name__ == "__main__":
    unittest.main()
