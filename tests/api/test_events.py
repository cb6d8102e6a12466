"""EventBridge through boto3 and the AWS CLI against a started `sluice server`."""
import json
import signal
import time
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/events"
ECHO = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


class EventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.events = cls.server.client("events")
        cls.sfn = cls.server.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def machine(self, name):
        return self.sfn.create_state_machine(name=name, definition=ECHO, roleArn=ROLE)["stateMachineArn"]

    def inputs(self, machine_arn, expected, timeout=5):
        """Inputs of the machine's executions once `expected` of them exist."""
        deadline = time.time() + timeout
        while True:
            execs = self.sfn.list_executions(stateMachineArn=machine_arn)["executions"]
            if len(execs) >= expected or time.time() > deadline:
                break
            time.sleep(0.05)
        return sorted((json.loads(self.sfn.describe_execution(executionArn=e["executionArn"])["input"])
                       for e in execs), key=json.dumps)

    # --- buses ------------------------------------------------------------------
    def test_buses(self):
        default = self.events.describe_event_bus()
        self.assertEqual(default["Name"], "default")
        self.assertEqual(default["Arn"], f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default")
        r = self.events.create_event_bus(Name="orders")
        self.assertEqual(r["EventBusArn"], f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders")
        msg = self.error("ResourceAlreadyExistsException", self.events.create_event_bus, Name="orders")
        self.assertEqual(msg, "Event bus orders already exists.")
        names = [b["Name"] for b in self.events.list_event_buses()["EventBuses"]]
        self.assertIn("default", names)
        self.assertIn("orders", names)
        self.assertEqual([b["Name"] for b in self.events.list_event_buses(NamePrefix="ord")["EventBuses"]],
                         ["orders"])
        self.error("ValidationException", self.events.delete_event_bus, Name="default")
        self.events.delete_event_bus(Name="orders")
        self.error("ResourceNotFoundException", self.events.describe_event_bus, Name="orders")

    # --- rules ------------------------------------------------------------------
    def test_rules_crud_and_validation(self):
        pattern = json.dumps({"source": ["app.orders"]})
        arn = self.events.put_rule(Name="r-crud", EventPattern=pattern, Description="d")["RuleArn"]
        self.assertEqual(arn, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r-crud")
        d = self.events.describe_rule(Name="r-crud")
        self.assertEqual((d["State"], d["EventPattern"], d["EventBusName"], d["Description"]),
                         ("ENABLED", pattern, "default", "d"))
        self.events.disable_rule(Name="r-crud")
        self.assertEqual(self.events.describe_rule(Name="r-crud")["State"], "DISABLED")
        self.events.enable_rule(Name="r-crud")
        self.assertEqual(self.events.describe_rule(Name="r-crud")["State"], "ENABLED")
        for i in range(3):
            self.events.put_rule(Name=f"r-list-{i}", ScheduleExpression="rate(1 day)")
        page = self.events.list_rules(NamePrefix="r-list-", Limit=2)
        self.assertEqual([r["Name"] for r in page["Rules"]], ["r-list-0", "r-list-1"])
        rest = self.events.list_rules(NamePrefix="r-list-", NextToken=page["NextToken"])
        self.assertEqual([r["Name"] for r in rest["Rules"]], ["r-list-2"])

        msg = self.error("ValidationException", self.events.put_rule, Name="r-none")
        self.assertIn("EventPattern or ScheduleExpression", msg)
        msg = self.error("ValidationException", self.events.put_rule, Name="r-bad",
                         ScheduleExpression="rate(5 minute)")
        self.assertEqual(msg, "Parameter ScheduleExpression is not valid.")
        self.error("ValidationException", self.events.put_rule, Name="r-bad",
                   ScheduleExpression="cron(0 7 * * * *)")
        self.error("InvalidEventPatternException", self.events.put_rule, Name="r-bad",
                   EventPattern=json.dumps({"source": "not-a-list"}))
        self.error("InvalidEventPatternException", self.events.put_rule, Name="r-bad",
                   EventPattern="{not json")
        self.events.create_event_bus(Name="custom")
        msg = self.error("ValidationException", self.events.put_rule, Name="r-bad",
                         ScheduleExpression="rate(1 hour)", EventBusName="custom")
        self.assertIn("default event bus", msg)
        self.error("ResourceNotFoundException", self.events.describe_rule, Name="r-bad")
        self.error("ResourceNotFoundException", self.events.describe_rule, Name="r-crud",
                   EventBusName="custom")

        self.events.put_targets(Rule="r-crud", Targets=[{"Id": "t", "Arn": self.machine("crud-m")}])
        msg = self.error("ValidationException", self.events.delete_rule, Name="r-crud")
        self.assertEqual(msg, "Rule can't be deleted since it has targets.")
        self.events.remove_targets(Rule="r-crud", Ids=["t"])
        self.events.delete_rule(Name="r-crud")
        self.error("ResourceNotFoundException", self.events.describe_rule, Name="r-crud")

    def test_targets(self):
        self.events.put_rule(Name="r-targets", EventPattern=json.dumps({"source": ["x"]}))
        m = self.machine("targets-m")
        r = self.events.put_targets(Rule="r-targets", Targets=[
            {"Id": "a", "Arn": m, "Input": '{"fixed": true}'},
            {"Id": "b", "Arn": m, "InputPath": "$.detail"},
            {"Id": "bad", "Arn": m, "Input": "{}", "InputPath": "$.detail"},
            {"Id": "badjson", "Arn": m, "Input": "{nope"},
        ])
        self.assertEqual(r["FailedEntryCount"], 2)
        self.assertEqual(sorted(f["TargetId"] for f in r["FailedEntries"]), ["bad", "badjson"])
        listed = self.events.list_targets_by_rule(Rule="r-targets")["Targets"]
        self.assertEqual([t["Id"] for t in listed], ["a", "b"])
        self.assertEqual(listed[1]["InputPath"], "$.detail")
        r = self.events.remove_targets(Rule="r-targets", Ids=["a", "zzz"])
        self.assertEqual(r["FailedEntryCount"], 1)
        self.assertEqual(r["FailedEntries"][0]["TargetId"], "zzz")
        self.error("LimitExceededException", self.events.put_targets, Rule="r-targets",
                   Targets=[{"Id": f"t{i}", "Arn": m} for i in range(5)])
        self.assertEqual(len(self.events.list_targets_by_rule(Rule="r-targets")["Targets"]), 1)
        self.error("ResourceNotFoundException", self.events.put_targets, Rule="r-none",
                   Targets=[{"Id": "a", "Arn": m}])

    # --- events -----------------------------------------------------------------
    def test_put_events_starts_state_machines(self):
        m = self.machine("orders-m")
        self.events.put_rule(Name="r-orders", EventPattern=json.dumps(
            {"source": ["app.orders"], "detail": {"amount": [{"numeric": [">", 100]}]}}))
        self.events.put_targets(Rule="r-orders", Targets=[
            {"Id": "whole", "Arn": m},
            {"Id": "shaped", "Arn": m, "InputTransformer": {
                "InputPathsMap": {"amount": "$.detail.amount", "who": "$.detail.customer"},
                "InputTemplate": '{"amount": <amount>, "msg": "order by <who>", '
                                 '"rule": "<aws.events.rule-name>"}'}}])
        r = self.events.put_events(Entries=[
            {"Source": "app.orders", "DetailType": "OrderPlaced",
             "Detail": json.dumps({"amount": 250, "customer": "ana"})},
            {"Source": "app.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"amount": 5})},
            {"Source": "app.orders", "DetailType": "OrderPlaced", "Detail": "not json"},
            {"DetailType": "OrderPlaced", "Detail": "{}"},
        ])
        self.assertEqual(r["FailedEntryCount"], 2)
        self.assertIn("EventId", r["Entries"][0])
        self.assertIn("EventId", r["Entries"][1])
        self.assertEqual(r["Entries"][2]["ErrorCode"], "MalformedDetail")
        self.assertEqual(r["Entries"][3]["ErrorCode"], "InvalidArgument")
        inputs = self.inputs(m, 2)
        self.assertEqual(len(inputs), 2)
        shaped = [i for i in inputs if "msg" in i][0]
        self.assertEqual(shaped, {"amount": 250, "msg": "order by ana", "rule": "r-orders"})
        whole = [i for i in inputs if "detail" in i][0]
        self.assertEqual(whole["source"], "app.orders")
        self.assertEqual(whole["detail-type"], "OrderPlaced")
        self.assertEqual(whole["detail"], {"amount": 250, "customer": "ana"})
        self.assertEqual(whole["account"], ACCOUNT)
        self.assertEqual(whole["id"], r["Entries"][0]["EventId"])
        self.error("ValidationException", self.events.put_events, Entries=[
            {"Source": "s", "DetailType": "d", "Detail": json.dumps({"x": "y" * 270000})}])

    def test_disabled_rule_and_other_bus(self):
        m = self.machine("bus-m")
        self.events.create_event_bus(Name="second")
        self.events.put_rule(Name="r-forward", EventPattern=json.dumps({"source": ["fwd"]}))
        self.events.put_targets(Rule="r-forward", Targets=[
            {"Id": "bus", "Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/second"}])
        self.events.put_rule(Name="r-on-second", EventBusName="second",
                             EventPattern=json.dumps({"source": ["fwd"]}))
        self.events.put_targets(Rule="r-on-second", EventBusName="second",
                                Targets=[{"Id": "m", "Arn": m, "InputPath": "$.detail"}])
        self.events.put_rule(Name="r-off", EventPattern=json.dumps({"source": ["fwd"]}),
                             State="DISABLED")
        self.events.put_targets(Rule="r-off", Targets=[{"Id": "m", "Arn": m, "Input": '"off"'}])
        self.events.put_events(Entries=[{"Source": "fwd", "DetailType": "t", "Detail": '{"n": 1}'}])
        # Once the server is idle every delivery has happened: one execution,
        # none from the disabled rule.
        self.assertTrue(self.server.idle())
        self.assertEqual(self.inputs(m, 1, timeout=0), [{"n": 1}])

    def test_test_event_pattern(self):
        event = json.dumps({"id": "1", "account": ACCOUNT, "source": "aws.s3", "time": "2024-01-01T00:00:00Z",
                            "region": REGION, "detail-type": "Object Restore Completed", "resources": [],
                            "detail": {"bucket": {"name": "archive"}}})
        ok = self.events.test_event_pattern(EventPattern=json.dumps(
            {"detail": {"bucket": {"name": [{"prefix": "arch"}]}}}), Event=event)
        self.assertTrue(ok["Result"])
        no = self.events.test_event_pattern(EventPattern=json.dumps({"source": ["aws.ec2"]}), Event=event)
        self.assertFalse(no["Result"])
        self.error("InvalidEventPatternException", self.events.test_event_pattern,
                   EventPattern=json.dumps({"source": [{"bogus": 1}]}), Event=event)
        self.error("ValidationException", self.events.test_event_pattern,
                   EventPattern=json.dumps({"source": ["x"]}), Event=json.dumps({"source": "x"}))

    def test_scheduled_rule_fires_on_the_virtual_clock(self):
        m = self.machine("sched-m")
        self.events.put_rule(Name="r-every-hour", ScheduleExpression="rate(1 hour)")
        self.events.put_targets(Rule="r-every-hour", Targets=[{"Id": "m", "Arn": m}])
        self.server.admin("/_sluice/clock/advance", {"seconds": 3 * 3600 + 60})
        inputs = self.inputs(m, 3, timeout=0)  # the advance answers once the firings settled
        self.assertEqual(len(inputs), 3)
        self.assertEqual({i["detail-type"] for i in inputs}, {"Scheduled Event"})
        self.assertEqual(inputs[0]["resources"], [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r-every-hour"])
        self.events.disable_rule(Name="r-every-hour")
        self.server.admin("/_sluice/clock/advance", {"seconds": 2 * 3600})
        self.assertEqual(len(self.sfn.list_executions(stateMachineArn=m)["executions"]), 3)

    def test_cli(self):
        aws(self.server, "events", "put-rule", "--name", "cli-rule", "--event-pattern",
            json.dumps({"source": ["cli"]}))
        _, out, _ = aws(self.server, "events", "describe-rule", "--name", "cli-rule")
        self.assertEqual(out["Name"], "cli-rule")
        _, out, _ = aws(self.server, "events", "put-events", "--entries",
                        json.dumps([{"Source": "cli", "DetailType": "t", "Detail": "{}"}]))
        self.assertEqual(out["FailedEntryCount"], 0)
        code, _, err = aws(self.server, "events", "describe-rule", "--name", "nope", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)


class EventsRestartTest(unittest.TestCase):
    def test_rules_and_schedules_survive_kill_9(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            events = server.client("events")
            sfn = server.client("stepfunctions")
            events.create_event_bus(Name="kept")
            events.put_rule(Name="sched", ScheduleExpression="rate(1 hour)")
            events.put_rule(Name="pat", EventBusName="kept", EventPattern=json.dumps({"source": ["k"]}))
            server.stop(signal.SIGKILL)
            server.start()
            events = server.client("events")
            sfn = server.client("stepfunctions")
            self.assertEqual(events.describe_rule(Name="sched")["ScheduleExpression"], "rate(1 hour)")
            self.assertEqual(events.describe_rule(Name="pat", EventBusName="kept")["EventPattern"],
                             json.dumps({"source": ["k"]}))
            m = sfn.create_state_machine(name="after-restart", definition=ECHO, roleArn=ROLE)["stateMachineArn"]
            events.put_targets(Rule="sched", Targets=[{"Id": "m", "Arn": m}])
            server.admin("/_sluice/clock/advance", {"seconds": 3600 + 60})
            self.assertEqual(len(sfn.list_executions(stateMachineArn=m)["executions"]), 1)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
