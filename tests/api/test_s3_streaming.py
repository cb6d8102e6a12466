"""Large S3 request bodies stream to disk as they arrive: PutObject and
UploadPart of 64 MiB (plain, and aws-chunked with a checksum trailer) round
trip; a refused large body stores nothing and leaves no spill file; kill -9
mid-upload leaves none after restart; the server's peak memory stays far below
the body size; bodies over 5 GiB are refused (EntityTooLarge) unread."""
import base64
import hashlib
import http.client
import os
import signal
import socket
import tempfile
import time
import unittest
import urllib.parse
import zlib

from botocore.exceptions import ClientError

from s3_helpers import S3TestCase, s3_client

MiB = 1024 * 1024
# One fixed 64 MiB body for the class (random, so no layer can compress it).
BODY = os.urandom(64 * MiB)


def spill_files(server):
    # Spill files are dot files (.sluice-tmp-...): glob would skip them.
    return os.listdir(os.path.join(server.data_dir, "objects", "spill"))


def trailer_client(server):
    """A boto3 client that sends checksums in an aws-chunked trailer
    (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as it does over https, although the
    endpoint is plain http."""
    s3 = s3_client(server)

    def use_trailer(params, **_):
        algorithm = params["context"].get("checksum", {}).get("request_algorithm")
        if algorithm:
            algorithm["in"] = "trailer"

    for op in ("PutObject", "UploadPart"):
        s3.meta.events.register(f"before-call.s3.{op}", use_trailer)
    return s3


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class StreamedUploadTest(S3TestCase):
    def assertNoSpillFiles(self):
        self.assertEqual(spill_files(self.server), [])

    def test_put_object_64_mib_round_trips(self):
        b = self.make_bucket()
        put = self.s3.put_object(Bucket=b, Key="big", Body=BODY)
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(BODY).hexdigest())
        got = self.s3.get_object(Bucket=b, Key="big")
        self.assertEqual(got["ContentLength"], len(BODY))
        self.assertTrue(got["Body"].read() == BODY)
        self.assertNoSpillFiles()

    def test_put_object_with_checksum_trailer(self):
        b = self.make_bucket()
        s3 = trailer_client(self.server)
        seen = {}
        s3.meta.events.register("before-send.s3.PutObject",
                                lambda request, **_: seen.update(request.headers))
        put = s3.put_object(Bucket=b, Key="crc", Body=BODY, ChecksumAlgorithm="CRC32")
        # The client really framed it: aws-chunked with the checksum trailing.
        self.assertEqual(seen.get("X-Amz-Content-SHA256"), b"STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        self.assertEqual(seen.get("X-Amz-Trailer"), b"x-amz-checksum-crc32")
        self.assertEqual(put["ChecksumCRC32"], crc32_b64(BODY))
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(BODY).hexdigest())
        got = self.s3.get_object(Bucket=b, Key="crc", ChecksumMode="ENABLED")
        self.assertEqual(got["ChecksumCRC32"], crc32_b64(BODY))
        self.assertNotIn("ContentEncoding", got)
        self.assertTrue(got["Body"].read() == BODY)
        self.assertNoSpillFiles()

    def test_upload_part_64_mib_plain_and_with_trailer(self):
        b = self.make_bucket()
        uid = self.s3.create_multipart_upload(Bucket=b, Key="mp",
                                              ChecksumAlgorithm="SHA256")["UploadId"]
        second = BODY[: 5 * MiB]
        p1 = self.s3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=1, Body=BODY,
                                 ChecksumAlgorithm="SHA256")
        self.assertEqual(p1["ETag"], '"%s"' % hashlib.md5(BODY).hexdigest())
        self.assertEqual(p1["ChecksumSHA256"], sha256_b64(BODY))
        p2 = trailer_client(self.server).upload_part(Bucket=b, Key="mp", UploadId=uid,
                                                     PartNumber=2, Body=BODY + second,
                                                     ChecksumAlgorithm="SHA256")
        self.assertEqual(p2["ChecksumSHA256"], sha256_b64(BODY + second))
        parts = self.s3.list_parts(Bucket=b, Key="mp", UploadId=uid)["Parts"]
        self.assertEqual([p["Size"] for p in parts], [len(BODY), len(BODY) + len(second)])
        self.s3.complete_multipart_upload(
            Bucket=b, Key="mp", UploadId=uid,
            MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": p1["ETag"], "ChecksumSHA256": p1["ChecksumSHA256"]},
                {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumSHA256": p2["ChecksumSHA256"]}]})
        got = self.s3.get_object(Bucket=b, Key="mp")["Body"].read()
        self.assertTrue(got == BODY + BODY + second)
        self.assertNoSpillFiles()

    def test_bad_digest_on_a_large_body_stores_nothing(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="kept", Body=b"old")
        wrong_md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        with self.assertRaises(ClientError) as cm:
            self.s3.put_object(Bucket=b, Key="kept", Body=BODY, ContentMD5=wrong_md5)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "BadDigest")
        self.assertEqual(err["CalculatedDigest"],
                         base64.b64encode(hashlib.md5(BODY).digest()).decode())
        with self.assertRaises(ClientError) as cm:
            trailer_client(self.server).put_object(Bucket=b, Key="kept", Body=BODY,
                                                   ChecksumCRC32=crc32_b64(b"other"))
        self.assertEqual(cm.exception.response["Error"]["Code"], "BadDigest")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="kept")["Body"].read(), b"old")
        self.assertEqual(self.s3.list_object_versions(Bucket=b).get("Versions", [])[0]["Size"], 3)
        self.assertNoSpillFiles()

    def test_truncated_aws_chunked_body_is_refused(self):
        b = self.make_bucket()
        data = BODY[: 12 * MiB]
        framed = b"%x\r\n" % len(data) + data + b"\r\n0\r\nx-amz-checksum-crc32:" + \
            crc32_b64(data).encode() + b"\r\n\r\n"
        cut = framed[: len(framed) - 100]  # the framing promises more than arrives
        conn = http.client.HTTPConnection(urllib.parse.urlparse(self.server.endpoint).netloc)
        conn.putrequest("PUT", f"/{b}/cut")
        for k, v in {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                     "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
                     "x-amz-decoded-content-length": str(len(data)),
                     "Content-Length": str(len(cut))}.items():
            conn.putheader(k, v)
        conn.endheaders()
        conn.send(cut)
        r = conn.getresponse()
        self.assertEqual(r.status, 400)
        self.assertIn(b"<Code>IncompleteBody</Code>", r.read())
        conn.close()
        with self.assertRaises(ClientError) as cm:
            self.s3.head_object(Bucket=b, Key="cut")
        self.assertEqual(cm.exception.response["Error"]["Code"], "404")
        self.assertNoSpillFiles()

    def test_entity_too_large_is_refused_before_the_body(self):
        b = self.make_bucket()
        proposed = 5 * 1024 * MiB + 1
        conn = http.client.HTTPConnection(urllib.parse.urlparse(self.server.endpoint).netloc,
                                          timeout=10)
        conn.putrequest("PUT", f"/{b}/huge")
        conn.putheader("Content-Length", str(proposed))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        # No body is sent: the answer comes from the header alone.
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 400)
        self.assertIn(b"<Code>EntityTooLarge</Code>", body)
        self.assertIn(b"<ProposedSize>%d</ProposedSize>" % proposed, body)
        self.assertIn(b"<MaxSizeAllowed>5368709120</MaxSizeAllowed>", body)
        # Exactly 5 GiB is within the limit: the server asks for the body.
        sock = socket.create_connection(urllib.parse.urlparse(self.server.endpoint)[1].split(":"))
        sock.settimeout(10)
        sock.sendall(f"PUT /{b}/max HTTP/1.1\r\nHost: x\r\nContent-Length: {5 * 1024 * MiB}\r\n"
                     "Expect: 100-continue\r\n\r\n".encode())
        self.assertTrue(sock.recv(100).startswith(b"HTTP/1.1 100 Continue"))
        sock.close()
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)

    def test_large_body_to_an_operation_that_does_not_store_it(self):
        # A large XML body (not an object's bytes) is parsed from memory as before.
        b = self.make_bucket()
        tags = "".join(f"<Tag><Key>k{i}</Key><Value>{'v' * 200}</Value></Tag>" for i in range(10))
        xml = f"<Tagging><TagSet>{tags}</TagSet></Tagging>" + " " * (9 * MiB)
        self.s3.put_object(Bucket=b, Key="t", Body=b"x")
        conn = http.client.HTTPConnection(urllib.parse.urlparse(self.server.endpoint).netloc)
        conn.request("PUT", f"/{b}/t?tagging", body=xml.encode())
        r = conn.getresponse()
        r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(len(self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"]), 10)
        self.assertNoSpillFiles()


class StreamedUploadMemoryTest(unittest.TestCase):
    def test_peak_memory_stays_far_below_a_512_mib_put(self):
        from sluice_server import SluiceServer
        server = SluiceServer().start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="mem")
            digest = hashlib.md5()
            with tempfile.TemporaryFile() as f:
                block = os.urandom(MiB)
                for i in range(512):
                    chunk = block[i:] + block[:i]
                    digest.update(chunk)
                    f.write(chunk)
                f.seek(0)
                put = s3.put_object(Bucket="mem", Key="half-gig", Body=f)
            self.assertEqual(put["ETag"], '"%s"' % digest.hexdigest())
            with open(f"/proc/{server.proc.pid}/status") as status:
                hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
            self.assertLess(hwm * 1024, 128 * MiB, f"peak RSS {hwm} kB for a 512 MiB PUT")
            self.assertEqual(s3.head_object(Bucket="mem", Key="half-gig")["ContentLength"],
                             512 * MiB)
        finally:
            server.cleanup()


class StreamedUploadKillTest(unittest.TestCase):
    def test_kill_9_mid_upload_leaves_no_spill_file(self):
        from sluice_server import SluiceServer
        server = SluiceServer().start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="killed")
            netloc = urllib.parse.urlparse(server.endpoint).netloc
            conn = http.client.HTTPConnection(netloc)
            conn.putrequest("PUT", "/killed/partial")
            conn.putheader("Content-Length", str(128 * MiB))
            conn.endheaders()
            conn.send(BODY[: 32 * MiB])
            deadline = time.time() + 10
            while not spill_files(server) and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(len(spill_files(server)), 1, "the body is being spilled")
            server.stop(sig=signal.SIGKILL)
            conn.close()
            self.assertEqual(len(spill_files(server)), 1, "the crash left it behind")
            server.start()
            self.assertEqual(spill_files(server), [])
            s3 = s3_client(server)
            self.assertEqual(s3.list_objects_v2(Bucket="killed")["KeyCount"], 0)
            # And the directory still takes the next large body.
            s3.put_object(Bucket="killed", Key="after", Body=BODY[: 16 * MiB])
            self.assertEqual(s3.head_object(Bucket="killed", Key="after")["ContentLength"],
                             16 * MiB)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
