"""S3 objects through boto3: put/get/head/delete, ranges, conditions, copy,
metadata, integrity checks, tagging, versioning, presigned URLs."""
import base64
import datetime
import hashlib
import os
import unittest
import urllib.error
import urllib.request
import zlib

from botocore.exceptions import ClientError

from s3_helpers import S3TestCase, s3_client


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


class ObjectTests(S3TestCase):
    server_args = ("--clock", "virtual")

    def test_put_get_head_with_metadata_and_headers(self):
        b = self.make_bucket()
        body = b"The quick brown fox jumps over the lazy dog"
        put = self.s3.put_object(Bucket=b, Key="dir/fox.txt", Body=body, ContentType="text/plain",
                                 ContentEncoding="identity", ContentDisposition="inline",
                                 CacheControl="max-age=60", ContentLanguage="en",
                                 Metadata={"Color": "brown", "legs": "4"})
        # ETag = quoted hex MD5 (RFC 1321 test vector for this sentence).
        self.assertEqual(put["ETag"], '"9e107d9d372bb6826bd81d3542a419d6"')
        got = self.s3.get_object(Bucket=b, Key="dir/fox.txt")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "text/plain")
        self.assertEqual(got["ContentEncoding"], "identity")
        self.assertEqual(got["ContentDisposition"], "inline")
        self.assertEqual(got["CacheControl"], "max-age=60")
        self.assertEqual(got["ContentLanguage"], "en")
        self.assertEqual(got["Metadata"], {"color": "brown", "legs": "4"})
        self.assertEqual(got["ContentLength"], len(body))
        head = self.s3.head_object(Bucket=b, Key="dir/fox.txt")
        self.assertEqual(head["ETag"], put["ETag"])
        self.assertEqual(head["ContentLength"], len(body))
        self.assertIsInstance(head["LastModified"], datetime.datetime)
        self.s3.get_waiter("object_exists").wait(Bucket=b, Key="dir/fox.txt")

    def test_default_content_type_and_empty_object(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="empty", Body=b"")
        got = self.s3.get_object(Bucket=b, Key="empty")
        self.assertEqual(got["Body"].read(), b"")
        self.assertEqual(got["ContentType"], "binary/octet-stream")
        self.assertEqual(got["ETag"], '"d41d8cd98f00b204e9800998ecf8427e"')

    def test_missing_key_and_bucket(self):
        b = self.make_bucket()
        r = self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="nope")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertError("404", self.s3.head_object, Bucket=b, Key="nope")
        self.assertError("NoSuchBucket", self.s3.put_object, Bucket="no-such-bkt", Key="k",
                         Body=b"x")

    def test_ranges(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="r", Body=b"0123456789")
        cases = [("bytes=0-3", b"0123", "bytes 0-3/10"), ("bytes=7-", b"789", "bytes 7-9/10"),
                 ("bytes=-2", b"89", "bytes 8-9/10"), ("bytes=5-100", b"56789", "bytes 5-9/10")]
        for rng, data, content_range in cases:
            with self.subTest(rng=rng):
                got = self.s3.get_object(Bucket=b, Key="r", Range=rng)
                self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)
                self.assertEqual(got["ContentRange"], content_range)
                self.assertEqual(got["Body"].read(), data)
        r = self.assertError("InvalidRange", self.s3.get_object, Bucket=b, Key="r",
                             Range="bytes=10-20")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 416)
        # A malformed range is ignored: the whole object, 200.
        got = self.s3.get_object(Bucket=b, Key="r", Range="bytes=abc")
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(got["Body"].read(), b"0123456789")

    def test_conditional_reads(self):
        b = self.make_bucket()
        etag = self.s3.put_object(Bucket=b, Key="c", Body=b"data")["ETag"]
        self.assertEqual(self.s3.get_object(Bucket=b, Key="c", IfMatch=etag)["Body"].read(),
                         b"data")
        r = self.assertError("PreconditionFailed", self.s3.get_object, Bucket=b, Key="c",
                             IfMatch='"0000"')
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 412)
        r = self.assertError("304", self.s3.get_object, Bucket=b, Key="c", IfNoneMatch=etag)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 304)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        self.assertError("304", self.s3.get_object, Bucket=b, Key="c", IfModifiedSince=future)
        self.s3.get_object(Bucket=b, Key="c", IfModifiedSince=past)
        self.assertError("PreconditionFailed", self.s3.get_object, Bucket=b, Key="c",
                         IfUnmodifiedSince=past)
        # A matching If-Match overrides a failing If-Unmodified-Since (RFC 7232).
        self.s3.get_object(Bucket=b, Key="c", IfMatch=etag, IfUnmodifiedSince=past)
        self.assertError("412", self.s3.head_object, Bucket=b, Key="c", IfMatch='"zz"')

    def test_response_header_overrides(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="o", Body=b"x", ContentType="text/plain")
        got = self.s3.get_object(Bucket=b, Key="o", ResponseContentType="application/json",
                                 ResponseContentDisposition="attachment; filename=x.json",
                                 ResponseCacheControl="no-cache")
        self.assertEqual(got["ContentType"], "application/json")
        self.assertEqual(got["ContentDisposition"], "attachment; filename=x.json")
        self.assertEqual(got["CacheControl"], "no-cache")

    def test_content_md5(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="m", Body=b"abc", ContentMD5=md5_b64(b"abc"))
        self.assertError("BadDigest", self.s3.put_object, Bucket=b, Key="bad", Body=b"abc",
                         ContentMD5=md5_b64(b"abd"))
        self.assertError("InvalidDigest", self.s3.put_object, Bucket=b, Key="bad", Body=b"abc",
                         ContentMD5="notbase64!!")
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="bad")

    def test_checksums(self):
        b = self.make_bucket()
        body = b"123456789"
        # CRC-32 check value of "123456789" is 0xCBF43926; CRC-32C 0xE3069283.
        crc32 = base64.b64encode((0xCBF43926).to_bytes(4, "big")).decode()
        crc32c = base64.b64encode((0xE3069283).to_bytes(4, "big")).decode()
        sha256 = base64.b64encode(hashlib.sha256(body).digest()).decode()
        put = self.s3.put_object(Bucket=b, Key="crc", Body=body, ChecksumAlgorithm="CRC32")
        self.assertEqual(put["ChecksumCRC32"], crc32)
        got = self.s3.get_object(Bucket=b, Key="crc", ChecksumMode="ENABLED")
        self.assertEqual(got["ChecksumCRC32"], crc32)
        self.assertEqual(got["Body"].read(), body)
        put = self.s3.put_object(Bucket=b, Key="c32c", Body=body, ChecksumCRC32C=crc32c)
        self.assertEqual(put["ChecksumCRC32C"], crc32c)
        put = self.s3.put_object(Bucket=b, Key="sha", Body=body, ChecksumSHA256=sha256)
        self.assertEqual(put["ChecksumSHA256"], sha256)
        wrong = base64.b64encode((0x12345678).to_bytes(4, "big")).decode()
        self.assertError("BadDigest", self.s3.put_object, Bucket=b, Key="bad", Body=body,
                         ChecksumCRC32=wrong)
        self.assertError("NoSuchKey", self.s3.head_object if False else self.s3.get_object,
                         Bucket=b, Key="bad")
        attrs = self.s3.get_object_attributes(Bucket=b, Key="crc",
                                              ObjectAttributes=["ETag", "Checksum", "ObjectSize",
                                                                "StorageClass"])
        self.assertEqual(attrs["Checksum"]["ChecksumCRC32"], crc32)
        self.assertEqual(attrs["ObjectSize"], 9)
        self.assertEqual(attrs["ETag"], hashlib.md5(body).hexdigest())
        self.assertEqual(attrs["StorageClass"], "STANDARD")

    def test_unsigned_aws_chunked_trailer_is_verified(self):
        b = self.make_bucket()
        data = b"hello chunked world"
        good = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()

        def send(checksum):
            body = (b"%x\r\n" % len(data)) + data + b"\r\n0\r\nx-amz-checksum-crc32:" + \
                checksum.encode() + b"\r\n\r\n"
            req = urllib.request.Request(
                f"{self.server.endpoint}/{b}/chunked", data=body, method="PUT",
                headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                         "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
                         "x-amz-decoded-content-length": str(len(data))})
            return urllib.request.urlopen(req)

        with self.assertRaises(urllib.error.HTTPError) as cm:
            send(base64.b64encode(b"\0\0\0\0").decode())
        self.assertIn(b"<Code>BadDigest</Code>", cm.exception.read())
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="chunked")
        send(good).read()
        got = self.s3.get_object(Bucket=b, Key="chunked", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), data)
        self.assertEqual(got["ChecksumCRC32"], good)
        self.assertNotIn("ContentEncoding", got)

    def test_delete_and_delete_objects(self):
        b = self.make_bucket()
        for k in ["a", "b", "c"]:
            self.s3.put_object(Bucket=b, Key=k, Body=k.encode())
        r = self.s3.delete_object(Bucket=b, Key="a")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.s3.delete_object(Bucket=b, Key="never-there")  # idempotent
        out = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "b"}, {"Key": "zz"}]})
        self.assertEqual(sorted(d["Key"] for d in out["Deleted"]), ["b", "zz"])
        quiet = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
        self.assertNotIn("Deleted", quiet)
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)
        too_many = [{"Key": f"k{i}"} for i in range(1001)]
        self.assertError("MalformedXML", self.s3.delete_objects, Bucket=b,
                         Delete={"Objects": too_many})

    def test_copy_object(self):
        b = self.make_bucket()
        src = self.s3.put_object(Bucket=b, Key="src", Body=b"copy me", ContentType="text/plain",
                                 Metadata={"a": "1"}, Tagging="t=1")
        out = self.s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src"})
        self.assertEqual(out["CopyObjectResult"]["ETag"], src["ETag"])
        got = self.s3.get_object(Bucket=b, Key="dst")
        self.assertEqual(got["Body"].read(), b"copy me")
        self.assertEqual(got["Metadata"], {"a": "1"})
        self.assertEqual(got["ContentType"], "text/plain")
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="dst")["TagSet"],
                         [{"Key": "t", "Value": "1"}])
        self.s3.copy_object(Bucket=b, Key="dst2", CopySource=f"{b}/src", MetadataDirective="REPLACE",
                            Metadata={"b": "2"}, ContentType="application/x", TaggingDirective="REPLACE",
                            Tagging="u=2", StorageClass="STANDARD_IA")
        got = self.s3.head_object(Bucket=b, Key="dst2")
        self.assertEqual(got["Metadata"], {"b": "2"})
        self.assertEqual(got["ContentType"], "application/x")
        self.assertEqual(got["StorageClass"], "STANDARD_IA")
        self.assertError("InvalidRequest", self.s3.copy_object, Bucket=b, Key="src",
                         CopySource=f"{b}/src")
        self.assertError("PreconditionFailed", self.s3.copy_object, Bucket=b, Key="dst3",
                         CopySource=f"{b}/src", CopySourceIfMatch='"nope"')
        self.assertError("PreconditionFailed", self.s3.copy_object, Bucket=b, Key="dst3",
                         CopySource=f"{b}/src", CopySourceIfNoneMatch=src["ETag"])
        self.assertError("NoSuchKey", self.s3.copy_object, Bucket=b, Key="dst3",
                         CopySource=f"{b}/missing")
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="dst3")

    def test_a_large_body_with_a_wrong_checksum_leaves_no_file(self):
        # Over 1 MiB the file is written while the checksum is computed: a
        # refused body's file must go again.
        b = self.make_bucket()
        objects = os.path.join(self.server.data_dir, "objects")
        def files():
            return sorted(os.path.join(d, f) for d, _, fs in os.walk(objects) for f in fs)
        before = files()
        body = os.urandom(3 * 1024 * 1024)
        wrong = base64.b64encode((0x12345678).to_bytes(4, "big")).decode()
        self.assertError("BadDigest", self.s3.put_object, Bucket=b, Key="big", Body=body,
                         ChecksumCRC32=wrong)
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="big")
        self.assertEqual(files(), before)

    def test_a_chunked_transfer_encoding_is_refused(self):
        # S3 needs a body's length: a plain chunked transfer has none (the
        # SDKs' chunked aws-chunked uploads declare x-amz-decoded-content-length).
        import http.client
        import urllib.parse
        b = self.make_bucket()
        url = urllib.parse.urlparse(self.server.endpoint)
        conn = http.client.HTTPConnection(url.hostname, url.port)
        conn.request("PUT", f"/{b}/chunked", body=iter([b"hello ", b"world"]),
                     encode_chunked=True)
        r = conn.getresponse()
        body = r.read().decode()
        self.assertEqual(r.status, 501)
        self.assertIn("<Code>NotImplemented</Code>", body)
        self.assertIn("<Header>Transfer-Encoding</Header>", body)
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="chunked")

    def test_keys_are_not_paths(self):
        b = self.make_bucket()
        keys = ["../escape", "/abs/path", "a//b", "ünïcödé/文件.txt", "dir/../x", "." , "sp ace+plus",
                "%2F?&=#", "k" * 1024]
        for i, k in enumerate(keys):
            self.s3.put_object(Bucket=b, Key=k, Body=str(i).encode())
        for i, k in enumerate(keys):
            with self.subTest(key=k[:40]):
                self.assertEqual(self.s3.get_object(Bucket=b, Key=k)["Body"].read(),
                                 str(i).encode())
        listed = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=b):
            listed += [o["Key"] for o in page.get("Contents", [])]
        self.assertEqual(listed, sorted(keys, key=lambda k: k.encode()))
        self.assertError("KeyTooLongError", self.s3.put_object, Bucket=b, Key="k" * 1025,
                         Body=b"x")

    def test_object_tagging(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
        self.assertEqual(self.s3.head_object(Bucket=b, Key="t").get("TagCount"), None
                         if False else self.s3.get_object(Bucket=b, Key="t")["TagCount"])
        tags = self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("a", "1"), ("b", "two words")])
        self.s3.put_object_tagging(Bucket=b, Key="t", Tagging={"TagSet": [{"Key": "x", "Value": "y"}]})
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"],
                         [{"Key": "x", "Value": "y"}])
        eleven = {"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]}
        self.assertError("InvalidTag", self.s3.put_object_tagging, Bucket=b, Key="t", Tagging=eleven)
        self.s3.delete_object_tagging(Bucket=b, Key="t")
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"], [])

    def test_storage_class(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="ia", Body=b"x", StorageClass="ONEZONE_IA")
        self.assertEqual(self.s3.head_object(Bucket=b, Key="ia")["StorageClass"], "ONEZONE_IA")
        listed = self.s3.list_objects_v2(Bucket=b)["Contents"][0]
        self.assertEqual(listed["StorageClass"], "ONEZONE_IA")
        self.assertError("InvalidStorageClass", self.s3.put_object, Bucket=b, Key="bad", Body=b"x",
                         StorageClass="NOPE")
        self.s3.put_object(Bucket=b, Key="cold", Body=b"x", StorageClass="GLACIER")
        self.assertError("InvalidObjectState", self.s3.get_object, Bucket=b, Key="cold")

    def test_versioning(self):
        b = self.make_bucket()
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=b))
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
        v2 = self.s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"two")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(), b"one")
        d = self.s3.delete_object(Bucket=b, Key="k")
        self.assertTrue(d["DeleteMarker"])
        marker = d["VersionId"]
        self.assertError("NoSuchKey", self.s3.get_object, Bucket=b, Key="k")
        self.assertError("MethodNotAllowed", self.s3.get_object, Bucket=b, Key="k",
                         VersionId=marker)
        versions = self.s3.list_object_versions(Bucket=b)
        self.assertEqual([v["VersionId"] for v in versions["Versions"]], [v2, v1])
        self.assertEqual([m["VersionId"] for m in versions["DeleteMarkers"]], [marker])
        self.assertTrue(versions["DeleteMarkers"][0]["IsLatest"])
        self.s3.delete_object(Bucket=b, Key="k", VersionId=marker)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"two")
        self.s3.delete_object(Bucket=b, Key="k", VersionId=v2)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="k")["Body"].read(), b"one")
        self.assertError("NoSuchVersion", self.s3.get_object, Bucket=b, Key="k",
                         VersionId="0" * 32)
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
        self.s3.put_object(Bucket=b, Key="k", Body=b"null-1")
        self.s3.put_object(Bucket=b, Key="k", Body=b"null-2")
        ids = [v["VersionId"] for v in self.s3.list_object_versions(Bucket=b)["Versions"]]
        self.assertEqual(ids, ["null", v1])
        self.assertError("MalformedXML", self.s3.put_bucket_versioning, Bucket=b,
                         VersioningConfiguration={"Status": "Sometimes"})

    def test_presigned_urls(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="p", Body=b"presigned")
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "p"},
                                             ExpiresIn=300)
        with urllib.request.urlopen(url) as r:
            self.assertEqual(r.read(), b"presigned")
        put_url = self.s3.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "up"},
                                                 ExpiresIn=300)
        urllib.request.urlopen(urllib.request.Request(put_url, data=b"uploaded", method="PUT"))
        self.assertEqual(self.s3.get_object(Bucket=b, Key="up")["Body"].read(), b"uploaded")

    def test_presigned_url_expiry(self):
        b = self.make_bucket()
        self.s3.put_object(Bucket=b, Key="p", Body=b"x")
        v4 = s3_client(self.server, signature_version="s3v4")
        v4_url = v4.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "p"},
                                           ExpiresIn=60)
        v2_url = self.s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "p"},
                                                ExpiresIn=60)
        self.assertIn("X-Amz-Expires=60", v4_url)
        self.assertIn("Expires=", v2_url)
        for url in (v4_url, v2_url):
            with urllib.request.urlopen(url) as r:
                self.assertEqual(r.read(), b"x")
        # The server's clock runs forward: two minutes later both have expired.
        self.server.admin("/_sluice/clock/advance", {"seconds": 120})
        for url in (v4_url, v2_url):
            with self.subTest(url=url[:60]):
                with self.assertRaises(urllib.error.HTTPError) as cm:
                    urllib.request.urlopen(url)
                self.assertEqual(cm.exception.code, 403)
                body = cm.exception.read().decode()
                self.assertIn("<Code>AccessDenied</Code>", body)
                self.assertIn("<Message>Request has expired</Message>", body)
        # More than a week is refused outright, signed or not.
        week_plus = v4.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "p"},
                                              ExpiresIn=604801)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(week_plus)
        self.assertEqual(cm.exception.code, 400)
        body = cm.exception.read().decode()
        self.assertIn("<Code>AuthorizationQueryParametersError</Code>", body)
        self.assertIn("less than 604800 seconds", body)


if __name__ == "__main__":
    unittest.main()
