"""EventBridge Scheduler through boto3 and the AWS CLI against a started `sluice server`."""
import calendar
import json
import signal
import time
import unittest
from datetime import timezone

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/scheduler"
ECHO = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
OFF = {"Mode": "OFF"}
DAY = 86400


def wait_for(fn, expected, timeout=5):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value >= expected or time.time() > deadline:
            return value
        time.sleep(0.05)


class SchedulerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.scheduler = cls.server.client("scheduler")
        cls.sfn = cls.server.client("stepfunctions")
        cls.ssm = cls.server.client("ssm")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, code, fn, status=None, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        if status is not None:
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception.response["Error"]["Message"]

    def machine(self, name):
        return self.sfn.create_state_machine(name=name, definition=ECHO, roleArn=ROLE)["stateMachineArn"]

    def executions(self, machine_arn):
        return self.sfn.list_executions(stateMachineArn=machine_arn)["executions"]

    def count(self, machine_arn, expected, timeout=5):
        return wait_for(lambda: len(self.executions(machine_arn)), expected, timeout)

    def advance(self, seconds):
        # Answers once the firings of the window and the work they set off
        # have settled: counts are final when it returns.
        self.server.admin("/_sluice/clock/advance", {"seconds": seconds})

    def target(self, arn, **extra):
        return {"Arn": arn, "RoleArn": ROLE, **extra}

    def test_daily_cron_fires_once_a_day_for_three_days(self):
        # The scenario: cron(0 7 * * ? *) on a state machine, three
        # virtual days later exactly three executions have started.
        m = self.machine("daily-report")
        self.scheduler.create_schedule(Name="daily-7am", ScheduleExpression="cron(0 7 * * ? *)",
                                       FlexibleTimeWindow=OFF,
                                       Target=self.target(m, Input=json.dumps({"report": "daily"})))
        self.advance(3 * DAY)
        self.assertEqual(len(self.executions(m)), 3)
        execs = self.executions(m)
        self.assertEqual(len(execs), 3)
        inputs = {self.sfn.describe_execution(executionArn=e["executionArn"])["input"] for e in execs}
        self.assertEqual(inputs, {json.dumps({"report": "daily"})})
        # Executions start at 07:00 UTC of three different days.
        starts = sorted(e["startDate"] for e in execs)
        self.assertEqual({(s.astimezone(timezone.utc).hour, s.minute) for s in starts}, {(7, 0)})
        self.assertEqual(len({s.date() for s in starts}), 3)
        self.scheduler.delete_schedule(Name="daily-7am")
        self.advance(2 * DAY)
        self.assertEqual(len(self.executions(m)), 3)

    def test_cron_reads_the_schedule_time_zone(self):
        # 07:00 in Tokyo (UTC+9, no daylight saving) is 22:00 UTC.
        m = self.machine("tokyo-m")
        self.scheduler.create_schedule(Name="tokyo", ScheduleExpression="cron(0 7 * * ? *)",
                                       ScheduleExpressionTimezone="Asia/Tokyo",
                                       FlexibleTimeWindow=OFF, Target=self.target(m))
        self.advance(2 * DAY)
        self.assertEqual(len(self.executions(m)), 2)
        starts = [e["startDate"].astimezone(timezone.utc) for e in self.executions(m)]
        self.assertEqual(len(starts), 2)
        self.assertEqual({(s.hour, s.minute) for s in starts}, {(22, 0)})
        self.scheduler.delete_schedule(Name="tokyo")

    def test_failed_invocations_are_retried(self):
        # The target machine does not exist yet when the schedule fires; the
        # retry (backoff of seconds) finds it.
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:late-m"
        self.scheduler.create_schedule(
            Name="retried", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
            Target=self.target(arn, RetryPolicy={"MaximumRetryAttempts": 10,
                                                  "MaximumEventAgeInSeconds": 3600}))
        self.advance(3600)
        m = self.machine("late-m")
        self.assertEqual(m, arn)
        self.assertEqual(self.executions(m), [])
        self.advance(120)
        self.assertEqual(len(self.executions(m)), 1)
        self.scheduler.delete_schedule(Name="retried")

    def test_schedule_crud(self):
        m = self.machine("crud-m")
        arn = self.scheduler.create_schedule(
            Name="crud", ScheduleExpression="rate(5 minutes)", Description="d",
            FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10},
            ScheduleExpressionTimezone="Europe/Paris", Target=self.target(m))["ScheduleArn"]
        self.assertEqual(arn, f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/crud")
        got = self.scheduler.get_schedule(Name="crud")
        self.assertEqual(got["Arn"], arn)
        self.assertEqual(got["GroupName"], "default")
        self.assertEqual(got["State"], "ENABLED")
        self.assertEqual(got["Description"], "d")
        self.assertEqual(got["ScheduleExpressionTimezone"], "Europe/Paris")
        self.assertEqual(got["FlexibleTimeWindow"], {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10})
        self.assertEqual(got["Target"], {"Arn": m, "RoleArn": ROLE})
        self.scheduler.update_schedule(Name="crud", ScheduleExpression="rate(1 hour)",
                                       FlexibleTimeWindow=OFF, State="DISABLED", Target=self.target(m))
        got2 = self.scheduler.get_schedule(Name="crud")
        self.assertEqual(got2["ScheduleExpression"], "rate(1 hour)")
        self.assertEqual(got2["State"], "DISABLED")
        self.assertEqual(got2["CreationDate"], got["CreationDate"])
        self.assertNotIn("Description", got2)  # Update replaces the whole schedule
        self.advance(3 * 3600)
        self.assertEqual(self.executions(m), [])  # disabled: never fires
        self.scheduler.delete_schedule(Name="crud")
        self.error("ResourceNotFoundException", self.scheduler.get_schedule, status=404, Name="crud")

    def test_list_schedules_filters_and_pages(self):
        self.scheduler.create_schedule_group(Name="listing")
        m = self.machine("list-m")
        for i in range(5):
            self.scheduler.create_schedule(Name=f"l-{i}", GroupName="listing",
                                           ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                                           State="DISABLED" if i == 4 else "ENABLED",
                                           Target=self.target(m))
        self.scheduler.create_schedule(Name="other-0", GroupName="listing",
                                       ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                                       Target=self.target(m))
        names, token = [], None
        while True:
            kw = {"GroupName": "listing", "NamePrefix": "l-", "MaxResults": 2}
            if token:
                kw["NextToken"] = token
            page = self.scheduler.list_schedules(**kw)
            self.assertLessEqual(len(page["Schedules"]), 2)
            names += [s["Name"] for s in page["Schedules"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(names, [f"l-{i}" for i in range(5)])
        disabled = self.scheduler.list_schedules(GroupName="listing", State="DISABLED")["Schedules"]
        self.assertEqual([s["Name"] for s in disabled], ["l-4"])
        self.assertEqual(disabled[0]["Target"], {"Arn": m})
        self.error("ResourceNotFoundException", self.scheduler.list_schedules, GroupName="nope")
        # Deleting the group deletes its schedules.
        self.scheduler.delete_schedule_group(Name="listing")
        self.error("ResourceNotFoundException", self.scheduler.get_schedule, Name="l-0",
                   GroupName="listing")
        self.assertNotIn("listing", [s["GroupName"] for s in self.scheduler.list_schedules()["Schedules"]])

    def test_groups_and_tags(self):
        arn = self.scheduler.create_schedule_group(
            Name="tagged", Tags=[{"Key": "team", "Value": "data"}])["ScheduleGroupArn"]
        self.assertEqual(arn, f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/tagged")
        g = self.scheduler.get_schedule_group(Name="tagged")
        self.assertEqual((g["Name"], g["State"], g["Arn"]), ("tagged", "ACTIVE", arn))
        self.assertEqual(self.scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "data"}])
        self.scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        self.scheduler.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(self.scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "env", "Value": "dev"}])
        names = [x["Name"] for x in self.scheduler.list_schedule_groups(NamePrefix="tag")["ScheduleGroups"]]
        self.assertEqual(names, ["tagged"])
        self.assertIn("default", [x["Name"] for x in self.scheduler.list_schedule_groups()["ScheduleGroups"]])
        self.error("ConflictException", self.scheduler.create_schedule_group, status=409, Name="tagged")
        self.error("ValidationException", self.scheduler.delete_schedule_group, Name="default")
        self.scheduler.get_schedule_group(Name="default")  # still there
        self.scheduler.delete_schedule_group(Name="tagged")
        self.error("ResourceNotFoundException", self.scheduler.get_schedule_group, Name="tagged")
        self.error("ResourceNotFoundException", self.scheduler.list_tags_for_resource, ResourceArn=arn)

    def test_bad_inputs_change_nothing(self):
        m = self.machine("bad-m")
        ok = dict(ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=self.target(m))
        self.scheduler.create_schedule(Name="exists", **ok)
        self.error("ConflictException", self.scheduler.create_schedule, status=409, Name="exists", **ok)
        bad = [
            dict(ok, ScheduleExpression="rate(1 fortnight)"),
            dict(ok, ScheduleExpression="cron(0 7 * * * *)"),  # both day fields set
            dict(ok, ScheduleExpressionTimezone="Mars/Olympus"),
            dict(ok, FlexibleTimeWindow={"Mode": "FLEXIBLE"}),
            dict(ok, FlexibleTimeWindow={"Mode": "OFF", "MaximumWindowInMinutes": 5}),
            dict(ok, StartDate=2_000_000_000, EndDate=1_900_000_000),
            dict(ok, Target={"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default",
                             "RoleArn": ROLE}),
            dict(ok, Target={"Arn": "arn:aws:scheduler:::aws-sdk:ssm", "RoleArn": ROLE}),
            # Read-only actions (get..., list..., describe...) are not targets.
            dict(ok, Target={"Arn": "arn:aws:scheduler:::aws-sdk:sqs:getQueueUrl", "RoleArn": ROLE}),
            dict(ok, Target={"Arn": "arn:aws:scheduler:::aws-sdk:ssm:describeParameters",
                             "RoleArn": ROLE}),
        ]
        for kw in bad:
            with self.subTest(kw=kw):
                self.error("ValidationException", self.scheduler.create_schedule, status=400,
                           Name="bad", **kw)
        # Model validation: name pattern, enum values.
        self.error("ValidationException", self.scheduler.create_schedule, Name="bad name!", **ok)
        self.error("ValidationException", self.scheduler.create_schedule, Name="bad", State="ON", **ok)
        self.error("ResourceNotFoundException", self.scheduler.create_schedule, Name="bad",
                   GroupName="nope", **ok)
        self.error("ResourceNotFoundException", self.scheduler.update_schedule, Name="bad", **ok)
        self.error("ResourceNotFoundException", self.scheduler.delete_schedule, Name="bad")
        self.error("ValidationException", self.scheduler.update_schedule, Name="exists",
                   **dict(ok, ScheduleExpression="every hour"))
        names = [s["Name"] for s in self.scheduler.list_schedules(NamePrefix="bad")["Schedules"]]
        self.assertEqual(names, [])
        self.assertEqual(self.scheduler.get_schedule(Name="exists")["ScheduleExpression"], "rate(1 hour)")

    def test_one_time_schedule_deletes_itself_after_completion(self):
        m = self.machine("once-m")
        now = self.server.admin("/_sluice/clock")
        self.assertIn("now", now)
        # at() in local time of the zone: two virtual hours ahead.
        t = time.gmtime(calendar.timegm(time.strptime(now["now"][:19], "%Y-%m-%dT%H:%M:%S")) + 2 * 3600)
        when = time.strftime("%Y-%m-%dT%H:%M:%S", t)
        self.scheduler.create_schedule(Name="once", ScheduleExpression=f"at({when})",
                                       ActionAfterCompletion="DELETE", FlexibleTimeWindow=OFF,
                                       Target=self.target(m))
        self.scheduler.create_schedule(Name="once-kept", ScheduleExpression=f"at({when})",
                                       FlexibleTimeWindow=OFF, Target=self.target(m))
        self.advance(4 * 3600)
        self.assertEqual(len(self.executions(m)), 2)
        self.error("ResourceNotFoundException", self.scheduler.get_schedule, Name="once")
        self.assertEqual(self.scheduler.get_schedule(Name="once-kept")["ActionAfterCompletion"], "NONE")
        self.advance(DAY)
        self.assertEqual(len(self.executions(m)), 2)

    def test_start_and_end_dates_bound_the_firings(self):
        m = self.machine("window-m")
        now = self.server.admin("/_sluice/clock")
        start = calendar.timegm(time.strptime(now["now"][:19], "%Y-%m-%dT%H:%M:%S"))
        # Hourly from a StartDate 10 hours ahead to an EndDate 3.5 hours
        # later: a rate counts whole intervals from StartDate, so it fires at
        # +1h, +2h and +3h.
        self.scheduler.create_schedule(Name="bounded", ScheduleExpression="rate(1 hour)",
                                       StartDate=start + 10 * 3600, EndDate=start + 13.5 * 3600,
                                       FlexibleTimeWindow=OFF, Target=self.target(m))
        self.advance(9 * 3600)
        self.assertEqual(self.executions(m), [])
        self.advance(DAY)
        self.assertEqual(len(self.executions(m)), 3)
        self.assertEqual(len(self.executions(m)), 3)

    def test_universal_target_calls_the_api(self):
        self.scheduler.create_schedule(
            Name="put-param", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
            Target={"Arn": "arn:aws:scheduler:::aws-sdk:ssm:putParameter", "RoleArn": ROLE,
                    "Input": json.dumps({"Name": "/from/scheduler", "Value": "<aws.scheduler.schedule-arn>",
                                         "Type": "String", "Overwrite": True})})
        self.advance(3600 + 1)
        got = wait_for(lambda: len(self.ssm.get_parameters(Names=["/from/scheduler"])["Parameters"]), 1)
        self.assertEqual(got, 1)
        self.assertEqual(self.ssm.get_parameter(Name="/from/scheduler")["Parameter"]["Value"],
                         f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/put-param")
        self.scheduler.delete_schedule(Name="put-param")

    def test_client_token_makes_create_idempotent(self):
        m = self.machine("idem-m")
        request = dict(Name="idem", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                       Target=self.target(m), ClientToken="retry-token-1")
        arn = self.scheduler.create_schedule(**request)["ScheduleArn"]
        before = self.scheduler.get_schedule(Name="idem")
        # The same request with the same token: the same answer, nothing changed.
        self.assertEqual(self.scheduler.create_schedule(**request)["ScheduleArn"], arn)
        self.assertEqual(self.scheduler.get_schedule(Name="idem")["LastModificationDate"],
                         before["LastModificationDate"])
        # The same token with a different request is a conflict, and changes nothing.
        self.error("ConflictException", self.scheduler.create_schedule, status=409,
                   **{**request, "ScheduleExpression": "rate(2 days)"})
        self.error("ConflictException", self.scheduler.create_schedule, status=409,
                   **{**request, "Name": "idem-other"})
        self.error("ResourceNotFoundException", self.scheduler.get_schedule, Name="idem-other")
        self.assertEqual(self.scheduler.get_schedule(Name="idem")["ScheduleExpression"], "rate(1 day)")
        # Another token (boto3 makes a fresh one per call when none is given)
        # for an existing name is the usual conflict.
        msg = self.error("ConflictException", self.scheduler.create_schedule,
                         **{k: v for k, v in request.items() if k != "ClientToken"})
        self.assertIn("already exists", msg)
        # The token outlives an update: a late retry of the create still gets its answer.
        self.scheduler.update_schedule(Name="idem", ScheduleExpression="rate(3 days)",
                                       FlexibleTimeWindow=OFF, Target=self.target(m))
        self.assertEqual(self.scheduler.create_schedule(**request)["ScheduleArn"], arn)
        self.assertEqual(self.scheduler.get_schedule(Name="idem")["ScheduleExpression"], "rate(3 days)")
        self.scheduler.delete_schedule(Name="idem")

    def test_templated_targets_of_services_sluice_does_not_serve(self):
        kinesis = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks"
        ecs = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/batch"
        pipeline = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/train"
        base = dict(ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF)
        bad = [
            (self.target(kinesis), "KinesisParameters is required"),
            (self.target(f"arn:aws:kinesis:{REGION}:{ACCOUNT}:table/x", KinesisParameters={"PartitionKey": "k"}),
             "expected a stream ARN"),
            (self.target(kinesis, KinesisParameters={}), "target.kinesisParameters.partitionKey"),
            (self.target(ecs), "EcsParameters is required"),
            (self.target(ecs, EcsParameters={"TaskCount": 1}), "target.ecsParameters.taskDefinitionArn"),
            (self.target(f"arn:aws:sqs:{REGION}:{ACCOUNT}:q", KinesisParameters={"PartitionKey": "k"}),
             "KinesisParameters can only be used"),
        ]
        # boto3 checks required members itself; without that the server must.
        unchecked = boto3.client("scheduler", endpoint_url=self.server.endpoint, region_name=REGION,
                                 aws_access_key_id="test", aws_secret_access_key="test",
                                 config=Config(parameter_validation=False, retries={"max_attempts": 1}))
        for i, (target, message) in enumerate(bad):
            with self.subTest(message):
                with self.assertRaises(ClientError) as cm:
                    unchecked.create_schedule(Name=f"bad-templated-{i}", Target=target, **base)
                self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
                self.assertIn(message, cm.exception.response["Error"]["Message"])
                self.error("ResourceNotFoundException", self.scheduler.get_schedule, Name=f"bad-templated-{i}")
        # Well-formed ones are accepted and read back as given.
        sqs = self.server.client("sqs")
        dlq_url = sqs.create_queue(QueueName="templated-dlq")["QueueUrl"]
        dlq = f"arn:aws:sqs:{REGION}:{ACCOUNT}:templated-dlq"
        targets = {
            "to-kinesis": self.target(kinesis, KinesisParameters={"PartitionKey": "user-1"}, Input="k"),
            "to-ecs": self.target(ecs, EcsParameters={"TaskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/job:1",
                                                      "LaunchType": "FARGATE"}, Input="e"),
            "to-sagemaker": self.target(pipeline, SageMakerPipelineParameters={
                "PipelineParameterList": [{"Name": "epochs", "Value": "3"}]}, Input="s"),
        }
        for name, target in targets.items():
            target.update(RetryPolicy={"MaximumRetryAttempts": 0}, DeadLetterConfig={"Arn": dlq})
            self.scheduler.create_schedule(Name=name, Target=target, **base)
            self.assertEqual(self.scheduler.get_schedule(Name=name)["Target"], target)
        # Those services do not exist in Sluice: each invocation fails and,
        # with no retries left, its input lands in the dead-letter queue.
        self.advance(3600)
        got, deadline = [], time.time() + 10
        while len(got) < 3 and time.time() < deadline:
            for msg in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
                got.append(msg["Body"])
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=msg["ReceiptHandle"])
        self.assertEqual(sorted(got), ["e", "k", "s"])
        for name in targets:
            self.scheduler.delete_schedule(Name=name)

    def test_cli(self):
        _, out, _ = aws(self.server, "scheduler", "create-schedule", "--name", "cli-s",
                        "--schedule-expression", "rate(2 hours)", "--flexible-time-window",
                        "Mode=OFF", "--target",
                        json.dumps({"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q", "RoleArn": ROLE}))
        self.assertEqual(out["ScheduleArn"], f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/cli-s")
        _, out, _ = aws(self.server, "scheduler", "get-schedule", "--name", "cli-s")
        self.assertEqual(out["ScheduleExpression"], "rate(2 hours)")
        _, out, _ = aws(self.server, "scheduler", "list-schedules", "--name-prefix", "cli-")
        self.assertEqual([s["Name"] for s in out["Schedules"]], ["cli-s"])
        code, _, err = aws(self.server, "scheduler", "get-schedule", "--name", "nope", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)
        aws(self.server, "scheduler", "delete-schedule", "--name", "cli-s")


class SchedulerRestartTest(unittest.TestCase):
    def test_schedules_survive_kill_9_and_never_fire_twice(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            scheduler = server.client("scheduler")
            sfn = server.client("stepfunctions")
            m = sfn.create_state_machine(name="restart-m", definition=ECHO, roleArn=ROLE)["stateMachineArn"]
            scheduler.create_schedule_group(Name="kept", Tags=[{"Key": "k", "Value": "v"}])
            scheduler.create_schedule(Name="hourly", GroupName="kept", ScheduleExpression="rate(1 hour)",
                                      FlexibleTimeWindow=OFF, Target={"Arn": m, "RoleArn": ROLE})
            server.admin("/_sluice/clock/advance", {"seconds": 2 * 3600 + 60})
            count = lambda: len(sfn.list_executions(stateMachineArn=m)["executions"])  # noqa: E731
            self.assertEqual(count(), 2)
            server.stop(signal.SIGKILL)
            server.start()
            scheduler = server.client("scheduler")
            sfn = server.client("stepfunctions")
            got = scheduler.get_schedule(Name="hourly", GroupName="kept")
            self.assertEqual(got["ScheduleExpression"], "rate(1 hour)")
            arn = scheduler.get_schedule_group(Name="kept")["Arn"]
            self.assertEqual(scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "k", "Value": "v"}])
            self.assertTrue(server.idle())
            self.assertEqual(count(), 2)  # nothing re-fired on start-up
            server.admin("/_sluice/clock/advance", {"seconds": 3600})
            self.assertEqual(count(), 3)
            self.assertEqual(count(), 3)
        finally:
            server.cleanup()


    def test_an_invocation_waiting_for_a_retry_survives_kill_9(self):
        # The target machine does not exist when the schedule fires, so the
        # invocation waits for a retry; the server is killed meanwhile. After
        # the restart the invocation is made again, once, and finds the machine.
        server = SluiceServer("--clock", "virtual").start()
        try:
            scheduler = server.client("scheduler")
            arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:kill-late"
            scheduler.create_schedule(
                Name="kill-retry", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                Target={"Arn": arn, "RoleArn": ROLE,
                        "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}})
            server.admin("/_sluice/clock/advance", {"seconds": 3600})
            server.stop(signal.SIGKILL)
            server.start()
            sfn = server.client("stepfunctions")
            m = sfn.create_state_machine(name="kill-late", definition=ECHO, roleArn=ROLE)["stateMachineArn"]
            self.assertEqual(m, arn)
            server.admin("/_sluice/clock/advance", {"seconds": 120})
            self.assertEqual(len(sfn.list_executions(stateMachineArn=m)["executions"]), 1)
            server.admin("/_sluice/clock/advance", {"seconds": 600})  # no second delivery
            self.assertEqual(len(sfn.list_executions(stateMachineArn=m)["executions"]), 1)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
