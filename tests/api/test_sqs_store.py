"""SQS messages live in the store: the server holds a window of each queue's
messages (those in flight and about a thousand more) and reads the rest a
page at a time. Through boto3: queues deeper than the window deliver every
message once, in FIFO order, to long polls, across kill -9 (receipt handles of
messages outside the window included), and a restarted server holding 60 MB
of messages stays near an empty one's size."""
import signal
import threading
import unittest

from sluice_server import SluiceServer

WINDOW = 1000  # SqsService::kWindow


def send_all(sqs, url, bodies):
    for i in range(0, len(bodies), 10):
        out = sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies[i:i + 10])])
        assert not out.get("Failed"), out


def counts(sqs, url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (int(a["ApproximateNumberOfMessages"]),
            int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]))


class SqsStoreTest(unittest.TestCase):
    def setUp(self):
        self.server = SluiceServer().start()
        self.sqs = self.server.client("sqs")

    def tearDown(self):
        self.server.cleanup()

    def drain(self, url, visibility=30):
        """Receives and deletes until the queue answers empty; the bodies in order."""
        got = []
        while True:
            msgs = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            VisibilityTimeout=visibility).get("Messages", [])
            if not msgs:
                return got
            got += [m["Body"] for m in msgs]
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])

    def test_a_queue_deeper_than_the_window_delivers_every_message_once(self):
        url = self.sqs.create_queue(QueueName="deep")["QueueUrl"]
        bodies = [f"m{i:05d}" for i in range(2 * WINDOW + 600)]
        send_all(self.sqs, url, bodies)
        self.assertEqual(counts(self.sqs, url), (len(bodies), 0, 0))
        got = self.drain(url)
        self.assertEqual(sorted(got), bodies)
        self.assertEqual(counts(self.sqs, url), (0, 0, 0))

    def test_delayed_messages_past_the_window_are_counted_and_delivered(self):
        url = self.sqs.create_queue(QueueName="delayed")["QueueUrl"]
        send_all(self.sqs, url, [f"now{i}" for i in range(WINDOW + 20)])
        for i in range(0, 30, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": f"later{i + j}", "DelaySeconds": 2}
                for j in range(10)])
        self.assertEqual(counts(self.sqs, url), (WINDOW + 20, 0, 30))
        got = self.drain(url)
        self.assertEqual(len(got), WINDOW + 20)
        # The delayed ones arrive when due, to a long poll woken for them.
        later = []
        while len(later) < 30:
            msgs = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=10).get("Messages", [])
            self.assertTrue(msgs, "the delayed messages never came")
            later += [m["Body"] for m in msgs]
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        self.assertEqual(sorted(later), sorted(f"later{i}" for i in range(30)))

    def test_fifo_groups_past_a_blocked_group(self):
        url = self.sqs.create_queue(QueueName="deep.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        for i in range(0, WINDOW + 500, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": f"a{i + j:05d}", "MessageGroupId": "a"}
                for j in range(10)])
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(j), "MessageBody": f"b{j}", "MessageGroupId": "b"} for j in range(10)])
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         VisibilityTimeout=60)["Messages"]
        self.assertEqual([m["Body"] for m in first], [f"a{i:05d}" for i in range(10)])
        # Group a is blocked while those are in flight; group b, in the store
        # behind 1,490 of a's messages, is next.
        second = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in second], [f"b{j}" for j in range(10)])
        for m in first + second:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        rest = self.drain(url)
        self.assertEqual(rest, [f"a{i:05d}" for i in range(10, WINDOW + 500)])

    def test_a_long_poll_gets_a_message_sent_past_the_window(self):
        url = self.sqs.create_queue(QueueName="busy")["QueueUrl"]
        send_all(self.sqs, url, [f"held{i}" for i in range(WINDOW)])
        held = 0
        while held < WINDOW:  # every message of the window in flight
            held += len(self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 VisibilityTimeout=120).get("Messages", []))
        got = {}

        def poll():
            got["r"] = self.server.client("sqs").receive_message(
                QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])

        # Whether the poll is parked before the send or not, it must get the
        # message (parked, it is woken once the send is committed).
        t = threading.Thread(target=poll)
        t.start()
        self.sqs.send_message(QueueUrl=url, MessageBody="fresh")
        t.join(15)
        self.assertEqual([m["Body"] for m in got["r"]], ["fresh"])

    def test_kill_9_keeps_every_message_and_handle(self):
        url = self.sqs.create_queue(QueueName="kept")["QueueUrl"]
        n = WINDOW + 200
        send_all(self.sqs, url, [f"k{i:05d}" for i in range(n)])
        handles = []
        while len(handles) < n:  # all in flight: the last 200 will be outside the window
            handles += [m["ReceiptHandle"] for m in self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages", [])]
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sqs = self.server.client("sqs")
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        # Every handle still works, those of messages left in the store too.
        for i in range(0, n, 10):
            out = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "ReceiptHandle": h} for j, h in enumerate(handles[i:i + 10])])
            self.assertEqual(len(out["Successful"]), len(handles[i:i + 10]), out)
        self.assertEqual(counts(self.sqs, url), (0, 0, 0))
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sqs = self.server.client("sqs")
        self.assertEqual(counts(self.sqs, url), (0, 0, 0))

    def test_counts_after_a_restart_skip_deleted_messages_past_the_window(self):
        url = self.sqs.create_queue(QueueName="gaps")["QueueUrl"]
        send_all(self.sqs, url, [f"g{i:05d}" for i in range(WINDOW + 500)])
        received = []
        while len(received) < WINDOW + 200:  # in flight, in send order
            received += self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 VisibilityTimeout=300).get("Messages", [])
        received.sort(key=lambda m: m["Body"])
        # Every other one of the 200 past the first thousand is deleted:
        # after a restart they are holes in what the store holds past the
        # window.
        for m in received[WINDOW::2]:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sqs = self.server.client("sqs")
        self.server.idle()  # the background count is in
        # 1,000 in flight in the window; 100 in flight and 300 never received
        # past it (those in flight outside the window count as visible).
        self.assertEqual(counts(self.sqs, url), (400, WINDOW, 0))

    def test_a_restarted_server_holds_a_window_not_the_queue(self):
        url = self.sqs.create_queue(QueueName="buffer")["QueueUrl"]
        body = "x" * 2000
        n = 30_000  # 60 MB of bodies
        for i in range(0, n, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": f"{i + j:06d}{body}"} for j in range(10)])
        self.server.stop(signal.SIGKILL)
        self.server.start()
        self.sqs = self.server.client("sqs")
        self.assertEqual(counts(self.sqs, url), (n, 0, 0))
        empty = SluiceServer().start()
        try:
            empty.client("sqs").list_queues()
            baseline = empty.resident_mb()
        finally:
            empty.cleanup()
        held = self.server.resident_mb()
        # The window is ~2 MB of these messages; the queue is 60 MB.
        self.assertLess(held, baseline + 15, (held, baseline))
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(len(first), 10)


class SqsRetentionTest(unittest.TestCase):
    def test_messages_past_retention_are_deleted_on_the_server_clock(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            sqs = server.client("sqs")
            url = sqs.create_queue(QueueName="short", Attributes={
                "MessageRetentionPeriod": "120"})["QueueUrl"]
            send_all(sqs, url, [f"old{i}" for i in range(WINDOW + 300)])
            server.admin("/_sluice/clock/advance", {"seconds": 90})
            send_all(sqs, url, [f"young{i}" for i in range(20)])  # in the store only
            self.assertEqual(counts(sqs, url), (WINDOW + 320, 0, 0))
            # 180 s after the first send: the old ones are past 120 s, the
            # young ones 90 s old. Nobody received anything.
            server.admin("/_sluice/clock/advance", {"seconds": 90})
            server.idle()
            self.assertEqual(counts(sqs, url), (20, 0, 0))
            server.stop(signal.SIGKILL)
            server.start()
            sqs = server.client("sqs")
            self.assertEqual(counts(sqs, url), (20, 0, 0))
            got = []
            while True:
                msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", [])
                if not msgs:
                    break
                got += [m["Body"] for m in msgs]
            self.assertEqual(sorted(got), sorted(f"young{i}" for i in range(20)))
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
