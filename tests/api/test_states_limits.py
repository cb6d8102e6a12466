"""AWS's execution history limit through the server: a Standard execution
whose history reaches 25,000 events FAILS with States.Runtime, the failure
being event 25,000, and that history is what GetExecutionHistory pages back
(after a kill -9 too). Express executions have no such limit."""
import json
import signal
import unittest

from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/r"
LOOP = {"StartAt": "Inc", "States": {
    "Inc": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.n", "NumericLessThan": 100000, "Next": "Inc"}], "Default": "Done"},
    "Done": {"Type": "Succeed"}}}
CAUSE = "The execution reached the maximum number of history events (25000)."


class HistoryLimitTest(unittest.TestCase):
    def setUp(self):
        self.server = SluiceServer().start()
        self.sfn = self.server.client("stepfunctions")

    def tearDown(self):
        self.server.cleanup()

    def test_a_standard_execution_fails_at_the_limit(self):
        arn = self.sfn.create_state_machine(name="loop", roleArn=ROLE,
                                            definition=json.dumps(LOOP))["stateMachineArn"]
        run = self.sfn.start_execution(stateMachineArn=arn, input='{"n": 0}')["executionArn"]
        self.server.idle()
        for restarted in (False, True):
            d = self.sfn.describe_execution(executionArn=run)
            self.assertEqual((d["status"], d["error"], d["cause"]),
                             ("FAILED", "States.Runtime", CAUSE), restarted)
            last = self.sfn.get_execution_history(executionArn=run, reverseOrder=True,
                                                  maxResults=2)["events"]
            self.assertEqual([(e["id"], e["type"]) for e in last],
                             [(25000, "ExecutionFailed"), (24999, "PassStateExited")])
            self.assertEqual(last[0]["executionFailedEventDetails"],
                             {"error": "States.Runtime", "cause": CAUSE})
            self.server.stop(signal.SIGKILL)
            self.server.start()
            self.sfn = self.server.client("stepfunctions")

    def test_express_has_no_history_limit(self):
        arn = self.sfn.create_state_machine(name="loop-x", roleArn=ROLE, type="EXPRESS",
                                            definition=json.dumps(LOOP))["stateMachineArn"]
        out = self.sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 0}')
        self.assertEqual(out["status"], "SUCCEEDED", out)
        self.assertEqual(json.loads(out["output"]), {"n": 100000})


if __name__ == "__main__":
    unittest.main()
