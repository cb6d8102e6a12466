"""Acknowledged SQS writes survive kill -9: senders race a SIGKILL of the
server, and after a restart on the same --data-dir every message whose
SendMessage was answered is receivable; deleted ones stay deleted."""
import json
import shutil
import signal
import threading
import time
import unittest

from botocore.config import Config

from sluice_server import SluiceServer

SENDERS = 8


class SqsKillTest(unittest.TestCase):
    def test_acknowledged_messages_survive_sigkill(self):
        server = SluiceServer().start()
        data_dir = server.data_dir
        try:
            sqs = server.client("sqs")
            url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
            fifo = sqs.create_queue(QueueName="durable.fifo", Attributes={
                "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
            # A deleted message must stay deleted.
            sqs.send_message(QueueUrl=url, MessageBody="deleted")
            gone = sqs.receive_message(QueueUrl=url)["Messages"][0]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=gone["ReceiptHandle"])
            sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g")

            acked, lock, stop = [], threading.Lock(), threading.Event()

            def send(worker):
                client = server.client("sqs")
                i = 0
                while not stop.is_set():
                    body = f"w{worker}-{i}"
                    try:
                        client.send_message(QueueUrl=url, MessageBody=body)
                    except Exception:
                        return  # the server is gone: this one was never acknowledged
                    with lock:
                        acked.append(body)
                    i += 1

            threads = [threading.Thread(target=send, args=(w,)) for w in range(SENDERS)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            stop.set()
            for t in threads:
                t.join(30)
            self.assertGreater(len(acked), 50)

            again = SluiceServer()
            shutil.rmtree(again.data_dir)
            again.data_dir = data_dir
            again.start()
            try:
                sqs = again.client("sqs")
                url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
                self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                                 ["Attributes"]["VisibilityTimeout"], "600")
                received = set()
                while True:
                    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                    if not got:
                        break
                    received.update(m["Body"] for m in got)
                missing = set(acked) - received
                self.assertEqual(missing, set(), f"{len(missing)} acknowledged messages lost")
                self.assertNotIn("deleted", received)
                # FIFO deduplication is durable too: the same body is still a duplicate.
                fifo = sqs.get_queue_url(QueueName="durable.fifo")["QueueUrl"]
                first = sqs.receive_message(QueueUrl=fifo)["Messages"][0]
                self.assertEqual(first["Body"], "first")
                dup = sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g")
                self.assertEqual(dup["MessageId"], first["MessageId"])
            finally:
                again.stop()
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
