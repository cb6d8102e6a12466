"""SQS through boto3 (awsJson 1.0) and the AWS CLI against a started `sluice server`."""
import json
import subprocess
import threading
import time
import unittest

from botocore.exceptions import ClientError

from sluice_server import ACCOUNT, REGION, SluiceServer
from sqs_md5 import md5_of_attributes, md5_of_body


class SqsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sqs = cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def advance(self, seconds):
        self.server.admin("/_sluice/clock/advance", {"seconds": seconds})

    def error(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response["Error"]

    def queue(self, name, **attributes):
        return self.sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]

    def attrs(self, url, *names):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"])["Attributes"]

    # --- queues -----------------------------------------------------------
    def test_create_is_idempotent_and_conflicts_on_other_attributes(self):
        url = self.queue("idem", VisibilityTimeout=40)
        host = self.server.endpoint.split("//")[1]
        self.assertEqual(url, f"http://{host}/{ACCOUNT}/idem")
        self.assertEqual(self.queue("idem", VisibilityTimeout=40), url)
        err = self.error(self.sqs.create_queue, QueueName="idem", Attributes={"VisibilityTimeout": "41"})
        self.assertEqual(err["Code"], "QueueAlreadyExists")
        self.assertEqual(self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"], "40")
        with self.assertRaises(self.sqs.exceptions.QueueNameExists):
            self.sqs.create_queue(QueueName="idem", Attributes={"DelaySeconds": "5"})

    def test_attributes_defaults_and_arn(self):
        url = self.queue("defaults")
        a = self.attrs(url)
        self.assertEqual(a["QueueArn"], f"arn:aws:sqs:{REGION}:{ACCOUNT}:defaults")
        self.assertEqual(a["VisibilityTimeout"], "30")
        self.assertEqual(a["MessageRetentionPeriod"], "345600")
        self.assertEqual(a["MaximumMessageSize"], "262144")
        self.assertEqual(a["DelaySeconds"], "0")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "0")
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")
        self.assertNotIn("FifoQueue", a)
        self.assertTrue(a["CreatedTimestamp"].isdigit())
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "10"})
        self.assertEqual(self.attrs(url, "DelaySeconds"), {"DelaySeconds": "10"})

    def test_bad_attributes_change_nothing(self):
        url = self.queue("badattrs")
        err = self.error(self.sqs.set_queue_attributes, QueueUrl=url, Attributes={"VisibilityTimeout": "43201"})
        self.assertEqual(err["Code"], "InvalidAttributeValue")
        self.assertEqual(err["Message"], "Invalid value for the parameter VisibilityTimeout.")
        err = self.error(self.sqs.set_queue_attributes, QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(err["Code"], "InvalidAttributeName")
        self.assertEqual(self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"], "30")
        err = self.error(self.sqs.create_queue, QueueName="bad name!")
        self.assertEqual(err["Code"], "InvalidParameterValue")
        err = self.error(self.sqs.create_queue, QueueName="nofifo.fifo")
        self.assertEqual(err["Code"], "InvalidParameterValue")
        self.assertNotIn(f"/{ACCOUNT}/nofifo.fifo", str(self.sqs.list_queues().get("QueueUrls", [])))

    def test_missing_queue(self):
        err = self.error(self.sqs.get_queue_url, QueueName="nowhere")
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.NonExistentQueue")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.send_message(QueueUrl=f"{self.server.endpoint}/{ACCOUNT}/nowhere", MessageBody="x")

    def test_list_queues_prefix_and_pages(self):
        for i in range(5):
            self.queue(f"page-{i}")
        urls = self.sqs.list_queues(QueueNamePrefix="page-")["QueueUrls"]
        self.assertEqual([u.rsplit("/", 1)[1] for u in urls], [f"page-{i}" for i in range(5)])
        first = self.sqs.list_queues(QueueNamePrefix="page-", MaxResults=2)
        self.assertEqual(len(first["QueueUrls"]), 2)
        names = [u.rsplit("/", 1)[1] for u in first["QueueUrls"]]
        token = first["NextToken"]
        while token:
            page = self.sqs.list_queues(QueueNamePrefix="page-", MaxResults=2, NextToken=token)
            names += [u.rsplit("/", 1)[1] for u in page["QueueUrls"]]
            token = page.get("NextToken")
        self.assertEqual(names, [f"page-{i}" for i in range(5)])

    def test_delete_and_purge(self):
        url = self.queue("purged")
        self.sqs.send_message(QueueUrl=url, MessageBody="a")
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"], "0")
        err = self.error(self.sqs.purge_queue, QueueUrl=url)
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.PurgeQueueInProgress")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertEqual(self.error(self.sqs.get_queue_url, QueueName="purged")["Code"],
                         "AWS.SimpleQueueService.NonExistentQueue")
        err = self.error(self.sqs.create_queue, QueueName="purged")
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.QueueDeletedRecently")

    def test_tags(self):
        url = self.sqs.create_queue(QueueName="tagged", tags={"team": "lake"})["QueueUrl"]
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "lake", "env": "dev"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "dev"})

    # --- messages ---------------------------------------------------------
    def test_send_receive_delete_with_digests(self):
        url = self.queue("basic")
        attributes = {"city": {"DataType": "String", "StringValue": "Zürich"},
                      "geo.lat": {"DataType": "Number.float", "StringValue": "47.37"},
                      "count": {"DataType": "Number", "StringValue": "42"},
                      "blob": {"DataType": "Binary", "BinaryValue": b"\x00\xffdata"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="héllo <world>", MessageAttributes=attributes)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body("héllo <world>"))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       MessageSystemAttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "héllo <world>")
        self.assertEqual(m["MD5OfBody"], md5_of_body(m["Body"]))
        self.assertEqual(m["MessageAttributes"], attributes)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertIn("SentTimestamp", m["Attributes"])
        # Only the attributes asked for, with the digest of those.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        again = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["geo.*", "count"])["Messages"][0]
        chosen = {k: attributes[k] for k in ("geo.lat", "count")}
        self.assertEqual(again["MessageAttributes"], chosen)
        self.assertEqual(again["MD5OfMessageAttributes"], md5_of_attributes(chosen))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_bad_messages_are_refused(self):
        url = self.queue("refuse")
        err = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="x" * 262145)
        self.assertEqual(err["Code"], "InvalidParameterValue")
        self.assertIn("Message must be shorter than 262144 bytes", err["Message"])
        err = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="bad \x01 char")
        self.assertEqual(err["Code"], "InvalidMessageContents")
        err = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="x",
                         MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}})
        self.assertEqual(err["Code"], "InvalidParameterValue")
        err = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
        self.assertEqual(err["Code"], "InvalidParameterValue")
        err = self.error(self.sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
        self.assertEqual(err["Code"], "InvalidParameterValue")
        err = self.error(self.sqs.delete_message, QueueUrl=url, ReceiptHandle="garbage")
        self.assertEqual(err["Code"], "ReceiptHandleIsInvalid")
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"], "0")

    def test_visibility_timeout_and_redelivery(self):
        url = self.queue("visible", VisibilityTimeout=30)
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        first = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        a = self.attrs(url, "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "1")
        self.advance(31)
        second = self.sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(second["MessageId"], first["MessageId"])
        self.assertNotEqual(second["ReceiptHandle"], first["ReceiptHandle"])
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")
        # The stale handle no longer deletes the message; the current one does.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0)
        third = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"])
        err = self.error(self.sqs.change_message_visibility, QueueUrl=url,
                         ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=10)
        self.assertEqual(err["Code"], "InvalidParameterValue")

    def test_delay_seconds(self):
        url = self.queue("delayed", DelaySeconds=60)
        self.sqs.send_message(QueueUrl=url, MessageBody="later")
        self.sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["now"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessagesDelayed")["ApproximateNumberOfMessagesDelayed"], "1")
        self.advance(61)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["later"])

    def test_batches(self):
        url = self.queue("batch")
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"},
            {"Id": "c", "MessageBody": "x", "DelaySeconds": 1000}])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["a", "b"])
        self.assertEqual(r["Failed"][0]["Id"], "c")
        self.assertTrue(r["Failed"][0]["SenderFault"])
        self.assertEqual(r["Successful"][0]["MD5OfMessageBody"], md5_of_body("one"))
        err = self.error(self.sqs.send_message_batch, QueueUrl=url,
                         Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}])
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
        err = self.error(self.sqs.send_message_batch, QueueUrl=url,
                         Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(11)])
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(sorted(m["Body"] for m in got), ["one", "two"])
        vis = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "x", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 100},
            {"Id": "y", "ReceiptHandle": "bogus", "VisibilityTimeout": 100}])
        self.assertEqual([e["Id"] for e in vis["Successful"]], ["x"])
        self.assertEqual(vis["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        d = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "x", "ReceiptHandle": m["ReceiptHandle"]} if i == 0 else {"Id": "y", "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(got)])
        self.assertEqual(sorted(e["Id"] for e in d["Successful"]), ["x", "y"])

    def test_long_poll_is_woken_by_a_send(self):
        url = self.queue("longpoll")
        result = {}

        def poll():
            t = time.monotonic()
            result["r"] = self.server.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=10)
            result["took"] = time.monotonic() - t

        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.5)
        self.sqs.send_message(QueueUrl=url, MessageBody="wake")
        th.join(15)
        self.assertEqual(result["r"]["Messages"][0]["Body"], "wake")
        self.assertLess(result["took"], 5)

    def test_long_poll_times_out_empty(self):
        url = self.queue("longpoll-empty")
        t = time.monotonic()
        r = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        self.assertNotIn("Messages", r)
        self.assertGreaterEqual(time.monotonic() - t, 0.9)

    def test_dead_letter_queue_and_redrive(self):
        dlq = self.queue("dlq")
        dlq_arn = self.attrs(dlq, "QueueArn")["QueueArn"]
        src = self.queue("with-dlq", VisibilityTimeout=10,
                         RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
        self.assertEqual(json.loads(self.attrs(src, "RedrivePolicy")["RedrivePolicy"]),
                         {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src])
        sent = self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        for _ in range(2):
            self.assertEqual(len(self.sqs.receive_message(QueueUrl=src)["Messages"]), 1)
            self.advance(11)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        dead = self.sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"][0]
        self.assertEqual(dead["MessageId"], sent["MessageId"])
        self.assertEqual(dead["Attributes"]["DeadLetterQueueSourceArn"], self.attrs(src, "QueueArn")["QueueArn"])
        self.sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=dead["ReceiptHandle"], VisibilityTimeout=0)
        task = self.sqs.start_message_move_task(SourceArn=dlq_arn)
        self.assertTrue(task["TaskHandle"])
        listed = self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        self.assertEqual(listed["Status"], "COMPLETED")
        self.assertEqual(listed["ApproximateNumberOfMessagesMoved"], 1)
        back = self.sqs.receive_message(QueueUrl=src)["Messages"][0]
        self.assertEqual(back["Body"], "poison")
        err = self.error(self.sqs.start_message_move_task, SourceArn=self.attrs(src, "QueueArn")["QueueArn"])
        self.assertEqual(err["Code"], "InvalidParameterValue")
        err = self.error(self.sqs.create_queue, QueueName="bad-redrive",
                         Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn + "x", "maxReceiveCount": 1})})
        self.assertEqual(err["Code"], "InvalidParameterValue")

    # --- FIFO -------------------------------------------------------------
    def test_fifo_order_groups_and_deduplication(self):
        url = self.sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        self.assertEqual(self.attrs(url, "FifoQueue")["FifoQueue"], "true")
        err = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g")
        self.assertEqual(err["Code"], "InvalidParameterValue")
        err = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
        self.assertEqual(err["Code"], "MissingParameter")
        ids = []
        for i in range(3):
            r = self.sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="A", MessageDeduplicationId=f"a{i}")
            ids.append(r)
        self.sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="B", MessageDeduplicationId="b0")
        dup = self.sqs.send_message(QueueUrl=url, MessageBody="a0 again", MessageGroupId="A", MessageDeduplicationId="a0")
        self.assertEqual(dup["MessageId"], ids[0]["MessageId"])
        self.assertEqual(dup["SequenceNumber"], ids[0]["SequenceNumber"])
        self.assertLess(int(ids[0]["SequenceNumber"]), int(ids[1]["SequenceNumber"]))
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, AttributeNames=["All"])["Messages"]
        self.assertEqual([m["Body"] for m in first], ["a0", "a1"])
        self.assertEqual(first[0]["Attributes"]["MessageGroupId"], "A")
        # Group A is blocked while a0/a1 are in flight: only B comes next.
        nxt = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in nxt], ["b0"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        for m in first:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "a2")
        # The deduplication window closes after 5 minutes.
        self.advance(301)
        again = self.sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="A", MessageDeduplicationId="a0")
        self.assertNotEqual(again["MessageId"], ids[0]["MessageId"])

    def test_fifo_content_based_deduplication_and_attempt_ids(self):
        url = self.sqs.create_queue(QueueName="cbd.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "60"})["QueueUrl"]
        a = self.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
        b = self.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
        self.assertEqual(a["MessageId"], b["MessageId"])
        got = self.sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-1",
                                       AttributeNames=["MessageDeduplicationId"])["Messages"]
        import hashlib
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"], hashlib.sha256(b"same").hexdigest())
        retry = self.sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-1")["Messages"]
        self.assertEqual(retry[0]["ReceiptHandle"], got[0]["ReceiptHandle"])

    # --- AWS CLI ----------------------------------------------------------
    def test_cli(self):
        def aws(*args):
            out = subprocess.run(["aws", "--endpoint-url", self.server.endpoint, "--region", REGION,
                                  "--output", "json", "sqs", *args], capture_output=True, text=True,
                                 env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                                      "PATH": "/usr/bin:/bin:/usr/local/bin:" + __import__("os").environ.get("PATH", "")})
            return out
        r = aws("create-queue", "--queue-name", "cli-queue")
        self.assertEqual(r.returncode, 0, r.stderr)
        url = json.loads(r.stdout)["QueueUrl"]
        r = aws("send-message", "--queue-url", url, "--message-body", "from the cli")
        self.assertEqual(json.loads(r.stdout)["MD5OfMessageBody"], md5_of_body("from the cli"))
        r = aws("receive-message", "--queue-url", url)
        self.assertEqual(json.loads(r.stdout)["Messages"][0]["Body"], "from the cli")
        r = aws("get-queue-url", "--queue-name", "missing-queue")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NonExistentQueue", r.stderr)


if __name__ == "__main__":
    unittest.main()
