"""Activities, task tokens and the medallion pipeline through boto3."""
import json
import threading
import unittest

from botocore.exceptions import ClientError

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"


def activity_arn(name):
    return f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}"


def task(activity, nxt=None, **extra):
    state = {"Type": "Task", "Resource": activity_arn(activity), **extra}
    if nxt:
        state["Next"] = nxt
    else:
        state["End"] = True
    return state


class ActivitiesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sfn = cls.server.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def machine(self, name, states, start=None):
        definition = {"StartAt": start or next(iter(states)), "States": states}
        return self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                             definition=json.dumps(definition))["stateMachineArn"]

    def history_types(self, execution_arn):
        events = self.sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        return [e["type"] for e in events], events

    def code_of(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response["Error"]["Code"]

    def test_activity_lifecycle(self):
        arn = self.sfn.create_activity(name="life")["activityArn"]
        self.assertEqual(arn, activity_arn("life"))
        self.assertEqual(self.sfn.create_activity(name="life")["activityArn"], arn)
        self.assertEqual(self.sfn.describe_activity(activityArn=arn)["name"], "life")
        self.assertIn(arn, [a["activityArn"] for a in self.sfn.list_activities()["activities"]])
        self.sfn.delete_activity(activityArn=arn)
        self.assertEqual(self.code_of(self.sfn.describe_activity, activityArn=arn),
                         "ActivityDoesNotExist")
        self.assertEqual(self.code_of(self.sfn.describe_activity, activityArn="arn:aws:nope"),
                         "InvalidArn")

    def test_worker_completes_the_task(self):
        self.sfn.create_activity(name="double")
        arn = self.machine("worker", {"Work": task("double", ResultPath="$.doubled")})
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"n": 21}')["executionArn"]
        got = self.sfn.get_activity_task(activityArn=activity_arn("double"), workerName="w-1")
        self.assertEqual(json.loads(got["input"]), {"n": 21})
        self.sfn.send_task_success(taskToken=got["taskToken"], output='{"value": 42}')
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"n": 21, "doubled": {"value": 42}})
        types, events = self.history_types(ex)
        self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                 "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                 "ExecutionSucceeded"])
        self.assertEqual(events[3]["activityStartedEventDetails"]["workerName"], "w-1")
        # The token is spent.
        self.assertEqual(self.code_of(self.sfn.send_task_success, taskToken=got["taskToken"],
                                      output="{}"), "TaskTimedOut")
        self.assertEqual(self.code_of(self.sfn.send_task_success, taskToken="made-up",
                                      output="{}"), "InvalidToken")

    def test_waiting_worker_gets_the_next_task(self):
        self.sfn.create_activity(name="later")
        arn = self.machine("later", {"Work": task("later")})
        got = {}
        poller = threading.Thread(target=lambda: got.update(
            self.sfn.get_activity_task(activityArn=activity_arn("later"))))
        poller.start()
        # The poll is parked on the server before the execution schedules the task.
        ex = None
        while poller.is_alive() and not got:
            if ex is None:
                ex = self.sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]
            poller.join(timeout=5)
        self.assertEqual(json.loads(got["input"]), {"k": 1})
        self.sfn.send_task_failure(taskToken=got["taskToken"], error="Nope", cause="worker gave up")
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual((d["status"], d["error"], d["cause"]), ("FAILED", "Nope", "worker gave up"))

    def test_heartbeat_timeout_and_retry(self):
        self.sfn.create_activity(name="beat")
        arn = self.machine("beat", {"Work": task("beat", HeartbeatSeconds=10, TimeoutSeconds=300)})
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        token = self.sfn.get_activity_task(activityArn=activity_arn("beat"))["taskToken"]
        self.server.admin("/_sluice/clock/advance", {"seconds": 8})
        self.sfn.send_task_heartbeat(taskToken=token)
        self.server.admin("/_sluice/clock/advance", {"seconds": 8})
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        self.server.admin("/_sluice/clock/advance", {"seconds": 3})
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"))
        types, _ = self.history_types(ex)
        self.assertIn("ActivityTimedOut", types)
        self.assertEqual(self.code_of(self.sfn.send_task_heartbeat, taskToken=token), "TaskTimedOut")

    def test_medallion_pipeline_failure_path_publishes(self):
        """Task states with 120 s timeouts and a Catch to a failure-publish state."""
        for a in ("extract", "convert", "publish"):
            self.sfn.create_activity(name=a)
        catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "PublishFailure"}]
        arn = self.machine("medallion", {
            "ExtractRaw": task("extract", "ConvertToBronze", TimeoutSeconds=120, Catch=catch,
                               ResultPath="$.raw"),
            "ConvertToBronze": task("convert", "Done", TimeoutSeconds=120, Catch=catch,
                                    ResultPath="$.bronze"),
            "Done": {"Type": "Succeed"},
            "PublishFailure": task("publish", "PipelineFailed", TimeoutSeconds=120,
                                   Parameters={"Subject": "pipeline failed",
                                               "Message.$": "States.JsonToString($.failure)"},
                                   ResultPath=None),
            "PipelineFailed": {"Type": "Fail", "ErrorPath": "$.failure.Error",
                               "CausePath": "$.failure.Cause"},
        })
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"runDate": "2026-11-24"}')[
            "executionArn"]
        extract = self.sfn.get_activity_task(activityArn=activity_arn("extract"))
        self.sfn.send_task_success(taskToken=extract["taskToken"], output='{"objects": 3}')
        # The conversion never answers: its 120 s timeout fires on the virtual clock.
        self.sfn.get_activity_task(activityArn=activity_arn("convert"))
        self.server.admin("/_sluice/clock/advance", {"seconds": 121})
        publish = self.sfn.get_activity_task(activityArn=activity_arn("publish"))
        message = json.loads(json.loads(publish["input"])["Message"])
        self.assertEqual(message, {"Error": "States.Timeout", "Cause": ""})
        self.sfn.send_task_success(taskToken=publish["taskToken"], output='{"MessageId": "m-1"}')
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Timeout"))
        types, _ = self.history_types(ex)
        self.assertEqual(types.count("ActivityTimedOut"), 1)
        self.assertEqual(types[-2:], ["FailStateEntered", "ExecutionFailed"])


if __name__ == "__main__":
    unittest.main()
