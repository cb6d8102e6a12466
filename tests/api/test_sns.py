"""SNS through boto3 and the AWS CLI (query protocol), with delivery to SQS
queues, an HTTP endpoint and the email outbox."""
import glob
import http.server
import json
import os
import queue
import re
import subprocess
import threading
import time
import unittest

from botocore.exceptions import ClientError

from sluice_server import ACCOUNT, REGION, SluiceServer


class Endpoint(http.server.BaseHTTPRequestHandler):
    received = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Endpoint.received.put((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class SnsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.sns = cls.server.client("sns")
        cls.sqs = cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response["Error"]

    def queue_with_arn(self, name, **attributes):
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def drain(self, url, expect, wait=5):
        got, deadline = [], time.time() + wait
        while len(got) < expect and time.time() < deadline:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                         MessageAttributeNames=["All"])
            for m in r.get("Messages", []):
                got.append(m)
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got

    # --- topics -----------------------------------------------------------
    def test_topics(self):
        arn = self.sns.create_topic(Name="lake-failures", Tags=[{"Key": "team", "Value": "lake"}])["TopicArn"]
        self.assertEqual(arn, f"arn:aws:sns:{REGION}:{ACCOUNT}:lake-failures")
        self.assertEqual(self.sns.create_topic(Name="lake-failures")["TopicArn"], arn)
        self.assertIn({"TopicArn": arn}, self.sns.list_topics()["Topics"])
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(a["TopicArn"], arn)
        self.assertEqual(a["Owner"], ACCOUNT)
        self.assertEqual(a["SubscriptionsConfirmed"], "0")
        self.assertEqual(json.loads(a["Policy"])["Statement"][0]["Resource"], arn)
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Lake")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Lake")
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "team", "Value": "lake"}])
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "env", "Value": "dev"}])
        self.sns.delete_topic(TopicArn=arn)
        err = self.error(self.sns.get_topic_attributes, TopicArn=arn)
        self.assertEqual(err["Code"], "NotFound")
        self.assertEqual(err["Message"], "Topic does not exist")

    def test_bad_topic_requests_change_nothing(self):
        before = self.sns.list_topics()["Topics"]
        self.assertEqual(self.error(self.sns.create_topic, Name="bad name")["Code"], "InvalidParameter")
        err = self.error(self.sns.create_topic, Name="nofifo", Attributes={"FifoTopic": "true"})
        self.assertEqual(err["Code"], "InvalidParameter")
        self.assertEqual(self.sns.list_topics()["Topics"], before)
        arn = self.sns.create_topic(Name="strict")["TopicArn"]
        err = self.error(self.sns.set_topic_attributes, TopicArn=arn, AttributeName="Nope", AttributeValue="x")
        self.assertEqual(err["Message"], "Invalid parameter: AttributeName")
        self.assertEqual(self.error(self.sns.publish, TopicArn=arn, Message="")["Message"], "Invalid parameter: Empty message")
        err = self.error(self.sns.publish, TopicArn=arn, Message="x" * 262145)
        self.assertEqual(err["Message"], "Invalid parameter: Message too long")
        err = self.error(self.sns.publish, TopicArn=arn + "-missing", Message="hi")
        self.assertEqual(err["Code"], "NotFound")
        err = self.error(self.sns.subscribe, TopicArn=arn, Protocol="carrier-pigeon", Endpoint="x")
        self.assertEqual(err["Code"], "InvalidParameter")
        err = self.error(self.sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint="not-an-arn")
        self.assertEqual(err["Code"], "InvalidParameter")
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"], [])

    # --- fan-out ----------------------------------------------------------
    def test_fan_out_to_sqs_with_envelope_and_filter_policy(self):
        topic = self.sns.create_topic(Name="orders")["TopicArn"]
        all_url, all_arn = self.queue_with_arn("orders-all")
        big_url, big_arn = self.queue_with_arn("orders-big")
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=all_arn)
        big = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=big_arn, Attributes={
            "FilterPolicy": json.dumps({"store": [{"prefix": "eu-"}], "total": [{"numeric": [">=", 100]}],
                                        "status": [{"anything-but": ["cancelled"]}],
                                        "coupon": [{"exists": False}]})})["SubscriptionArn"]
        sub_attrs = self.sns.get_subscription_attributes(SubscriptionArn=big)["Attributes"]
        self.assertEqual(sub_attrs["FilterPolicyScope"], "MessageAttributes")
        self.assertEqual(sub_attrs["PendingConfirmation"], "false")

        def attrs(store, total, status, coupon=None):
            a = {"store": {"DataType": "String", "StringValue": store},
                 "total": {"DataType": "Number", "StringValue": str(total)},
                 "status": {"DataType": "String", "StringValue": status}}
            if coupon:
                a["coupon"] = {"DataType": "String", "StringValue": coupon}
            return a

        match = self.sns.publish(TopicArn=topic, Message="order 1", Subject="New order",
                                 MessageAttributes=attrs("eu-west", 150, "new"))["MessageId"]
        self.sns.publish(TopicArn=topic, Message="order 2", MessageAttributes=attrs("us-east", 150, "new"))
        self.sns.publish(TopicArn=topic, Message="order 3", MessageAttributes=attrs("eu-west", 99, "new"))
        self.sns.publish(TopicArn=topic, Message="order 4", MessageAttributes=attrs("eu-west", 150, "cancelled"))
        self.sns.publish(TopicArn=topic, Message="order 5", MessageAttributes=attrs("eu-west", 150, "new", "X"))

        everything = self.drain(all_url, 5)
        self.assertEqual(sorted(json.loads(m["Body"])["Message"] for m in everything),
                         [f"order {i}" for i in range(1, 6)])
        filtered = self.drain(big_url, 1, wait=2)
        self.assertEqual(len(filtered), 1)
        envelope = json.loads(filtered[0]["Body"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["MessageId"], match)
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"], "New order")
        self.assertEqual(envelope["Message"], "order 1")
        self.assertEqual(envelope["SignatureVersion"], "1")
        self.assertTrue(envelope["Signature"])
        self.assertIn("SigningCertURL", envelope)
        self.assertIn("Action=Unsubscribe", envelope["UnsubscribeURL"])
        self.assertRegex(envelope["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(envelope["MessageAttributes"]["total"], {"Type": "Number", "Value": "150"})

    def test_body_filter_raw_delivery_and_message_structure(self):
        topic = self.sns.create_topic(Name="events")["TopicArn"]
        url, arn = self.queue_with_arn("events-raw")
        sub = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
            "RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps({"detail": {"kind": ["insert", "update"]}})})["SubscriptionArn"]
        self.sns.publish(TopicArn=topic, Message=json.dumps({"detail": {"kind": "delete"}}))
        self.sns.publish(TopicArn=topic, Message=json.dumps({"detail": {"kind": "insert"}}),
                         MessageAttributes={"source": {"DataType": "String", "StringValue": "db"}})
        got = self.drain(url, 1, wait=2)
        self.assertEqual(len(got), 1)
        self.assertEqual(json.loads(got[0]["Body"]), {"detail": {"kind": "insert"}})
        self.assertEqual(got[0]["MessageAttributes"]["source"]["StringValue"], "db")
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue="")
        self.sns.publish(TopicArn=topic, MessageStructure="json",
                         Message=json.dumps({"default": "plain", "sqs": "for queues"}))
        self.assertEqual([m["Body"] for m in self.drain(url, 1)], ["for queues"])
        err = self.error(self.sns.publish, TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "x"}))
        self.assertEqual(err["Message"], "Invalid parameter: Message Structure - No default entry in JSON message body")
        err = self.error(self.sns.set_subscription_attributes, SubscriptionArn=sub,
                         AttributeName="FilterPolicy", AttributeValue=json.dumps({"a": [{"bogus": 1}]}))
        self.assertEqual(err["Code"], "InvalidParameter")
        self.sns.unsubscribe(SubscriptionArn=sub)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"], [])

    def test_fifo_topic_to_fifo_queue_and_batch(self):
        topic = self.sns.create_topic(Name="ledger.fifo", Attributes={
            "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
        url, arn = self.queue_with_arn("ledger.fifo", FifoQueue="true")
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        err = self.error(self.sns.publish, TopicArn=topic, Message="x")
        self.assertEqual(err["Message"], "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        first = self.sns.publish(TopicArn=topic, Message="e1", MessageGroupId="acct")
        dup = self.sns.publish(TopicArn=topic, Message="e1", MessageGroupId="acct")
        self.assertEqual(first["MessageId"], dup["MessageId"])
        batch = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "e2", "MessageGroupId": "acct"},
            {"Id": "b", "Message": "e3", "MessageGroupId": "acct"},
            {"Id": "c", "Message": "e4"}])
        self.assertEqual([e["Id"] for e in batch["Successful"]], ["a", "b"])
        self.assertEqual(batch["Failed"][0]["Id"], "c")
        self.assertTrue(batch["Successful"][0]["SequenceNumber"])
        bodies = [json.loads(m["Body"])["Message"] for m in self.drain(url, 3)]
        self.assertEqual(bodies, ["e1", "e2", "e3"])
        err = self.error(self.sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "same", "Message": "1", "MessageGroupId": "g"}, {"Id": "same", "Message": "2", "MessageGroupId": "g"}])
        self.assertEqual(err["Code"], "BatchEntryIdsNotDistinct")

    # --- HTTP and email ---------------------------------------------------
    def test_http_subscription_confirmation_and_delivery(self):
        httpd = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            endpoint = f"http://127.0.0.1:{httpd.server_port}/hook"
            topic = self.sns.create_topic(Name="webhooks")["TopicArn"]
            pending = self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)
            self.assertEqual(pending["SubscriptionArn"], "pending confirmation")
            headers, body = Endpoint.received.get(timeout=10)
            self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
            self.assertEqual(body["Type"], "SubscriptionConfirmation")
            self.assertEqual(body["TopicArn"], topic)
            self.assertIn("Action=ConfirmSubscription", body["SubscribeURL"])
            # Nothing is delivered before confirmation.
            self.sns.publish(TopicArn=topic, Message="too early")
            err = self.error(self.sns.confirm_subscription, TopicArn=topic, Token="wrong")
            self.assertEqual(err["Code"], "InvalidParameter")
            arn = self.sns.confirm_subscription(TopicArn=topic, Token=body["Token"])["SubscriptionArn"]
            self.assertTrue(arn.startswith(topic + ":"))
            self.sns.publish(TopicArn=topic, Message="hello hook", Subject="s")
            headers, body = Endpoint.received.get(timeout=10)
            self.assertEqual(body["Message"], "hello hook")
            self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
            self.assertEqual(headers["x-amz-sns-topic-arn"], topic)
            self.assertEqual(headers["x-amz-sns-subscription-arn"], arn)
            self.assertEqual(headers["x-amz-sns-message-id"], body["MessageId"])
        finally:
            httpd.shutdown()
            httpd.server_close()

    def test_email_goes_to_the_outbox(self):
        topic = self.sns.create_topic(Name="mail")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
        outbox = os.path.join(self.server.data_dir, "outbox")

        def wait_for(pattern):
            deadline = time.time() + 10
            while time.time() < deadline:
                for path in glob.glob(os.path.join(outbox, "*.eml")):
                    with open(path) as f:
                        text = f.read()
                    if pattern in text:
                        return text
                time.sleep(0.1)
            self.fail(f"no mail with {pattern!r} in {outbox}")

        confirmation = wait_for("Subscription Confirmation")
        self.assertIn("To: ops@example.com", confirmation)
        token = re.search(r"Token: (\w+)", confirmation).group(1)
        self.sns.confirm_subscription(TopicArn=topic, Token=token)
        self.sns.publish(TopicArn=topic, Message="the nightly load failed", Subject="Pipeline alert")
        mail = wait_for("the nightly load failed")
        self.assertIn("Subject: Pipeline alert", mail)

    def test_cli(self):
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}

        def aws(*args):
            return subprocess.run(["aws", "--endpoint-url", self.server.endpoint, "--region", REGION,
                                   "--output", "json", "sns", *args], capture_output=True, text=True, env=env)

        r = aws("create-topic", "--name", "cli-topic")
        self.assertEqual(r.returncode, 0, r.stderr)
        arn = json.loads(r.stdout)["TopicArn"]
        r = aws("publish", "--topic-arn", arn, "--message", "from the cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("MessageId", json.loads(r.stdout))
        r = aws("get-topic-attributes", "--topic-arn", arn + "-nope")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NotFound", r.stderr)


if __name__ == "__main__":
    unittest.main()
