"""S3 Signature Version 2 against a server with keys: boto3 with
signature_version="s3" (the Authorization: AWS id:signature header) and its
presigned URLs (AWSAccessKeyId / Expires / Signature) work; a wrong secret,
an unknown key, a tampered URL or an expired one gets S3's error and changes
nothing."""
import http.client
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from sluice_server import REGION, SluiceServer

KEY, SECRET = "AKIDV2TEST", "v2-secret"


def fetch(url, method="GET", data=None, headers=None):
    """(status, body) of a plain HTTP request sending only the headers given
    (urllib would add a Content-Type to a body, and Content-Type is signed)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path + ("?" + parts.query if parts.query else ""), body=data,
                     headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def error_of(body):
    root = ET.fromstring(body)
    return {child.tag: child.text for child in root}


class S3SigV2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The virtual clock lets a URL expire without waiting for it.
        cls.server = SluiceServer("--clock", "virtual",
                                  env={"SLUICE_ACCESS_KEY_ID": KEY,
                                       "SLUICE_SECRET_ACCESS_KEY": SECRET}).start()
        cls.s3 = cls.client()
        cls.s3.create_bucket(Bucket="legacy")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def client(cls, key=KEY, secret=SECRET):
        return boto3.client("s3", endpoint_url=cls.server.endpoint, region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(signature_version="s3", retries={"max_attempts": 1},
                                          s3={"addressing_style": "path"}))

    def keys(self):
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket="legacy").get("Contents", [])]

    # --- the header form

    def test_header_signed_requests_work_across_sub_resources(self):
        s3 = self.s3
        s3.put_object(Bucket="legacy", Key="dir/a b+c.txt", Body=b"hello", ContentType="text/plain",
                      Metadata={"Owner": "ops", "Stage": "raw"})
        head = s3.head_object(Bucket="legacy", Key="dir/a b+c.txt")
        self.assertEqual(head["ContentType"], "text/plain")
        self.assertEqual(head["Metadata"], {"owner": "ops", "stage": "raw"})
        got = s3.get_object(Bucket="legacy", Key="dir/a b+c.txt",
                            ResponseContentType="application/x-test")
        self.assertEqual(got["Body"].read(), b"hello")
        self.assertEqual(got["ContentType"], "application/x-test")
        s3.put_object_tagging(Bucket="legacy", Key="dir/a b+c.txt",
                              Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        self.assertEqual(s3.get_object_tagging(Bucket="legacy", Key="dir/a b+c.txt")["TagSet"],
                         [{"Key": "k", "Value": "v"}])
        # Multipart: ?uploads, ?partNumber&uploadId, ?uploadId.
        up = s3.create_multipart_upload(Bucket="legacy", Key="big")["UploadId"]
        part = s3.upload_part(Bucket="legacy", Key="big", UploadId=up, PartNumber=1, Body=b"p" * 10)
        s3.complete_multipart_upload(Bucket="legacy", Key="big", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertEqual(s3.get_object(Bucket="legacy", Key="big")["Body"].read(), b"p" * 10)
        # ?delete with Content-MD5, and ?versions.
        s3.delete_objects(Bucket="legacy", Delete={"Objects": [{"Key": "big"}]})
        self.assertNotIn("big", [v["Key"] for v in
                                 s3.list_object_versions(Bucket="legacy").get("Versions", [])])

    def test_wrong_secret_is_signature_does_not_match_and_writes_nothing(self):
        with self.assertRaises(ClientError) as cm:
            self.client(secret="not-the-secret").put_object(Bucket="legacy", Key="forged",
                                                            Body=b"x")
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "SignatureDoesNotMatch")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(err["AWSAccessKeyId"], KEY)
        self.assertTrue(err["StringToSign"].startswith("PUT\n"), err["StringToSign"])
        self.assertTrue(err["StringToSign"].endswith("\n/legacy/forged"), err["StringToSign"])
        self.assertIn("SignatureProvided", err)
        self.assertNotIn("forged", self.keys())

    def test_unknown_key_is_invalid_access_key_id(self):
        with self.assertRaises(ClientError) as cm:
            self.client(key="AKIDNOBODY").delete_object(Bucket="legacy", Key="anything")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidAccessKeyId")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_unsigned_request_is_refused(self):
        status, body = fetch(f"{self.server.endpoint}/legacy/x", "PUT", b"x")
        self.assertEqual(status, 403)
        self.assertEqual(error_of(body)["Code"], "AccessDenied")

    # --- presigned URLs (the query form)

    def test_presigned_get_and_put_work(self):
        self.s3.put_object(Bucket="legacy", Key="shared.csv", Body=b"a,b\n1,2\n")
        url = self.s3.generate_presigned_url("get_object", ExpiresIn=300, Params={
            "Bucket": "legacy", "Key": "shared.csv"})
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        self.assertEqual(sorted(query), ["AWSAccessKeyId", "Expires", "Signature"])
        self.assertEqual(fetch(url), (200, b"a,b\n1,2\n"))

        put = self.s3.generate_presigned_url("put_object", ExpiresIn=300, Params={
            "Bucket": "legacy", "Key": "uploaded.bin"})
        self.assertEqual(fetch(put, "PUT", b"via presigned PUT")[0], 200)
        self.assertEqual(self.s3.get_object(Bucket="legacy", Key="uploaded.bin")["Body"].read(),
                         b"via presigned PUT")

    def test_presigned_url_with_signed_response_override(self):
        self.s3.put_object(Bucket="legacy", Key="report.txt", Body=b"r")
        url = self.s3.generate_presigned_url("get_object", ExpiresIn=300, Params={
            "Bucket": "legacy", "Key": "report.txt",
            "ResponseContentDisposition": "attachment; filename=r.txt"})
        self.assertEqual(fetch(url), (200, b"r"))
        # The override is a signed sub-resource: changing it breaks the signature.
        tampered = url.replace("filename%3Dr.txt", "filename%3Devil.txt")
        self.assertNotEqual(tampered, url)
        status, body = fetch(tampered)
        self.assertEqual(status, 403)
        self.assertEqual(error_of(body)["Code"], "SignatureDoesNotMatch")

    def test_tampered_presigned_urls_are_refused_and_change_nothing(self):
        self.s3.put_object(Bucket="legacy", Key="secret.txt", Body=b"s")
        put = self.s3.generate_presigned_url("put_object", ExpiresIn=300, Params={
            "Bucket": "legacy", "Key": "allowed.txt"})
        # Another key under the same signature.
        status, body = fetch(put.replace("/allowed.txt", "/other.txt"), "PUT", b"x")
        self.assertEqual(status, 403)
        err = error_of(body)
        self.assertEqual(err["Code"], "SignatureDoesNotMatch")
        self.assertTrue(err["StringToSign"].endswith("\n/legacy/other.txt"), err["StringToSign"])
        # Another method: a presigned GET used to DELETE.
        get = self.s3.generate_presigned_url("get_object", ExpiresIn=300, Params={
            "Bucket": "legacy", "Key": "secret.txt"})
        self.assertEqual(fetch(get, "DELETE")[0], 403)
        # A later Expires than the one signed.
        expires = urllib.parse.parse_qs(urllib.parse.urlsplit(get).query)["Expires"][0]
        later = get.replace(f"Expires={expires}", f"Expires={int(expires) + 3600}")
        self.assertEqual(error_of(fetch(later)[1])["Code"], "SignatureDoesNotMatch")
        keys = self.keys()
        self.assertNotIn("other.txt", keys)
        self.assertNotIn("allowed.txt", keys)
        self.assertIn("secret.txt", keys)

    def test_expired_presigned_url_is_access_denied(self):
        self.s3.put_object(Bucket="legacy", Key="old.txt", Body=b"o")
        url = self.s3.generate_presigned_url("get_object", ExpiresIn=60, Params={
            "Bucket": "legacy", "Key": "old.txt"})
        self.assertEqual(fetch(url)[0], 200)
        self.server.admin("/_sluice/clock/advance", {"seconds": 120})
        status, body = fetch(url)
        self.assertEqual(status, 403)
        err = error_of(body)
        self.assertEqual(err["Code"], "AccessDenied")
        self.assertEqual(err["Message"], "Request has expired")


if __name__ == "__main__":
    unittest.main()
