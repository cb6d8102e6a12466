"""The extra elements S3 puts in its <Error> bodies, as boto3 reads them
(e.response["Error"][...]): the bucket, key, version, upload, storage class,
failed condition, range or digests the error is about."""
import base64
import hashlib
import unittest

from botocore.exceptions import ClientError

from s3_helpers import S3TestCase


class ErrorFieldsTest(S3TestCase):

    def error(self, code, fn, **kwargs):
        return self.assertError(code, fn, **kwargs)["Error"]

    def test_no_such_bucket_names_the_bucket(self):
        err = self.error("NoSuchBucket", self.s3.list_objects_v2, Bucket="no-such-bucket-x1")
        self.assertEqual(err["BucketName"], "no-such-bucket-x1")
        err = self.error("NoSuchBucket", self.s3.put_object, Bucket="no-such-bucket-x2", Key="k",
                         Body=b"x")
        self.assertEqual(err["BucketName"], "no-such-bucket-x2")

    def test_no_such_key_names_the_key(self):
        b = self.make_bucket()
        err = self.error("NoSuchKey", self.s3.get_object, Bucket=b, Key="dir/missing.txt")
        self.assertEqual(err["Key"], "dir/missing.txt")
        self.assertEqual(err["Message"], "The specified key does not exist.")

    def test_no_such_version_names_key_and_version(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        missing = "A" * 32
        err = self.error("NoSuchVersion", self.s3.get_object, Bucket=b, Key="k", VersionId=missing)
        self.assertEqual(err["Key"], "k")
        self.assertEqual(err["VersionId"], missing)

    def test_no_such_upload_names_the_upload(self):
        b = self.make_bucket()
        err = self.error("NoSuchUpload", self.s3.upload_part, Bucket=b, Key="k",
                         UploadId="not-an-upload", PartNumber=1, Body=b"x")
        self.assertEqual(err["UploadId"], "not-an-upload")
        err = self.error("NoSuchUpload", self.s3.abort_multipart_upload, Bucket=b, Key="k",
                         UploadId="gone")
        self.assertEqual(err["UploadId"], "gone")

    def test_invalid_object_state_gives_the_storage_class(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="cold", Body=b"x", StorageClass="DEEP_ARCHIVE")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket=b, Key="cold")
        response = cm.exception.response
        self.assertEqual(response["Error"]["Code"], "InvalidObjectState")
        self.assertEqual(response["Error"]["StorageClass"], "DEEP_ARCHIVE")
        # botocore's model lifts the modeled member to the top level too.
        self.assertEqual(response.get("StorageClass"), "DEEP_ARCHIVE")

    def test_precondition_failed_names_the_condition(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="k", Body=b"first")
        err = self.error("PreconditionFailed", self.s3.get_object, Bucket=b, Key="k",
                         IfMatch='"0123456789abcdef0123456789abcdef"')
        self.assertEqual(err["Condition"], "If-Match")
        err = self.error("PreconditionFailed", self.s3.put_object, Bucket=b, Key="k",
                         Body=b"second", IfNoneMatch="*")
        self.assertEqual(err["Condition"], "If-None-Match")
        # The refused write changed nothing.
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"first")

    def test_invalid_range_gives_the_range_and_size(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="k", Body=b"0123456789")
        err = self.error("InvalidRange", self.s3.get_object, Bucket=b, Key="k",
                         Range="bytes=100-200")
        self.assertEqual(err["RangeRequested"], "bytes=100-200")
        self.assertEqual(err["ActualObjectSize"], "10")

    def test_bad_digest_gives_both_digests(self):
        b = self.make_bucket()
        claimed = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        err = self.error("BadDigest", self.s3.put_object, Bucket=b, Key="k", Body=b"body",
                         ContentMD5=claimed)
        self.assertEqual(err["ExpectedDigest"], claimed)
        self.assertEqual(err["CalculatedDigest"],
                         base64.b64encode(hashlib.md5(b"body").digest()).decode())
        # Nothing was stored.
        self.assertError("404", self.s3.head_object, Bucket=b, Key="k")

    def test_fields_do_not_leak_into_head_responses(self):
        b = self.make_bucket()
        # HEAD errors have no body: only the code (from the status) reaches boto3.
        err = self.error("404", self.s3.head_object, Bucket=b, Key="missing")
        self.assertNotIn("Key", err)


if __name__ == "__main__":
    unittest.main()
