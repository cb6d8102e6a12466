"""S3 lifecycle configurations with boto3 against a virtual-clock server.

Rules run at midnight UTC; an object becomes eligible at creation + Days
rounded up to the next midnight UTC (AWS's documented rule), so the tests
compute that instant from the object's LastModified and advance the clock to
just before and just after it.
"""
import datetime
import unittest

from botocore.exceptions import ClientError

from s3_helpers import VirtualClockS3TestCase

DAY = 86400


def eligible_at(last_modified, days):
    """Creation + days, rounded up to the next midnight UTC."""
    t = last_modified + datetime.timedelta(days=days)
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == t else midnight + datetime.timedelta(days=1)


class LifecycleTest(VirtualClockS3TestCase):

    def put_rules(self, bucket, *rules):
        self.s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)})

    def keys(self, bucket):
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]

    # --- configuration API

    def test_put_get_delete_round_trip(self):
        b = self.make_bucket()
        self.assertError("NoSuchLifecycleConfiguration",
                         self.s3.get_bucket_lifecycle_configuration, Bucket=b)
        rule = {"ID": "logs", "Status": "Enabled",
                "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "t", "Value": "v"}],
                                   "ObjectSizeGreaterThan": 10}},
                "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                                {"Days": 90, "StorageClass": "GLACIER"}],
                "Expiration": {"Days": 365},
                "NoncurrentVersionExpiration": {"NoncurrentDays": 7, "NewerNoncurrentVersions": 2}}
        self.put_rules(b, rule, {"ID": "mpu", "Status": "Disabled", "Filter": {"Prefix": ""},
                                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]
        self.assertEqual(len(got), 2)
        self.assertEqual(got[0]["ID"], "logs")
        self.assertEqual(got[0]["Filter"], rule["Filter"])
        self.assertEqual(got[0]["Transitions"], rule["Transitions"])
        self.assertEqual(got[0]["Expiration"], {"Days": 365})
        self.assertEqual(got[0]["NoncurrentVersionExpiration"], rule["NoncurrentVersionExpiration"])
        self.assertEqual(got[1]["Status"], "Disabled")
        self.s3.delete_bucket_lifecycle(Bucket=b)
        self.assertError("NoSuchLifecycleConfiguration",
                         self.s3.get_bucket_lifecycle_configuration, Bucket=b)

    def test_rule_without_id_gets_one(self):
        b = self.make_bucket()
        self.put_rules(b, {"Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
        rule = self.s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"][0]
        self.assertTrue(rule["ID"])

    def test_date_expiration_round_trips(self):
        b = self.make_bucket()
        when = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
        self.put_rules(b, {"ID": "d", "Status": "Enabled", "Prefix": "",
                           "Expiration": {"Date": when}})
        rule = self.s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"][0]
        self.assertEqual(rule["Expiration"]["Date"], when)
        self.assertEqual(rule["Prefix"], "")

    def test_invalid_configurations(self):
        b = self.make_bucket()
        cases = [
            ("MalformedXML", {"ID": "x", "Status": "On", "Filter": {}, "Expiration": {"Days": 1}}),
            ("MalformedXML", {"ID": "x", "Status": "Enabled", "Expiration": {"Days": 1}}),
            ("MalformedXML", {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": "a"},
                              "Prefix": "a", "Expiration": {"Days": 1}}),
            ("MalformedXML", {"ID": "x", "Status": "Enabled",
                              "Filter": {"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}},
                              "Expiration": {"Days": 1}}),
            ("InvalidArgument", {"ID": "x", "Status": "Enabled", "Filter": {},
                                 "Expiration": {"Days": 0}}),
            ("InvalidArgument", {"ID": "x", "Status": "Enabled", "Filter": {},
                                 "Expiration": {"Date": datetime.datetime(
                                     2030, 1, 1, 12, tzinfo=datetime.timezone.utc)}}),
            ("InvalidRequest", {"ID": "x", "Status": "Enabled", "Filter": {},
                                "Transitions": [{"Days": 29, "StorageClass": "STANDARD_IA"}]}),
            ("InvalidRequest", {"ID": "x", "Status": "Enabled", "Filter": {},
                                "NoncurrentVersionTransitions": [
                                    {"NoncurrentDays": 10, "StorageClass": "ONEZONE_IA"}]}),
            ("InvalidRequest", {"ID": "x", "Status": "Enabled", "Filter": {}}),
            ("InvalidArgument", {"ID": "x", "Status": "Enabled", "Filter": {},
                                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 0}}),
            ("InvalidArgument", {"ID": "x" * 256, "Status": "Enabled", "Filter": {},
                                 "Expiration": {"Days": 1}}),
        ]
        self.put_rules(b, {"ID": "keep", "Status": "Enabled", "Filter": {},
                           "Expiration": {"Days": 5}})
        for code, rule in cases:
            with self.subTest(rule=rule):
                self.assertError(code, self.put_rules, b, rule)
        # Nothing changed.
        rules = self.s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]
        self.assertEqual([r["ID"] for r in rules], ["keep"])
        resp = self.assertError("InvalidRequest", self.put_rules, b,
                                {"ID": "x", "Status": "Enabled", "Filter": {},
                                 "Transitions": [{"Days": 29, "StorageClass": "STANDARD_IA"}]})
        self.assertEqual(resp["Error"]["Message"],
                         "'Days' in Transition action must be greater than or equal to 30 for "
                         "storageClass 'STANDARD_IA'")
        resp = self.assertError("InvalidArgument", self.put_rules, b,
                                {"ID": "a", "Status": "Enabled", "Filter": {},
                                 "Expiration": {"Days": 1}},
                                {"ID": "a", "Status": "Enabled", "Filter": {},
                                 "Expiration": {"Days": 2}})
        self.assertIn("Rule ID must be unique", resp["Error"]["Message"])
        self.assertError("NoSuchBucket", self.s3.put_bucket_lifecycle_configuration,
                         Bucket="no-such-bucket-lc",
                         LifecycleConfiguration={"Rules": [{"ID": "x", "Status": "Enabled",
                                                            "Filter": {},
                                                            "Expiration": {"Days": 1}}]})

    # --- execution on the virtual clock

    def test_expiration_after_days(self):
        b = self.make_bucket()
        self.put_rules(b, {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                           "Expiration": {"Days": 2}})
        self.s3.put_object(Bucket=b, Key="tmp/a", Body=b"x")
        self.s3.put_object(Bucket=b, Key="keep/a", Body=b"x")
        head = self.s3.head_object(Bucket=b, Key="tmp/a")
        due = eligible_at(head["LastModified"], 2)
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-expiration"],
                         'expiry-date="%s", rule-id="tmp"'
                         % due.strftime("%a, %d %b %Y %H:%M:%S GMT"))
        self.assertNotIn("x-amz-expiration",
                         self.s3.head_object(Bucket=b, Key="keep/a")["ResponseMetadata"]["HTTPHeaders"])
        self.advance_to(due - datetime.timedelta(seconds=1))
        self.assertEqual(sorted(self.keys(b)), ["keep/a", "tmp/a"])
        self.advance_to(due + datetime.timedelta(seconds=1))
        self.assertEqual(self.keys(b), ["keep/a"])

    def test_expiration_on_versioned_bucket_adds_delete_marker(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.put_rules(b, {"ID": "e", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
        self.advance_to(eligible_at(self.s3.head_object(Bucket=b, Key="k")["LastModified"], 1)
                        + datetime.timedelta(minutes=1))
        versions = self.s3.list_object_versions(Bucket=b)
        self.assertEqual([v["VersionId"] for v in versions["Versions"]], [v1])
        self.assertEqual(len(versions["DeleteMarkers"]), 1)
        self.assertTrue(versions["DeleteMarkers"][0]["IsLatest"])

    def test_transition_changes_storage_class_then_glacier_refuses_get(self):
        b = self.make_bucket()
        self.put_rules(b, {"ID": "t", "Status": "Enabled", "Filter": {},
                           "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                                           {"Days": 60, "StorageClass": "GLACIER"}]})
        self.s3.put_object(Bucket=b, Key="k", Body=b"data")
        created = self.s3.head_object(Bucket=b, Key="k")["LastModified"]
        self.advance_to(eligible_at(created, 30) + datetime.timedelta(minutes=1))
        self.assertEqual(self.s3.head_object(Bucket=b, Key="k")["StorageClass"], "STANDARD_IA")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"data")
        self.advance_to(eligible_at(created, 60) + datetime.timedelta(minutes=1))
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["Contents"][0]["StorageClass"],
                         "GLACIER")
        self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="k")

    def test_tag_and_size_filters(self):
        b = self.make_bucket()
        self.put_rules(b, {"ID": "t", "Status": "Enabled",
                           "Filter": {"And": {"Tags": [{"Key": "temp", "Value": "yes"}],
                                              "ObjectSizeGreaterThan": 3}},
                           "Expiration": {"Days": 1}})
        self.s3.put_object(Bucket=b, Key="tagged-big", Body=b"12345", Tagging="temp=yes")
        self.s3.put_object(Bucket=b, Key="tagged-small", Body=b"12", Tagging="temp=yes")
        self.s3.put_object(Bucket=b, Key="untagged-big", Body=b"12345")
        self.advance_to(self.now() + datetime.timedelta(days=3))
        self.assertEqual(sorted(self.keys(b)), ["tagged-small", "untagged-big"])

    def test_disabled_rule_does_nothing(self):
        b = self.make_bucket()
        self.put_rules(b, {"ID": "off", "Status": "Disabled", "Filter": {},
                           "Expiration": {"Days": 1}})
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        self.advance_to(self.now() + datetime.timedelta(days=3))
        self.assertEqual(self.keys(b), ["k"])

    def test_noncurrent_expiration_keeps_newer_versions(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.put_rules(b, {"ID": "nc", "Status": "Enabled", "Filter": {},
                           "NoncurrentVersionExpiration": {"NoncurrentDays": 1,
                                                           "NewerNoncurrentVersions": 1}})
        ids = [self.s3.put_object(Bucket=b, Key="k", Body=str(i).encode())["VersionId"]
               for i in range(3)]
        self.advance_to(self.now() + datetime.timedelta(days=3))
        left = [v["VersionId"] for v in self.s3.list_object_versions(Bucket=b)["Versions"]]
        # Current (ids[2]) and the one newest noncurrent (ids[1]) stay.
        self.assertEqual(left, [ids[2], ids[1]])

    def test_expired_object_delete_marker_removed(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.put_rules(b, {"ID": "m", "Status": "Enabled", "Filter": {},
                           "Expiration": {"ExpiredObjectDeleteMarker": True},
                           "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        self.s3.delete_object(Bucket=b, Key="k")
        # Day 1-2: the noncurrent version goes; the next pass removes the lone marker.
        self.advance_to(self.now() + datetime.timedelta(days=4))
        versions = self.s3.list_object_versions(Bucket=b)
        self.assertNotIn("Versions", versions)
        self.assertNotIn("DeleteMarkers", versions)

    def test_abort_incomplete_multipart_upload(self):
        b = self.make_bucket()
        self.put_rules(b, {"ID": "mpu", "Status": "Enabled", "Filter": {"Prefix": "up/"},
                           "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}})
        up = self.s3.create_multipart_upload(Bucket=b, Key="up/big")["UploadId"]
        other = self.s3.create_multipart_upload(Bucket=b, Key="other")["UploadId"]
        self.s3.upload_part(Bucket=b, Key="up/big", UploadId=up, PartNumber=1, Body=b"p")
        initiated = self.s3.list_multipart_uploads(Bucket=b)["Uploads"][0]["Initiated"]
        self.advance_to(eligible_at(initiated, 2) - datetime.timedelta(minutes=1))
        self.assertEqual(len(self.s3.list_multipart_uploads(Bucket=b)["Uploads"]), 2)
        self.advance_to(eligible_at(initiated, 2) + datetime.timedelta(minutes=1))
        uploads = self.s3.list_multipart_uploads(Bucket=b).get("Uploads", [])
        self.assertEqual([u["UploadId"] for u in uploads], [other])
        self.assertError("NoSuchUpload", self.s3.list_parts, Bucket=b, Key="up/big", UploadId=up)


if __name__ == "__main__":
    unittest.main()
