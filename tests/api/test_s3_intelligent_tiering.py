"""S3 Intelligent-Tiering archive access tiers with boto3 against a
virtual-clock server.

What the tests expect comes from the S3 API reference and user guide:
configurations allow ARCHIVE_ACCESS after 90-730 days and DEEP_ARCHIVE_ACCESS
after 180-730 days without access, up to 1,000 per bucket; GetObject and
CopyObject count as access, HEAD/LIST/tagging do not; objects under 128 KB
are never archived; an archived object's GET fails with InvalidObjectState
carrying StorageClass and AccessTier; HeadObject reports x-amz-archive-status;
RestoreObject takes no Days and moves the object back to the frequent access
tier after the retrieval tier's time (Standard: 3-5 hours from Archive
Access, 12 hours from Deep Archive Access; Bulk 5-12 / 48 hours; Expedited
1-5 minutes, Archive Access only). Days count like lifecycle days: from the
last access, rounded up to the next midnight UTC.
"""
import datetime
import json
import signal
import unittest

from s3_helpers import VirtualClockS3TestCase, s3_client
from sluice_server import SluiceServer

MIN = 60
HOUR = 3600
DAY = 86400
BIG = b"t" * (128 * 1024)  # the smallest size S3 monitors


def eligible_at(t, days):
    """t + days, rounded up to the next midnight UTC."""
    t = t + datetime.timedelta(days=days)
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == t else midnight + datetime.timedelta(days=1)


def config(id="cfg", status="Enabled", tierings=(("ARCHIVE_ACCESS", 90),), filter=None):
    c = {"Id": id, "Status": status,
         "Tierings": [{"AccessTier": t, "Days": d} for t, d in tierings]}
    if filter is not None:
        c["Filter"] = filter
    return c


class TieringCase(VirtualClockS3TestCase):

    def put_config(self, bucket, c):
        return self.s3.put_bucket_intelligent_tiering_configuration(
            Bucket=bucket, Id=c["Id"], IntelligentTieringConfiguration=c)

    def get_config(self, bucket, id):
        return self.s3.get_bucket_intelligent_tiering_configuration(
            Bucket=bucket, Id=id)["IntelligentTieringConfiguration"]

    def put_it(self, bucket, key, body=BIG, **kwargs):
        self.s3.put_object(Bucket=bucket, Key=key, Body=body, StorageClass="INTELLIGENT_TIERING",
                           **kwargs)
        return self.s3.head_object(Bucket=bucket, Key=key)["LastModified"]

    def archive_status(self, bucket, key):
        return self.s3.head_object(Bucket=bucket, Key=key).get("ArchiveStatus")

    def restore_header(self, bucket, key):
        return self.s3.head_object(Bucket=bucket, Key=key).get("Restore")


