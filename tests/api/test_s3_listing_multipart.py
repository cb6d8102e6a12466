"""S3 listings (v1, v2, versions) and multipart uploads through boto3 and its
transfer manager."""
import base64
import hashlib
import os
import tempfile
import unittest
import zlib

from boto3.s3.transfer import TransferConfig

from s3_helpers import S3TestCase

MiB = 1024 * 1024


class ListingTests(S3TestCase):
    def fill(self, keys):
        b = self.make_bucket()
        for k in keys:
            self.s3.put_object(Bucket=b, Key=k, Body=b"x")
        return b

    def test_delimiter_and_prefix(self):
        b = self.fill(["a.txt", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/x.jpg",
                       "photos/readme", "videos/v.mp4"])
        top = self.s3.list_objects_v2(Bucket=b, Delimiter="/")
        self.assertEqual([o["Key"] for o in top["Contents"]], ["a.txt"])
        self.assertEqual([p["Prefix"] for p in top["CommonPrefixes"]], ["photos/", "videos/"])
        self.assertEqual(top["KeyCount"], 3)
        sub = self.s3.list_objects_v2(Bucket=b, Prefix="photos/", Delimiter="/")
        self.assertEqual([o["Key"] for o in sub["Contents"]], ["photos/readme"])
        self.assertEqual([p["Prefix"] for p in sub["CommonPrefixes"]],
                         ["photos/2024/", "photos/2025/"])
        flat = self.s3.list_objects_v2(Bucket=b, Prefix="photos/2024/")
        self.assertEqual([o["Key"] for o in flat["Contents"]],
                         ["photos/2024/feb.jpg", "photos/2024/jan.jpg"])
        self.assertEqual(self.s3.list_objects_v2(Bucket=b, Prefix="zzz")["KeyCount"], 0)

    def test_pagination_v2(self):
        keys = [f"k{i:03d}" for i in range(25)]
        b = self.fill(keys)
        page = self.s3.list_objects_v2(Bucket=b, MaxKeys=10)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(page["KeyCount"], 10)
        page2 = self.s3.list_objects_v2(Bucket=b, MaxKeys=10,
                                        ContinuationToken=page["NextContinuationToken"])
        self.assertEqual(page2["Contents"][0]["Key"], "k010")
        seen = []
        for p in self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=b, PaginationConfig={"PageSize": 7}):
            seen += [o["Key"] for o in p["Contents"]]
        self.assertEqual(seen, keys)
        after = self.s3.list_objects_v2(Bucket=b, StartAfter="k020")
        self.assertEqual([o["Key"] for o in after["Contents"]], keys[21:])
        self.assertFalse(after["IsTruncated"])
        owner = self.s3.list_objects_v2(Bucket=b, MaxKeys=1, FetchOwner=True)["Contents"][0]
        self.assertIn("Owner", owner)
        self.assertNotIn("Owner", self.s3.list_objects_v2(Bucket=b, MaxKeys=1)["Contents"][0])
        self.assertError("InvalidArgument", self.s3.list_objects_v2, Bucket=b,
                         ContinuationToken="@@not-a-token@@")

    def test_common_prefixes_paginate(self):
        keys = [f"d{i}/f" for i in range(5)] + ["top"]
        b = self.fill(keys)
        seen = []
        for p in self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=b, Delimiter="/", PaginationConfig={"PageSize": 2}):
            seen += [c["Prefix"] for c in p.get("CommonPrefixes", [])]
            seen += [o["Key"] for o in p.get("Contents", [])]
        self.assertEqual(seen, ["d0/", "d1/", "d2/", "d3/", "d4/", "top"])

    def test_list_objects_v1(self):
        keys = [f"m{i}" for i in range(5)]
        b = self.fill(keys)
        page = self.s3.list_objects(Bucket=b, MaxKeys=2)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(page["NextMarker"], "m1")
        rest = self.s3.list_objects(Bucket=b, Marker="m1")
        self.assertEqual([o["Key"] for o in rest["Contents"]], ["m2", "m3", "m4"])
        seen = []
        for p in self.s3.get_paginator("list_objects").paginate(
                Bucket=b, PaginationConfig={"PageSize": 2}):
            seen += [o["Key"] for o in p["Contents"]]
        self.assertEqual(seen, keys)

    def test_url_encoding(self):
        b = self.fill(["with space/a b", "plus+sign"])
        # boto3 asks for EncodingType=url and decodes; the keys come back as stored.
        got = self.s3.list_objects_v2(Bucket=b)
        self.assertEqual([o["Key"] for o in got["Contents"]], ["plus+sign", "with space/a b"])
        self.assertError("InvalidArgument", self.s3.list_objects_v2, Bucket=b, EncodingType="zip")

    def test_list_versions_paginates(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        ids = [self.s3.put_object(Bucket=b, Key="v", Body=str(i).encode())["VersionId"]
               for i in range(5)]
        seen = []
        for p in self.s3.get_paginator("list_object_versions").paginate(
                Bucket=b, PaginationConfig={"PageSize": 2}):
            seen += [v["VersionId"] for v in p.get("Versions", [])]
        self.assertEqual(seen, list(reversed(ids)))

    def test_missing_bucket(self):
        self.assertError("NoSuchBucket", self.s3.list_objects_v2, Bucket="no-such-listing")


class MultipartTests(S3TestCase):
    def test_multipart_lifecycle(self):
        b = self.make_bucket()
        up = self.s3.create_multipart_upload(Bucket=b, Key="big", ContentType="text/csv",
                                             Metadata={"m": "1"})
        uid = up["UploadId"]
        p1 = b"a" * (5 * MiB)
        p2 = b"b" * 1000
        e1 = self.s3.upload_part(Bucket=b, Key="big", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
        e2 = self.s3.upload_part(Bucket=b, Key="big", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
        parts = self.s3.list_parts(Bucket=b, Key="big", UploadId=uid)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts], [(1, 5 * MiB), (2, 1000)])
        uploads = self.s3.list_multipart_uploads(Bucket=b)["Uploads"]
        self.assertEqual([u["UploadId"] for u in uploads], [uid])
        done = self.s3.complete_multipart_upload(
            Bucket=b, Key="big", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        raw = hashlib.md5(p1).digest() + hashlib.md5(p2).digest()
        self.assertEqual(done["ETag"], f'"{hashlib.md5(raw).hexdigest()}-2"')
        got = self.s3.get_object(Bucket=b, Key="big")
        self.assertEqual(got["Body"].read(), p1 + p2)
        self.assertEqual(got["ContentType"], "text/csv")
        self.assertEqual(got["Metadata"], {"m": "1"})
        part2 = self.s3.get_object(Bucket=b, Key="big", PartNumber=2)
        self.assertEqual(part2["PartsCount"], 2)
        self.assertEqual(part2["Body"].read(), p2)
        self.assertNotIn("Uploads", self.s3.list_multipart_uploads(Bucket=b))
        self.assertError("NoSuchUpload", self.s3.list_parts, Bucket=b, Key="big", UploadId=uid)

    def test_complete_errors(self):
        b = self.make_bucket()
        uid = self.s3.create_multipart_upload(Bucket=b, Key="k")["UploadId"]
        e1 = self.s3.upload_part(Bucket=b, Key="k", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
        e2 = self.s3.upload_part(Bucket=b, Key="k", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]
        self.assertError("EntityTooSmall", self.s3.complete_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": [
                             {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        self.assertError("InvalidPartOrder", self.s3.complete_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": [
                             {"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
        self.assertError("InvalidPart", self.s3.complete_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": [
                             {"PartNumber": 1, "ETag": '"ffffffffffffffffffffffffffffffff"'}]})
        self.assertError("InvalidPart", self.s3.complete_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 3, "ETag": e1}]})
        self.assertError("InvalidArgument", self.s3.upload_part, Bucket=b, Key="k", UploadId=uid,
                         PartNumber=10001, Body=b"x")
        # Nothing was written by the failures; a single last part may be small.
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="k")
        self.s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=uid,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"small")

    def test_abort(self):
        b = self.make_bucket()
        uid = self.s3.create_multipart_upload(Bucket=b, Key="k")["UploadId"]
        self.s3.upload_part(Bucket=b, Key="k", UploadId=uid, PartNumber=1, Body=b"x")
        r = self.s3.abort_multipart_upload(Bucket=b, Key="k", UploadId=uid)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("NoSuchUpload", self.s3.abort_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid)
        self.assertError("NoSuchUpload", self.s3.upload_part, Bucket=b, Key="k", UploadId=uid,
                         PartNumber=1, Body=b"x")

    def test_upload_part_copy_and_composite_checksum(self):
        b = self.make_bucket()
        src = os.urandom(6 * MiB)
        self.s3.put_object(Bucket=b, Key="src", Body=src)
        uid = self.s3.create_multipart_upload(Bucket=b, Key="dst", ChecksumAlgorithm="CRC32")["UploadId"]
        c1 = self.s3.upload_part_copy(Bucket=b, Key="dst", UploadId=uid, PartNumber=1,
                                      CopySource={"Bucket": b, "Key": "src"},
                                      CopySourceRange=f"bytes=0-{5 * MiB - 1}")["CopyPartResult"]
        tail = b"tail bytes"
        c2 = self.s3.upload_part(Bucket=b, Key="dst", UploadId=uid, PartNumber=2, Body=tail,
                                 ChecksumAlgorithm="CRC32")
        crc = [zlib.crc32(src[:5 * MiB]).to_bytes(4, "big"), zlib.crc32(tail).to_bytes(4, "big")]
        self.assertEqual(c1["ChecksumCRC32"], base64.b64encode(crc[0]).decode())
        done = self.s3.complete_multipart_upload(
            Bucket=b, Key="dst", UploadId=uid,
            MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": c1["ETag"], "ChecksumCRC32": c1["ChecksumCRC32"]},
                {"PartNumber": 2, "ETag": c2["ETag"], "ChecksumCRC32": c2["ChecksumCRC32"]}]})
        composite = base64.b64encode(zlib.crc32(crc[0] + crc[1]).to_bytes(4, "big")).decode()
        self.assertEqual(done["ChecksumCRC32"], composite + "-2")
        got = self.s3.get_object(Bucket=b, Key="dst", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), src[:5 * MiB] + tail)
        attrs = self.s3.get_object_attributes(Bucket=b, Key="dst", ObjectAttributes=["ObjectParts"])
        self.assertEqual(attrs["ObjectParts"]["TotalPartsCount"], 2)

    def test_transfer_manager_round_trip(self):
        b = self.make_bucket()
        data = os.urandom(20 * MiB + 123)
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src.bin"), os.path.join(d, "dst.bin")
            with open(src, "wb") as f:
                f.write(data)
            cfg = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
            self.s3.upload_file(src, b, "tm/src.bin", Config=cfg)
            head = self.s3.head_object(Bucket=b, Key="tm/src.bin")
            self.assertEqual(head["ContentLength"], len(data))
            self.assertTrue(head["ETag"].endswith('-3"'))
            self.s3.download_file(b, "tm/src.bin", dst, Config=cfg)
            with open(dst, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())


if __name__ == "__main__":
    unittest.main()
