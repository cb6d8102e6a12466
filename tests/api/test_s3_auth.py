"""S3 with signature verification on (keys configured): boto3's streaming
uploads (aws-chunked with a checksum trailer) verify; wrong keys get S3's
errors and change nothing."""
import hashlib
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from sluice_server import REGION, SluiceServer


class S3AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(env={"SLUICE_ACCESS_KEY_ID": "AKIDS3TEST",
                                       "SLUICE_SECRET_ACCESS_KEY": "s3-secret"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def client(self, secret="s3-secret", key="AKIDS3TEST", **config):
        return boto3.client("s3", endpoint_url=self.server.endpoint, region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}, **config))

    def test_signed_requests_work(self):
        s3 = self.client()
        s3.create_bucket(Bucket="signed")
        s3.put_object(Bucket="signed", Key="k", Body=b"signed body" * 1000)
        self.assertEqual(s3.get_object(Bucket="signed", Key="k")["Body"].read(),
                         b"signed body" * 1000)
        url = self.client(signature_version="s3v4").generate_presigned_url(
            "get_object", Params={"Bucket": "signed", "Key": "k"}, ExpiresIn=60)
        with urllib.request.urlopen(url) as r:
            self.assertEqual(r.read(), b"signed body" * 1000)

    def test_wrong_secret_and_unknown_key(self):
        self.client().create_bucket(Bucket="guarded")
        with self.assertRaises(ClientError) as cm:
            self.client(secret="wrong").put_object(Bucket="guarded", Key="k", Body=b"x")
        self.assertEqual(cm.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        with self.assertRaises(ClientError) as cm:
            self.client(key="AKIDUNKNOWN").list_buckets()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidAccessKeyId")
        self.assertNotIn("Contents", self.client().list_objects_v2(Bucket="guarded"))


    def test_a_signature_mismatch_shows_what_the_server_signed(self):
        self.client().create_bucket(Bucket="explained")
        with self.assertRaises(ClientError) as cm:
            self.client(secret="wrong").get_object(Bucket="explained", Key="some/key")
        error = cm.exception.response["Error"]
        self.assertEqual(error["Code"], "SignatureDoesNotMatch")
        self.assertEqual(error["AWSAccessKeyId"], "AKIDS3TEST")
        self.assertRegex(error["SignatureProvided"], r"^[0-9a-f]{64}$")
        canonical, to_sign = error["CanonicalRequest"], error["StringToSign"]
        self.assertTrue(canonical.startswith("GET\n/explained/some/key\n"), canonical)
        lines = to_sign.split("\n")
        self.assertEqual(lines[0], "AWS4-HMAC-SHA256")
        self.assertTrue(lines[2].endswith(f"/{REGION}/s3/aws4_request"), lines[2])
        # The string to sign ends with the hash of the canonical request.
        self.assertEqual(lines[3], hashlib.sha256(canonical.encode()).hexdigest())
        self.assertEqual(error["StringToSignBytes"], " ".join(f"{b:02x}" for b in to_sign.encode()))
        self.assertEqual(error["CanonicalRequestBytes"],
                         " ".join(f"{b:02x}" for b in canonical.encode()))

    def test_a_skewed_request_shows_both_times(self):
        request = urllib.request.Request(
            self.server.endpoint + "/", headers={
                "X-Amz-Date": "20200101T000000Z",
                "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
                "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDS3TEST/20200101/"
                                 f"{REGION}/s3/aws4_request, SignedHeaders=host;x-amz-date, "
                                 "Signature=" + "0" * 64})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(request)
        self.assertEqual(cm.exception.code, 403)
        body = cm.exception.read().decode()
        self.assertIn("<Code>RequestTimeTooSkewed</Code>", body)
        self.assertIn("<RequestTime>20200101T000000Z</RequestTime>", body)
        self.assertRegex(body, r"<ServerTime>\d{4}-\d\d-\d\dT[^<]+</ServerTime>")
        self.assertIn("<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>", body)


if __name__ == "__main__":
    unittest.main()
