"""Lifecycle, restore and notification configuration through the AWS CLI
(s3api), against a virtual-clock server."""
import json
import os
import unittest

from aws_cli import aws
from s3_helpers import VirtualClockCliCase


class AwsCliLifecycleTest(VirtualClockCliCase):

    def test_lifecycle_round_trip_and_expiry(self):
        self.s3api("create-bucket", "--bucket", "cli-lc")
        config = {"Rules": [{"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                             "Expiration": {"Days": 1}}]}
        path = os.path.join(self.tmp, "lc.json")
        with open(path, "w") as f:
            json.dump(config, f)
        self.s3api("put-bucket-lifecycle-configuration", "--bucket", "cli-lc",
                   "--lifecycle-configuration", "file://" + path)
        _, got, _ = self.s3api("get-bucket-lifecycle-configuration", "--bucket", "cli-lc")
        self.assertEqual(got["Rules"], config["Rules"])
        body = os.path.join(self.tmp, "body")
        with open(body, "wb") as f:
            f.write(b"x")
        self.s3api("put-object", "--bucket", "cli-lc", "--key", "tmp/a", "--body", body)
        self.server.admin("/_sluice/clock/advance", {"seconds": 3 * 86400})
        _, listing, _ = self.s3api("list-objects-v2", "--bucket", "cli-lc")
        self.assertNotIn("Contents", listing or {})
        self.s3api("delete-bucket-lifecycle", "--bucket", "cli-lc")
        rc, _, err = self.s3api("get-bucket-lifecycle-configuration", "--bucket", "cli-lc",
                                check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchLifecycleConfiguration", err)

    def test_bad_transition_days(self):
        self.s3api("create-bucket", "--bucket", "cli-lc-bad")
        rc, _, err = self.s3api(
            "put-bucket-lifecycle-configuration", "--bucket", "cli-lc-bad",
            "--lifecycle-configuration",
            json.dumps({"Rules": [{"ID": "t", "Status": "Enabled", "Filter": {},
                                   "Transitions": [{"Days": 1, "StorageClass": "STANDARD_IA"}]}]}),
            check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidRequest", err)

    def test_restore_object(self):
        self.s3api("create-bucket", "--bucket", "cli-restore")
        body = os.path.join(self.tmp, "cold")
        with open(body, "wb") as f:
            f.write(b"cold")
        self.s3api("put-object", "--bucket", "cli-restore", "--key", "k", "--body", body,
                   "--storage-class", "GLACIER")
        self.s3api("restore-object", "--bucket", "cli-restore", "--key", "k",
                   "--restore-request", json.dumps({"Days": 1, "GlacierJobParameters":
                                                    {"Tier": "Expedited"}}))
        _, head, _ = self.s3api("head-object", "--bucket", "cli-restore", "--key", "k")
        self.assertEqual(head["Restore"], 'ongoing-request="true"')
        self.server.admin("/_sluice/clock/advance", {"seconds": 301})
        _, head, _ = self.s3api("head-object", "--bucket", "cli-restore", "--key", "k")
        self.assertTrue(head["Restore"].startswith('ongoing-request="false", expiry-date="'))

    def test_notification_configuration(self):
        self.s3api("create-bucket", "--bucket", "cli-notify")
        _, q, _ = aws(self.server, "sqs", "create-queue", "--queue-name", "cli-notify")
        arn = "arn:aws:sqs:us-east-1:000000000000:cli-notify"
        config = {"QueueConfigurations": [{"Id": "q", "QueueArn": arn,
                                           "Events": ["s3:ObjectCreated:*"]}]}
        self.s3api("put-bucket-notification-configuration", "--bucket", "cli-notify",
                   "--notification-configuration", json.dumps(config))
        _, got, _ = self.s3api("get-bucket-notification-configuration", "--bucket", "cli-notify")
        self.assertEqual(got["QueueConfigurations"], config["QueueConfigurations"])
        _, msgs, _ = aws(self.server, "sqs", "receive-message", "--queue-url", q["QueueUrl"],
                         "--wait-time-seconds", "2")
        self.assertEqual(json.loads(msgs["Messages"][0]["Body"])["Event"], "s3:TestEvent")


if __name__ == "__main__":
    unittest.main()
