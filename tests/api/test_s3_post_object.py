"""S3 browser uploads (POST Object) with the forms boto3's
generate_presigned_post builds, posted by `requests` as a browser would:
the policy's expiry, conditions and signature (SigV4 and SigV2), the field
mapping onto the object, the three answers, and every refusal storing nothing."""
import hashlib
import unittest
import xml.etree.ElementTree as ET

import boto3
import requests
from botocore.config import Config

from s3_helpers import S3TestCase
from sluice_server import REGION, SluiceServer


def post(presigned, body=b"hello", name="photo.jpg", extra=None):
    fields = dict(presigned["fields"], **(extra or {}))
    return requests.post(presigned["url"], data=fields, files={"file": (name, body)},
                         allow_redirects=False)


def error_code(response):
    return ET.fromstring(response.content).findtext("Code")


class PostObjectTest(S3TestCase):
    def test_an_upload_becomes_an_object_with_the_form_fields(self):
        b = self.make_bucket()
        presigned = self.s3.generate_presigned_post(
            b, "uploads/${filename}",
            Fields={"Content-Type": "image/jpeg", "x-amz-meta-owner": "ann",
                    "success_action_status": "201"},
            Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "image/jpeg"},
                        {"x-amz-meta-owner": "ann"}, {"success_action_status": "201"},
                        ["content-length-range", 1, 1024]],
            ExpiresIn=300)
        r = post(presigned, body=b"jpeg bytes")
        self.assertEqual(r.status_code, 201, r.text)
        doc = ET.fromstring(r.content)
        self.assertEqual(doc.tag, "PostResponse")
        self.assertEqual(doc.findtext("Bucket"), b)
        self.assertEqual(doc.findtext("Key"), "uploads/photo.jpg")
        self.assertEqual(doc.findtext("ETag"), '"%s"' % hashlib.md5(b"jpeg bytes").hexdigest())
        got = self.s3.get_object(Bucket=b, Key="uploads/photo.jpg")
        self.assertEqual(got["Body"].read(), b"jpeg bytes")
        self.assertEqual(got["ContentType"], "image/jpeg")
        self.assertEqual(got["Metadata"], {"owner": "ann"})

    def test_the_default_answer_is_204_and_a_redirect_is_303(self):
        b = self.make_bucket()
        r = post(self.s3.generate_presigned_post(b, "plain.txt"))
        self.assertEqual(r.status_code, 204, r.text)
        self.assertEqual(r.headers["ETag"], '"%s"' % hashlib.md5(b"hello").hexdigest())
        self.assertTrue(r.headers["Location"].endswith(f"/{b}/plain.txt"))
        presigned = self.s3.generate_presigned_post(
            b, "redirected.txt", Fields={"success_action_redirect": "http://example.com/done"},
            Conditions=[{"success_action_redirect": "http://example.com/done"}])
        r = post(presigned)
        self.assertEqual(r.status_code, 303, r.text)
        self.assertTrue(r.headers["Location"].startswith(
            f"http://example.com/done?bucket={b}&key=redirected.txt&etag="), r.headers["Location"])
        self.assertEqual(self.s3.get_object(Bucket=b, Key="redirected.txt")["Body"].read(),
                         b"hello")

    def test_tagging_and_storage_class_fields(self):
        b = self.make_bucket()
        tagging = ("<Tagging><TagSet><Tag><Key>stage</Key><Value>raw</Value></Tag>"
                   "</TagSet></Tagging>")
        presigned = self.s3.generate_presigned_post(
            b, "tagged.txt", Fields={"tagging": tagging, "x-amz-storage-class": "STANDARD_IA"},
            Conditions=[{"tagging": tagging}, {"x-amz-storage-class": "STANDARD_IA"}])
        self.assertEqual(post(presigned).status_code, 204)
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="tagged.txt")["TagSet"],
                         [{"Key": "stage", "Value": "raw"}])
        self.assertEqual(self.s3.head_object(Bucket=b, Key="tagged.txt")["StorageClass"],
                         "STANDARD_IA")

    def test_refusals_store_nothing(self):
        b = self.make_bucket()
        cases = [
            # (presigned post arguments, extra form fields, body, code, status)
            (dict(Key="late.txt", ExpiresIn=-60), None, b"x", "AccessDenied", 403),
            (dict(Key="other/x.txt", Conditions=[["starts-with", "$key", "uploads/"]]), None,
             b"x", "AccessDenied", 403),
            (dict(Key="extra.txt"), {"x-amz-meta-sneaky": "1"}, b"x", "AccessDenied", 403),
            (dict(Key="big.txt", Conditions=[["content-length-range", 1, 4]]), None, b"12345",
             "EntityTooLarge", 400),
            (dict(Key="small.txt", Conditions=[["content-length-range", 2, 10]]), None, b"1",
             "EntityTooSmall", 400),
        ]
        for args, extra, body, code, status in cases:
            with self.subTest(key=args["Key"]):
                presigned = self.s3.generate_presigned_post(b, **args)
                r = post(presigned, body=body, extra=extra)
                self.assertEqual((r.status_code, error_code(r)), (status, code), r.text)
        expired = post(self.s3.generate_presigned_post(b, "late.txt", ExpiresIn=-60))
        self.assertIn("Policy expired", ET.fromstring(expired.content).findtext("Message"))
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=b))

    def test_malformed_forms(self):
        b = self.make_bucket()
        presigned = self.s3.generate_presigned_post(b, "k.txt")
        fields = {k: v for k, v in presigned["fields"].items() if k != "key"}
        r = requests.post(presigned["url"], data=fields, files={"file": ("a", b"x")})
        self.assertEqual((r.status_code, error_code(r)), (400, "InvalidArgument"))
        r = requests.post(presigned["url"], data=presigned["fields"],
                          files={"other": ("a", b"x")})
        self.assertEqual((r.status_code, error_code(r)), (400, "InvalidArgument"))
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=b))


