"""Bucket policies through boto3, the AWS CLI and CloudFormation: JSON documents
kept and answered as S3 does (not enforced), S3's MalformedPolicy checks, the
policy status, deletion that never touches the bucket, durability."""
import json
import signal
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import SluiceServer

PUBLIC_READ = {"Version": "2012-10-17", "Statement": [{
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::policy-bucket/*"}]}


class BucketPolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.s3 = cls.server.client("s3")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response

    def test_put_get_status_delete(self):
        self.s3.create_bucket(Bucket="policy-bucket")
        self.s3.put_object(Bucket="policy-bucket", Key="k", Body=b"data")
        r = self.error("NoSuchBucketPolicy", self.s3.get_bucket_policy, Bucket="policy-bucket")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(r["Error"]["BucketName"], "policy-bucket")
        text = json.dumps(PUBLIC_READ, indent=2)
        self.s3.put_bucket_policy(Bucket="policy-bucket", Policy=text)
        self.assertEqual(self.s3.get_bucket_policy(Bucket="policy-bucket")["Policy"], text)
        self.assertTrue(self.s3.get_bucket_policy_status(Bucket="policy-bucket")[
            "PolicyStatus"]["IsPublic"])
        private = dict(PUBLIC_READ, Statement=[dict(PUBLIC_READ["Statement"][0], Principal={
            "AWS": "arn:aws:iam::000000000000:root"})])
        self.s3.put_bucket_policy(Bucket="policy-bucket", Policy=json.dumps(private))
        self.assertFalse(self.s3.get_bucket_policy_status(Bucket="policy-bucket")[
            "PolicyStatus"]["IsPublic"])
        self.s3.delete_bucket_policy(Bucket="policy-bucket")
        self.error("NoSuchBucketPolicy", self.s3.get_bucket_policy, Bucket="policy-bucket")
        self.assertEqual(self.s3.get_object(Bucket="policy-bucket", Key="k")["Body"].read(),
                         b"data")
        self.s3.delete_bucket_policy(Bucket="policy-bucket")  # nothing to delete: still 204

    def test_malformed_policies(self):
        self.s3.create_bucket(Bucket="malformed-policies")
        cases = [
            ("<Policy/>", "Policies must be valid JSON and the first byte must be '{'"),
            ('{"Version": "2012-10-17"}', "Missing required field Statement"),
            ('{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:*"}]}',
             "Invalid effect: Maybe"),
            ('{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}',
             "Missing required field Principal"),
        ]
        for text, message in cases:
            with self.subTest(policy=text):
                r = self.error("MalformedPolicy", self.s3.put_bucket_policy,
                               Bucket="malformed-policies", Policy=text)
                self.assertEqual(r["Error"]["Message"], message)
        self.error("NoSuchBucketPolicy", self.s3.get_bucket_policy, Bucket="malformed-policies")
        self.error("NoSuchBucket", self.s3.put_bucket_policy, Bucket="no-such-bucket-here",
                   Policy=json.dumps(PUBLIC_READ))

    def test_cli_and_cloudformation(self):
        self.s3.create_bucket(Bucket="cli-policy")
        aws(self.server, "s3api", "put-bucket-policy", "--bucket", "cli-policy", "--policy",
            json.dumps(PUBLIC_READ))
        _, out, _ = aws(self.server, "s3api", "get-bucket-policy", "--bucket", "cli-policy")
        self.assertEqual(json.loads(out["Policy"]), PUBLIC_READ)
        cfn = self.server.client("cloudformation")
        cfn.create_stack(StackName="bp", TemplateBody=json.dumps({"Resources": {
            "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "stack-policy"}},
            "P": {"Type": "AWS::S3::BucketPolicy", "Properties": {
                "Bucket": {"Ref": "B"},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                    "Resource": {"Fn::Sub": "${B.Arn}/*"}}]}}}}}))
        policy = json.loads(self.s3.get_bucket_policy(Bucket="stack-policy")["Policy"])
        self.assertEqual(policy["Statement"][0]["Resource"], "arn:aws:s3:::stack-policy/*")
        cfn.delete_stack(StackName="bp")
        self.error("NoSuchBucket", self.s3.get_bucket_policy, Bucket="stack-policy")

    def test_policy_survives_kill_9(self):
        self.s3.create_bucket(Bucket="durable-policy")
        self.s3.put_bucket_policy(Bucket="durable-policy", Policy=json.dumps(PUBLIC_READ))
        self.server.stop(signal.SIGKILL)
        self.server.start()
        type(self).s3 = self.server.client("s3")
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket="durable-policy")["Policy"]),
                         PUBLIC_READ)


if __name__ == "__main__":
    unittest.main()
