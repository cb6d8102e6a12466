"""RestoreObject with boto3 against a virtual-clock server: per-tier delays
(AWS's documented upper bounds by default), InvalidObjectState until the
restore completes, x-amz-restore as AWS reports it, the restored copy's
expiry, and durability across kill -9."""
import datetime
import signal
import unittest

from s3_helpers import VirtualClockS3TestCase, s3_client
from sluice_server import SluiceServer

MIN = 60
HOUR = 3600
DAY = 86400


def http_date(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S GMT")


def midnight_after(t):
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == t else midnight + datetime.timedelta(days=1)


class RestoreTest(VirtualClockS3TestCase):

    def archived(self, storage_class="GLACIER"):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="k", Body=b"cold", StorageClass=storage_class)
        return b

    def restore(self, b, days=1, tier="Standard"):
        return self.s3.restore_object(Bucket=b, Key="k", RestoreRequest={
            "Days": days, "GlacierJobParameters": {"Tier": tier}})

    def restore_header(self, b):
        return self.s3.head_object(Bucket=b, Key="k")["ResponseMetadata"]["HTTPHeaders"].get(
            "x-amz-restore")

    def test_glacier_refuses_get_until_restored(self):
        b = self.archived()
        resp = self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertIsNone(self.restore_header(b))
        self.assertEqual(self.restore(b, days=2, tier="Expedited")["ResponseMetadata"]["HTTPStatusCode"],
                         202)
        self.assertEqual(self.restore_header(b), 'ongoing-request="true"')
        self.assertError("RestoreAlreadyInProgress", self.restore, b)
        self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k")
        self.advance(5 * MIN - 2)
        self.assertEqual(self.restore_header(b), 'ongoing-request="true"')
        self.advance(3)
        done = self.now()
        expiry = midnight_after(done + datetime.timedelta(days=2))
        self.assertEqual(self.restore_header(b),
                         'ongoing-request="false", expiry-date="%s"' % http_date(expiry))
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"cold")
        self.assertEqual(self.s3.head_object(Bucket=b, Key="k")["StorageClass"], "GLACIER")
        # Asking again once restored extends it (200), counted from now.
        resp = self.restore(b, days=5)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        expiry = midnight_after(self.now() + datetime.timedelta(days=5))
        self.assertEqual(self.restore_header(b),
                         'ongoing-request="false", expiry-date="%s"' % http_date(expiry))
        # After the expiry the copy is gone: archived again.
        self.advance((expiry - self.now()).total_seconds() + 1)
        self.assertIsNone(self.restore_header(b))
        self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k")

    def test_copy_of_an_archived_object_waits_for_the_restore(self):
        b = self.archived("DEEP_ARCHIVE")
        source = {"Bucket": b, "Key": "k"}
        resp = self.assertError("InvalidObjectState", self.s3.copy_object, Bucket=b, Key="copy",
                                CopySource=source)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(resp["Error"]["StorageClass"], "DEEP_ARCHIVE")
        upload = self.s3.create_multipart_upload(Bucket=b, Key="parts")["UploadId"]
        self.assertError("InvalidObjectState", self.s3.upload_part_copy, Bucket=b, Key="parts",
                         UploadId=upload, PartNumber=1, CopySource=source)
        # Nothing was written.
        self.assertError("404", self.s3.head_object, Bucket=b, Key="copy")  # HEAD: no body
        self.assertEqual(self.s3.list_parts(Bucket=b, Key="parts", UploadId=upload).get("Parts", []),
                         [])
        self.restore(b, days=1, tier="Standard")
        self.advance(12 * 3600 + 1)
        self.s3.copy_object(Bucket=b, Key="copy", CopySource=source, StorageClass="STANDARD")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="copy")["Body"].read(), b"cold")

    def test_tier_delays(self):
        for storage_class, tier, hours in [("GLACIER", "Standard", 5), ("GLACIER", "Bulk", 12),
                                           ("DEEP_ARCHIVE", "Standard", 12),
                                           ("DEEP_ARCHIVE", "Bulk", 48)]:
            with self.subTest(storage_class=storage_class, tier=tier):
                b = self.archived(storage_class)
                self.restore(b, tier=tier)
                self.advance(hours * HOUR - 60)
                self.assertEqual(self.restore_header(b), 'ongoing-request="true"')
                self.advance(61)
                self.assertTrue(self.restore_header(b).startswith('ongoing-request="false"'))

    def test_default_tier_is_standard(self):
        b = self.archived()
        self.s3.restore_object(Bucket=b, Key="k", RestoreRequest={"Days": 1})
        self.advance(5 * HOUR - 60)
        self.assertEqual(self.restore_header(b), 'ongoing-request="true"')
        self.advance(61)
        self.assertTrue(self.restore_header(b).startswith('ongoing-request="false"'))

    def test_bad_requests(self):
        b = self.archived("DEEP_ARCHIVE")
        self.assertError("InvalidArgument", self.restore, b, tier="Expedited")
        self.assertIsNone(self.restore_header(b))
        self.assertError("MalformedXML", self.restore, b, tier="Fast")
        self.assertError("InvalidArgument", self.restore, b, days=0)
        self.assertIsNone(self.restore_header(b))
        for cls in ("STANDARD", "GLACIER_IR", "STANDARD_IA"):
            with self.subTest(storage_class=cls):
                ob = self.archived(cls)
                resp = self.assertError("InvalidObjectState", self.restore, ob)
                self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 403)
                # Readable without a restore.
                self.assertEqual(self.s3.get_object(Bucket=ob, Key="k")["Body"].read(), b"cold")
        self.assertError("NoSuchKey", self.s3.restore_object, Bucket=b, Key="missing",
                         RestoreRequest={"Days": 1})