class PostObjectAuthTest(unittest.TestCase):
    """With keys configured the policy's signature is verified (SigV4 and SigV2)."""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(env={"SLUICE_ACCESS_KEY_ID": "AKIDPOST",
                                       "SLUICE_SECRET_ACCESS_KEY": "post-secret"}).start()
        cls.s3 = cls.client()
        cls.s3.create_bucket(Bucket="forms")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def client(cls, secret="post-secret", **config):
        return boto3.client("s3", endpoint_url=cls.server.endpoint, region_name=REGION,
                            aws_access_key_id="AKIDPOST", aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}, **config))

    def test_signed_policies_verify(self):
        for signature_version in ("s3v4", "s3"):
            with self.subTest(signature_version):
                key = f"signed-{signature_version}.txt"
                presigned = self.client(signature_version=signature_version) \
                    .generate_presigned_post("forms", key)
                r = post(presigned)
                self.assertEqual(r.status_code, 204, r.text)
                self.assertEqual(self.s3.get_object(Bucket="forms", Key=key)["Body"].read(),
                                 b"hello")

    def test_a_wrong_secret_or_a_changed_policy_is_refused(self):
        wrong = self.client(secret="guess").generate_presigned_post("forms", "wrong.txt")
        r = post(wrong)
        self.assertEqual((r.status_code, error_code(r)), (403, "SignatureDoesNotMatch"))
        good = self.s3.generate_presigned_post("forms", "changed.txt")
        other = self.s3.generate_presigned_post("forms", "changed.txt", ExpiresIn=7200)
        tampered = dict(good, fields=dict(good["fields"], policy=other["fields"]["policy"]))
        r = post(tampered)
        self.assertEqual((r.status_code, error_code(r)), (403, "SignatureDoesNotMatch"))
        fields = {k: v for k, v in good["fields"].items() if k != "policy"}
        r = requests.post(good["url"], data=fields, files={"file": ("a", b"x")})
        self.assertEqual((r.status_code, error_code(r)), (403, "AccessDenied"))
        listed = self.s3.list_objects_v2(Bucket="forms").get("Contents", [])
        self.assertFalse([o for o in listed if o["Key"] in ("wrong.txt", "changed.txt")])


    def test_only_a_bucket_level_upload_skips_request_signing(self):
        # A form-encoded POST elsewhere is not a browser upload: without a
        # signature it is refused, and it changes nothing.
        self.s3.put_object(Bucket="forms", Key="keep.txt", Body=b"kept")
        delete = ("<Delete><Object><Key>keep.txt</Key></Object></Delete>").encode()
        for target in ("/forms?delete", "/forms/keep.txt?uploads"):
            with self.subTest(target=target):
                r = requests.post(self.server.endpoint + target,
                                  files={"file": ("delete.xml", delete)})
                self.assertEqual((r.status_code, error_code(r)), (403, "AccessDenied"), r.text)
        self.assertEqual(self.s3.get_object(Bucket="forms", Key="keep.txt")["Body"].read(),
                         b"kept")
        self.assertEqual(self.s3.list_multipart_uploads(Bucket="forms").get("Uploads", []), [])


if __name__ == "__main__":
    unittest.main()
