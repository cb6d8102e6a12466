"""S3 bucket configurations stored and reported as S3 does, through boto3:
public access block and ownership controls (on by default for new buckets,
as since April 2023; gone after Delete), and CORS rules with S3's checks;
all durable across kill -9."""
import signal
import unittest

from s3_helpers import S3TestCase, error_code as code_of



ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}


class BucketConfigTests(S3TestCase):
    def test_public_access_block(self):
        b = self.make_bucket()
        self.assertEqual(self.s3.get_public_access_block(Bucket=b)
                         ["PublicAccessBlockConfiguration"], ALL_BLOCKED)
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "BlockPublicPolicy": False})
        self.assertEqual(self.s3.get_public_access_block(Bucket=b)
                         ["PublicAccessBlockConfiguration"],
                         {"BlockPublicAcls": True, "IgnorePublicAcls": False,
                          "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
        self.s3.delete_public_access_block(Bucket=b)
        self.assertEqual(code_of(self.s3.get_public_access_block, Bucket=b),
                         ("NoSuchPublicAccessBlockConfiguration", 404))

    def test_ownership_controls(self):
        b = self.make_bucket()
        rules = self.s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"]
        self.assertEqual(rules, [{"ObjectOwnership": "BucketOwnerEnforced"}])
        self.s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={
            "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        self.assertEqual(self.s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]
                         ["Rules"], [{"ObjectOwnership": "ObjectWriter"}])
        self.assertEqual(code_of(self.s3.put_bucket_ownership_controls, Bucket=b,
                                 OwnershipControls={"Rules": []}), ("MalformedXML", 400))
        self.s3.delete_bucket_ownership_controls(Bucket=b)
        self.assertEqual(code_of(self.s3.get_bucket_ownership_controls, Bucket=b),
                         ("OwnershipControlsNotFoundError", 404))

    def test_cors_rules(self):
        b = self.make_bucket()
        self.assertEqual(code_of(self.s3.get_bucket_cors, Bucket=b),
                         ("NoSuchCORSConfiguration", 404))
        rules = [{"ID": "web", "AllowedOrigins": ["https://app.example.com"],
                  "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"],
                  "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000},
                 {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]}]
        self.s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": rules})
        self.assertEqual(self.s3.get_bucket_cors(Bucket=b)["CORSRules"], rules)
        for bad, expected in (
                ([{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}], "InvalidRequest"),
                ([{"AllowedOrigins": ["*.*.example.com"], "AllowedMethods": ["GET"]}],
                 "InvalidRequest")):
            self.assertEqual(code_of(self.s3.put_bucket_cors, Bucket=b,
                                     CORSConfiguration={"CORSRules": bad}), (expected, 400))
        self.assertEqual(self.s3.get_bucket_cors(Bucket=b)["CORSRules"], rules)  # unchanged
        self.s3.delete_bucket_cors(Bucket=b)
        self.assertEqual(code_of(self.s3.get_bucket_cors, Bucket=b)[0], "NoSuchCORSConfiguration")



class BucketConfigDurabilityTest(S3TestCase):
    def test_configurations_survive_kill_9(self):
        b = self.make_bucket()
        self.s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
        self.s3.delete_public_access_block(Bucket=b)
        self.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        self.server.stop(signal.SIGKILL)
        self.server.start()
        type(self).s3 = self.s3 = self.server.client("s3")
        self.assertEqual(self.s3.get_bucket_cors(Bucket=b)["CORSRules"][0]["AllowedMethods"],
                         ["GET"])
        self.assertEqual(code_of(self.s3.get_public_access_block, Bucket=b)[0],
                         "NoSuchPublicAccessBlockConfiguration")
        self.assertEqual(self.s3.put_object(Bucket=b, Key="k", Body=b"x")["ServerSideEncryption"],
                         "aws:kms")


if __name__ == "__main__":
    unittest.main()
