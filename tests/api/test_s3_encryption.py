"""S3 server-side encryption through boto3: SSE-S3 by default on every object,
SSE-KMS as asked (key id, context, bucket key), and SSE-C objects readable
only with their key — on PutObject, HEAD, GET, CopyObject and multipart
uploads — with S3's errors for bad requests."""
import base64
import hashlib
import json
import os
import unittest

from s3_helpers import S3TestCase, error_code as code_of

KEY = os.urandom(32)
OTHER = os.urandom(32)
REGION_ACCOUNT = "us-east-1:000000000000"



class EncryptionTests(S3TestCase):
    def test_sse_s3_by_default_and_as_asked(self):
        b = self.make_bucket()
        put = self.s3.put_object(Bucket=b, Key="plain", Body=b"x")
        self.assertEqual(put["ServerSideEncryption"], "AES256")
        self.assertEqual(self.s3.head_object(Bucket=b, Key="plain")["ServerSideEncryption"],
                         "AES256")
        got = self.s3.get_object(Bucket=b, Key="plain")
        self.assertEqual((got["ServerSideEncryption"], got["Body"].read()), ("AES256", b"x"))
        put = self.s3.put_object(Bucket=b, Key="asked", Body=b"y", ServerSideEncryption="AES256")
        self.assertEqual(put["ServerSideEncryption"], "AES256")
        self.assertNotIn("SSEKMSKeyId", put)

    def test_sse_kms_with_key_context_and_bucket_key(self):
        b = self.make_bucket()
        context = base64.b64encode(json.dumps({"team": "lake"}).encode()).decode()
        put = self.s3.put_object(Bucket=b, Key="k", Body=b"z", ServerSideEncryption="aws:kms",
                                 SSEKMSKeyId="1234abcd-12ab-34cd-56ef-1234567890ab",
                                 SSEKMSEncryptionContext=context, BucketKeyEnabled=True)
        key_arn = f"arn:aws:kms:{REGION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        self.assertEqual((put["ServerSideEncryption"], put["SSEKMSKeyId"],
                          put["SSEKMSEncryptionContext"], put["BucketKeyEnabled"]),
                         ("aws:kms", key_arn, context, True))
        head = self.s3.head_object(Bucket=b, Key="k")
        self.assertEqual((head["ServerSideEncryption"], head["SSEKMSKeyId"],
                          head["BucketKeyEnabled"]), ("aws:kms", key_arn, True))
        # Without a key id: the account's AWS managed key for S3.
        put = self.s3.put_object(Bucket=b, Key="managed", Body=b"m",
                                 ServerSideEncryption="aws:kms")
        self.assertEqual(put["SSEKMSKeyId"], f"arn:aws:kms:{REGION_ACCOUNT}:alias/aws/s3")
        # Copies take the encryption the copy asks for (SSE-S3 when none).
        copied = self.s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k"})
        self.assertEqual(copied["ServerSideEncryption"], "AES256")
        copied = self.s3.copy_object(Bucket=b, Key="copy-kms", CopySource={"Bucket": b, "Key": "k"},
                                     ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/mine")
        self.assertEqual(copied["SSEKMSKeyId"], f"arn:aws:kms:{REGION_ACCOUNT}:alias/mine")

    def test_sse_c_objects_need_their_key(self):
        b = self.make_bucket()
        sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
        put = self.s3.put_object(Bucket=b, Key="secret", Body=b"classified", **sse_c)
        digest = base64.b64encode(hashlib.md5(KEY).digest()).decode()
        self.assertEqual((put["SSECustomerAlgorithm"], put["SSECustomerKeyMD5"]),
                         ("AES256", digest))
        self.assertNotIn("ServerSideEncryption", put)
        got = self.s3.get_object(Bucket=b, Key="secret", **sse_c)
        self.assertEqual(got["Body"].read(), b"classified")
        self.assertEqual(got["SSECustomerKeyMD5"], digest)
        self.assertEqual(self.s3.head_object(Bucket=b, Key="secret", **sse_c)
                         ["SSECustomerAlgorithm"], "AES256")
        self.assertEqual(code_of(self.s3.get_object, Bucket=b, Key="secret"),
                         ("InvalidRequest", 400))
        self.assertEqual(code_of(self.s3.get_object, Bucket=b, Key="secret",
                                 SSECustomerAlgorithm="AES256", SSECustomerKey=OTHER),
                         ("AccessDenied", 403))
        self.assertEqual(code_of(self.s3.head_object, Bucket=b, Key="secret")[1], 400)
        # A key for an object written without one is refused too.
        self.s3.put_object(Bucket=b, Key="open", Body=b"o")
        self.assertEqual(code_of(self.s3.get_object, Bucket=b, Key="open", **sse_c),
                         ("InvalidRequest", 400))
        # Copying an SSE-C object needs its key as the copy source's.
        self.assertEqual(code_of(self.s3.copy_object, Bucket=b, Key="c",
                                 CopySource={"Bucket": b, "Key": "secret"}),
                         ("InvalidRequest", 400))
        copied = self.s3.copy_object(Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "secret"},
                                     CopySourceSSECustomerAlgorithm="AES256",
                                     CopySourceSSECustomerKey=KEY)
        self.assertEqual(copied["ServerSideEncryption"], "AES256")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="c")["Body"].read(), b"classified")

    def test_multipart_uploads_carry_their_encryption(self):
        b = self.make_bucket()
        sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
        up = self.s3.create_multipart_upload(Bucket=b, Key="big", **sse_c)
        self.assertEqual(up["SSECustomerAlgorithm"], "AES256")
        self.assertEqual(code_of(self.s3.upload_part, Bucket=b, Key="big", UploadId=up["UploadId"],
                                 PartNumber=1, Body=b"a" * 10), ("InvalidRequest", 400))
        part = self.s3.upload_part(Bucket=b, Key="big", UploadId=up["UploadId"], PartNumber=1,
                                   Body=b"a" * 10, **sse_c)
        self.assertEqual(part["SSECustomerAlgorithm"], "AES256")
        done = self.s3.complete_multipart_upload(
            Bucket=b, Key="big", UploadId=up["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        # CompleteMultipartUpload reports no SSE-C headers (not in its output).
        self.assertNotIn("ServerSideEncryption", done)
        got = self.s3.get_object(Bucket=b, Key="big", **sse_c)
        self.assertEqual((got["Body"].read(), got["SSECustomerKeyMD5"]),
                         (b"a" * 10, base64.b64encode(hashlib.md5(KEY).digest()).decode()))
        self.assertEqual(code_of(self.s3.get_object, Bucket=b, Key="big")[0], "InvalidRequest")
        kms = self.s3.create_multipart_upload(Bucket=b, Key="kms", ServerSideEncryption="aws:kms",
                                              BucketKeyEnabled=True)
        self.assertEqual((kms["ServerSideEncryption"], kms["BucketKeyEnabled"]), ("aws:kms", True))
        part = self.s3.upload_part(Bucket=b, Key="kms", UploadId=kms["UploadId"], PartNumber=1,
                                   Body=b"k")
        self.assertEqual(part["ServerSideEncryption"], "aws:kms")
        done = self.s3.complete_multipart_upload(
            Bucket=b, Key="kms", UploadId=kms["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertEqual((done["ServerSideEncryption"], done["SSEKMSKeyId"]),
                         ("aws:kms", f"arn:aws:kms:{REGION_ACCOUNT}:alias/aws/s3"))

    def test_bucket_default_encryption(self):
        b = self.make_bucket()
        # Every bucket encrypts with SSE-S3 unless configured otherwise.
        rules = self.s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(rules, [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                  "BucketKeyEnabled": False}])
        self.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": "alias/lake"},
            "BucketKeyEnabled": True}]})
        rules = self.s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(rules[0]["ApplyServerSideEncryptionByDefault"],
                         {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/lake"})
        put = self.s3.put_object(Bucket=b, Key="d", Body=b"d")
        self.assertEqual((put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"]),
                         ("aws:kms", f"arn:aws:kms:{REGION_ACCOUNT}:alias/lake", True))
        up = self.s3.create_multipart_upload(Bucket=b, Key="m")
        self.assertEqual(up["ServerSideEncryption"], "aws:kms")
        # A request's own headers win over the bucket's default.
        own = self.s3.put_object(Bucket=b, Key="own", Body=b"o", ServerSideEncryption="AES256")
        self.assertEqual(own["ServerSideEncryption"], "AES256")
        self.assertEqual(code_of(self.s3.put_bucket_encryption, Bucket=b,
                                 ServerSideEncryptionConfiguration={"Rules": [{
                                     "ApplyServerSideEncryptionByDefault": {
                                         "SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]}),
                         ("InvalidArgument", 400))
        self.s3.delete_bucket_encryption(Bucket=b)
        self.assertEqual(self.s3.put_object(Bucket=b, Key="after", Body=b"a")
                         ["ServerSideEncryption"], "AES256")
        self.assertEqual(code_of(self.s3.get_bucket_encryption, Bucket="no-such-bucket-here"),
                         ("NoSuchBucket", 404))

    def test_bad_requests_leave_nothing(self):
        b = self.make_bucket()
        cases = [
            dict(ServerSideEncryption="aws:kms", SSECustomerAlgorithm="AES256",
                 SSECustomerKey=KEY),
            dict(SSECustomerAlgorithm="AES128", SSECustomerKey=KEY),
            dict(SSECustomerAlgorithm="AES256", SSECustomerKey=b"short"),
            dict(ServerSideEncryption="AES256", SSEKMSKeyId="k"),
            dict(ServerSideEncryption="aws:kms", SSEKMSEncryptionContext="not base64 json!"),
        ]
        for kw in cases:
            self.assertEqual(code_of(self.s3.put_object, Bucket=b, Key="bad", Body=b"x", **kw),
                             ("InvalidArgument", 400), kw)
        self.assertEqual(code_of(self.s3.head_object, Bucket=b, Key="bad"), ("404", 404))


if __name__ == "__main__":
    unittest.main()