class ConfigurationTest(TieringCase):
    def test_round_trip(self):
        b = self.make_bucket()
        self.assertError("NoSuchConfiguration", self.s3.get_bucket_intelligent_tiering_configuration,
                         Bucket=b, Id="c1")
        self.assertNotIn("IntelligentTieringConfigurationList",
                         self.s3.list_bucket_intelligent_tiering_configurations(Bucket=b))
        c1 = config("c1", filter={"And": {"Prefix": "logs/",
                                          "Tags": [{"Key": "a", "Value": "1"},
                                                   {"Key": "b", "Value": "2"}]}},
                    tierings=(("ARCHIVE_ACCESS", 90), ("DEEP_ARCHIVE_ACCESS", 180)))
        c2 = config("c2", status="Disabled", filter={"Tag": {"Key": "t", "Value": "v"}},
                    tierings=(("DEEP_ARCHIVE_ACCESS", 730),))
        c3 = config("c3", filter={"Prefix": "p/"}, tierings=(("ARCHIVE_ACCESS", 730),))
        for c in (c2, c3, c1):
            resp = self.put_config(b, c)
            self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.get_config(b, "c1"), c1)
        self.assertEqual(self.get_config(b, "c2"), c2)
        listing = self.s3.list_bucket_intelligent_tiering_configurations(Bucket=b)
        self.assertFalse(listing["IsTruncated"])
        self.assertEqual(listing["IntelligentTieringConfigurationList"], [c1, c2, c3])
        # Same Id: replaced.
        c1b = config("c1", tierings=(("DEEP_ARCHIVE_ACCESS", 365),))
        self.put_config(b, c1b)
        self.assertEqual(self.get_config(b, "c1"), c1b)
        resp = self.s3.delete_bucket_intelligent_tiering_configuration(Bucket=b, Id="c1")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        resp = self.assertError("NoSuchConfiguration",
                                self.s3.get_bucket_intelligent_tiering_configuration,
                                Bucket=b, Id="c1")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertError("NoSuchConfiguration",
                         self.s3.delete_bucket_intelligent_tiering_configuration, Bucket=b, Id="c1")
        ids = [c["Id"] for c in self.s3.list_bucket_intelligent_tiering_configurations(
            Bucket=b)["IntelligentTieringConfigurationList"]]
        self.assertEqual(ids, ["c2", "c3"])

    def test_missing_bucket(self):
        for fn, kwargs in [
                (self.put_config, {"bucket": "no-such-bucket-it", "c": config()}),
                (self.s3.get_bucket_intelligent_tiering_configuration,
                 {"Bucket": "no-such-bucket-it", "Id": "cfg"}),
                (self.s3.delete_bucket_intelligent_tiering_configuration,
                 {"Bucket": "no-such-bucket-it", "Id": "cfg"}),
                (self.s3.list_bucket_intelligent_tiering_configurations,
                 {"Bucket": "no-such-bucket-it"})]:
            with self.subTest(fn=fn.__name__):
                self.assertError("NoSuchBucket", fn, **kwargs)

    def test_invalid_configurations_change_nothing(self):
        b = self.make_bucket()
        kept = config("cfg", tierings=(("ARCHIVE_ACCESS", 120),))
        self.put_config(b, kept)
        cases = [
            ("InvalidArgument", config(tierings=(("ARCHIVE_ACCESS", 89),))),
            ("InvalidArgument", config(tierings=(("ARCHIVE_ACCESS", 731),))),
            ("InvalidArgument", config(tierings=(("DEEP_ARCHIVE_ACCESS", 179),))),
            ("InvalidArgument", config(tierings=(("DEEP_ARCHIVE_ACCESS", 731),))),
            ("InvalidArgument", config(tierings=(("ARCHIVE_ACCESS", 90), ("ARCHIVE_ACCESS", 100)))),
            ("MalformedXML", config(tierings=(("FREQUENT_ACCESS", 90),))),
            ("MalformedXML", config(tierings=())),
            ("MalformedXML", config(status="On")),
            ("MalformedXML", config(filter={"Prefix": "a/", "Tag": {"Key": "k", "Value": "v"}})),
        ]
        for code, c in cases:
            with self.subTest(config=c):
                resp = self.assertError(code, self.put_config, b, c)
                self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
                self.assertEqual(self.get_config(b, "cfg"), kept)
        # The Id in the query and in the body must agree; Ids are 1-64 of [A-Za-z0-9-_.].
        self.assertError("InvalidArgument", self.s3.put_bucket_intelligent_tiering_configuration,
                         Bucket=b, Id="other", IntelligentTieringConfiguration=config("cfg"))
        self.assertError("InvalidArgument", self.put_config, b, config("bad id!"))
        self.assertError("InvalidArgument", self.put_config, b, config("x" * 65))
        self.assertEqual(self.get_config(b, "cfg"), kept)
        ids = [c["Id"] for c in self.s3.list_bucket_intelligent_tiering_configurations(
            Bucket=b)["IntelligentTieringConfigurationList"]]
        self.assertEqual(ids, ["cfg"])

    def test_thousand_configurations_paginated(self):
        b = self.make_bucket()
        ids = ["c%04d" % i for i in range(1000)]
        for i in ids:
            self.put_config(b, config(i))
        resp = self.assertError("TooManyConfigurations", self.put_config, b, config("c1000"))
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertError("NoSuchConfiguration", self.get_config, b, "c1000")
        # Replacing one of the 1,000 is no new configuration.
        self.put_config(b, config("c0999", tierings=(("DEEP_ARCHIVE_ACCESS", 200),)))
        seen, token, pages = [], None, 0
        while True:
            kwargs = {"ContinuationToken": token} if token else {}
            page = self.s3.list_bucket_intelligent_tiering_configurations(Bucket=b, **kwargs)
            pages += 1
            seen += [c["Id"] for c in page["IntelligentTieringConfigurationList"]]
            if token:
                self.assertEqual(page["ContinuationToken"], token)
            if not page["IsTruncated"]:
                self.assertNotIn("NextContinuationToken", page)
                break
            token = page["NextContinuationToken"]
        self.assertEqual(seen, ids)
        self.assertGreater(pages, 1)
        self.assertError("InvalidArgument", self.s3.list_bucket_intelligent_tiering_configurations,
                         Bucket=b, ContinuationToken="%%%")
        # Room again after a delete.
        self.s3.delete_bucket_intelligent_tiering_configuration(Bucket=b, Id="c0000")
        self.put_config(b, config("c1000"))


