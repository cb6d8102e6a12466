"""S3 subresources that Sluice does not build yet must never reach another
operation: `PUT /b/k?acl` is PutObjectAcl, never a PutObject that overwrites
the object with the ACL document; `DELETE /b?policy` never deletes the bucket;
`GET /b?policy` never answers a listing. Each is answered NotImplemented (501)
naming the operation, and the bucket and its object are left as they were.

The sweep walks every operation of botocore's S3 model that is addressed by a
subresource, so a subresource added to the model is covered without editing
this file."""
import unittest

import botocore.session
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from s3_helpers import S3TestCase

CONTENT = b"the original content"
GARBAGE = b"<NotWhatTheOperationWants>garbage</NotWhatTheOperationWants>"


def subresource_requests():
    """(operation name, method, 'bucket' or 'object', query, headers) for every
    model operation whose request URI names a subresource."""
    model = botocore.session.get_session().get_service_model("s3")
    for name in model.operation_names:
        op = model.operation_model(name)
        method, uri = op.http["method"], op.http["requestUri"]
        if "?" not in uri or not uri.startswith("/{Bucket}"):
            continue
        path, query = uri.split("?", 1)
        params = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in query.split("&")]
        headers = {}
        shape = op.input_shape
        for member in (shape.required_members if shape else []):
            m = shape.members[member]
            where = m.serialization.get("location")
            wire = m.serialization.get("name", member)
            if where == "querystring" and all(k != wire for k, _ in params):
                params.append((wire, "x"))
            elif where == "header":
                headers[wire] = "x"
        yield name, method, "object" if "{Key+}" in path else "bucket", params, headers


class SubresourceRoutingTests(S3TestCase):
    def signed(self, method, path, params, headers, body):
        query = "&".join(f"{k}={v}" if v else k for k, v in params)
        url = f"{self.server.endpoint}{path}?{query}"
        req = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
        return requests.request(method, url, headers=dict(req.headers), data=body, timeout=30)

    def assertUntouched(self, bucket, key):
        self.s3.head_bucket(Bucket=bucket)
        if key:
            self.assertEqual(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read(), CONTENT)

    def test_every_subresource_leaves_bucket_and_object_untouched(self):
        empty = self.make_bucket("empty")  # a DELETE that fell through would remove it
        full = self.make_bucket("full")
        self.s3.put_object(Bucket=full, Key="k", Body=CONTENT)
        unbuilt = []
        for name, method, level, params, headers in subresource_requests():
            with self.subTest(operation=name):
                bucket = empty if level == "bucket" else full
                path = f"/{bucket}" if level == "bucket" else f"/{bucket}/k"
                body = GARBAGE if method in ("PUT", "POST") else b""
                r = self.signed(method, path, params, headers, body)
                self.assertNotEqual(r.status_code, 500, (name, r.text))
                if r.status_code == 501:
                    unbuilt.append(name)
                    self.assertIn("<Code>NotImplemented</Code>", r.text)
                    self.assertIn(name, r.text)
                if method == "GET" and name != "ListObjectsV2":
                    self.assertNotIn(b"<ListBucketResult", r.content, name)
                    self.assertNotEqual(r.content, CONTENT, name)
                self.assertUntouched(empty, None)
                self.assertUntouched(full, "k")
        # The sweep is meaningful only if it met the operations that lost data.
        for name in ("PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention",
                     "DeleteBucketWebsite", "GetBucketAcl"):
            self.assertIn(name, unbuilt)

    def test_object_subresources_through_boto3(self):
        bucket = self.make_bucket()
        self.s3.put_object(Bucket=bucket, Key="k", Body=CONTENT)
        calls = [
            (self.s3.put_object_acl, dict(ACL="public-read")),
            (self.s3.put_object_legal_hold, dict(LegalHold={"Status": "ON"})),
            (self.s3.put_object_retention,
             dict(Retention={"Mode": "GOVERNANCE", "RetainUntilDate": "2030-01-01T00:00:00Z"})),
            (self.s3.get_object_acl, {}),
            (self.s3.get_object_retention, {}),
            (self.s3.get_object_legal_hold, {}),
        ]
        for fn, kwargs in calls:
            with self.subTest(operation=fn.__name__):
                r = self.assertError("NotImplemented", fn, Bucket=bucket, Key="k", **kwargs)
                self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 501)
                self.assertUntouched(bucket, "k")

    def test_bucket_subresources_through_boto3(self):
        bucket = self.make_bucket()
        # Built now: these remove a configuration, never the bucket.
        for fn in (self.s3.delete_bucket_policy, self.s3.delete_bucket_encryption,
                   self.s3.delete_bucket_cors, self.s3.delete_bucket_ownership_controls,
                   self.s3.delete_public_access_block):
            fn(Bucket=bucket)
            self.assertUntouched(bucket, None)
        deletes = [self.s3.delete_bucket_website, self.s3.delete_bucket_replication]
        for fn in deletes:
            with self.subTest(operation=fn.__name__):
                self.assertError("NotImplemented", fn, Bucket=bucket)
                self.assertUntouched(bucket, None)
        puts = [
            (self.s3.put_bucket_acl, dict(ACL="private")),
            (self.s3.put_bucket_logging, dict(BucketLoggingStatus={})),
        ]
        for fn, kwargs in puts:
            with self.subTest(operation=fn.__name__):
                # Before the fix these fell through to CreateBucket.
                self.assertError("NotImplemented", fn, Bucket=bucket, **kwargs)
        for fn in (self.s3.get_bucket_acl,):
            with self.subTest(operation=fn.__name__):
                self.assertError("NotImplemented", fn, Bucket=bucket)
        # GetBucketPolicy is built: no policy, not a listing.
        self.assertError("NoSuchBucketPolicy", self.s3.get_bucket_policy, Bucket=bucket)
        self.s3.put_object(Bucket=bucket, Key="after", Body=b"x")
        self.assertEqual([o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket)["Contents"]],
                         ["after"])


if __name__ == "__main__":
    unittest.main()
