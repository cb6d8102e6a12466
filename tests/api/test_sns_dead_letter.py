"""SNS subscription dead-letter queues (RedrivePolicy): a delivery that fails
for good lands in the subscription's SQS dead-letter queue as the body the
endpoint would have received, with ErrorCode / ErrorMessage / RequestID
message attributes; a subscription without one drops it. The virtual clock
runs the HTTP retry back-off."""
import http.server
import json
import queue
import threading
import unittest

from botocore.exceptions import ClientError

from sluice_server import SluiceServer


class FailingHook(http.server.BaseHTTPRequestHandler):
    """Accepts subscription confirmations; answers every notification 500."""
    confirmations = queue.Queue()
    notifications = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation":
            FailingHook.confirmations.put(json.loads(body))
            self.send_response(200)
        else:
            FailingHook.notifications.append(body)
            self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class DeadLetterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FailingHook)
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sns, cls.sqs = cls.server.client("sns"), cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.httpd.shutdown()
        cls.httpd.server_close()

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def receive_all(self, url):
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["All"]).get("Messages", [])
            if not got:
                return out
            for m in got:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            out += got

    def test_a_deleted_queue_sends_the_message_to_the_dead_letter_queue(self):
        topic = self.sns.create_topic(Name="orders")["TopicArn"]
        target_url, target_arn = self.queue("orders-target")
        dlq_url, dlq_arn = self.queue("orders-dlq")
        sub = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=target_arn,
                                 Attributes={"RedrivePolicy": json.dumps(
                                     {"deadLetterTargetArn": dlq_arn})})["SubscriptionArn"]
        self.assertEqual(json.loads(self.sns.get_subscription_attributes(
            SubscriptionArn=sub)["Attributes"]["RedrivePolicy"]), {"deadLetterTargetArn": dlq_arn})
        delivered = self.sns.publish(TopicArn=topic, Message="first")["MessageId"]
        self.server.idle()
        self.assertEqual([json.loads(m["Body"])["MessageId"] for m in self.receive_all(target_url)],
                         [delivered])
        self.assertEqual(self.receive_all(dlq_url), [])

        self.sqs.delete_queue(QueueUrl=target_url)
        lost = self.sns.publish(TopicArn=topic, Message="second", Subject="s")["MessageId"]
        self.server.idle()
        dead = self.receive_all(dlq_url)
        self.assertEqual(len(dead), 1)
        body = json.loads(dead[0]["Body"])
        self.assertEqual((body["Type"], body["MessageId"], body["Message"], body["Subject"]),
                         ("Notification", lost, "second", "s"))
        attrs = dead[0]["MessageAttributes"]
        self.assertEqual(attrs["ErrorCode"]["StringValue"], "QueueDoesNotExist")
        self.assertTrue(attrs["ErrorMessage"]["StringValue"])
        self.assertTrue(attrs["RequestID"]["StringValue"])

    def test_an_http_endpoint_that_keeps_failing_goes_to_the_queue_after_its_retries(self):
        topic = self.sns.create_topic(Name="hooks")["TopicArn"]
        dlq_url, dlq_arn = self.queue("hooks-dlq")
        endpoint = f"http://127.0.0.1:{self.httpd.server_port}/in"
        self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)
        token = FailingHook.confirmations.get(timeout=10)["Token"]
        sub = self.sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
        self.sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="RedrivePolicy",
            AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn}))
        self.sns.set_subscription_attributes(SubscriptionArn=sub,
                                             AttributeName="RawMessageDelivery",
                                             AttributeValue="true")
        FailingHook.notifications.clear()
        self.sns.publish(TopicArn=topic, Message="raw body")
        self.server.idle()
        # The first attempt failed; the retries wait on the clock.
        self.assertEqual(len(FailingHook.notifications), 1)
        self.assertEqual(self.receive_all(dlq_url), [])
        self.server.admin("/_sluice/clock/advance", {"seconds": 3600})
        self.assertGreater(len(FailingHook.notifications), 1)
        dead = self.receive_all(dlq_url)
        self.assertEqual([m["Body"] for m in dead], ["raw body"])  # what the endpoint would get
        self.assertIn("HTTP 500", dead[0]["MessageAttributes"]["ErrorMessage"]["StringValue"])

    def test_without_a_dead_letter_queue_the_message_is_dropped(self):
        topic = self.sns.create_topic(Name="nodlq")["TopicArn"]
        target_url, target_arn = self.queue("nodlq-target")
        other_url, _ = self.queue("nodlq-bystander")
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=target_arn)
        self.sqs.delete_queue(QueueUrl=target_url)
        self.sns.publish(TopicArn=topic, Message="gone")
        self.server.idle()
        self.assertEqual(self.receive_all(other_url), [])

    def test_invalid_redrive_policies_are_refused(self):
        topic = self.sns.create_topic(Name="invalid")["TopicArn"]
        _, target_arn = self.queue("invalid-target")
        sub = self.sns.subscribe(TopicArn=topic, Protocol="sqs",
                                 Endpoint=target_arn)["SubscriptionArn"]
        for value in ["not json", "[]", json.dumps({"other": 1}),
                      json.dumps({"deadLetterTargetArn": "arn:aws:sns:us-east-1:000000000000:t"}),
                      json.dumps({"deadLetterTargetArn": 7})]:
            with self.subTest(value=value):
                with self.assertRaises(ClientError) as cm:
                    self.sns.set_subscription_attributes(SubscriptionArn=sub,
                                                         AttributeName="RedrivePolicy",
                                                         AttributeValue=value)
                self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
                self.assertIn("RedrivePolicy", cm.exception.response["Error"]["Message"])
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertNotIn("RedrivePolicy", attrs)
        with self.assertRaises(ClientError) as cm:
            self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=target_arn,
                               Attributes={"RedrivePolicy": "{}"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")


if __name__ == "__main__":
    unittest.main()
