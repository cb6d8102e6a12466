"""Where object bytes live: bodies up to 64 KiB are kept in the metadata row,
larger ones as files under <data-dir>/objects. Whichever it is, every read
path (GET, ranges, part numbers, copies, part copies) returns the same bytes,
and replacing or deleting an object leaves no file behind."""
import hashlib
import os
import signal
import unittest

from s3_helpers import S3TestCase, s3_client
from sluice_server import SluiceServer

INLINE_LIMIT = 64 * 1024


class ObjectBodyTests(S3TestCase):
    def object_files(self):
        root = os.path.join(self.server.data_dir, "objects")
        return sorted(f for _, _, fs in os.walk(root) for f in fs)

    def test_small_bodies_need_no_file_and_large_ones_do(self):
        b = self.make_bucket()
        before = self.object_files()
        bodies = {"empty": b"", "one": b"x", "at-limit": os.urandom(INLINE_LIMIT)}
        for key, body in bodies.items():
            self.s3.put_object(Bucket=b, Key=key, Body=body)
        self.assertEqual(self.object_files(), before)
        big = os.urandom(INLINE_LIMIT + 1)
        self.s3.put_object(Bucket=b, Key="over-limit", Body=big)
        self.assertEqual(len(self.object_files()), len(before) + 1)
        bodies["over-limit"] = big
        for key, body in bodies.items():
            with self.subTest(key=key):
                got = self.s3.get_object(Bucket=b, Key=key)
                self.assertEqual(got["Body"].read(), body)
                self.assertEqual(got["ContentLength"], len(body))
                self.assertEqual(got["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        # Overwriting the large object with a small one removes its file.
        self.s3.put_object(Bucket=b, Key="over-limit", Body=b"small now")
        self.assertEqual(self.object_files(), before)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="over-limit")["Body"].read(),
                         b"small now")

    def test_ranges_of_an_inline_body(self):
        b = self.make_bucket()
        body = bytes(range(256)) * 16
        self.s3.put_object(Bucket=b, Key="k", Body=body)
        for header, expected, content_range in [
            ("bytes=0-9", body[:10], "bytes 0-9/4096"),
            ("bytes=4000-", body[4000:], "bytes 4000-4095/4096"),
            ("bytes=-5", body[-5:], "bytes 4091-4095/4096"),
            ("bytes=100-99999", body[100:], "bytes 100-4095/4096"),
        ]:
            with self.subTest(range=header):
                got = self.s3.get_object(Bucket=b, Key="k", Range=header)
                self.assertEqual(got["Body"].read(), expected)
                self.assertEqual(got["ContentRange"], content_range)
        got = self.s3.get_object(Bucket=b, Key="k", PartNumber=1)
        self.assertEqual(got["Body"].read(), body)
        self.assertError("InvalidRange", self.s3.get_object, Bucket=b, Key="k",
                         Range="bytes=5000-6000")

    def test_copies_between_inline_and_file_bodies(self):
        b = self.make_bucket()
        small, large = os.urandom(1000), os.urandom(3 * INLINE_LIMIT)
        before = len(self.object_files())
        self.s3.put_object(Bucket=b, Key="small", Body=small)
        self.s3.put_object(Bucket=b, Key="large", Body=large)
        self.s3.copy_object(Bucket=b, Key="small-copy", CopySource=f"{b}/small")
        self.s3.copy_object(Bucket=b, Key="large-copy", CopySource=f"{b}/large")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="small-copy")["Body"].read(), small)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="large-copy")["Body"].read(), large)
        self.assertEqual(len(self.object_files()), before + 2)  # the large object and its copy
        # A multipart upload whose parts are copied from both kinds of body.
        uid = self.s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
        first = large + os.urandom(5 * 1024 * 1024)  # parts other than the last are >= 5 MiB
        self.s3.put_object(Bucket=b, Key="first", Body=first)
        parts = []
        for n, (source, rng) in enumerate([("first", None), ("small", "bytes=10-509")], 1):
            args = dict(Bucket=b, Key="mp", UploadId=uid, PartNumber=n,
                        CopySource={"Bucket": b, "Key": source})
            if rng:
                args["CopySourceRange"] = rng
            etag = self.s3.upload_part_copy(**args)["CopyPartResult"]["ETag"]
            parts.append({"PartNumber": n, "ETag": etag})
        self.s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=uid,
                                          MultipartUpload={"Parts": parts})
        self.assertEqual(self.s3.get_object(Bucket=b, Key="mp")["Body"].read(),
                         first + small[10:510])

    def test_versions_keep_their_own_inline_bodies(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"first")["VersionId"]
        v2 = self.s3.put_object(Bucket=b, Key="k", Body=b"second")["VersionId"]
        self.s3.delete_object(Bucket=b, Key="k")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(),
                         b"first")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k", VersionId=v2)["Body"].read(),
                         b"second")
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="k")
        listed = self.s3.list_object_versions(Bucket=b)
        self.assertEqual(sorted(v["Size"] for v in listed["Versions"]), [5, 6])


class InlineBodyDurabilityTest(unittest.TestCase):
    def test_inline_bodies_survive_kill_9(self):
        server = SluiceServer().start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="inline")
            acked = {}
            for i in range(50):
                body = os.urandom(i * 1300)  # up to 63,700 bytes: all inline
                s3.put_object(Bucket="inline", Key=f"k{i}", Body=body)
                acked[f"k{i}"] = body
            server.stop(sig=signal.SIGKILL)
            server.start()
            s3 = s3_client(server)
            for key, body in acked.items():
                self.assertEqual(s3.get_object(Bucket="inline", Key=key)["Body"].read(), body, key)
        finally:
            server.cleanup()

if __name__ == "__main__":
    unittest.main()