class ArchivingTest(TieringCase):
    def test_archived_after_days_without_access(self):
        b = self.make_bucket()
        self.put_config(b, config(filter={"Prefix": "data/"}))
        created = self.put_it(b, "data/idle")
        self.put_it(b, "data/read")
        self.put_it(b, "data/headed")
        self.put_it(b, "data/small", body=BIG[:-1])
        self.put_it(b, "other/idle")
        self.s3.put_object(Bucket=b, Key="data/standard", Body=BIG)
        # Day 60: a GET counts as access; HEAD, listing and tagging do not.
        self.advance_to(created + datetime.timedelta(days=60, hours=12))
        self.s3.get_object(Bucket=b, Key="data/read")["Body"].read()
        self.s3.head_object(Bucket=b, Key="data/headed")
        self.s3.get_object_tagging(Bucket=b, Key="data/headed")
        self.s3.list_objects_v2(Bucket=b)
        due = eligible_at(created, 90)
        self.advance_to(due - datetime.timedelta(seconds=1))
        for key in ("data/idle", "data/headed"):
            self.assertIsNone(self.archive_status(b, key))
        self.advance_to(due + datetime.timedelta(seconds=1))
        self.assertEqual(self.archive_status(b, "data/idle"), "ARCHIVE_ACCESS")
        self.assertEqual(self.archive_status(b, "data/headed"), "ARCHIVE_ACCESS")
        for key in ("data/read", "data/small", "other/idle", "data/standard"):
            with self.subTest(key=key):
                self.assertIsNone(self.archive_status(b, key))
                self.assertEqual(len(self.s3.get_object(Bucket=b, Key=key)["Body"].read()),
                                 self.s3.head_object(Bucket=b, Key=key)["ContentLength"])
        listing = {o["Key"]: o["StorageClass"]
                   for o in self.s3.list_objects_v2(Bucket=b)["Contents"]}
        self.assertEqual(listing["data/idle"], "INTELLIGENT_TIERING")
        head = self.s3.head_object(Bucket=b, Key="data/idle")
        self.assertEqual(head["StorageClass"], "INTELLIGENT_TIERING")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-archive-status"],
                         "ARCHIVE_ACCESS")

    def test_access_postpones_archiving(self):
        b = self.make_bucket()
        self.put_config(b, config())
        created = self.put_it(b, "read")
        self.put_it(b, "idle")
        # Off midnight: the clock's sub-millisecond part must not decide the day.
        self.advance_to(created + datetime.timedelta(days=80, hours=12))
        read_at = self.now()
        self.s3.get_object(Bucket=b, Key="read")["Body"].read()
        self.advance_to(eligible_at(created, 90) + datetime.timedelta(seconds=1))
        self.assertEqual(self.archive_status(b, "idle"), "ARCHIVE_ACCESS")
        self.assertIsNone(self.archive_status(b, "read"))
        self.advance_to(eligible_at(read_at, 90) - datetime.timedelta(seconds=1))
        self.assertIsNone(self.archive_status(b, "read"))
        self.advance(2)
        self.assertEqual(self.archive_status(b, "read"), "ARCHIVE_ACCESS")

    def test_copy_source_counts_as_access(self):
        b = self.make_bucket()
        self.put_config(b, config())
        created = self.put_it(b, "src")
        self.advance_to(created + datetime.timedelta(days=50, hours=12))
        copied_at = self.now()
        self.s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src"})
        self.advance_to(eligible_at(created, 90) + datetime.timedelta(seconds=1))
        self.assertIsNone(self.archive_status(b, "src"))
        self.advance_to(eligible_at(copied_at, 90) + datetime.timedelta(seconds=1))
        self.assertEqual(self.archive_status(b, "src"), "ARCHIVE_ACCESS")

    def test_deep_archive_after_archive(self):
        b = self.make_bucket()
        self.put_config(b, config(tierings=(("ARCHIVE_ACCESS", 90), ("DEEP_ARCHIVE_ACCESS", 180))))
        created = self.put_it(b, "k")
        self.advance_to(eligible_at(created, 90) + datetime.timedelta(seconds=1))
        self.assertEqual(self.archive_status(b, "k"), "ARCHIVE_ACCESS")
        self.advance_to(eligible_at(created, 180) - datetime.timedelta(seconds=1))
        self.assertEqual(self.archive_status(b, "k"), "ARCHIVE_ACCESS")
        self.advance(2)
        self.assertEqual(self.archive_status(b, "k"), "DEEP_ARCHIVE_ACCESS")
        resp = self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k")
        self.assertEqual(resp["Error"]["AccessTier"], "DEEP_ARCHIVE_ACCESS")

    def test_tag_filter_and_disabled_configuration(self):
        b = self.make_bucket()
        self.put_config(b, config("tagged", filter={"And": {"Prefix": "p/", "Tags": [
            {"Key": "tier", "Value": "cold"}]}}))
        self.put_config(b, config("off", status="Disabled"))
        created = self.put_it(b, "p/tagged", Tagging="tier=cold")
        self.put_it(b, "p/other-tag", Tagging="tier=hot")
        self.put_it(b, "p/untagged")
        self.put_it(b, "q/tagged", Tagging="tier=cold")
        self.advance_to(eligible_at(created, 91))
        self.assertEqual(self.archive_status(b, "p/tagged"), "ARCHIVE_ACCESS")
        for key in ("p/other-tag", "p/untagged", "q/tagged"):
            with self.subTest(key=key):
                self.assertIsNone(self.archive_status(b, key))

    def test_noncurrent_versions_are_archived_too(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.put_config(b, config())
        created = self.put_it(b, "k")
        old = self.s3.head_object(Bucket=b, Key="k")["VersionId"]
        self.put_it(b, "k", body=BIG + b"2")
        self.advance_to(eligible_at(created, 91))
        self.assertEqual(self.s3.head_object(Bucket=b, Key="k", VersionId=old)["ArchiveStatus"],
                         "ARCHIVE_ACCESS")
        self.assertEqual(self.archive_status(b, "k"), "ARCHIVE_ACCESS")

    def test_archived_object_cannot_be_read_or_copied(self):
        b = self.make_bucket()
        self.put_config(b, config())
        created = self.put_it(b, "k")
        self.advance_to(eligible_at(created, 91))
        resp = self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(resp["Error"]["StorageClass"], "INTELLIGENT_TIERING")
        self.assertEqual(resp["Error"]["AccessTier"], "ARCHIVE_ACCESS")
        source = {"Bucket": b, "Key": "k"}
        resp = self.assertError("InvalidObjectState", self.s3.copy_object, Bucket=b, Key="copy",
                                CopySource=source)
        self.assertEqual(resp["Error"]["AccessTier"], "ARCHIVE_ACCESS")
        upload = self.s3.create_multipart_upload(Bucket=b, Key="parts")["UploadId"]
        self.assertError("InvalidObjectState", self.s3.upload_part_copy, Bucket=b, Key="parts",
                         UploadId=upload, PartNumber=1, CopySource=source)
        self.assertError("404", self.s3.head_object, Bucket=b, Key="copy")
        self.assertEqual(self.s3.list_parts(Bucket=b, Key="parts", UploadId=upload).get("Parts", []),
                         [])


class RestoreTest(TieringCase):
    def archived(self, n=1, tierings=(("ARCHIVE_ACCESS", 90),), days=91):
        b = self.make_bucket()
        self.put_config(b, config(tierings=tierings))
        created = None
        for i in range(n):
            created = self.put_it(b, "k%d" % i)
        self.advance_to(eligible_at(created, days))
        return b

    def restore(self, b, key="k0", tier=None):
        request = {"GlacierJobParameters": {"Tier": tier}} if tier else {}
        return self.s3.restore_object(Bucket=b, Key=key, RestoreRequest=request)

    def test_restore_moves_back_to_frequent_access(self):
        b = self.archived()
        resp = self.assertError("InvalidArgument", self.s3.restore_object, Bucket=b, Key="k0",
                                RestoreRequest={"Days": 2})
        self.assertEqual(resp["Error"]["Message"],
                         "INTELLIGENT_TIERING objects are not subject to restore expiry. Do not "
                         "specify Days when restoring this object")
        self.assertIsNone(self.restore_header(b, "k0"))
        resp = self.restore(b)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(self.restore_header(b, "k0"), 'ongoing-request="true"')
        self.assertError("RestoreAlreadyInProgress", self.restore, b)
        self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k0")
        self.advance(5 * HOUR - 60)
        self.assertEqual(self.archive_status(b, "k0"), "ARCHIVE_ACCESS")
        self.advance(61)
        restored_at = self.now()
        head = self.s3.head_object(Bucket=b, Key="k0")
        self.assertNotIn("ArchiveStatus", head)
        self.assertNotIn("Restore", head)
        self.assertEqual(head["StorageClass"], "INTELLIGENT_TIERING")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k0")["Body"].read(), BIG)
        # Not a temporary copy: still readable days later ...
        self.advance(10 * DAY)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k0")["Body"].read(), BIG)
        # ... and archived again after the configured days without access.
        last = self.now()
        self.assertGreater(last, restored_at)
        self.advance_to(eligible_at(last, 90) + datetime.timedelta(seconds=1))
        self.assertEqual(self.archive_status(b, "k0"), "ARCHIVE_ACCESS")

    def test_archiving_and_restoring_send_bucket_events(self):
        b = self.make_bucket()
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName=f"{b}-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"]
        self.s3.put_bucket_notification_configuration(Bucket=b, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": [
                "s3:IntelligentTiering", "s3:ObjectRestore:*"]}]})
        self.put_config(b, config())
        created = self.put_it(b, "k0")
        self.advance_to(eligible_at(created, 91))
        self.restore(b)
        self.advance(5 * HOUR)
        names = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            for m in got:
                body = json.loads(m["Body"])
                names += [r["eventName"] for r in body.get("Records", [])]
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(names, ["IntelligentTiering", "ObjectRestore:Post",
                                 "ObjectRestore:Completed"])

    def test_retrieval_tier_times(self):
        cases = [("ARCHIVE_ACCESS", "Expedited", 5 * MIN), ("ARCHIVE_ACCESS", "Standard", 5 * HOUR),
                 ("ARCHIVE_ACCESS", "Bulk", 12 * HOUR),
                 ("DEEP_ARCHIVE_ACCESS", "Standard", 12 * HOUR),
                 ("DEEP_ARCHIVE_ACCESS", "Bulk", 48 * HOUR)]
        for access_tier, tier, seconds in cases:
            with self.subTest(access_tier=access_tier, tier=tier):
                days = 91 if access_tier == "ARCHIVE_ACCESS" else 181
                b = self.archived(tierings=((access_tier, days - 1),), days=days)
                self.assertEqual(self.archive_status(b, "k0"), access_tier)
                self.restore(b, tier=tier)
                self.advance(seconds - 30)
                self.assertEqual(self.restore_header(b, "k0"), 'ongoing-request="true"')
                self.advance(31)
                self.assertIsNone(self.archive_status(b, "k0"))

    def test_bad_restores(self):
        b = self.archived(tierings=(("DEEP_ARCHIVE_ACCESS", 180),), days=181)
        self.assertEqual(self.archive_status(b, "k0"), "DEEP_ARCHIVE_ACCESS")
        self.assertError("InvalidArgument", self.restore, b, tier="Expedited")
        self.assertError("MalformedXML", self.restore, b, tier="Fast")
        self.assertIsNone(self.restore_header(b, "k0"))
        # Not archived: nothing to restore.
        self.put_it(b, "fresh")
        resp = self.assertError("InvalidObjectState", self.restore, b, key="fresh")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 403)


