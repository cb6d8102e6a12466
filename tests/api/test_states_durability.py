"""Standard executions survive kill -9: the server is killed while many
executions wait in Wait states, Map iterations, callback (activity) tasks and
Retry back-offs; a new server on the same data directory resumes them all,
and every execution ends with the output it would have had, with a history
that has no event twice and none missing."""
import json
import signal
import time
import unittest

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"
ACTIVITY = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:durable-worker"

WAIT_MACHINE = {
    "StartAt": "Before",
    "States": {
        "Before": {"Type": "Pass", "ResultPath": "$.before", "Result": "ok", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"n.$": "$.n", "before.$": "$.before",
                                                 "doubled.$": "States.MathAdd($.n, $.n)"},
                  "End": True},
    },
}

MAP_MACHINE = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "StartAt": "Hold",
                "States": {
                    "Hold": {"Type": "Wait", "Seconds": 600, "Next": "Square"},
                    "Square": {"Type": "Pass",
                               "Parameters": {"v.$": "States.MathAdd($, 1000)"}, "End": True},
                },
            },
            "End": True,
        }
    },
}

PARALLEL_MACHINE = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Short", "States": {
                    "Short": {"Type": "Wait", "Seconds": 30, "Next": "A"},
                    "A": {"Type": "Pass", "Result": "a", "End": True}}},
                {"StartAt": "Long", "States": {
                    "Long": {"Type": "Wait", "Seconds": 2000, "Next": "B"},
                    "B": {"Type": "Pass", "InputPath": "$.p", "End": True}}},
            ],
            "End": True,
        }
    },
}

CALLBACK_MACHINE = {
    "StartAt": "Ask",
    "States": {
        "Ask": {"Type": "Task", "Resource": ACTIVITY, "TimeoutSeconds": 86400,
                "ResultPath": "$.answer", "End": True},
    },
}

RETRY_MACHINE = {
    "StartAt": "Flaky",
    "States": {
        "Flaky": {"Type": "Task", "Resource": ACTIVITY, "ResultPath": "$.answer",
                  "Retry": [{"ErrorEquals": ["Flaky.Error"], "IntervalSeconds": 300,
                             "MaxAttempts": 2}],
                  "End": True},
    },
}


