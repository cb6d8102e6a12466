"""CloudWatch Logs through boto3 and the AWS CLI against a started `sluice server`."""
import json
import os
import signal
import time
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import ACCOUNT, REGION, SluiceServer


DATA = os.path.join(os.path.dirname(__file__), "..", "data", "logs_filter_patterns")


def now_ms():
    return int(time.time() * 1000)


class LogsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.logs = cls.server.client("logs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def stream(self, group, stream="s"):
        self.logs.create_log_group(logGroupName=group)
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)

    def put(self, group, stream, messages, start=None):
        t = start or now_ms() - 10_000
        events = [{"timestamp": t + i, "message": m} for i, m in enumerate(messages)]
        return self.logs.put_log_events(logGroupName=group, logStreamName=stream,
                                        logEvents=events)

    # --- groups -----------------------------------------------------------------
    def test_groups_retention_and_pages(self):
        for i in range(5):
            self.logs.create_log_group(logGroupName=f"/pg/g{i}", tags={"n": str(i)})
        msg = self.error("ResourceAlreadyExistsException", self.logs.create_log_group,
                         logGroupName="/pg/g0")
        self.assertEqual(msg, "The specified log group already exists")
        r = self.logs.describe_log_groups(logGroupNamePrefix="/pg/", limit=2)
        self.assertEqual([g["logGroupName"] for g in r["logGroups"]], ["/pg/g0", "/pg/g1"])
        g = r["logGroups"][0]
        self.assertEqual(g["arn"], f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/pg/g0:*")
        self.assertEqual(g["logGroupArn"], f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/pg/g0")
        self.assertNotIn("retentionInDays", g)
        names = []
        for page in self.logs.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix="/pg/", PaginationConfig={"PageSize": 2}):
            names += [x["logGroupName"] for x in page["logGroups"]]
        self.assertEqual(names, [f"/pg/g{i}" for i in range(5)])

        self.logs.put_retention_policy(logGroupName="/pg/g1", retentionInDays=14)
        g1 = self.logs.describe_log_groups(logGroupNamePrefix="/pg/g1")["logGroups"][0]
        self.assertEqual(g1["retentionInDays"], 14)
        msg = self.error("InvalidParameterException", self.logs.put_retention_policy,
                         logGroupName="/pg/g1", retentionInDays=4)
        self.assertIn("Member must satisfy enum value set", msg)
        g1 = self.logs.describe_log_groups(logGroupNamePrefix="/pg/g1")["logGroups"][0]
        self.assertEqual(g1["retentionInDays"], 14)
        self.logs.delete_retention_policy(logGroupName="/pg/g1")
        g1 = self.logs.describe_log_groups(logGroupNamePrefix="/pg/g1")["logGroups"][0]
        self.assertNotIn("retentionInDays", g1)
        self.error("ResourceNotFoundException", self.logs.put_retention_policy,
                   logGroupName="/pg/none", retentionInDays=1)

        self.assertEqual(self.logs.list_tags_log_group(logGroupName="/pg/g2")["tags"], {"n": "2"})
        arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/pg/g2"
        self.logs.tag_resource(resourceArn=arn, tags={"team": "lake"})
        self.logs.untag_resource(resourceArn=arn, tagKeys=["n"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"team": "lake"})
        self.error("ResourceNotFoundException", self.logs.list_tags_for_resource,
                   resourceArn=arn + "x")

        self.logs.delete_log_group(logGroupName="/pg/g4")
        self.error("ResourceNotFoundException", self.logs.delete_log_group, logGroupName="/pg/g4")
        self.error("InvalidParameterException", self.logs.create_log_group,
                   logGroupName="bad name!")

    # --- streams ------------------------------------------------------------------
    def test_streams_order_and_errors(self):
        self.logs.create_log_group(logGroupName="st")
        self.error("ResourceNotFoundException", self.logs.create_log_stream,
                   logGroupName="st-none", logStreamName="a")
        base = now_ms() - 60_000
        for name, offset in [("a", 30), ("b", 10), ("c", 20)]:
            self.logs.create_log_stream(logGroupName="st", logStreamName=name)
            self.put("st", name, ["m"], start=base + offset)
        msg = self.error("ResourceAlreadyExistsException", self.logs.create_log_stream,
                         logGroupName="st", logStreamName="a")
        self.assertEqual(msg, "The specified log stream already exists")
        by_name = self.logs.describe_log_streams(logGroupName="st")["logStreams"]
        self.assertEqual([s["logStreamName"] for s in by_name], ["a", "b", "c"])
        self.assertEqual(by_name[0]["lastEventTimestamp"], base + 30)
        self.assertEqual(by_name[0]["arn"],
                         f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:st:log-stream:a")
        by_time = self.logs.describe_log_streams(logGroupName="st", orderBy="LastEventTime",
                                                 descending=True)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in by_time], ["a", "c", "b"])
        self.error("InvalidParameterException", self.logs.describe_log_streams,
                   logGroupName="st", orderBy="LastEventTime", logStreamNamePrefix="a")
        page = self.logs.describe_log_streams(logGroupName="st", limit=2)
        rest = self.logs.describe_log_streams(logGroupName="st", nextToken=page["nextToken"])
        self.assertEqual([s["logStreamName"] for s in rest["logStreams"]], ["c"])
        self.logs.delete_log_stream(logGroupName="st", logStreamName="b")
        self.error("ResourceNotFoundException", self.logs.delete_log_stream, logGroupName="st",
                   logStreamName="b")
        self.error("ResourceNotFoundException", self.logs.get_log_events, logGroupName="st",
                   logStreamName="b")

    # --- events -------------------------------------------------------------------
    def test_put_log_events_rules(self):
        self.stream("pe")
        now = now_ms()
        r = self.logs.put_log_events(logGroupName="pe", logStreamName="s", logEvents=[
            {"timestamp": now - 1000, "message": "one"}, {"timestamp": now, "message": "two"}])
        self.assertTrue(r["nextSequenceToken"].isdigit())
        self.assertNotIn("rejectedLogEventsInfo", r)
        msg = self.error("InvalidParameterException", self.logs.put_log_events, logGroupName="pe",
                         logStreamName="s", logEvents=[{"timestamp": now, "message": "b"},
                                                       {"timestamp": now - 5, "message": "a"}])
        self.assertIn("chronological order", msg)
        self.error("InvalidParameterException", self.logs.put_log_events, logGroupName="pe",
                   logStreamName="s", logEvents=[{"timestamp": now - 2 * 86400_000, "message": "a"},
                                                 {"timestamp": now, "message": "b"}])
        self.error("ResourceNotFoundException", self.logs.put_log_events, logGroupName="pe",
                   logStreamName="nope", logEvents=[{"timestamp": now, "message": "a"}])
        # Too old (> 14 days), too new (> 2 hours ahead): reported, not stored.
        day = 86400_000
        r = self.logs.put_log_events(logGroupName="pe", logStreamName="s", logEvents=[
            {"timestamp": now - 14 * day - 3_600_000, "message": "old"},
            {"timestamp": now - 14 * day - 3_599_000, "message": "old2"},
            {"timestamp": now - 14 * day + 3_600_000, "message": "kept"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 1})
        r = self.logs.put_log_events(logGroupName="pe", logStreamName="s", logEvents=[
            {"timestamp": now + 1000, "message": "soon"},
            {"timestamp": now + 3 * 3_600_000, "message": "future"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooNewLogEventStartIndex": 1})
        self.logs.put_retention_policy(logGroupName="pe", retentionInDays=1)
        r = self.logs.put_log_events(logGroupName="pe", logStreamName="s", logEvents=[
            {"timestamp": now - day - 600_000, "message": "expired"},
            {"timestamp": now - day + 600_000, "message": "fresh"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"expiredLogEventEndIndex": 0})
        msgs = [e["message"] for e in self.logs.get_log_events(
            logGroupName="pe", logStreamName="s", startFromHead=True)["events"]]
        # "kept" is past the retention now; events come back in timestamp order.
        self.assertEqual(msgs, ["fresh", "one", "two", "soon"])

    def test_get_log_events_tokens(self):
        self.stream("ge")
        self.put("ge", "s", [f"m{i}" for i in range(5)])
        head = self.logs.get_log_events(logGroupName="ge", logStreamName="s", startFromHead=True,
                                        limit=2)
        self.assertEqual([e["message"] for e in head["events"]], ["m0", "m1"])
        nxt = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                       nextToken=head["nextForwardToken"], limit=2)
        self.assertEqual([e["message"] for e in nxt["events"]], ["m2", "m3"])
        nxt = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                       nextToken=nxt["nextForwardToken"], limit=2)
        self.assertEqual([e["message"] for e in nxt["events"]], ["m4"])
        end = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                       nextToken=nxt["nextForwardToken"], limit=2)
        self.assertEqual(end["events"], [])
        # At the end, the same forward token comes back.
        self.assertEqual(end["nextForwardToken"], nxt["nextForwardToken"])
        tail = self.logs.get_log_events(logGroupName="ge", logStreamName="s", limit=2)
        self.assertEqual([e["message"] for e in tail["events"]], ["m3", "m4"])
        back = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                        nextToken=tail["nextBackwardToken"], limit=2)
        self.assertEqual([e["message"] for e in back["events"]], ["m1", "m2"])
        back = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                        nextToken=back["nextBackwardToken"], limit=2)
        self.assertEqual([e["message"] for e in back["events"]], ["m0"])
        start = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                         nextToken=back["nextBackwardToken"], limit=2)
        self.assertEqual(start["events"], [])
        self.assertEqual(start["nextBackwardToken"], back["nextBackwardToken"])
        # New events are picked up from the forward token.
        self.put("ge", "s", ["m5"], start=now_ms())
        more = self.logs.get_log_events(logGroupName="ge", logStreamName="s",
                                        nextToken=end["nextForwardToken"])
        self.assertEqual([e["message"] for e in more["events"]], ["m5"])
        t0 = head["events"][0]["timestamp"]
        window = self.logs.get_log_events(logGroupName="ge", logStreamName="s", startTime=t0 + 1,
                                          endTime=t0 + 3, startFromHead=True)
        self.assertEqual([e["message"] for e in window["events"]], ["m1", "m2"])
        self.error("InvalidParameterException", self.logs.get_log_events, logGroupName="ge",
                   logStreamName="s", nextToken="garbage")

    def test_filter_log_events(self):
        self.logs.create_log_group(logGroupName="fe")
        t = now_ms() - 50_000
        for s in ["app-1", "app-2", "db"]:
            self.logs.create_log_stream(logGroupName="fe", logStreamName=s)
        self.logs.put_log_events(logGroupName="fe", logStreamName="app-1", logEvents=[
            {"timestamp": t, "message": "ERROR disk full"},
            {"timestamp": t + 2, "message": json.dumps({"level": "error", "latency": 120})}])
        self.logs.put_log_events(logGroupName="fe", logStreamName="app-2", logEvents=[
            {"timestamp": t + 1, "message": "WARN slow"},
            {"timestamp": t + 3, "message": json.dumps({"level": "info", "latency": 20})}])
        self.logs.put_log_events(logGroupName="fe", logStreamName="db", logEvents=[
            {"timestamp": t + 4, "message": "ERROR Exiting"}])

        def msgs(**kw):
            return [e["message"] for e in self.logs.filter_log_events(logGroupName="fe", **kw)["events"]]

        self.assertEqual(len(msgs()), 5)
        self.assertEqual(msgs(filterPattern="ERROR"), ["ERROR disk full", "ERROR Exiting"])
        self.assertEqual(msgs(filterPattern="ERROR -Exiting"), ["ERROR disk full"])
        self.assertEqual(msgs(filterPattern="?WARN ?Exiting"), ["WARN slow", "ERROR Exiting"])
        self.assertEqual(msgs(filterPattern='"disk full"'), ["ERROR disk full"])
        self.assertEqual(msgs(filterPattern="{ $.latency > 100 }"),
                         [json.dumps({"level": "error", "latency": 120})])
        self.assertEqual(len(msgs(filterPattern='{ $.level = "info" || $.latency > 100 }')), 2)
        self.assertEqual(msgs(logStreamNames=["app-2"]),
                         ["WARN slow", json.dumps({"level": "info", "latency": 20})])
        self.assertEqual(len(msgs(logStreamNamePrefix="app")), 4)
        self.assertEqual(msgs(startTime=t + 3, endTime=t + 4),
                         [json.dumps({"level": "info", "latency": 20}), "ERROR Exiting"])
        first = self.logs.filter_log_events(logGroupName="fe", limit=2)
        self.assertEqual([e["logStreamName"] for e in first["events"]], ["app-1", "app-2"])
        self.assertTrue(first["events"][0]["eventId"].isdigit())
        rest = self.logs.filter_log_events(logGroupName="fe", nextToken=first["nextToken"])
        self.assertEqual(len(rest["events"]), 3)
        self.assertNotIn("nextToken", rest)
        self.error("InvalidParameterException", self.logs.filter_log_events, logGroupName="fe",
                   filterPattern="{ $.a = ")
        self.error("InvalidParameterException", self.logs.filter_log_events, logGroupName="fe",
                   logStreamNames=["db"], logStreamNamePrefix="a")

    def test_space_delimited_and_regex_patterns(self):
        """The data-driven cases of tests/data/logs_filter_patterns through
        TestMetricFilter, and one through FilterLogEvents."""
        data = {"cases": [], "invalid": []}
        for name in sorted(os.listdir(DATA)):
            with open(os.path.join(DATA, name)) as f:
                cases = json.load(f)
            data["cases"] += cases["cases"]
            data["invalid"] += cases["invalid"]
        for case in data["cases"]:
            with self.subTest(case["name"]):
                out = self.logs.test_metric_filter(filterPattern=case["pattern"],
                                                   logEventMessages=["unrelated", case["message"]])
                if not case["matches"]:
                    self.assertEqual(out["matches"], [])
                    continue
                self.assertEqual(len(out["matches"]), 1)
                match = out["matches"][0]
                self.assertEqual(match["eventNumber"], 2)
                self.assertEqual(match["eventMessage"], case["message"])
                if "extracted" in case:
                    self.assertEqual(match["extractedValues"], case["extracted"])
        for case in data["invalid"]:
            with self.subTest(case["name"]):
                self.error("InvalidParameterException", self.logs.test_metric_filter,
                           filterPattern=case["pattern"], logEventMessages=["x"])
        # Non-delimited patterns test too, with nothing extracted.
        out = self.logs.test_metric_filter(filterPattern="ERROR", logEventMessages=["ERROR x", "ok"])
        self.assertEqual(out["matches"], [{"eventNumber": 1, "eventMessage": "ERROR x", "extractedValues": {}}])

        self.stream("delimited")
        access = ['10.0.0.1 - - [24/Nov/2026:06:00:00 +0000] "GET /a.html HTTP/1.1" 200 512',
                  '10.0.0.2 - - [24/Nov/2026:06:00:01 +0000] "GET /b.html HTTP/1.1" 404 0',
                  '10.0.0.3 - - [24/Nov/2026:06:00:02 +0000] "POST /c HTTP/1.1" 503 12']
        self.put("delimited", "s", access)
        found = self.logs.filter_log_events(
            logGroupName="delimited", filterPattern="[ip, ..., status_code >= 400, bytes]")["events"]
        self.assertEqual([e["message"] for e in found], access[1:])
        self.error("InvalidParameterException", self.logs.filter_log_events, logGroupName="delimited",
                   filterPattern="[ip, status_code > high]")

    def test_cli(self):
        aws(self.server, "logs", "create-log-group", "--log-group-name", "cli-group")
        aws(self.server, "logs", "create-log-stream", "--log-group-name", "cli-group",
            "--log-stream-name", "s")
        aws(self.server, "logs", "put-log-events", "--log-group-name", "cli-group",
            "--log-stream-name", "s", "--log-events",
            f"timestamp={now_ms()},message=hello-from-cli")
        _, out, _ = aws(self.server, "logs", "filter-log-events", "--log-group-name", "cli-group",
                        "--filter-pattern", "hello")
        self.assertEqual([e["message"] for e in out["events"]], ["hello-from-cli"])
        code, _, err = aws(self.server, "logs", "create-log-group", "--log-group-name",
                           "cli-group", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceAlreadyExistsException", err)


class ExecutionLoggingTest(unittest.TestCase):
    """State machines' loggingConfiguration writes execution events to the log group."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.logs = cls.server.client("logs")
        cls.sfn = cls.server.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_machine(self, name, level, include_data, definition):
        group = f"/aws/vendedlogs/states/{name}"
        self.logs.create_log_group(logGroupName=group)
        arn = self.sfn.create_state_machine(
            name=name, definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
            loggingConfiguration={"level": level, "includeExecutionData": include_data,
                                  "destinations": [{"cloudWatchLogsLogGroup": {
                                      "logGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"}}]},
        )["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn, name="run1", input='{"secret": 42}')
        for _ in range(100):
            if self.sfn.describe_execution(executionArn=ex["executionArn"])["status"] != "RUNNING":
                break
            time.sleep(0.05)
        for _ in range(100):
            events = self.logs.filter_log_events(logGroupName=group)["events"]
            if events:
                return ex["executionArn"], group, [json.loads(e["message"]) for e in events]
            time.sleep(0.05)
        return ex["executionArn"], group, []

    def test_all_level_with_execution_data(self):
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        arn, group, events = self.run_machine("logall", "ALL", True, definition)
        self.assertEqual([e["type"] for e in events],
                         ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                          "ExecutionSucceeded"])
        self.assertEqual(events[0]["execution_arn"], arn)
        self.assertEqual(events[0]["id"], "1")
        self.assertEqual(json.loads(events[0]["details"]["input"]), {"secret": 42})
        streams = self.logs.describe_log_streams(logGroupName=group)["logStreams"]
        self.assertEqual(len(streams), 1)
        self.assertTrue(streams[0]["logStreamName"].startswith("states/logall/"))
        self.assertTrue(streams[0]["logStreamName"].endswith("/run1"))

    def test_error_level_without_data(self):
        definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom",
                                                       "Cause": "bad"}}}
        _, _, events = self.run_machine("logerr", "ERROR", False, definition)
        self.assertEqual([e["type"] for e in events], ["ExecutionFailed"])
        self.assertEqual(events[0]["details"]["error"], "Boom")

    def test_fatal_level_skips_successes(self):
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        _, group, events = self.run_machine("logfatal", "FATAL", False, definition)
        self.assertEqual(events, [])
        self.assertEqual(self.logs.describe_log_streams(logGroupName=group)["logStreams"], [])


class LogsRestartTest(unittest.TestCase):
    def test_survives_kill_9(self):
        server = SluiceServer().start()
        try:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="keep", tags={"a": "b"})
            logs.put_retention_policy(logGroupName="keep", retentionInDays=7)
            logs.create_log_stream(logGroupName="keep", logStreamName="s")
            t = now_ms()
            logs.put_log_events(logGroupName="keep", logStreamName="s", logEvents=[
                {"timestamp": t, "message": "first"}, {"timestamp": t + 1, "message": "second"}])
            server.stop(signal.SIGKILL)
            server.start()
            logs = server.client("logs")
            g = logs.describe_log_groups(logGroupNamePrefix="keep")["logGroups"][0]
            self.assertEqual(g["retentionInDays"], 7)
            self.assertEqual(logs.list_tags_log_group(logGroupName="keep")["tags"], {"a": "b"})
            events = logs.get_log_events(logGroupName="keep", logStreamName="s",
                                         startFromHead=True)["events"]
            self.assertEqual([e["message"] for e in events], ["first", "second"])
            logs.put_log_events(logGroupName="keep", logStreamName="s",
                                logEvents=[{"timestamp": t + 2, "message": "third"}])
            ids = [e["eventId"] for e in logs.filter_log_events(logGroupName="keep")["events"]]
            self.assertEqual(len(set(ids)), 3)
        finally:
            server.cleanup()

    def test_events_stay_in_the_store_across_a_restart(self):
        """24 MB of events: after a restart the server holds none of them in
        memory (its resident size stays near an empty server's), yet pages,
        filters and stream statistics read them all."""
        server = SluiceServer().start()
        try:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="big")
            logs.create_log_stream(logGroupName="big", logStreamName="s")
            t = now_ms() - 3_600_000
            body = "x" * 1000
            for batch in range(24):
                logs.put_log_events(logGroupName="big", logStreamName="s", logEvents=[
                    {"timestamp": t + batch * 1000 + i, "message": f"{batch:02d}-{i:03d} {body}"}
                    for i in range(1000)])
            server.stop(signal.SIGKILL)
            server.start()
            logs = server.client("logs")
            logs.describe_log_groups()  # every service is up and answering
            empty = SluiceServer().start()
            try:
                empty.client("logs").describe_log_groups()
                baseline = empty.resident_mb()
            finally:
                empty.cleanup()
            self.assertLess(server.resident_mb(), baseline + 12)  # 24 MB of events not loaded
            s = logs.describe_log_streams(logGroupName="big")["logStreams"][0]
            self.assertEqual((s["firstEventTimestamp"], s["lastEventTimestamp"]),
                             (t, t + 23 * 1000 + 999))
            g = logs.describe_log_groups(logGroupNamePrefix="big")["logGroups"][0]
            self.assertEqual(g["storedBytes"], 24 * 1000 * len(f"00-000 {body}"))
            head = logs.get_log_events(logGroupName="big", logStreamName="s",
                                       startFromHead=True, limit=3)["events"]
            self.assertEqual([e["message"][:6] for e in head], ["00-000", "00-001", "00-002"])
            tail = logs.get_log_events(logGroupName="big", logStreamName="s", limit=2)["events"]
            self.assertEqual([e["message"][:6] for e in tail], ["23-998", "23-999"])
            found = logs.filter_log_events(logGroupName="big", filterPattern="17-500")["events"]
            self.assertEqual([e["message"][:6] for e in found], ["17-500"])
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
