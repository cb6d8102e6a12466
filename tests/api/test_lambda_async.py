"""Asynchronous (Event) invocations through boto3 on a virtual clock: stored
before the 202, retried 1 and 2 minutes after a function error, ended by the
invoke configuration's destinations and the dead-letter queue, and kept
across kill -9."""
import json
import signal
import time
import unittest

from lambda_helpers import ROLE, LambdaTestCase, zip_of
from sluice_server import SluiceServer

FAILING = {"app.py": "def handler(event, context):\n"
                     "    print('attempt for', event['id'])\n"
                     "    raise RuntimeError('always ' + event['id'])\n"}
WORKING = {"app.py": "def handler(event, context):\n"
                     "    return {'done': event['id']}\n"}


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


class AsyncTestCase(LambdaTestCase):
    server_args = ("--clock", "virtual")

    def advance(self, seconds):
        self.server.admin("/_sluice/clock/advance", {"seconds": seconds})

    def queue(self, name):
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return sqs, url, arn

    def attempts(self, name):
        logs = self.server.client("logs")
        group = f"/aws/lambda/{name}"
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            return 0
        events = logs.filter_log_events(logGroupName=group, filterPattern="START")["events"]
        return len(events)

    def receive(self, sqs, url):
        def one():
            got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                      WaitTimeSeconds=0).get("Messages", [])
            return got[0] if got else None
        return wait_for(one)


