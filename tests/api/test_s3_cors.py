"""S3 CORS as a browser meets it: preflight OPTIONS requests answered from
the bucket's CORS rules (or refused with S3's AccessForbidden and 400s), and
the Access-Control-* headers on the responses to requests that name their
Origin — a presigned PUT from a web page included."""
import requests

from s3_helpers import S3TestCase

RULES = {"CORSRules": [
    {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["content-type", "x-amz-*"], "ExposeHeaders": ["ETag"],
     "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]},
]}


class CorsTests(S3TestCase):
    def preflight(self, bucket, key="k", **headers):
        return requests.options(f"{self.server.endpoint}/{bucket}/{key}", headers=headers,
                                timeout=10)

    def test_preflight_allowed_by_a_rule(self):
        b = self.make_bucket()
        self.s3.put_bucket_cors(Bucket=b, CORSConfiguration=RULES)
        r = self.preflight(b, **{"Origin": "https://app.example.com",
                                 "Access-Control-Request-Method": "PUT",
                                 "Access-Control-Request-Headers": "Content-Type, X-Amz-Date"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Access-Control-Allow-Origin"], "https://app.example.com")
        self.assertEqual(r.headers["Access-Control-Allow-Methods"], "GET, PUT")
        self.assertEqual(r.headers["Access-Control-Allow-Headers"], "content-type, x-amz-date")
        self.assertEqual(r.headers["Access-Control-Max-Age"], "600")
        self.assertEqual(r.headers["Access-Control-Expose-Headers"], "ETag")
        self.assertEqual(r.headers["Access-Control-Allow-Credentials"], "true")
        # Any origin may GET, through the open rule.
        r = self.preflight(b, **{"Origin": "https://other.net",
                                 "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Access-Control-Allow-Origin"], "*")

    def test_preflight_refusals(self):
        b = self.make_bucket()
        r = self.preflight(b, **{"Origin": "https://app.example.com",
                                 "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>AccessForbidden</Code>", r.text)
        self.assertIn("CORS is not enabled for this bucket.", r.text)
        self.s3.put_bucket_cors(Bucket=b, CORSConfiguration=RULES)
        for headers in ({"Origin": "https://other.net", "Access-Control-Request-Method": "PUT"},
                        {"Origin": "https://app.example.com",
                         "Access-Control-Request-Method": "DELETE"},
                        {"Origin": "https://app.example.com",
                         "Access-Control-Request-Method": "PUT",
                         "Access-Control-Request-Headers": "authorization"}):
            r = self.preflight(b, **headers)
            self.assertEqual(r.status_code, 403, headers)
            self.assertIn("This CORS request is not allowed", r.text)
            self.assertNotIn("Access-Control-Allow-Origin", r.headers)
        r = self.preflight(b, **{"Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("Origin request header needed", r.text)
        r = self.preflight(b, **{"Origin": "https://app.example.com"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("Invalid Access-Control-Request-Method: null", r.text)
        r = self.preflight("no-such-bucket-here", **{"Origin": "https://app.example.com",
                                                     "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status_code, 404)
        self.assertIn("NoSuchBucket", r.text)

    def test_a_browser_put_and_get_carry_the_headers(self):
        b = self.make_bucket()
        self.s3.put_bucket_cors(Bucket=b, CORSConfiguration=RULES)
        url = self.s3.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "up.txt"},
                                             ExpiresIn=300)
        r = requests.put(url, data=b"from a page", headers={"Origin": "https://app.example.com"},
                         timeout=10)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Access-Control-Allow-Origin"], "https://app.example.com")
        self.assertEqual(r.headers["Access-Control-Expose-Headers"], "ETag")
        got = self.s3.get_object(Bucket=b, Key="up.txt")["Body"].read()
        self.assertEqual(got, b"from a page")
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "up.txt"},
                                             ExpiresIn=300)
        r = requests.get(url, headers={"Origin": "https://other.net"}, timeout=10)
        self.assertEqual(r.headers["Access-Control-Allow-Origin"], "*")
        # No Origin, no CORS headers; an origin no rule allows, none either.
        r = requests.get(url, timeout=10)
        self.assertNotIn("Access-Control-Allow-Origin", r.headers)
        url = self.s3.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "x"},
                                             ExpiresIn=300)
        r = requests.put(url, data=b"x", headers={"Origin": "https://other.net"}, timeout=10)
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("Access-Control-Allow-Origin", r.headers)
