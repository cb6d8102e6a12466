"""The AWS CLI (`aws stepfunctions ...`) against a started server."""
import json
import os
import subprocess
import unittest

from sluice_server import ACCOUNT, REGION, SluiceServer


class AwsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                   "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": ""}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def aws(self, *args, check=True):
        r = subprocess.run(["aws", "--endpoint-url", self.server.endpoint, "--output", "json",
                            "stepfunctions", *args], capture_output=True, text=True, env=self.env,
                           timeout=60)
        if check and r.returncode != 0:
            self.fail(f"aws {' '.join(args)} failed: {r.stderr}")
        return r

    def test_create_start_describe_and_errors(self):
        definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass",
                                                                 "Result": "cli", "End": True}}})
        created = json.loads(self.aws("create-state-machine", "--name", "cli", "--definition",
                                      definition, "--role-arn",
                                      f"arn:aws:iam::{ACCOUNT}:role/r").stdout)
        arn = created["stateMachineArn"]
        started = json.loads(self.aws("start-execution", "--state-machine-arn", arn,
                                      "--name", "one").stdout)
        described = json.loads(self.aws("describe-execution", "--execution-arn",
                                        started["executionArn"]).stdout)
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(json.loads(described["output"]), "cli")
        listed = json.loads(self.aws("list-executions", "--state-machine-arn", arn).stdout)
        self.assertEqual([e["name"] for e in listed["executions"]], ["one"])
        missing = self.aws("describe-state-machine", "--state-machine-arn", arn + "-nope",
                           check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("StateMachineDoesNotExist", missing.stderr)


if __name__ == "__main__":
    unittest.main()
