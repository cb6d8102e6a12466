"""Large S3 uploads streamed to disk with signature verification on: every
chunk signature of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body is checked (the
chunks are hashed on their way to disk), and a signed x-amz-content-sha256 must
match the streamed bytes. A refused body stores nothing and leaves no spill
file."""
import datetime
import hashlib
import hmac
import http.client
import os
import unittest
import urllib.parse

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from sluice_server import REGION, SluiceServer

MiB = 1024 * 1024
KEY, SECRET = "AKIDSTREAM", "stream-secret"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sign(method, path, headers, payload_hash):
    """Adds x-amz-date, x-amz-content-sha256 and Authorization to `headers`
    (lower-case names, host included), signing every header given, as the
    SigV4 docs describe. Returns the signing key, date, scope and signature."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{date}/{REGION}/s3/aws4_request"
    signing_key = _hmac(_hmac(_hmac(_hmac(("AWS4" + SECRET).encode(), date), REGION), "s3"),
                        "aws4_request")
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload_hash
    names = sorted(headers)
    canonical = "\n".join([method, path, "", "".join(f"{n}:{headers[n]}\n" for n in names),
                           ";".join(names), payload_hash])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={KEY}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")
    return signing_key, amz_date, scope, signature


def signed_chunked_put(netloc, path, data, chunk_size, tamper_chunk=None):
    """PUTs `data` as STREAMING-AWS4-HMAC-SHA256-PAYLOAD, signed as the AWS
    docs describe (seed signature, then one signature per chunk chained from
    it). `tamper_chunk`: index of a chunk whose bytes change after signing."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    sig_len = 64
    framed_len = sum(len(b"%x" % len(c)) + len(";chunk-signature=") + sig_len + 2 + len(c) + 2
                     for c in chunks)
    headers = {"host": netloc, "content-encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data)),
               "content-length": str(framed_len)}
    signing_key, amz_date, scope, previous = sign("PUT", path, headers,
                                                  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    body = b""
    for i, chunk in enumerate(chunks):
        chunk_to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                                   EMPTY_SHA256, hashlib.sha256(chunk).hexdigest()])
        previous = hmac.new(signing_key, chunk_to_sign.encode(), hashlib.sha256).hexdigest()
        if i == tamper_chunk:
            chunk = bytes([chunk[0] ^ 1]) + chunk[1:]
        body += b"%x;chunk-signature=%s\r\n" % (len(chunk), previous.encode()) + chunk + b"\r\n"
    assert len(body) == framed_len
    conn = http.client.HTTPConnection(netloc)
    conn.request("PUT", path, body=body, headers=headers)
    r = conn.getresponse()
    out = r.status, r.read()
    conn.close()
    return out


class StreamedSignedUploadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(env={"SLUICE_ACCESS_KEY_ID": KEY,
                                       "SLUICE_SECRET_ACCESS_KEY": SECRET}).start()
        cls.s3 = boto3.client("s3", endpoint_url=cls.server.endpoint, region_name=REGION,
                              aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                              config=Config(retries={"max_attempts": 1}))
        cls.netloc = urllib.parse.urlparse(cls.server.endpoint).netloc
        cls.data = os.urandom(20 * MiB + 123)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def spill_files(self):
        return os.listdir(os.path.join(self.server.data_dir, "objects", "spill"))

    def test_signed_chunks_are_verified_while_streamed(self):
        self.s3.create_bucket(Bucket="chunks")
        status, body = signed_chunked_put(self.netloc, "/chunks/good", self.data, 1 * MiB)
        self.assertEqual(status, 200, body)
        got = self.s3.get_object(Bucket="chunks", Key="good")
        self.assertTrue(got["Body"].read() == self.data)
        self.assertEqual(got["ETag"], '"%s"' % hashlib.md5(self.data).hexdigest())
        status, body = signed_chunked_put(self.netloc, "/chunks/bad", self.data, 1 * MiB,
                                          tamper_chunk=7)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket="chunks", Key="bad")
        self.assertEqual(self.spill_files(), [])

    def test_signed_payload_hash_must_match_the_streamed_body(self):
        self.s3.create_bucket(Bucket="hashed")
        # boto3 over http signs the body's SHA-256 (x-amz-content-sha256).
        self.s3.put_object(Bucket="hashed", Key="ok", Body=self.data)
        self.assertEqual(self.s3.head_object(Bucket="hashed", Key="ok")["ContentLength"],
                         len(self.data))
        # Signed for one body, then another of the same size is sent.
        url = f"{self.server.endpoint}/hashed/swapped"
        request = AWSRequest(method="PUT", url=url, data=self.data)
        S3SigV4Auth(Credentials(KEY, SECRET), "s3", REGION).add_auth(request)
        other = bytes([self.data[0] ^ 1]) + self.data[1:]
        conn = http.client.HTTPConnection(self.netloc)
        conn.request("PUT", "/hashed/swapped", body=other, headers=dict(request.headers))
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 400, body)
        self.assertIn(b"<Code>XAmzContentSHA256Mismatch</Code>", body)
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket="hashed", Key="swapped")
        self.assertEqual(self.spill_files(), [])

    def test_entity_too_large_with_a_signed_payload_hash(self):
        # The body is never read, so its signed hash is not what refuses it.
        self.s3.create_bucket(Bucket="toolarge")
        proposed = 5 * 1024 * MiB + 1
        headers = {"host": self.netloc, "content-length": str(proposed)}
        sign("PUT", "/toolarge/huge", headers, hashlib.sha256(b"never sent").hexdigest())
        headers["expect"] = "100-continue"
        conn = http.client.HTTPConnection(self.netloc, timeout=10)
        conn.putrequest("PUT", "/toolarge/huge", skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 400, body)
        self.assertIn(b"<Code>EntityTooLarge</Code>", body)
        self.assertIn(b"<ProposedSize>%d</ProposedSize>" % proposed, body)
        self.assertEqual(self.s3.list_objects_v2(Bucket="toolarge")["KeyCount"], 0)


    def test_a_large_signed_body_to_a_json_service_is_verified_from_memory(self):
        # Streamed to disk like any large body, then read back for a protocol
        # that hashes the body into its signature: it must verify as a small one does.
        ssm = boto3.client("ssm", endpoint_url=self.server.endpoint, region_name=REGION,
                           aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                           config=Config(retries={"max_attempts": 1}))
        codes = []
        for size in (5000, 9 * MiB):
            with self.assertRaises(ClientError) as cm:
                ssm.put_parameter(Name=f"/big/{size}", Value="v" * size, Type="String")
            codes.append(cm.exception.response["Error"]["Code"])
        self.assertEqual(codes[0], "ValidationException")
        self.assertEqual(codes[1], codes[0])
        self.assertEqual(self.spill_files(), [])


if __name__ == "__main__":
    unittest.main()
