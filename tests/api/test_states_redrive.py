"""RedriveExecution with boto3: a failed, aborted or timed-out Standard
execution continues from the states that did not succeed, with their original
input; Parallel branches and Map iterations that succeeded are not run again.

The failing step is an SSM GetParameter of a parameter that does not exist
yet (Ssm.ParameterNotFoundException); the test creates it and redrives. SQS
messages sent by the steps before it count how often each step really ran.
"""
import json
import signal
import unittest

from sluice_server import ACCOUNT, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"
SDK = "arn:aws:states:::aws-sdk:"


def get_param(name_path, result_path):
    return {"Type": "Task", "Resource": SDK + "ssm:getParameter",
            "Parameters": {"Name.$": name_path},
            "ResultSelector": {"value.$": "$.Parameter.Value"},
            "ResultPath": result_path}


def send(queue_url, body_path):
    return {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": queue_url, "MessageBody.$": body_path},
            "ResultPath": None}


class RedriveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.connect()

    @classmethod
    def connect(cls):
        cls.sfn = cls.server.client("stepfunctions")
        cls.ssm = cls.server.client("ssm")
        cls.sqs = cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # --- helpers ---------------------------------------------------------

    def machine(self, name, definition):
        return self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                             definition=json.dumps(definition))["stateMachineArn"]

    def wait_done(self, arn):
        for _ in range(500):
            d = self.sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                return d
        self.fail("execution did not finish")

    def history(self, arn):
        events, token = [], None
        while True:
            page = self.sfn.get_execution_history(executionArn=arn, maxResults=1000,
                                                  **({"nextToken": token} if token else {}))
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def queue(self, name):
        return self.sqs.create_queue(QueueName=name)["QueueUrl"]

    def drain(self, url):
        bodies = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            msgs = got.get("Messages", [])
            if not msgs:
                return sorted(bodies)
            for m in msgs:
                bodies.append(m["Body"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def error_code(self, fn, **kwargs):
        with self.assertRaises(self.sfn.exceptions.ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]

    # --- tests -----------------------------------------------------------

    def test_continues_from_the_failed_state_with_its_input(self):
        q = self.queue("redrive-linear")
        arn = self.machine("redrive-linear", {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Result": "/redrive/linear",
                            "ResultPath": "$.name", "Next": "Announce"},
                "Announce": {**send(q, "$.name"), "Next": "Lookup"},
                "Lookup": {**get_param("$.name", "$.param"), "Next": "Finish"},
                "Finish": {"Type": "Pass",
                           "Parameters": {"value.$": "$.param.value", "order.$": "$.order",
                                          "redriveCount.$": "$$.Execution.RedriveCount"},
                           "End": True},
            },
        })
        exec_arn = self.sfn.start_execution(stateMachineArn=arn,
                                            input='{"order": 7}')["executionArn"]
        failed = self.wait_done(exec_arn)
        self.assertEqual(failed["status"], "FAILED")
        self.assertEqual(failed["error"], "Ssm.ParameterNotFoundException")
        self.assertEqual(failed["redriveStatus"], "REDRIVABLE")
        self.assertEqual(failed["redriveCount"], 0)
        events_before = len(self.history(exec_arn))

        self.ssm.put_parameter(Name="/redrive/linear", Value="ok", Type="String")
        redriven = self.sfn.redrive_execution(executionArn=exec_arn)
        self.assertIn("redriveDate", redriven)
        done = self.wait_done(exec_arn)
        self.assertEqual(done["status"], "SUCCEEDED", done)
        self.assertEqual(json.loads(done["output"]), {"value": "ok", "order": 7, "redriveCount": 1})
        self.assertEqual(done["redriveCount"], 1)
        self.assertEqual(done["redriveDate"], redriven["redriveDate"])
        self.assertEqual(done["redriveStatus"], "NOT_REDRIVABLE")
        self.assertEqual(done["redriveStatusReason"],
                         "Execution is SUCCEEDED and cannot be redriven")
        self.assertNotIn("error", done)

        # The steps before the failure ran once.
        self.assertEqual(self.drain(q), ["/redrive/linear"])
        events = self.history(exec_arn)
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
        redrive = events[events_before]
        self.assertEqual(redrive["type"], "ExecutionRedriven")
        self.assertEqual(redrive["executionRedrivenEventDetails"], {"redriveCount": 1})
        self.assertEqual(redrive["previousEventId"], events_before)
        entered = events[events_before + 1]
        self.assertEqual(entered["type"], "TaskStateEntered")
        self.assertEqual(entered["stateEnteredEventDetails"]["name"], "Lookup")
        self.assertEqual(entered["previousEventId"], redrive["id"])
        self.assertEqual(json.loads(entered["stateEnteredEventDetails"]["input"]),
                         {"order": 7, "name": "/redrive/linear"})
        self.assertEqual(events[-1]["type"], "ExecutionSucceeded")
        # The first attempt's history is kept as it was.
        self.assertEqual(events[events_before - 1]["type"], "ExecutionFailed")

    def test_map_reruns_only_failed_iterations(self):
        q = self.queue("redrive-map")
        for n in (1, 2, 4):
            self.ssm.put_parameter(Name=f"/redrive/map/{n}", Value=f"v{n}", Type="String")
        arn = self.machine("redrive-map", {
            "StartAt": "Each",
            "States": {
                "Each": {
                    # One at a time, so no iteration is caught mid-Announce by the
                    # failure (an aborted in-flight task runs again: at-least-once).
                    "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
                    "ItemProcessor": {
                        "StartAt": "Name",
                        "States": {
                            "Name": {"Type": "Pass",
                                     "Parameters": {"name.$": "States.Format('/redrive/map/{}', $)"},
                                     "Next": "Announce"},
                            "Announce": {**send(q, "$.name"), "Next": "Lookup"},
                            "Lookup": {**get_param("$.name", "$.param"),
                                       "OutputPath": "$.param.value", "End": True},
                        },
                    },
                    "End": True,
                },
            },
        })
        exec_arn = self.sfn.start_execution(
            stateMachineArn=arn, input='{"items": [1, 2, 3, 4]}')["executionArn"]
        self.assertEqual(self.wait_done(exec_arn)["status"], "FAILED")
        before = self.history(exec_arn)
        first_run = self.drain(q)

        self.ssm.put_parameter(Name="/redrive/map/3", Value="v3", Type="String")
        self.sfn.redrive_execution(executionArn=exec_arn)
        done = self.wait_done(exec_arn)
        self.assertEqual(done["status"], "SUCCEEDED", done)
        self.assertEqual(json.loads(done["output"]), ["v1", "v2", "v3", "v4"])

        after = self.history(exec_arn)[len(before):]
        self.assertEqual(after[0]["type"], "ExecutionRedriven")
        restarted = [e["mapIterationStartedEventDetails"]["index"]
                     for e in after if e["type"] == "MapIterationStarted"]
        succeeded_before = {e["mapIterationSucceededEventDetails"]["index"]
                            for e in before if e["type"] == "MapIterationSucceeded"}
        # The failed iteration ran again, the one never launched ran, and no other.
        self.assertEqual(restarted, [2, 3])
        self.assertFalse(set(restarted) & succeeded_before)
        self.assertEqual(set(restarted) | succeeded_before, {0, 1, 2, 3})
        # Each item announced itself once over both attempts: the failed
        # iteration re-entered Lookup, not Announce.
        second_run = self.drain(q)
        self.assertEqual(second_run, ["/redrive/map/4"])
        self.assertEqual(sorted(first_run + second_run),
                         [f"/redrive/map/{n}" for n in (1, 2, 3, 4)])
        self.assertEqual(after[-2]["type"], "MapStateExited")

    def test_parallel_reruns_only_the_failed_branch(self):
        q = self.queue("redrive-parallel")
        arn = self.machine("redrive-parallel", {
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "Left", "States": {
                            "Left": {**send(q, "$.left"), "ResultPath": None,
                                     "OutputPath": "$.left", "End": True}}},
                        {"StartAt": "Hold", "States": {
                            "Hold": {"Type": "Wait", "Seconds": 10, "Next": "Right"},
                            "Right": {**get_param("$.right", "$.param"),
                                      "OutputPath": "$.param.value", "End": True}}},
                    ],
                    "End": True,
                },
            },
        })
        exec_arn = self.sfn.start_execution(
            stateMachineArn=arn,
            input=json.dumps({"left": "L", "right": "/redrive/parallel"}))["executionArn"]
        # The Left branch finishes while the Right one waits; then Right fails.
        for _ in range(500):
            if any(e["type"] == "TaskSucceeded" for e in self.history(exec_arn)):
                break
        self.server.admin("/_sluice/clock/advance", {"seconds": 11})
        self.assertEqual(self.wait_done(exec_arn)["status"], "FAILED")
        self.ssm.put_parameter(Name="/redrive/parallel", Value="R", Type="String")
        self.sfn.redrive_execution(executionArn=exec_arn)
        done = self.wait_done(exec_arn)
        self.assertEqual(done["status"], "SUCCEEDED", done)
        self.assertEqual(json.loads(done["output"]), ["L", "R"])
        self.assertEqual(self.drain(q), ["L"])  # the Left branch ran once

    def test_aborted_wait_is_entered_again(self):
        arn = self.machine("redrive-wait", {
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                       "Done": {"Type": "Pass", "End": True}},
        })
        exec_arn = self.sfn.start_execution(stateMachineArn=arn,
                                            input='{"k": 1}')["executionArn"]
        self.sfn.stop_execution(executionArn=exec_arn, error="Halt", cause="operator")
        stopped = self.sfn.describe_execution(executionArn=exec_arn)
        self.assertEqual(stopped["status"], "ABORTED")
        self.assertEqual(stopped["redriveStatus"], "REDRIVABLE")
        self.sfn.redrive_execution(executionArn=exec_arn)
        running = self.sfn.describe_execution(executionArn=exec_arn)
        self.assertEqual(running["status"], "RUNNING")
        self.assertNotIn("stopDate", running)
        self.assertNotIn("error", running)
        self.server.admin("/_sluice/clock/advance", {"seconds": 3601})
        done = self.wait_done(exec_arn)
        self.assertEqual(done["status"], "SUCCEEDED")
        self.assertEqual(json.loads(done["output"]), {"k": 1})
        listed = self.sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")
        self.assertEqual([e["executionArn"] for e in listed["executions"]], [exec_arn])
        self.assertEqual(listed["executions"][0]["redriveCount"], 1)
        self.assertEqual(
            self.sfn.list_executions(stateMachineArn=arn,
                                     redriveFilter="NOT_REDRIVEN")["executions"], [])

    def test_client_token_makes_the_call_idempotent(self):
        arn = self.machine("redrive-token", {
            "StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E"}}})
        exec_arn = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.wait_done(exec_arn)
        first = self.sfn.redrive_execution(executionArn=exec_arn, clientToken="once")
        self.wait_done(exec_arn)
        again = self.sfn.redrive_execution(executionArn=exec_arn, clientToken="once")
        self.assertEqual(first["redriveDate"], again["redriveDate"])
        self.assertEqual(self.sfn.describe_execution(executionArn=exec_arn)["redriveCount"], 1)
        # A Fail state fails again: the execution is redrivable again.
        third = self.sfn.redrive_execution(executionArn=exec_arn, clientToken="twice")
        self.assertIn("redriveDate", third)
        d = self.wait_done(exec_arn)
        self.assertEqual((d["status"], d["redriveCount"]), ("FAILED", 2))
        types = [e["type"] for e in self.history(exec_arn)]
        self.assertEqual(types.count("ExecutionRedriven"), 2)
        self.assertEqual(types.count("FailStateEntered"), 3)

    def test_refusals(self):
        arn = self.machine("redrive-refused", {
            "StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}}})
        running = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        err = self.error_code(self.sfn.redrive_execution, executionArn=running)
        self.assertEqual(err["Code"], "ExecutionNotRedrivable")
        self.assertIn("RUNNING", err["Message"])
        self.server.admin("/_sluice/clock/advance", {"seconds": 61})
        self.assertEqual(self.wait_done(running)["status"], "SUCCEEDED")
        err = self.error_code(self.sfn.redrive_execution, executionArn=running)
        self.assertEqual(err["Code"], "ExecutionNotRedrivable")
        self.assertEqual(self.sfn.describe_execution(executionArn=running)["redriveCount"], 0)

        missing = running.rsplit(":", 1)[0] + ":nope"
        self.assertEqual(self.error_code(self.sfn.redrive_execution,
                                         executionArn=missing)["Code"], "ExecutionDoesNotExist")
        self.assertEqual(self.error_code(self.sfn.redrive_execution,
                                         executionArn="not-an-arn")["Code"], "InvalidArn")

        express = self.sfn.create_state_machine(
            name="redrive-express", roleArn=ROLE, type="EXPRESS",
            definition=json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail"}}}))
        sync = self.sfn.start_sync_execution(stateMachineArn=express["stateMachineArn"])
        self.assertEqual(sync["status"], "FAILED")
        err = self.error_code(self.sfn.redrive_execution, executionArn=sync["executionArn"])
        self.assertEqual(err["Code"], "ExecutionNotRedrivable")

    def test_redrivable_period_is_fourteen_days(self):
        arn = self.machine("redrive-period", {
            "StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}})
        exec_arn = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.wait_done(exec_arn)
        self.server.admin("/_sluice/clock/advance", {"seconds": 14 * 86400 + 1})
        d = self.sfn.describe_execution(executionArn=exec_arn)
        self.assertEqual(d["redriveStatus"], "NOT_REDRIVABLE")
        self.assertEqual(d["redriveStatusReason"], "Execution redrivable period exceeded")
        err = self.error_code(self.sfn.redrive_execution, executionArn=exec_arn)
        self.assertEqual(err["Code"], "ExecutionNotRedrivable")


class RedriveDurabilityTest(unittest.TestCase):
    """A failed execution stays redrivable across kill -9, and a redriven
    execution resumes after one."""

    def test_redrive_across_restarts(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            sfn = server.client("stepfunctions")
            arn = sfn.create_state_machine(name="redrive-durable", roleArn=ROLE, definition=json.dumps({
                "StartAt": "Each",
                "States": {
                    "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
                        "StartAt": "Lookup", "States": {
                            "Lookup": {"Type": "Task", "Resource": SDK + "ssm:getParameter",
                                       "Parameters": {"Name.$": "States.Format('/durable/{}', $)"},
                                       "ResultSelector": {"v.$": "$.Parameter.Value"},
                                       "Next": "Hold"},
                            "Hold": {"Type": "Wait", "Seconds": 600, "End": True}}},
                        "End": True}}}))["stateMachineArn"]
            ssm = server.client("ssm")
            ssm.put_parameter(Name="/durable/a", Value="A", Type="String")
            exec_arn = sfn.start_execution(stateMachineArn=arn,
                                           input='{"items": ["a", "b"]}')["executionArn"]
            server.admin("/_sluice/clock/advance", {"seconds": 601})
            for _ in range(200):
                if sfn.describe_execution(executionArn=exec_arn)["status"] != "RUNNING":
                    break
            self.assertEqual(sfn.describe_execution(executionArn=exec_arn)["status"], "FAILED")

            server.stop(signal.SIGKILL)
            server.start()
            sfn, ssm = server.client("stepfunctions"), server.client("ssm")
            self.assertEqual(sfn.describe_execution(executionArn=exec_arn)["redriveStatus"],
                             "REDRIVABLE")
            ssm.put_parameter(Name="/durable/b", Value="B", Type="String")
            sfn.redrive_execution(executionArn=exec_arn)

            server.stop(signal.SIGKILL)  # the redriven iteration waits in Hold
            server.start()
            sfn = server.client("stepfunctions")
            d = sfn.describe_execution(executionArn=exec_arn)
            self.assertEqual((d["status"], d["redriveCount"]), ("RUNNING", 1))
            server.admin("/_sluice/clock/advance", {"seconds": 601})
            for _ in range(200):
                d = sfn.describe_execution(executionArn=exec_arn)
                if d["status"] != "RUNNING":
                    break
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), [{"v": "A"}, {"v": "B"}])
            events = sfn.get_execution_history(executionArn=exec_arn, maxResults=1000)["events"]
            self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
            self.assertEqual([e["type"] for e in events].count("ExecutionRedriven"), 1)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