class RestoreDelayOptionTest(unittest.TestCase):
    def test_configured_delay(self):
        server = SluiceServer("--clock", "virtual", "--s3-restore-delays",
                              "GLACIER.Standard=60").start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="delays")
            s3.put_object(Bucket="delays", Key="k", Body=b"x", StorageClass="GLACIER")
            s3.restore_object(Bucket="delays", Key="k", RestoreRequest={"Days": 1})
            server.admin("/_sluice/clock/advance", {"seconds": 59})
            self.assertEqual(s3.head_object(Bucket="delays", Key="k")["Restore"],
                             'ongoing-request="true"')
            server.admin("/_sluice/clock/advance", {"seconds": 2})
            self.assertEqual(s3.get_object(Bucket="delays", Key="k")["Body"].read(), b"x")
        finally:
            server.cleanup()

    def test_bad_option_refused(self):
        server = SluiceServer("--s3-restore-delays", "GLACIER.Instant=5")
        with self.assertRaises(RuntimeError):
            server.start()
        server.cleanup()


class RestoreDurabilityTest(unittest.TestCase):
    def test_restore_in_progress_survives_kill_9(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="durable")
            s3.put_object(Bucket="durable", Key="k", Body=b"x", StorageClass="GLACIER")
            s3.restore_object(Bucket="durable", Key="k",
                              RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}})
            server.admin("/_sluice/clock/advance", {"seconds": HOUR})
            server.stop(signal.SIGKILL)
            server.start()
            s3 = s3_client(server)
            self.assertEqual(s3.head_object(Bucket="durable", Key="k")["Restore"],
                             'ongoing-request="true"')
            server.admin("/_sluice/clock/advance", {"seconds": 11 * HOUR + 60})
            self.assertTrue(s3.head_object(Bucket="durable", Key="k")["Restore"].startswith(
                'ongoing-request="false", expiry-date="'))
            self.assertEqual(s3.get_object(Bucket="durable", Key="k")["Body"].read(), b"x")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
