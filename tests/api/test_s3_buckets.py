"""S3 buckets through boto3: create (location constraints), head, list, delete."""
import unittest
import urllib.error
import urllib.request

from s3_helpers import S3TestCase, s3_client


class BucketTests(S3TestCase):
    def test_create_head_list_delete(self):
        name = self.make_bucket()
        self.s3.head_bucket(Bucket=name)
        self.s3.get_waiter("bucket_exists").wait(Bucket=name)
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn(name, names)
        self.assertIsNone(self.s3.get_bucket_location(Bucket=name)["LocationConstraint"])
        self.s3.delete_bucket(Bucket=name)
        self.assertError("404", self.s3.head_bucket, Bucket=name)
        self.s3.get_waiter("bucket_not_exists").wait(Bucket=name)

    def test_already_owned(self):
        name = self.make_bucket()
        self.assertError("BucketAlreadyOwnedByYou", self.s3.create_bucket, Bucket=name)

    def test_us_east_1_refuses_a_location_constraint(self):
        r = self.assertError("InvalidLocationConstraint", self.s3.create_bucket, Bucket="lc-east",
                             CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertError("IllegalLocationConstraintException", self.s3.create_bucket,
                         Bucket="lc-east2",
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertNotIn("lc-east", names)
        self.assertNotIn("lc-east2", names)

    def test_other_regions_need_a_matching_constraint(self):
        west = s3_client(self.server, region="eu-west-1")
        self.assertError("IllegalLocationConstraintException", west.create_bucket,
                         Bucket="west-none")
        self.assertError("IllegalLocationConstraintException", west.create_bucket,
                         Bucket="west-bad",
                         CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        west.create_bucket(Bucket="west-ok",
                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(west.get_bucket_location(Bucket="west-ok")["LocationConstraint"],
                         "eu-west-1")
        head = west.head_bucket(Bucket="west-ok")
        self.assertEqual(head["BucketRegion"], "eu-west-1")

    def test_invalid_bucket_names(self):
        for bad in ["ab", "Upper-case", "a..b", "192.168.1.1", "-start", "end-", "xn--punycode",
                    "a" * 64, "bucket-s3alias"]:
            with self.subTest(bad=bad):
                self.assertError("InvalidBucketName", self.s3.create_bucket, Bucket=bad)
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertNotIn("ab", names)

    def test_delete_non_empty_and_missing(self):
        name = self.make_bucket()
        self.s3.put_object(Bucket=name, Key="k", Body=b"x")
        r = self.assertError("BucketNotEmpty", self.s3.delete_bucket, Bucket=name)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.s3.head_bucket(Bucket=name)
        self.assertError("NoSuchBucket", self.s3.delete_bucket, Bucket="never-created-bucket")

    def test_no_such_bucket_error_xml(self):
        url = f"{self.server.endpoint}/missing-bucket-xyz/key"
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url)
        body = cm.exception.read().decode()
        self.assertEqual(cm.exception.code, 404)
        self.assertIn("<Code>NoSuchBucket</Code>", body)
        self.assertIn("<Message>The specified bucket does not exist</Message>", body)
        self.assertIn("<Resource>/missing-bucket-xyz/key</Resource>", body)
        self.assertIn("<RequestId>", body)

    def test_method_not_allowed(self):
        req = urllib.request.Request(f"{self.server.endpoint}/", method="DELETE")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req)
        self.assertEqual(cm.exception.code, 405)
        self.assertIn("<Code>MethodNotAllowed</Code>", cm.exception.read().decode())

    def test_virtual_host_style(self):
        name = self.make_bucket()
        self.s3.put_object(Bucket=name, Key="dir/file.txt", Body=b"vh")
        port = self.server.endpoint.rsplit(":", 1)[1]
        req = urllib.request.Request(f"http://127.0.0.1:{port}/dir/file.txt",
                                     headers={"Host": f"{name}.s3.localhost:{port}"})
        with urllib.request.urlopen(req) as r:
            self.assertEqual(r.read(), b"vh")
        req = urllib.request.Request(f"http://127.0.0.1:{port}/dir/file.txt",
                                     headers={"Host": f"{name}.localhost"})
        with urllib.request.urlopen(req) as r:
            self.assertEqual(r.read(), b"vh")

    def test_bucket_tagging(self):
        name = self.make_bucket()
        self.assertError("NoSuchTagSet", self.s3.get_bucket_tagging, Bucket=name)
        self.s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=name)["TagSet"],
                         [{"Key": "team", "Value": "data"}])
        self.s3.delete_bucket_tagging(Bucket=name)
        self.assertError("NoSuchTagSet", self.s3.get_bucket_tagging, Bucket=name)


if __name__ == "__main__":
    unittest.main()
