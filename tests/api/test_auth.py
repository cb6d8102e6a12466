"""SigV4 through the gateway: with keys configured, only correctly signed requests pass."""
import os
import tempfile
import unittest

from botocore.exceptions import ClientError

from sluice_server import SluiceServer


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fd, cls.credentials = tempfile.mkstemp(suffix=".ini")
        with os.fdopen(fd, "w") as f:
            f.write("[default]\naws_access_key_id = AKIDSLUICE\n"
                    "aws_secret_access_key = s3cr3t/KEY+value\n")
        cls.server = SluiceServer("--credentials", cls.credentials).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.credentials)

    def error_code(self, client):
        with self.assertRaises(ClientError) as cm:
            client.list_state_machines()
        return cm.exception.response["Error"]["Code"], cm.exception.response

    def test_correct_signature_is_accepted(self):
        sfn = self.server.client("stepfunctions", "AKIDSLUICE", "s3cr3t/KEY+value")
        self.assertEqual(sfn.list_state_machines()["stateMachines"], [])

    def test_wrong_secret_is_refused_and_changes_nothing(self):
        bad = self.server.client("stepfunctions", "AKIDSLUICE", "wrong")
        code, response = self.error_code(bad)
        self.assertEqual(code, "InvalidSignatureException")
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 403)
        with self.assertRaises(ClientError):
            bad.create_state_machine(name="sneaky", roleArn="arn:aws:iam::000000000000:role/r",
                                     definition='{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}')
        good = self.server.client("stepfunctions", "AKIDSLUICE", "s3cr3t/KEY+value")
        self.assertEqual(good.list_state_machines()["stateMachines"], [])

    def test_unknown_access_key_is_refused(self):
        code, _ = self.error_code(self.server.client("stepfunctions", "AKIDOTHER", "whatever"))
        self.assertEqual(code, "UnrecognizedClientException")

    def test_unsigned_request_is_refused(self):
        import urllib.request
        req = urllib.request.Request(
            self.server.endpoint, data=b"{}", method="POST",
            headers={"X-Amz-Target": "AWSStepFunctions.ListStateMachines",
                     "Content-Type": "application/x-amz-json-1.0"})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=10)
        self.assertIn(cm.exception.code, (400, 403))
        self.assertIn(b"MissingAuthenticationToken", cm.exception.read())


if __name__ == "__main__":
    unittest.main()
