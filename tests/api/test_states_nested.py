"""A state machine starting another: states:startExecution, .sync and .sync:2."""
import json
import unittest

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"


class NestedExecutionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sfn = cls.server.client("stepfunctions")
        cls.child = cls.sfn.create_state_machine(
            name="child", roleArn=ROLE,
            definition=json.dumps({"StartAt": "Double", "States": {"Double": {
                "Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"},
                "End": True}}}))["stateMachineArn"]
        cls.failing = cls.sfn.create_state_machine(
            name="failing-child", roleArn=ROLE,
            definition=json.dumps({"StartAt": "F", "States": {"F": {
                "Type": "Fail", "Error": "ChildError", "Cause": "no"}}}))["stateMachineArn"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def parent(self, name, resource, child_arn):
        definition = {"StartAt": "Call", "States": {"Call": {
            "Type": "Task", "Resource": resource,
            "Parameters": {"StateMachineArn": child_arn, "Input": {"n.$": "$.n"}},
            "End": True}}}
        return self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                             definition=json.dumps(definition))["stateMachineArn"]

    def run_parent(self, arn, n=21):
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps({"n": n}))
        return self.sfn.describe_execution(executionArn=ex["executionArn"])

    def test_request_response_returns_the_child_arn(self):
        arn = self.parent("p-fire", "arn:aws:states:::states:startExecution", self.child)
        d = self.run_parent(arn)
        out = json.loads(d["output"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertTrue(out["ExecutionArn"].startswith(
            f"arn:aws:states:{REGION}:{ACCOUNT}:execution:child:"))
        self.assertIsInstance(out["StartDate"], int)

    def test_sync_returns_output_as_text_and_sync2_as_json(self):
        d = self.run_parent(self.parent("p-sync", "arn:aws:states:::states:startExecution.sync",
                                        self.child))
        out = json.loads(d["output"])
        self.assertEqual(out["Status"], "SUCCEEDED")
        self.assertEqual(json.loads(out["Output"]), {"twice": 42})
        d2 = self.run_parent(self.parent("p-sync2",
                                         "arn:aws:states:::states:startExecution.sync:2",
                                         self.child))
        self.assertEqual(json.loads(d2["output"])["Output"], {"twice": 42})

    def test_failed_child_fails_the_task(self):
        d = self.run_parent(self.parent("p-fail", "arn:aws:states:::states:startExecution.sync",
                                        self.failing))
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.TaskFailed"))
        cause = json.loads(d["cause"])
        self.assertEqual((cause["Status"], cause["Error"]), ("FAILED", "ChildError"))


if __name__ == "__main__":
    unittest.main()