class DurabilityTest(unittest.TestCase):
    def setUp(self):
        self.server = SluiceServer("--clock", "virtual").start()
        self.sfn = self.server.client("stepfunctions")

    def tearDown(self):
        self.server.cleanup()

    def restart(self):
        """kill -9, then a new server on the same data directory."""
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sfn = self.server.client("stepfunctions")

    def machine(self, name, definition):
        return self.sfn.create_state_machine(
            name=name, roleArn=ROLE, definition=json.dumps(definition))["stateMachineArn"]

    def start(self, machine_arn, name, doc):
        return self.sfn.start_execution(stateMachineArn=machine_arn, name=name,
                                        input=json.dumps(doc))["executionArn"]

    def take_tasks(self, count):
        tasks = []
        for _ in range(count):
            t = self.sfn.get_activity_task(activityArn=ACTIVITY, workerName="w")
            self.assertIn("taskToken", t)
            tasks.append((t["taskToken"], json.loads(t["input"])))
        return tasks

    def assert_clean_history(self, arn):
        events = self.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)), arn)
        types = [e["type"] for e in events]
        self.assertEqual(types.count("ExecutionStarted"), 1, arn)
        self.assertEqual(types[-1], "ExecutionSucceeded", arn)
        for e in events:
            self.assertLess(e["previousEventId"], e["id"])
        return types

    def test_running_executions_resume_after_kill_9(self):
        wait_arn = self.machine("durable-wait", WAIT_MACHINE)
        map_arn = self.machine("durable-map", MAP_MACHINE)
        parallel_arn = self.machine("durable-parallel", PARALLEL_MACHINE)
        callback_arn = self.machine("durable-callback", CALLBACK_MACHINE)
        retry_arn = self.machine("durable-retry", RETRY_MACHINE)
        self.sfn.create_activity(name="durable-worker")

        waits = {self.start(wait_arn, f"w{i}", {"n": i}): i for i in range(20)}
        maps = {self.start(map_arn, f"m{i}", {"items": list(range(i, i + 5))}): i
                for i in range(5)}
        parallels = {self.start(parallel_arn, f"p{i}", {"p": i}): i for i in range(5)}
        retries = {self.start(retry_arn, f"r{i}", {"r": i}): i for i in range(3)}
        # The retry executions fail once and sit in their 300 s back-off.
        for token, doc in self.take_tasks(3):
            self.assertIn("r", doc)
            self.sfn.send_task_failure(taskToken=token, error="Flaky.Error", cause="first try")
        callbacks = {self.start(callback_arn, f"c{i}", {"c": i}): i for i in range(6)}
        # Three callback tasks are taken by a worker before the crash; three
        # are still queued on the activity.
        taken_before = self.take_tasks(3)
        # Move part way: Map iterations are mid-wait, waits are not due yet.
        self.server.admin("/_sluice/clock/advance", {"seconds": 60})
        clock_before = self.server.admin("/_sluice/clock")["now"]

        self.restart()

        self.assertGreaterEqual(self.server.admin("/_sluice/clock")["now"], clock_before)
        for arn in [*waits, *maps, *parallels, *callbacks, *retries]:
            self.assertEqual(self.sfn.describe_execution(executionArn=arn)["status"], "RUNNING",
                             arn)
        # The worker that took tasks before the crash answers with its tokens.
        for token, doc in taken_before:
            self.sfn.send_task_success(taskToken=token, output=json.dumps({"got": doc["c"]}))
        # The three never taken are handed out again, once each.
        for token, doc in self.take_tasks(3):
            self.assertIn("c", doc)
            self.sfn.send_task_success(taskToken=token, output=json.dumps({"got": doc["c"]}))
        # Time passes: waits end, Map iterations proceed two at a time, the
        # retries run their second attempt.
        for _ in range(4):
            self.server.admin("/_sluice/clock/advance", {"seconds": 1200})
        for token, doc in self.take_tasks(3):
            self.assertIn("r", doc)
            self.sfn.send_task_success(taskToken=token, output=json.dumps({"second": doc["r"]}))

        for arn, i in waits.items():
            d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual(d["status"], "SUCCEEDED", arn)
            self.assertEqual(json.loads(d["output"]), {"n": i, "before": "ok", "doubled": 2 * i})
            types = self.assert_clean_history(arn)
            self.assertEqual(types.count("WaitStateEntered"), 1)
            self.assertEqual(types.count("WaitStateExited"), 1)
        for arn, i in maps.items():
            d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual(d["status"], "SUCCEEDED", arn)
            self.assertEqual(json.loads(d["output"]),
                             [{"v": v + 1000} for v in range(i, i + 5)])
            types = self.assert_clean_history(arn)
            self.assertEqual(types.count("MapIterationStarted"), 5)
            self.assertEqual(types.count("MapIterationSucceeded"), 5)
        for arn, i in parallels.items():
            d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual(d["status"], "SUCCEEDED", arn)
            self.assertEqual(json.loads(d["output"]), ["a", i])
            types = self.assert_clean_history(arn)
            self.assertEqual(types.count("WaitStateEntered"), 2)
            self.assertEqual(types.count("ParallelStateSucceeded"), 1)
        for arn, i in callbacks.items():
            d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual(d["status"], "SUCCEEDED", arn)
            self.assertEqual(json.loads(d["output"]), {"c": i, "answer": {"got": i}})
            types = self.assert_clean_history(arn)
            self.assertEqual(types.count("ActivityScheduled"), 1)
            self.assertEqual(types.count("ActivitySucceeded"), 1)
        for arn, i in retries.items():
            d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual(d["status"], "SUCCEEDED", arn)
            self.assertEqual(json.loads(d["output"]), {"r": i, "answer": {"second": i}})
            types = self.assert_clean_history(arn)
            self.assertEqual(types.count("ActivityScheduled"), 2)
            self.assertEqual(types.count("ActivityFailed"), 1)

    def test_definitions_and_finished_executions_survive(self):
        arn = self.machine("durable-meta", WAIT_MACHINE)
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "lake"}])
        version = self.sfn.publish_state_machine_version(stateMachineArn=arn)
        alias = self.sfn.create_state_machine_alias(
            name="live", routingConfiguration=[
                {"stateMachineVersionArn": version["stateMachineVersionArn"], "weight": 100}])
        done_arn = self.start(arn, "finished", {"n": 2})
        self.server.admin("/_sluice/clock/advance", {"seconds": 3601})
        history_before = self.sfn.get_execution_history(executionArn=done_arn)["events"]
        self.assertEqual(self.sfn.describe_execution(executionArn=done_arn)["status"], "SUCCEEDED")

        self.restart()

        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn)["definition"],
                         json.dumps(WAIT_MACHINE))
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "team", "value": "lake"}])
        self.assertEqual(
            [v["stateMachineVersionArn"] for v in
             self.sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]],
            [version["stateMachineVersionArn"]])
        self.assertEqual(self.sfn.describe_state_machine_alias(
            stateMachineAliasArn=alias["stateMachineAliasArn"])["name"], "live")
        self.assertEqual(self.sfn.get_execution_history(executionArn=done_arn)["events"],
                         history_before)
        d = self.sfn.describe_execution(executionArn=done_arn)
        self.assertEqual(json.loads(d["output"]), {"n": 2, "before": "ok", "doubled": 4})
        # Name idempotency still sees the old execution.
        with self.assertRaises(self.sfn.exceptions.ExecutionAlreadyExists):
            self.start(arn, "finished", {"n": 3})
        # A deleted machine stays deleted.
        self.sfn.delete_state_machine(stateMachineArn=arn)
        self.restart()
        with self.assertRaises(self.sfn.exceptions.StateMachineDoesNotExist):
            self.sfn.describe_state_machine(stateMachineArn=arn)

    def test_closed_executions_stay_in_the_store_across_a_restart(self):
        """2,400 finished executions: neither the server that ran them nor a
        restarted one holds them in memory (each stays near an empty server's
        size), and both list, describe and guard their names from the store."""
        from concurrent.futures import ThreadPoolExecutor
        quick = self.machine("durable-many", {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 7,
                                                 "Next": "Bad"}], "Default": "Good"},
            "Good": {"Type": "Succeed"}, "Bad": {"Type": "Fail", "Error": "Seven"}}})
        client = self.server.client("stepfunctions")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: client.start_execution(
                stateMachineArn=quick, name=f"e{n:04d}", input=json.dumps({"n": n % 100,
                                                                            "pad": "x" * 2000})),
                range(2400)))
        self.server.idle()

        empty = SluiceServer().start()
        try:
            empty.client("stepfunctions").list_state_machines()
            baseline = empty.resident_mb()
        finally:
            empty.cleanup()
        # Finished executions left memory once their ends were committed...
        self.assertLess(self.server.resident_mb(), baseline + 12)  # ~2,400 x 10 KB
        self.restart()
        self.sfn.list_state_machines()
        # ...and a restart does not load them.
        self.assertLess(self.server.resident_mb(), baseline + 12)

        listed, token, pages = [], None, 0
        while True:
            kw = {"nextToken": token} if token else {}
            page = self.sfn.list_executions(stateMachineArn=quick, maxResults=1000, **kw)
            listed += page["executions"]
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(e["name"] for e in listed), [f"e{n:04d}" for n in range(2400)])
        starts = [e["startDate"] for e in listed]
        self.assertEqual(starts, sorted(starts, reverse=True))  # newest first
        failed = self.sfn.list_executions(stateMachineArn=quick, statusFilter="FAILED",
                                          maxResults=1000)["executions"]
        self.assertEqual(sorted(e["name"] for e in failed),
                         [f"e{n:04d}" for n in range(2400) if n % 100 == 7])
        self.assertTrue(all(e["status"] == "FAILED" and "stopDate" in e for e in failed))
        old = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:durable-many:e0107"
        d = self.sfn.describe_execution(executionArn=old)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "Seven"))
        self.assertEqual(len(self.sfn.get_execution_history(executionArn=old)["events"]), 9)
        with self.assertRaises(self.sfn.exceptions.ExecutionAlreadyExists):
            self.start(quick, "e0001", {"n": 1})

    def test_nested_sync_child_without_a_name_is_not_started_twice(self):
        child = self.machine("durable-child", {
            "StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 100, "End": True}}})
        parent = self.machine("durable-parent", {
            "StartAt": "Child",
            "States": {"Child": {
                "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"k.$": "$.k"}},
                "OutputPath": "$.Output", "End": True}}})
        arn = self.start(parent, "nested", {"k": 5})
        for _ in range(100):
            if self.sfn.list_executions(stateMachineArn=child)["executions"]:
                break
            time.sleep(0.01)

        self.restart()  # the parent's task is dispatched again

        self.server.admin("/_sluice/clock/advance", {"seconds": 101})
        d = self.sfn.describe_execution(executionArn=arn)
        for _ in range(100):
            if d["status"] != "RUNNING":
                break
            time.sleep(0.01)
            d = self.sfn.describe_execution(executionArn=arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"k": 5})
        children = self.sfn.list_executions(stateMachineArn=child)["executions"]
        self.assertEqual(len(children), 1, children)
        self.assertEqual(children[0]["status"], "SUCCEEDED")
        self.assertRegex(children[0]["name"],
                         r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

    def test_resumed_execution_still_writes_its_execution_log(self):
        logs = self.server.client("logs")
        group = "/aws/vendedlogs/states/durable-logged"
        logs.create_log_group(logGroupName=group)
        arn = self.sfn.create_state_machine(
            name="durable-logged", roleArn=ROLE, definition=json.dumps(WAIT_MACHINE),
            loggingConfiguration={"level": "ALL", "includeExecutionData": False, "destinations": [
                {"cloudWatchLogsLogGroup": {"logGroupArn":
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"}}]})["stateMachineArn"]
        execution = self.start(arn, "logged", {"n": 1})

        self.restart()
        logs = self.server.client("logs")
        self.server.admin("/_sluice/clock/advance", {"seconds": 3600})
        self.assertEqual(self.sfn.describe_execution(executionArn=execution)["status"],
                         "SUCCEEDED")
        events = []
        for _ in range(100):
            events = logs.filter_log_events(logGroupName=group)["events"]
            if events:
                break
            time.sleep(0.02)
        types = [json.loads(e["message"])["type"] for e in events]
        # The whole history, from before and after the crash, once.
        self.assertEqual(types, [e["type"] for e in self.sfn.get_execution_history(
            executionArn=execution, maxResults=1000)["events"]])
        self.assertEqual(types[0], "ExecutionStarted")
        self.assertEqual(types[-1], "ExecutionSucceeded")


if __name__ == "__main__":
    unittest.main()
