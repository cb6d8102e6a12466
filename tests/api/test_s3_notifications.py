"""S3 event notifications with boto3: configurations validated as AWS does,
S3 event messages landing in real SQS queues (directly, through SNS, and as
EventBridge events through a rule), with prefix/suffix filters."""
import json
import time
import unittest

from s3_helpers import S3TestCase

ACCOUNT = "000000000000"


class NotificationTest(S3TestCase):
    server_args = ("--clock", "virtual")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = cls.server.client("sqs")
        cls.sns = cls.server.client("sns")
        cls.events = cls.server.client("events")

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def receive(self, url, count, timeout=5):
        got = []
        deadline = time.time() + timeout
        while len(got) < count and time.time() < deadline:
            resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for m in resp.get("Messages", []):
                got.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got

    def records(self, url, count):
        """S3 event records from a queue, skipping the s3:TestEvent."""
        out = []
        for body in self.receive(url, count + 1, timeout=3):
            if body.get("Event") == "s3:TestEvent":
                continue
            out.extend(body["Records"])
        return out

    def configure(self, bucket, **config):
        self.s3.put_bucket_notification_configuration(Bucket=bucket,
                                                      NotificationConfiguration=config)

    def test_queue_receives_test_event_then_object_events(self):
        b = self.make_bucket()
        url, arn = self.queue("s3-events-basic")
        self.configure(b, QueueConfigurations=[{"Id": "all", "QueueArn": arn,
                                                "Events": ["s3:ObjectCreated:*",
                                                           "s3:ObjectRemoved:*"]}])
        test = self.receive(url, 1)
        self.assertEqual(len(test), 1)
        self.assertEqual(test[0]["Event"], "s3:TestEvent")
        self.assertEqual(test[0]["Bucket"], b)
        self.assertEqual(test[0]["Service"], "Amazon S3")
        put = self.s3.put_object(Bucket=b, Key="dir/red flower.jpg", Body=b"12345")
        self.s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "dir/red flower.jpg"})
        self.s3.delete_object(Bucket=b, Key="copy")
        records = self.records(url, 3)
        self.assertEqual([r["eventName"] for r in records],
                         ["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectRemoved:Delete"])
        r = records[0]
        self.assertEqual(r["eventVersion"], "2.1")
        self.assertEqual(r["eventSource"], "aws:s3")
        self.assertEqual(r["awsRegion"], "us-east-1")
        self.assertEqual(r["s3"]["configurationId"], "all")
        self.assertEqual(r["s3"]["bucket"]["name"], b)
        self.assertEqual(r["s3"]["bucket"]["arn"], "arn:aws:s3:::" + b)
        self.assertEqual(r["s3"]["object"]["key"], "dir/red+flower.jpg")
        self.assertEqual(r["s3"]["object"]["size"], 5)
        self.assertEqual(r["s3"]["object"]["eTag"], put["ETag"].strip('"'))
        self.assertTrue(r["eventTime"].endswith("Z"))
        self.assertLess(records[0]["s3"]["object"]["sequencer"],
                        records[1]["s3"]["object"]["sequencer"])
        self.assertNotIn("size", records[2]["s3"]["object"])
        got = self.s3.get_bucket_notification_configuration(Bucket=b)
        self.assertEqual(got["QueueConfigurations"],
                         [{"Id": "all", "QueueArn": arn,
                           "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}])

    def test_versioned_delete_marker_and_multipart(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        url, arn = self.queue("s3-events-versioned")
        self.configure(b, QueueConfigurations=[
            {"QueueArn": arn, "Events": ["s3:ObjectRemoved:DeleteMarkerCreated",
                                         "s3:ObjectCreated:CompleteMultipartUpload"]}])
        up = self.s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
        etag = self.s3.upload_part(Bucket=b, Key="mp", UploadId=up, PartNumber=1, Body=b"p")["ETag"]
        done = self.s3.complete_multipart_upload(
            Bucket=b, Key="mp", UploadId=up,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        self.s3.put_object(Bucket=b, Key="plain", Body=b"x")  # not subscribed
        marker = self.s3.delete_object(Bucket=b, Key="mp")
        records = self.records(url, 2)
        self.assertEqual([r["eventName"] for r in records],
                         ["ObjectCreated:CompleteMultipartUpload",
                          "ObjectRemoved:DeleteMarkerCreated"])
        self.assertEqual(records[0]["s3"]["object"]["versionId"], done["VersionId"])
        self.assertEqual(records[1]["s3"]["object"]["versionId"], marker["VersionId"])

    def test_prefix_suffix_filters(self):
        b = self.make_bucket()
        url, arn = self.queue("s3-events-filtered")
        self.configure(b, QueueConfigurations=[{
            "QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"},
                                               {"Name": "suffix", "Value": ".jpg"}]}}}])
        for key in ["images/a.jpg", "images/b.png", "docs/c.jpg", "images/d.jpg"]:
            self.s3.put_object(Bucket=b, Key=key, Body=b"x")
        keys = [r["s3"]["object"]["key"] for r in self.records(url, 2)]
        self.assertEqual(keys, ["images/a.jpg", "images/d.jpg"])
        rules = self.s3.get_bucket_notification_configuration(Bucket=b)[
            "QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"]
        self.assertEqual(rules, [{"Name": "Prefix", "Value": "images/"},
                                 {"Name": "Suffix", "Value": ".jpg"}])

    def test_sns_topic_to_queue(self):
        b = self.make_bucket()
        url, qarn = self.queue("s3-events-via-sns")
        topic = self.sns.create_topic(Name="s3-events")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
        self.configure(b, TopicConfigurations=[{"TopicArn": topic,
                                                "Events": ["s3:ObjectCreated:*"]}])
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        bodies = self.receive(url, 2)
        messages = [json.loads(m["Message"]) for m in bodies]
        self.assertEqual(messages[0]["Event"], "s3:TestEvent")
        self.assertEqual(messages[1]["Records"][0]["eventName"], "ObjectCreated:Put")
        self.assertEqual(bodies[1]["TopicArn"], topic)

    def test_eventbridge_rule_to_queue(self):
        b = self.make_bucket()
        url, arn = self.queue("s3-events-via-eventbridge")
        self.events.put_rule(Name="s3-created-" + b, EventPattern=json.dumps({
            "source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"],
            "detail": {"bucket": {"name": [b]}}}))
        self.events.put_targets(Rule="s3-created-" + b, Targets=[{"Id": "q", "Arn": arn}])
        self.configure(b, EventBridgeConfiguration={})
        self.assertIn("EventBridgeConfiguration",
                      self.s3.get_bucket_notification_configuration(Bucket=b))
        self.s3.put_object(Bucket=b, Key="k", Body=b"abc")
        self.s3.delete_object(Bucket=b, Key="k")
        got = self.receive(url, 2)
        self.assertEqual([e["detail-type"] for e in got], ["Object Created", "Object Deleted"])
        self.assertEqual(got[0]["source"], "aws.s3")
        self.assertEqual(got[0]["resources"], ["arn:aws:s3:::" + b])
        self.assertEqual(got[0]["detail"]["object"]["key"], "k")
        self.assertEqual(got[0]["detail"]["object"]["size"], 3)
        self.assertEqual(got[0]["detail"]["reason"], "PutObject")
        self.assertEqual(got[1]["detail"]["deletion-type"], "Permanently Deleted")

    def test_restore_completed_and_lifecycle_expiration_events(self):
        b = self.make_bucket()
        url, arn = self.queue("s3-events-restore")
        self.configure(b, QueueConfigurations=[{
            "QueueArn": arn, "Events": ["s3:ObjectRestore:*", "s3:LifecycleExpiration:*"]}])
        self.s3.put_object(Bucket=b, Key="cold", Body=b"x", StorageClass="GLACIER")
        self.s3.restore_object(Bucket=b, Key="cold", RestoreRequest={
            "Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})
        self.server.admin("/_sluice/clock/advance", {"seconds": 301})
        records = self.records(url, 2)
        self.assertEqual([r["eventName"] for r in records],
                         ["ObjectRestore:Post", "ObjectRestore:Completed"])
        self.assertEqual(records[1]["glacierEventData"]["restoreEventData"][
            "lifecycleRestoreStorageClass"], "GLACIER")
        self.assertIn("lifecycleRestorationExpiryTime",
                      records[1]["glacierEventData"]["restoreEventData"])
        self.s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": [
            {"ID": "e", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
             "Expiration": {"Days": 1}}]})
        self.s3.put_object(Bucket=b, Key="tmp/x", Body=b"x")
        self.server.admin("/_sluice/clock/advance", {"seconds": 3 * 86400})
        names = [r["eventName"] for r in self.records(url, 2)]
        self.assertIn("LifecycleExpiration:Delete", names)

    def test_invalid_configurations(self):
        b = self.make_bucket()
        url, arn = self.queue("s3-events-invalid")
        self.configure(b, QueueConfigurations=[{"Id": "keep", "QueueArn": arn,
                                                "Events": ["s3:ObjectCreated:*"]}])
        missing = "arn:aws:sqs:us-east-1:%s:no-such-queue" % ACCOUNT
        resp = self.assertError("InvalidArgument", self.configure, b, QueueConfigurations=[
            {"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}])
        self.assertEqual(resp["Error"]["Message"],
                         "Unable to validate the following destination configurations")
        self.assertError("InvalidArgument", self.configure, b, TopicConfigurations=[
            {"TopicArn": "arn:aws:sns:us-east-1:%s:no-such-topic" % ACCOUNT,
             "Events": ["s3:ObjectCreated:*"]}])
        resp = self.assertError("InvalidArgument", self.configure, b, QueueConfigurations=[
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"}]}}}])
        self.assertIn("overlapping", resp["Error"]["Message"])
        self.assertError("InvalidArgument", self.configure, b, QueueConfigurations=[
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "middle", "Value": "a"}]}}}])
        self.assertError("InvalidArgument", self.configure, b, QueueConfigurations=[
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"},
                                                {"Name": "prefix", "Value": "b"}]}}}])
        # Nothing changed.
        got = self.s3.get_bucket_notification_configuration(Bucket=b)
        self.assertEqual([c["Id"] for c in got["QueueConfigurations"]], ["keep"])
        # Non-overlapping prefixes for one event type are fine.
        self.configure(b, QueueConfigurations=[
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}}}])
        # An empty configuration turns notifications off.
        self.configure(b)
        self.assertNotIn("QueueConfigurations", self.s3.get_bucket_notification_configuration(Bucket=b))

    def test_lambda_destination_invokes_the_function(self):
        b = self.make_bucket()
        fn = "arn:aws:lambda:us-east-1:%s:function:s3-handler" % ACCOUNT
        config = [{"Id": "fn", "LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:*"]}]
        # A function that does not exist is not a destination.
        self.assertError("InvalidArgument", self.configure, b, LambdaFunctionConfigurations=config)
        import io
        import zipfile
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as z:
            z.writestr("app.py", "def handler(event, context):\n"
                                 "    r = event['Records'][0]\n"
                                 "    print('got', r['eventName'], r['s3']['object']['key'])\n")
        lam = self.server.client("lambda")
        lam.create_function(FunctionName="s3-handler", Runtime="python3.11",
                            Role="arn:aws:iam::%s:role/r" % ACCOUNT, Handler="app.handler",
                            Code={"ZipFile": package.getvalue()})
        self.configure(b, LambdaFunctionConfigurations=config)
        got = self.s3.get_bucket_notification_configuration(Bucket=b)
        self.assertEqual(got["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"], fn)
        self.s3.put_object(Bucket=b, Key="arrived.csv", Body=b"x")
        logs = self.server.client("logs")
        deadline = time.monotonic() + 20
        messages = []
        while time.monotonic() < deadline and "got ObjectCreated:Put arrived.csv\n" not in messages:
            time.sleep(0.1)
            messages = [e["message"] for e in logs.filter_log_events(
                logGroupName="/aws/lambda/s3-handler").get("events", [])] if logs.describe_log_groups(
                logGroupNamePrefix="/aws/lambda/s3-handler")["logGroups"] else []
        self.assertIn("got ObjectCreated:Put arrived.csv\n", messages)

if __name__ == "__main__":
    unittest.main()
