"""SNS deliveries that fail. HTTP/S delivery policies (DeliveryPolicy on the
topic or the subscription): the retry phases and the Content-Type. Subscription
dead-letter queues (RedrivePolicy): a delivery that fails for good lands in the
subscription's SQS dead-letter queue as the body the endpoint would have
received, with ErrorCode / ErrorMessage / RequestID message attributes; a
subscription without one drops it. The virtual clock runs the back-off."""
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
    content_types = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation":
            FailingHook.confirmations.put(json.loads(body))
            self.send_response(200)
        else:
            FailingHook.notifications.append(body)
            FailingHook.content_types.append(self.headers["Content-Type"])
            self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class FailingEndpointCase(unittest.TestCase):
    """A server on the virtual clock and the failing endpoint (no tests)."""

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



class DeadLetterTest(FailingEndpointCase):
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


class DeliveryPolicyTest(FailingEndpointCase):
    def setUp(self):
        FailingHook.notifications.clear()
        FailingHook.content_types.clear()

    def http_subscription(self, topic, **attributes):
        endpoint = f"http://127.0.0.1:{self.httpd.server_port}/policy"
        self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint,
                           Attributes=attributes)
        token = FailingHook.confirmations.get(timeout=10)["Token"]
        return self.sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]

    def attempts_after(self, seconds):
        self.server.admin("/_sluice/clock/advance", {"seconds": seconds})
        return len(FailingHook.notifications)

    def test_the_default_policy_retries_three_times_twenty_seconds_apart(self):
        topic = self.sns.create_topic(Name="policy-default")["TopicArn"]
        self.http_subscription(topic)
        FailingHook.notifications.clear()
        self.sns.publish(TopicArn=topic, Message="m")
        self.server.idle()
        self.assertEqual(len(FailingHook.notifications), 1)
        self.assertEqual([self.attempts_after(s) for s in (19, 1, 20, 20, 3600)], [1, 2, 3, 4, 4])
        self.assertEqual(set(FailingHook.content_types), {"text/plain; charset=UTF-8"})

    def test_a_subscription_policy_sets_the_phases_and_the_content_type(self):
        topic = self.sns.create_topic(Name="policy-own")["TopicArn"]
        policy = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 8, "numRetries": 5,
                                         "numNoDelayRetries": 1, "numMinDelayRetries": 0,
                                         "numMaxDelayRetries": 0, "backoffFunction": "linear"},
                  "requestPolicy": {"headerContentType": "application/json"}}
        sub = self.http_subscription(topic, DeliveryPolicy=json.dumps(policy))
        effective = json.loads(self.sns.get_subscription_attributes(SubscriptionArn=sub)[
            "Attributes"]["EffectiveDeliveryPolicy"])
        self.assertEqual(effective["healthyRetryPolicy"], policy["healthyRetryPolicy"])
        self.assertEqual(effective["requestPolicy"], policy["requestPolicy"])
        FailingHook.notifications.clear()
        FailingHook.content_types.clear()
        self.sns.publish(TopicArn=topic, Message="m")
        self.server.idle()
        # The first attempt and the one immediate retry; then the linear
        # back-off from 1 s to 8 s over the other four retries.
        self.assertEqual(len(FailingHook.notifications), 2)
        self.assertEqual([self.attempts_after(s) for s in (1, 2, 1, 5, 1, 7, 1, 600)],
                         [3, 3, 4, 4, 5, 5, 6, 6])
        self.assertEqual(set(FailingHook.content_types), {"application/json"})

    def test_a_topic_policy_applies_unless_a_subscription_overrides_it(self):
        topic_policy = {"http": {"defaultHealthyRetryPolicy": {
            "minDelayTarget": 5, "maxDelayTarget": 5, "numRetries": 1},
            "defaultRequestPolicy": {"headerContentType": "application/xml"}}}
        topic = self.sns.create_topic(Name="policy-topic", Attributes={
            "DeliveryPolicy": json.dumps(topic_policy)})["TopicArn"]
        effective = json.loads(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"][
            "EffectiveDeliveryPolicy"])
        self.assertEqual(effective["http"]["defaultHealthyRetryPolicy"]["numRetries"], 1)
        self.http_subscription(topic)
        FailingHook.notifications.clear()
        FailingHook.content_types.clear()
        self.sns.publish(TopicArn=topic, Message="m")
        self.server.idle()
        self.assertEqual([self.attempts_after(s) for s in (4, 1, 600)], [1, 2, 2])
        self.assertEqual(set(FailingHook.content_types), {"application/xml"})

    def test_invalid_delivery_policies_are_refused_and_change_nothing(self):
        topic = self.sns.create_topic(Name="policy-invalid")["TopicArn"]
        retry = {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3}
        bad = [
            {**retry, "minDelayTarget": 30},                       # above maxDelayTarget
            {**retry, "minDelayTarget": 0},
            {**retry, "maxDelayTarget": 3601},
            {**retry, "numRetries": 101},
            {**retry, "numNoDelayRetries": 2, "numMaxDelayRetries": 2},  # more than numRetries
            {**retry, "backoffFunction": "cubic"},
            {"minDelayTarget": 60, "maxDelayTarget": 60, "numRetries": 61},  # over 3,600 s
            {**retry, "numRetries": 1.5},
        ]
        sub = self.http_subscription(topic)
        for policy in bad:
            with self.subTest(policy=policy):
                for fn, kwargs in [
                    (self.sns.set_subscription_attributes,
                     dict(SubscriptionArn=sub, AttributeName="DeliveryPolicy",
                          AttributeValue=json.dumps({"healthyRetryPolicy": policy}))),
                    (self.sns.set_topic_attributes,
                     dict(TopicArn=topic, AttributeName="DeliveryPolicy",
                          AttributeValue=json.dumps({"http": {"defaultHealthyRetryPolicy": policy}}))),
                ]:
                    with self.assertRaises(ClientError) as cm:
                        fn(**kwargs)
                    self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
                    self.assertIn("DeliveryPolicy", cm.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError):
            self.sns.set_subscription_attributes(
                SubscriptionArn=sub, AttributeName="DeliveryPolicy",
                AttributeValue=json.dumps({"requestPolicy": {"headerContentType": "image/png"}}))
        self.assertNotIn("DeliveryPolicy",
                         self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"])
        self.assertNotIn("DeliveryPolicy", self.sns.get_topic_attributes(TopicArn=topic)["Attributes"])


if __name__ == "__main__":
    unittest.main()
