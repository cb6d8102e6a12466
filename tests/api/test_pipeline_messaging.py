"""The medallion pipeline's failure path across services, end to end: a
failing task's Catch publishes to an SNS topic whose SQS subscriber receives
AWS's envelope; an EventBridge rule and a Scheduler schedule deliver to SQS."""
import json
import time
import unittest

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"
ACTIVITY = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:bronze-worker"


class PipelineMessagingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sfn = cls.server.client("stepfunctions")
        cls.sqs = cls.server.client("sqs")
        cls.sns = cls.server.client("sns")
        cls.events = cls.server.client("events")
        cls.scheduler = cls.server.client("scheduler")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, arn["Attributes"]["QueueArn"]

    def receive_one(self, url):
        messages = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(len(messages), 1, messages)
        return messages[0]

    def test_failing_task_is_caught_and_published_to_the_subscribed_queue(self):
        alerts_url, alerts_arn = self.queue("pipeline-alerts")
        topic = self.sns.create_topic(Name="pipeline-failures")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=alerts_arn)
        self.sfn.create_activity(name="bronze-worker")
        definition = {
            "StartAt": "Bronze",
            "States": {
                "Bronze": {"Type": "Task", "Resource": ACTIVITY, "TimeoutSeconds": 120,
                           "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                      "Next": "PublishFailure"}],
                           "End": True},
                "PublishFailure": {
                    "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": topic, "Subject": "pipeline failed",
                                   "Message.$": "States.JsonToString($.error)"},
                    "Next": "Failed"},
                "Failed": {"Type": "Fail", "Error": "PipelineFailed"},
            },
        }
        arn = self.sfn.create_state_machine(name="medallion-failure", roleArn=ROLE,
                                            definition=json.dumps(definition))["stateMachineArn"]
        execution = self.sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        task = self.sfn.get_activity_task(activityArn=ACTIVITY, workerName="bronze")
        self.sfn.send_task_failure(taskToken=task["taskToken"], error="Bronze.BadInput",
                                   cause="row 7 is not JSON")
        for _ in range(100):  # the publish completes after SendTaskFailure's answer
            d = self.sfn.describe_execution(executionArn=execution)
            if d["status"] != "RUNNING":
                break
            time.sleep(0.02)
        self.assertEqual((d["status"], d.get("error")), ("FAILED", "PipelineFailed"))
        envelope = json.loads(self.receive_one(alerts_url)["Body"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"], "pipeline failed")
        self.assertEqual(json.loads(envelope["Message"]),
                         {"Error": "Bronze.BadInput", "Cause": "row 7 is not JSON"})
        for field in ("MessageId", "Timestamp", "SignatureVersion", "Signature",
                      "SigningCertURL", "UnsubscribeURL"):
            self.assertIn(field, envelope)

    def test_event_rule_delivers_matching_events_to_a_queue(self):
        url, arn = self.queue("pipeline-events")
        self.events.put_rule(Name="landed", EventPattern=json.dumps(
            {"source": ["lake.ingest"], "detail": {"zone": ["raw"]}}))
        self.events.put_targets(Rule="landed", Targets=[{"Id": "q", "Arn": arn}])
        result = self.events.put_events(Entries=[
            {"Source": "lake.ingest", "DetailType": "landed", "Detail": json.dumps({"zone": "raw"})},
            {"Source": "lake.ingest", "DetailType": "landed",
             "Detail": json.dumps({"zone": "gold"})}])
        self.assertEqual(result["FailedEntryCount"], 0)
        event = json.loads(self.receive_one(url)["Body"])
        self.assertEqual((event["source"], event["detail"]), ("lake.ingest", {"zone": "raw"}))
        # The non-matching event was not delivered.
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])

    def test_execution_status_changes_reach_an_event_rule(self):
        url, arn = self.queue("pipeline-status")
        self.events.put_rule(Name="sfn-failed", EventPattern=json.dumps({
            "source": ["aws.states"],
            "detail-type": ["Step Functions Execution Status Change"],
            "detail": {"status": ["FAILED", "RUNNING"], "name": [{"prefix": "status-"}]}}))
        self.events.put_targets(Rule="sfn-failed", Targets=[{"Id": "q", "Arn": arn}])
        machine = self.sfn.create_state_machine(
            name="pipeline-status", roleArn=ROLE, definition=json.dumps({
                "StartAt": "Boom",
                "States": {"Boom": {"Type": "Fail", "Error": "Bronze.Failed", "Cause": "bad row"}}}))
        execution = self.sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                             name="status-1", input='{"day": 3}')["executionArn"]
        self.server.idle()
        bodies = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            bodies += [json.loads(m["Body"]) for m in got]
        by_status = {b["detail"]["status"]: b for b in bodies}
        self.assertEqual(sorted(by_status), ["FAILED", "RUNNING"])
        failed = by_status["FAILED"]
        self.assertEqual(failed["source"], "aws.states")
        self.assertEqual(failed["detail-type"], "Step Functions Execution Status Change")
        self.assertEqual(failed["resources"], [execution])
        described = self.sfn.describe_execution(executionArn=execution)
        detail = failed["detail"]
        self.assertEqual(detail["executionArn"], execution)
        self.assertEqual(detail["stateMachineArn"], machine["stateMachineArn"])
        self.assertEqual((detail["name"], detail["error"], detail["cause"]),
                         ("status-1", "Bronze.Failed", "bad row"))
        self.assertEqual(json.loads(detail["input"]), {"day": 3})
        self.assertIsNone(detail["output"])
        self.assertEqual(detail["startDate"], int(described["startDate"].timestamp() * 1000))
        self.assertEqual(detail["stopDate"], int(described["stopDate"].timestamp() * 1000))
        self.assertIsNone(by_status["RUNNING"]["detail"]["stopDate"])
        # A SUCCEEDED execution's event does not match the rule.
        ok = self.sfn.create_state_machine(
            name="pipeline-status-ok", roleArn=ROLE,
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
        self.sfn.start_execution(stateMachineArn=ok["stateMachineArn"], name="status-2")
        self.server.idle()
        statuses = [json.loads(m["Body"])["detail"]["status"] for m in
                    self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
        self.assertEqual(statuses, ["RUNNING"])

    def test_schedule_sends_to_a_queue_when_the_clock_reaches_it(self):
        url, arn = self.queue("pipeline-ticks")
        self.scheduler.create_schedule(
            Name="hourly-tick", ScheduleExpression="rate(1 hour)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": arn, "RoleArn": ROLE, "Input": json.dumps({"tick": True})})
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        self.server.admin("/_sluice/clock/advance", {"seconds": 3600})
        self.assertEqual(json.loads(self.receive_one(url)["Body"]), {"tick": True})

    def test_put_events_task_and_its_callback_form(self):
        url, arn = self.queue("pipeline-callbacks")
        self.events.put_rule(Name="needs-approval",
                             EventPattern=json.dumps({"source": ["lake.workflow"]}))
        self.events.put_targets(Rule="needs-approval", Targets=[{"Id": "q", "Arn": arn}])
        definition = {
            "StartAt": "Announce",
            "States": {
                "Announce": {
                    "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                    "Parameters": {"Entries": [{"Source": "lake.other", "DetailType": "note",
                                                "Detail": {"step": "start"}}]},
                    "ResultPath": "$.announced", "Next": "Approve"},
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken",
                    "Parameters": {"Entries": [{
                        "Source": "lake.workflow", "DetailType": "approval",
                        "Detail": {"table.$": "$.table", "token.$": "$$.Task.Token"}}]},
                    "ResultPath": "$.approval", "End": True},
            },
        }
        machine = self.sfn.create_state_machine(name="events-tasks", roleArn=ROLE,
                                                definition=json.dumps(definition))
        execution = self.sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                             input=json.dumps({"table": "orders"}))
        event = json.loads(self.receive_one(url)["Body"])
        self.assertEqual(event["detail"]["table"], "orders")
        self.sfn.send_task_success(taskToken=event["detail"]["token"],
                                   output=json.dumps({"approved": True}))
        for _ in range(100):
            d = self.sfn.describe_execution(executionArn=execution["executionArn"])
            if d["status"] != "RUNNING":
                break
            time.sleep(0.02)
        self.assertEqual(d["status"], "SUCCEEDED", d.get("cause"))
        out = json.loads(d["output"])
        self.assertEqual(out["approval"], {"approved": True})
        self.assertEqual(out["announced"]["FailedEntryCount"], 0)
        self.assertEqual(len(out["announced"]["Entries"]), 1)
        self.assertIn("EventId", out["announced"]["Entries"][0])


if __name__ == "__main__":
    unittest.main()
