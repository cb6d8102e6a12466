"""Deliveries in flight survive kill -9: a message acknowledged by SNS
Publish/PublishBatch or an event acknowledged by EventBridge PutEvents whose
deliveries had not completed when the server was SIGKILLed is delivered after
a restart on the same --data-dir."""
import http.server
import json
import re
import shutil
import signal
import socketserver
import threading
import time
import unittest

from sluice_server import SluiceServer
from test_sns_smtp import Mailbox, SmtpHandler


class Hook(http.server.BaseHTTPRequestHandler):
    """An HTTP subscriber that answers 500 while `down` is set, so deliveries
    stay pending (SNS retries them with back-off)."""
    down = threading.Event()
    lock = threading.Lock()
    confirmations = []
    delivered = {}  # MessageId -> Message

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["Type"] == "SubscriptionConfirmation":
            with Hook.lock:
                Hook.confirmations.append(body)
            status = 200
        elif Hook.down.is_set():
            status = 500
        else:
            with Hook.lock:
                Hook.delivered[body["MessageId"]] = body["Message"]
            status = 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def restart(data_dir, *args):
    again = SluiceServer(*args)
    shutil.rmtree(again.data_dir)
    again.data_dir = data_dir
    return again.start()


def kill(server):
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()


class MessagingKillTest(unittest.TestCase):
    def test_sns_http_deliveries_pending_at_sigkill_arrive_after_restart(self):
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        server = SluiceServer().start()
        try:
            sns = server.client("sns")
            topic = sns.create_topic(Name="hooks")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="http",
                          Endpoint=f"http://127.0.0.1:{httpd.server_port}/in")
            deadline = time.time() + 10
            while not Hook.confirmations and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(Hook.confirmations, "no SubscriptionConfirmation")
            sns.confirm_subscription(TopicArn=topic, Token=Hook.confirmations[0]["Token"])

            Hook.down.set()
            acked = {}
            for i in range(20):
                acked[sns.publish(TopicArn=topic, Message=f"single {i}")["MessageId"]] = f"single {i}"
            for b in range(2):
                entries = [{"Id": f"e{i}", "Message": f"batch {b}-{i}"} for i in range(10)]
                out = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
                self.assertEqual(out["Failed"], [])
                for ok in out["Successful"]:
                    acked[ok["MessageId"]] = f"batch {b}-{ok['Id'][1:]}"
            # The endpoint is failing: every delivery is waiting for a retry.
            kill(server)
            self.assertEqual(Hook.delivered, {})

            Hook.down.clear()
            again = restart(server.data_dir)
            try:
                deadline = time.time() + 20
                while time.time() < deadline:
                    with Hook.lock:
                        if set(acked) <= set(Hook.delivered):
                            break
                    time.sleep(0.1)
                with Hook.lock:
                    missing = set(acked) - set(Hook.delivered)
                    self.assertEqual(missing, set(), f"{len(missing)} of {len(acked)} messages lost")
                    for message_id, message in acked.items():
                        self.assertEqual(Hook.delivered[message_id], message)
            finally:
                again.stop()
        finally:
            server.cleanup()
            httpd.shutdown()
            httpd.server_close()

    def test_sns_mail_refused_at_sigkill_is_sent_after_restart(self):
        smtpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
        smtpd.daemon_threads = True
        smtpd.mailbox = box = Mailbox()
        threading.Thread(target=smtpd.serve_forever, daemon=True).start()
        relay = f"127.0.0.1:{smtpd.server_address[1]}"
        server = SluiceServer("--smtp", relay).start()
        try:
            sns = server.client("sns")
            topic = sns.create_topic(Name="mail")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
            found = box.wait_for(lambda m: b"Subscription Confirmation" in m[2])
            self.assertTrue(found, "no confirmation mail")
            token = re.search(rb"Token: (\w+)", found[0][2]).group(1).decode()
            sns.confirm_subscription(TopicArn=topic, Token=token)
            # The relay refuses for now (a transient 4xx): the mail is pending.
            with box.lock:
                box.refuse["ops@example.com"] = ["451 4.3.0 try again later"] * 100
            ids = [sns.publish(TopicArn=topic, Message=f"alert {i}")["MessageId"] for i in range(5)]
            kill(server)
            with box.lock:
                box.refuse["ops@example.com"] = []
            again = restart(server.data_dir, "--smtp", relay)
            try:
                for message_id in ids:
                    self.assertTrue(box.wait_for(lambda m, i=message_id: i.encode() in m[2]),
                                    f"mail {message_id} lost")
            finally:
                again.stop()
        finally:
            server.cleanup()
            smtpd.shutdown()
            smtpd.server_close()

    def test_sns_fan_out_racing_sigkill_loses_no_acknowledged_message(self):
        server = SluiceServer().start()
        try:
            sns, sqs = server.client("sns"), server.client("sqs")
            topic = sns.create_topic(Name="fan")["TopicArn"]
            queues = []
            for q in range(3):
                url = sqs.create_queue(QueueName=f"fan-{q}")["QueueUrl"]
                arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
                queues.append(f"fan-{q}")
            acked, lock, stop = set(), threading.Lock(), threading.Event()

            def publish():
                client = server.client("sns")
                while not stop.is_set():
                    try:
                        message_id = client.publish(TopicArn=topic, Message="m")["MessageId"]
                    except Exception:
                        return  # the server is gone: not acknowledged
                    with lock:
                        acked.add(message_id)

            threads = [threading.Thread(target=publish) for _ in range(6)]
            for t in threads:
                t.start()
            # Kill mid-stream, once enough publishes are acknowledged (their
            # fan-out still in flight).
            deadline = time.time() + 30
            while time.time() < deadline:
                with lock:
                    if len(acked) >= 200:
                        break
                stop.wait(0.01)
            kill(server)
            stop.set()
            for t in threads:
                t.join(30)
            self.assertGreaterEqual(len(acked), 200)

            again = restart(server.data_dir)
            try:
                sqs = again.client("sqs")
                for name in queues:
                    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
                    received, deadline = set(), time.time() + 20
                    while not acked <= received and time.time() < deadline:
                        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                     WaitTimeSeconds=1).get("Messages", []):
                            received.add(json.loads(m["Body"])["MessageId"])
                            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    missing = acked - received
                    self.assertEqual(missing, set(), f"{name}: {len(missing)} of {len(acked)} lost")
            finally:
                again.stop()
        finally:
            server.cleanup()

    def test_eventbridge_deliveries_in_retry_at_sigkill_arrive_after_restart(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            events = server.client("events")
            queue_arn = "arn:aws:sqs:us-east-1:000000000000:late"
            events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
            events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": queue_arn}])
            acked = set()
            for b in range(3):
                out = events.put_events(Entries=[
                    {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"n": b * 10 + i})}
                    for i in range(10)])
                self.assertEqual(out["FailedEntryCount"], 0)
                acked.update(e["EventId"] for e in out["Entries"])
            # The queue does not exist yet: every delivery waits for a retry
            # on the virtual clock, which does not move.
            kill(server)

            again = restart(server.data_dir, "--clock", "virtual")
            try:
                sqs = again.client("sqs")
                url = sqs.create_queue(QueueName="late")["QueueUrl"]
                again.admin("/_sluice/clock/advance", {"seconds": 600})
                received, deadline = set(), time.time() + 20
                while not acked <= received and time.time() < deadline:
                    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 WaitTimeSeconds=1).get("Messages", []):
                        event = json.loads(m["Body"])
                        self.assertEqual(event["source"], "shop")
                        received.add(event["id"])
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                missing = acked - received
                self.assertEqual(missing, set(), f"{len(missing)} of {len(acked)} events lost")
            finally:
                again.stop()
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
