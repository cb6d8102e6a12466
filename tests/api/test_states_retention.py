"""Closed Step Functions executions expire as on AWS (90 days after they
close; `--execution-retention-days` here): on a virtual clock, an execution
is described, listed and read until its retention has passed, then it is gone
from every API — across kill -9 too — and its name can be used again. A
running execution is never swept."""
import json
import signal
import unittest

from botocore.exceptions import ClientError

from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/r"
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30 * 86400, "End": True}}}


class ExecutionRetentionTest(unittest.TestCase):
    def setUp(self):
        self.server = SluiceServer("--clock", "virtual", "--execution-retention-days", "2").start()
        self.sfn = self.server.client("stepfunctions")

    def tearDown(self):
        self.server.cleanup()

    def advance_hours(self, hours):
        self.server.admin("/_sluice/clock/advance", {"seconds": hours * 3600})
        self.server.idle()

    def machine(self, name, definition):
        return self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                             definition=json.dumps(definition))["stateMachineArn"]

    def gone(self, arn):
        with self.assertRaises(ClientError) as cm:
            self.sfn.describe_execution(executionArn=arn)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ExecutionDoesNotExist")
        with self.assertRaises(ClientError) as cm:
            self.sfn.get_execution_history(executionArn=arn)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ExecutionDoesNotExist")

    def test_closed_executions_expire_after_the_retention(self):
        quick = self.machine("quick", PASS)
        slow = self.machine("slow", WAIT)
        done = self.sfn.start_execution(stateMachineArn=quick, name="first")["executionArn"]
        waiting = self.sfn.start_execution(stateMachineArn=slow, name="long")["executionArn"]
        self.server.idle()
        self.assertEqual(self.sfn.describe_execution(executionArn=done)["status"], "SUCCEEDED")
        # Kept for the whole retention: 47 hours after it closed it is all there.
        self.advance_hours(47)
        self.assertEqual(self.sfn.describe_execution(executionArn=done)["status"], "SUCCEEDED")
        self.assertEqual(len(self.sfn.get_execution_history(executionArn=done)["events"]), 4)
        # Past it (the hourly sweep has run): gone from every API.
        self.advance_hours(2)
        self.gone(done)
        self.assertEqual(self.sfn.list_executions(stateMachineArn=quick)["executions"], [])
        # The running one stays, however long it runs.
        self.assertEqual(self.sfn.describe_execution(executionArn=waiting)["status"], "RUNNING")
        # The name is free again.
        again = self.sfn.start_execution(stateMachineArn=quick, name="first")["executionArn"]
        self.assertEqual(again, done)
        self.server.idle()
        self.assertEqual(self.sfn.describe_execution(executionArn=again)["status"], "SUCCEEDED")
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sfn = self.server.client("stepfunctions")
        self.assertEqual(self.sfn.describe_execution(executionArn=again)["status"], "SUCCEEDED")
        self.assertEqual(
            [e["name"] for e in self.sfn.list_executions(stateMachineArn=quick)["executions"]],
            ["first"])
        self.assertEqual(self.sfn.describe_execution(executionArn=waiting)["status"], "RUNNING")

    def test_deleted_for_good_across_a_restart(self):
        quick = self.machine("quick", PASS)
        arns = [self.sfn.start_execution(stateMachineArn=quick, name=f"e{i}")["executionArn"]
                for i in range(5)]
        self.server.idle()
        self.advance_hours(49)
        for arn in arns:
            self.gone(arn)
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sfn = self.server.client("stepfunctions")
        for arn in arns:
            self.gone(arn)


if __name__ == "__main__":
    unittest.main()