class DurabilityTest(unittest.TestCase):
    def test_archive_and_restore_in_progress_survive_kill_9(self):
        server = SluiceServer("--clock", "virtual").start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="tiering-durable")
            s3.put_bucket_intelligent_tiering_configuration(
                Bucket="tiering-durable", Id="cfg", IntelligentTieringConfiguration=config())
            s3.put_object(Bucket="tiering-durable", Key="k", Body=BIG,
                          StorageClass="INTELLIGENT_TIERING")
            server.admin("/_sluice/clock/advance", {"seconds": 92 * DAY})
            self.assertEqual(s3.head_object(Bucket="tiering-durable", Key="k")["ArchiveStatus"],
                             "ARCHIVE_ACCESS")
            s3.restore_object(Bucket="tiering-durable", Key="k",
                              RestoreRequest={"GlacierJobParameters": {"Tier": "Bulk"}})
            server.admin("/_sluice/clock/advance", {"seconds": HOUR})
            server.stop(signal.SIGKILL)
            server.start()
            s3 = s3_client(server)
            head = s3.head_object(Bucket="tiering-durable", Key="k")
            self.assertEqual(head["Restore"], 'ongoing-request="true"')
            self.assertEqual(head["ArchiveStatus"], "ARCHIVE_ACCESS")
            self.assertEqual(s3.get_bucket_intelligent_tiering_configuration(
                Bucket="tiering-durable", Id="cfg")["IntelligentTieringConfiguration"], config())
            server.admin("/_sluice/clock/advance", {"seconds": 11 * HOUR + 60})
            self.assertNotIn("ArchiveStatus", s3.head_object(Bucket="tiering-durable", Key="k"))
            self.assertEqual(s3.get_object(Bucket="tiering-durable", Key="k")["Body"].read(), BIG)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
