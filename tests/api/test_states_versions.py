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


class AliasesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.sfn = cls.server.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def code_of(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response["Error"]["Code"]

    def test_alias_routes_by_weight_and_can_be_repointed(self):
        base = self.sfn.create_state_machine(name="aliased", roleArn=ROLE,
                                             definition=result_machine("one"),
                                             publish=True)["stateMachineArn"]
        v1 = f"{base}:1"
        v2 = self.sfn.update_state_machine(stateMachineArn=base, definition=result_machine("two"),
                                           publish=True)["stateMachineVersionArn"]
        alias = self.sfn.create_state_machine_alias(
            name="prod", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
        )["stateMachineAliasArn"]
        self.assertEqual(alias, f"{base}:prod")
        ex = self.sfn.start_execution(stateMachineArn=alias)["executionArn"]
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual(json.loads(d["output"]), "one")
        self.assertEqual((d["stateMachineAliasArn"], d["stateMachineVersionArn"]), (alias, v1))

        self.sfn.update_state_machine_alias(
            stateMachineAliasArn=alias,
            routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 0},
                                  {"stateMachineVersionArn": v2, "weight": 100}])
        ex = self.sfn.start_execution(stateMachineArn=alias)["executionArn"]
        self.assertEqual(json.loads(self.sfn.describe_execution(executionArn=ex)["output"]), "two")
        described = self.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual(described["name"], "prod")
        self.assertEqual(len(described["routingConfiguration"]), 2)
        self.assertEqual([a["stateMachineAliasArn"] for a in
                          self.sfn.list_state_machine_aliases(stateMachineArn=base)
                          ["stateMachineAliases"]], [alias])

        bad = [{"stateMachineVersionArn": v1, "weight": 60}, {"stateMachineVersionArn": v2, "weight": 30}]
        self.assertEqual(self.code_of(self.sfn.update_state_machine_alias,
                                      stateMachineAliasArn=alias, routingConfiguration=bad),
                         "ValidationException")
        self.assertEqual(self.code_of(self.sfn.create_state_machine_alias, name="ghost",
                                      routingConfiguration=[{"stateMachineVersionArn": f"{base}:9",
                                                             "weight": 100}]),
                         "ResourceNotFound")
        self.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual(self.code_of(self.sfn.describe_state_machine_alias,
                                      stateMachineAliasArn=alias), "ResourceNotFound")
