"""State machine versions: publish, describe, start on a version, list, delete."""
import json
import unittest

from botocore.exceptions import ClientError

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"


def result_machine(value):
    return json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": value, "End": True}}})


class VersionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.sfn = cls.server.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def output_of(self, machine_or_version_arn):
        ex = self.sfn.start_execution(stateMachineArn=machine_or_version_arn)["executionArn"]
        d = self.sfn.describe_execution(executionArn=ex)
        return json.loads(d["output"]), d

    def test_versions_freeze_the_definition(self):
        created = self.sfn.create_state_machine(name="versioned", roleArn=ROLE,
                                                definition=result_machine("v1"), publish=True,
                                                versionDescription="first")
        base = created["stateMachineArn"]
        v1 = created["stateMachineVersionArn"]
        self.assertEqual(v1, f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:versioned:1")
        # Publishing an unchanged revision returns the same version.
        self.assertEqual(self.sfn.publish_state_machine_version(stateMachineArn=base)
                         ["stateMachineVersionArn"], v1)
        updated = self.sfn.update_state_machine(stateMachineArn=base,
                                                definition=result_machine("v2"), publish=True)
        v2 = updated["stateMachineVersionArn"]
        self.assertTrue(v2.endswith(":versioned:2"))
        self.sfn.update_state_machine(stateMachineArn=base, definition=result_machine("latest"))

        self.assertEqual(self.output_of(base)[0], "latest")
        out, d = self.output_of(v1)
        self.assertEqual(out, "v1")
        self.assertEqual(d["stateMachineVersionArn"], v1)
        self.assertEqual(d["stateMachineArn"], base)
        self.assertEqual(self.output_of(v2)[0], "v2")

        described = self.sfn.describe_state_machine(stateMachineArn=v1)
        self.assertEqual(json.loads(described["definition"]), json.loads(result_machine("v1")))
        self.assertEqual(described["description"], "first")
        listed = self.sfn.list_state_machine_versions(stateMachineArn=base)["stateMachineVersions"]
        self.assertEqual([v["stateMachineVersionArn"] for v in listed], [v2, v1])

        stale = described["revisionId"]
        with self.assertRaises(ClientError) as cm:
            self.sfn.publish_state_machine_version(stateMachineArn=base, revisionId=stale)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ConflictException")

        self.sfn.delete_state_machine_version(stateMachineVersionArn=v1)
        with self.assertRaises(ClientError) as cm:
            self.sfn.start_execution(stateMachineArn=v1)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFound")
        self.assertEqual(len(self.sfn.list_state_machine_versions(stateMachineArn=base)
                             ["stateMachineVersions"]), 1)


if __name__ == "__main__":
    unittest.main()