class RetryTests(AsyncTestCase):
    def test_retries_on_the_clock_then_the_failure_destination(self):
        name = self.create(FAILING)
        sqs, url, arn = self.queue("async-failures")
        self.lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": arn}})
        r = self.lam.invoke(FunctionName=name, InvocationType="Event",
                            Payload=json.dumps({"id": "e1"}))
        self.assertEqual(r["StatusCode"], 202)
        request_id = r["ResponseMetadata"]["RequestId"]
        # Invoke answers before the first attempt runs; once it has, the server
        # settles (GET /_sluice/idle waits for attempts in flight) with no retry.
        self.assertEqual(wait_for(lambda: self.attempts(name) == 1), True)
        self.server.idle()
        self.assertEqual(self.attempts(name), 1)
        # Clock advances settle the attempts they set off before answering.
        self.advance(59)
        self.assertEqual(self.attempts(name), 1)  # no retry before the minute has passed
        self.advance(1)
        self.assertEqual(self.attempts(name), 2)
        self.advance(119)
        self.assertEqual(self.attempts(name), 2)
        self.advance(1)
        self.assertEqual(self.attempts(name), 3)
        message = self.receive(sqs, url)
        self.assertIsNotNone(message)
        record = json.loads(message["Body"])
        self.assertEqual(record["version"], "1.0")
        self.assertEqual(record["requestContext"]["requestId"], request_id)
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 3)
        self.assertEqual(record["requestContext"]["functionArn"],
                         f"arn:aws:lambda:us-east-1:000000000000:function:{name}:$LATEST")
        self.assertEqual(record["requestPayload"], {"id": "e1"})
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(record["responsePayload"]["errorMessage"], "always e1")
        self.advance(600)
        self.assertEqual(self.attempts(name), 3)  # nothing more once it ended

    def test_success_destination(self):
        name = self.create(WORKING)
        sqs, url, arn = self.queue("async-successes")
        self.lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}})
        self.lam.invoke(FunctionName=name, InvocationType="Event",
                        Payload=json.dumps({"id": "ok"}))
        record = json.loads(self.receive(sqs, url)["Body"])
        self.assertEqual(record["requestContext"]["condition"], "Success")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 1)
        self.assertEqual(record["responsePayload"], {"done": "ok"})
        self.assertEqual(record["responseContext"]["executedVersion"], "$LATEST")

    def test_no_retries_and_the_dead_letter_queue(self):
        sqs, url, arn = self.queue("async-dlq")
        name = self.create(FAILING, DeadLetterConfig={"TargetArn": arn})
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        r = self.lam.invoke(FunctionName=name, InvocationType="Event",
                            Payload=json.dumps({"id": "dl"}))
        message = self.receive(sqs, url)
        self.assertEqual(json.loads(message["Body"]), {"id": "dl"})
        attrs = message["MessageAttributes"]
        self.assertEqual(attrs["RequestID"]["StringValue"], r["ResponseMetadata"]["RequestId"])
        self.assertEqual(attrs["ErrorCode"]["StringValue"], "200")
        self.assertEqual(attrs["ErrorMessage"]["StringValue"], "always dl")
        self.assertEqual(self.attempts(name), 1)

    def test_reserved_concurrency_zero_fails_events_at_once(self):
        sqs, url, arn = self.queue("async-throttled-dlq")
        _, failures_url, failures_arn = self.queue("async-throttled-failures")
        name = self.create(WORKING, DeadLetterConfig={"TargetArn": arn})
        self.lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": failures_arn}})
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        r = self.lam.invoke(FunctionName=name, InvocationType="Event",
                            Payload=json.dumps({"id": "throttled"}))
        self.assertEqual(r["StatusCode"], 202)
        request_id = r["ResponseMetadata"]["RequestId"]
        message = self.receive(sqs, url)
        self.assertEqual(json.loads(message["Body"]), {"id": "throttled"})
        attrs = message["MessageAttributes"]
        self.assertEqual(attrs["RequestID"]["StringValue"], request_id)
        self.assertEqual(attrs["ErrorCode"]["StringValue"], "429")
        record = json.loads(self.receive(sqs, failures_url)["Body"])
        self.assertEqual(record["requestContext"]["requestId"], request_id)
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 0)
        self.assertEqual(record["responseContext"]["statusCode"], 429)
        self.assertNotIn("responsePayload", record)
        # Ended, not parked: lifting the throttle later runs nothing.
        self.lam.delete_function_concurrency(FunctionName=name)
        self.advance(3600)
        self.assertEqual(self.attempts(name), 0)

    def test_event_invoke_config_api(self):
        name = self.create(WORKING)
        self.assertError("ResourceNotFoundException", self.lam.get_function_event_invoke_config,
                         FunctionName=name)
        put = self.lam.put_function_event_invoke_config(FunctionName=name,
                                                        MaximumRetryAttempts=1,
                                                        MaximumEventAgeInSeconds=120)
        self.assertEqual(put["FunctionArn"],
                         f"arn:aws:lambda:us-east-1:000000000000:function:{name}:$LATEST")
        up = self.lam.update_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {
                "Destination": "arn:aws:sns:us-east-1:000000000000:t"}})
        self.assertEqual((up["MaximumRetryAttempts"], up["MaximumEventAgeInSeconds"]), (0, 120))
        got = self.lam.get_function_event_invoke_config(FunctionName=name)
        self.assertEqual(got["DestinationConfig"]["OnFailure"]["Destination"],
                         "arn:aws:sns:us-east-1:000000000000:t")
        listed = self.lam.list_function_event_invoke_configs(FunctionName=name)
        self.assertEqual(len(listed["FunctionEventInvokeConfigs"]), 1)
        self.assertError("InvalidParameterValueException",
                         self.lam.put_function_event_invoke_config, FunctionName=name,
                         DestinationConfig={"OnFailure": {
                             "Destination": "arn:aws:s3:::bucket"}})
        self.assertError("ResourceNotFoundException", self.lam.put_function_event_invoke_config,
                         FunctionName=name, Qualifier="7", MaximumRetryAttempts=1)
        self.lam.delete_function_event_invoke_config(FunctionName=name)
        self.assertError("ResourceNotFoundException", self.lam.get_function_event_invoke_config,
                         FunctionName=name)


class AsyncDurabilityTests(unittest.TestCase):
    def test_queued_retries_survive_kill_9(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            case = AsyncTestCase()
            case.server = server
            lam = server.client("lambda")
            lam.create_function(FunctionName="flaky", Runtime="python3.11", Role=ROLE,
                                Handler="app.handler", Code={"ZipFile": zip_of(FAILING)})
            sqs, url, arn = case.queue("after-restart")
            lam.put_function_event_invoke_config(
                FunctionName="flaky", MaximumRetryAttempts=1,
                DestinationConfig={"OnFailure": {"Destination": arn}})
            lam.invoke(FunctionName="flaky", InvocationType="Event",
                       Payload=json.dumps({"id": "k9"}))
            self.assertTrue(wait_for(lambda: case.attempts("flaky") == 1))
            server.idle()
            server.stop(signal.SIGKILL)

            server.start()  # on a new port: clients are made again
            sqs, url, arn = case.queue("after-restart")
            self.assertEqual(case.attempts("flaky"), 1)
            case.advance(60)
            self.assertTrue(wait_for(lambda: case.attempts("flaky") == 2))
            record = json.loads(case.receive(sqs, url)["Body"])
            self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
            self.assertEqual(record["requestContext"]["approximateInvokeCount"], 2)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
