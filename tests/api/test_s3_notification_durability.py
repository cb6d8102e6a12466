"""S3 event notifications are at-least-once across kill -9: the event of an
acknowledged PutObject, and of every object a lifecycle pass expired before
the server was SIGKILLed, reaches its SQS queue after a restart on the same
--data-dir — and a pass cut short reports no event for an object it did not
expire."""
import collections
import json
import sqlite3
import threading
import time
import unittest

from s3_helpers import s3_client
from sluice_server import SluiceServer
from test_messaging_durability import kill, restart


def queue(server, name):
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    return arn


def drain(server, name, done, timeout=30):
    """Every S3 record on queue `name` as (eventName, key) counts, reading
    until done(counts) holds and then until a second passes with nothing new."""
    sqs = server.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    counts = collections.Counter()
    deadline, quiet_since = time.time() + timeout, None
    while time.time() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  WaitTimeSeconds=1).get("Messages", [])
        for m in got:
            body = json.loads(m["Body"])
            for r in body.get("Records", []):
                counts[(r["eventName"], r["s3"]["object"]["key"])] += 1
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if got:
            quiet_since = None
        elif done(counts):
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since >= 1:
                break
    return counts


class S3NotificationKillTest(unittest.TestCase):
    def test_every_acknowledged_put_is_notified_after_sigkill(self):
        """A hundred times: PutObject, and SIGKILL the moment its 200 reaches
        the client. Before events were stored with the write, about one in
        twelve of these events never arrived (delivery to a queue in the same
        server takes well under a millisecond, but it is not nothing)."""
        server = SluiceServer().start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="landing")
            s3.put_bucket_notification_configuration(
                Bucket="landing",
                NotificationConfiguration={"QueueConfigurations": [
                    {"Id": "arrivals", "QueueArn": queue(server, "arrivals"),
                     "Events": ["s3:ObjectCreated:*"]}]})
            current, acked = server, []
            for i in range(100):
                client = s3_client(current)

                def kill_on_success(response_dict, victim=current, **_):
                    if response_dict["status_code"] == 200:
                        kill(victim)

                client.meta.events.register("before-parse.s3.PutObject", kill_on_success)
                key = f"in/{i:03}.json"
                client.put_object(Bucket="landing", Key=key, Body=b"{}")
                self.assertIsNotNone(current.proc.poll(), "not killed")
                acked.append(key)
                current = restart(server.data_dir)

            counts = drain(current, "arrivals", lambda c: set(acked) <= {k for (_, k) in c})
            received = {k for (_, k) in counts}
            missing = set(acked) - received
            self.assertEqual(missing, set(), f"{len(missing)} of {len(acked)} events lost")
            self.assertEqual(received, set(acked))
            self.assertEqual({n for (n, _) in counts}, {"ObjectCreated:Put"})
            # Delivered events are finished: nothing is left to redeliver.
            current.idle()
            current.stop()
            with sqlite3.connect(f"{server.data_dir}/sluice.db") as db:
                self.assertEqual(db.execute("SELECT COUNT(*) FROM s3_pending").fetchone()[0], 0)
        finally:
            current.stop()
            server.cleanup()

    def test_lifecycle_pass_cut_by_sigkill_neither_loses_nor_invents_events(self):
        server = SluiceServer("--clock", "virtual").start()
        keys = [f"logs/{i:05}.txt" for i in range(3000)]
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="logs")
            s3.put_bucket_lifecycle_configuration(
                Bucket="logs", LifecycleConfiguration={"Rules": [
                    {"ID": "ttl", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                     "Expiration": {"Days": 1}}]})
            s3.put_bucket_notification_configuration(
                Bucket="logs",
                NotificationConfiguration={"QueueConfigurations": [
                    {"Id": "expired", "QueueArn": queue(server, "expired"),
                     "Events": ["s3:LifecycleExpiration:*"]}]})

            def put(part):
                client = s3_client(server)
                for k in keys[part::8]:
                    client.put_object(Bucket="logs", Key=k, Body=b"x")

            writers = [threading.Thread(target=put, args=(p,)) for p in range(8)]
            for t in writers:
                t.start()
            for t in writers:
                t.join()

            # Two days on: the pass expires every object, 500 a transaction.
            # Kill the server while it runs (the advance answers only once the
            # pass is over, so it is left waiting).
            advance = threading.Thread(
                target=lambda: self._quietly(server.admin, "/_sluice/clock/advance",
                                             {"seconds": 2 * 86400}), daemon=True)
            advance.start()
            self._wait_for_first_expiry(s3, keys[0])
            kill(server)
            advance.join(10)

            again = restart(server.data_dir, "--clock", "virtual")
            try:
                s3 = s3_client(again)
                left = set(self._keys(s3))
                gone = set(keys) - left
                self.assertTrue(gone, "the pass had not begun")
                self.assertTrue(left, "the pass was over before the kill: nothing was cut")
                counts = drain(again, "expired",
                               lambda c: gone <= {k for (_, k) in c})
                self.assertEqual({k for (_, k) in counts}, gone)
                self.assertEqual({n for (n, _) in counts}, {"LifecycleExpiration:Delete"})

                # The next pass expires the rest, each with its event.
                again.admin("/_sluice/clock/advance", {"seconds": 2 * 86400})
                self.assertEqual(self._keys(s3), [])
                rest = drain(again, "expired", lambda c: left <= {k for (_, k) in c})
                self.assertEqual({k for (_, k) in rest}, left)
            finally:
                again.stop()
        finally:
            server.cleanup()

    @staticmethod
    def _quietly(fn, *args):
        try:
            fn(*args)
        except Exception:
            pass  # the server was killed under it

    @staticmethod
    def _keys(s3):
        out = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="logs"):
            out += [o["Key"] for o in page.get("Contents", [])]
        return out

    @staticmethod
    def _wait_for_first_expiry(s3, key, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                s3.head_object(Bucket="logs", Key=key)
            except s3.exceptions.ClientError:
                return
        raise AssertionError("the lifecycle pass never started")


if __name__ == "__main__":
    unittest.main()
