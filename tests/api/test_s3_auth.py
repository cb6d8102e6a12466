"""S3 with signature verification on (keys configured): boto3's streaming
uploads (aws-chunked with a checksum trailer) verify; wrong keys get S3's
errors and change nothing."""
import unittest

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
        import urllib.request
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


if __name__ == "__main__":
    unittest.main()
