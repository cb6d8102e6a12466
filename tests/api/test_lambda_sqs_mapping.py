"""SQS event source mappings through boto3: batches reach a real function as
AWS's Records event, processed messages are deleted, reported item failures
and failed batches come back and reach the dead-letter queue by the queue's
redrive policy, filters drop what they do not match."""
import json
import time
import unittest

from lambda_helpers import LambdaTestCase

# Records every batch it gets in a bucket, fails the items whose body says so.
RECORDER = {"app.py": """
import boto3, json, uuid
s3 = boto3.client('s3')
def handler(event, context):
    bodies = [r['body'] for r in event['Records']]
    queue = event['Records'][0]['eventSourceARN'].split(':')[-1]
    s3.put_object(Bucket='batches', Key=queue + '/' + str(uuid.uuid4()),
                  Body=json.dumps({'bodies': bodies, 'records': event['Records']}))
    failed = [r['messageId'] for r in event['Records'] if 'fail' in r['body']]
    if any('crash' in b for b in bodies):
        raise RuntimeError('crash')
    return {'batchItemFailures': [{'itemIdentifier': i} for i in failed]}
"""}


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


class SqsMappingTests(LambdaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = cls.server.client("s3")
        cls.s3.create_bucket(Bucket="batches")
        cls.sqs = cls.server.client("sqs")

    def batches(self):
        """The batches the function got from this test's queue."""
        out = []
        listing = self.s3.list_objects_v2(Bucket="batches", Prefix=self.queue_name + "/")
        for o in listing.get("Contents", []):
            out.append(json.loads(self.s3.get_object(Bucket="batches", Key=o["Key"])["Body"]
                                  .read()))
        return out

    def queue(self, name, **attributes):
        self.queue_name = name
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def visible(self, url):
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return (int(attrs["ApproximateNumberOfMessages"]),
                int(attrs["ApproximateNumberOfMessagesNotVisible"]))

    def test_batches_are_processed_and_deleted(self):
        name = self.create(RECORDER, Timeout=30)
        url, arn = self.queue("mapped-ok")
        m = self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                                 BatchSize=5)
        self.assertEqual(m["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(m["State"], "Creating")
        self.assertEqual(m["BatchSize"], 5)
        self.assertEqual(m["FunctionArn"],
                         f"arn:aws:lambda:us-east-1:000000000000:function:{name}")
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["State"], "Enabled")
        self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "test"}})
        for i in range(6):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        got = wait_for(lambda: sum(len(b["bodies"]) for b in self.batches()) == 7 and
                       self.batches())
        self.assertTrue(got)
        self.assertTrue(all(len(b["bodies"]) <= 5 for b in got))
        bodies = sorted(body for b in got for body in b["bodies"])
        self.assertEqual(bodies, sorted(["one"] + [f"m{i}" for i in range(6)]))
        record = next(r for b in got for r in b["records"] if r["body"] == "one")
        self.assertEqual(record["eventSource"], "aws:sqs")
        self.assertEqual(record["eventSourceARN"], arn)
        self.assertEqual(record["awsRegion"], "us-east-1")
        self.assertIn("ApproximateReceiveCount", record["attributes"])
        self.assertIn("SentTimestamp", record["attributes"])
        self.assertTrue(record["md5OfBody"])
        self.assertEqual(record["messageAttributes"]["kind"],
                         {"stringValue": "test", "stringListValues": [],
                          "binaryListValues": [], "dataType": "String"})
        self.assertTrue(wait_for(lambda: self.visible(url) == (0, 0)))
        self.lam.delete_event_source_mapping(UUID=m["UUID"])
        self.assertError("ResourceNotFoundException", self.lam.get_event_source_mapping,
                         UUID=m["UUID"])

    def test_partial_batch_failures_reach_the_dead_letter_queue(self):
        name = self.create(RECORDER, Timeout=30)
        dlq_url, dlq_arn = self.queue("mapped-dlq")
        url, arn = self.queue("mapped-partial", VisibilityTimeout="1", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
        self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                             FunctionResponseTypes=["ReportBatchItemFailures"])
        self.sqs.send_message(QueueUrl=url, MessageBody="good")
        self.sqs.send_message(QueueUrl=url, MessageBody="please fail")

        def dead():
            got = self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages")
            return got[0]["Body"] if got else None
        self.assertEqual(wait_for(dead, 30), "please fail")
        bodies = [body for b in self.batches() for body in b["bodies"]]
        self.assertEqual(bodies.count("good"), 1)  # processed once, then deleted
        self.assertEqual(bodies.count("please fail"), 2)  # maxReceiveCount deliveries

    def test_a_crashing_batch_is_retried_whole(self):
        name = self.create(RECORDER, Timeout=30)
        url, arn = self.queue("mapped-crash", VisibilityTimeout="1")
        m = self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                                 BatchSize=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="crash me")
        self.assertTrue(wait_for(lambda: len(self.batches()) >= 2))  # seen again after 1 s
        self.lam.delete_event_source_mapping(UUID=m["UUID"])

    def test_filters_drop_unmatched_messages(self):
        name = self.create(RECORDER, Timeout=30)
        url, arn = self.queue("mapped-filtered")
        self.lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=name,
            FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["keep"]}})}]})
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "drop"}))
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "keep"}))
        self.assertTrue(wait_for(lambda: self.batches()))
        self.assertTrue(wait_for(lambda: self.visible(url) == (0, 0)))
        bodies = [json.loads(body)["kind"] for b in self.batches() for body in b["bodies"]]
        self.assertEqual(bodies, ["keep"])

    def test_disable_update_list_and_bad_inputs(self):
        name = self.create(RECORDER)
        url, arn = self.queue("mapped-admin")
        m = self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                                 Enabled=False)
        self.assertEqual(m["State"], "Disabled")
        self.sqs.send_message(QueueUrl=url, MessageBody="waits")
        self.server.idle()
        self.assertEqual(self.visible(url), (1, 0))  # a disabled mapping does not poll
        up = self.lam.update_event_source_mapping(UUID=m["UUID"], BatchSize=3)
        self.assertEqual(up["BatchSize"], 3)
        listed = self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        self.assertEqual([x["UUID"] for x in listed], [m["UUID"]])
        self.assertEqual(self.lam.list_event_source_mappings(EventSourceArn=arn)
                         ["EventSourceMappings"][0]["UUID"], m["UUID"])
        self.assertError("ResourceConflictException", self.lam.create_event_source_mapping,
                         EventSourceArn=arn, FunctionName=name)
        r = self.assertError("InvalidParameterValueException",
                             self.lam.update_event_source_mapping, UUID=m["UUID"], BatchSize=50)
        self.assertIn("batch window", r["Error"]["Message"])
        self.assertError("ResourceNotFoundException", self.lam.create_event_source_mapping,
                         EventSourceArn=arn, FunctionName="no-such-function")
        self.assertError("InvalidParameterValueException", self.lam.create_event_source_mapping,
                         EventSourceArn="arn:aws:kinesis:us-east-1:000000000000:stream/s",
                         FunctionName=name, StartingPosition="LATEST")
        self.assertError("ResourceNotFoundException", self.lam.get_event_source_mapping,
                         UUID="00000000-0000-0000-0000-000000000000")
        self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
        self.assertTrue(wait_for(lambda: self.visible(url) == (0, 0)))


if __name__ == "__main__":
    unittest.main()
