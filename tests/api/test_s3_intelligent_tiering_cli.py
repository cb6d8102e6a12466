"""Intelligent-Tiering archive configurations, archiving and restore through
the AWS CLI (s3api), against a virtual-clock server."""
import json
import os
import unittest

from s3_helpers import VirtualClockCliCase

DAY = 86400


class AwsCliIntelligentTieringTest(VirtualClockCliCase):

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return path

    def test_configure_archive_and_restore(self):
        bucket = "cli-tiering"
        self.s3api("create-bucket", "--bucket", bucket)
        config = {"Id": "cold", "Status": "Enabled", "Filter": {"Prefix": "cold/"},
                  "Tierings": [{"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]}
        self.s3api("put-bucket-intelligent-tiering-configuration", "--bucket", bucket,
                   "--id", "cold", "--intelligent-tiering-configuration",
                   "file://" + self.file("it.json", json.dumps(config)))
        _, got, _ = self.s3api("get-bucket-intelligent-tiering-configuration", "--bucket", bucket,
                               "--id", "cold")
        self.assertEqual(got["IntelligentTieringConfiguration"], config)
        _, listing, _ = self.s3api("list-bucket-intelligent-tiering-configurations",
                                   "--bucket", bucket)
        self.assertEqual(listing["IntelligentTieringConfigurationList"], [config])
        self.assertFalse(listing["IsTruncated"])
        # Out of range: refused, nothing changed.
        bad = dict(config, Tierings=[{"Days": 90, "AccessTier": "DEEP_ARCHIVE_ACCESS"}])
        rc, _, err = self.s3api("put-bucket-intelligent-tiering-configuration", "--bucket", bucket,
                                "--id", "cold", "--intelligent-tiering-configuration",
                                "file://" + self.file("bad.json", json.dumps(bad)), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidArgument", err)

        body = self.file("body", b"c" * (200 * 1024))
        self.s3api("put-object", "--bucket", bucket, "--key", "cold/a", "--body", body,
                   "--storage-class", "INTELLIGENT_TIERING")
        self.server.admin("/_sluice/clock/advance", {"seconds": 182 * DAY})
        _, head, _ = self.s3api("head-object", "--bucket", bucket, "--key", "cold/a")
        self.assertEqual(head["ArchiveStatus"], "DEEP_ARCHIVE_ACCESS")
        self.assertEqual(head["StorageClass"], "INTELLIGENT_TIERING")
        out = os.path.join(self.tmp, "out")
        rc, _, err = self.s3api("get-object", "--bucket", bucket, "--key", "cold/a", out,
                                check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidObjectState", err)
        rc, _, err = self.s3api("restore-object", "--bucket", bucket, "--key", "cold/a",
                                "--restore-request", '{"Days": 1}', check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidArgument", err)
        self.s3api("restore-object", "--bucket", bucket, "--key", "cold/a", "--restore-request",
                   '{"GlacierJobParameters": {"Tier": "Standard"}}')
        _, head, _ = self.s3api("head-object", "--bucket", bucket, "--key", "cold/a")
        self.assertEqual(head["Restore"], 'ongoing-request="true"')
        self.server.admin("/_sluice/clock/advance", {"seconds": 12 * 3600 + 1})
        _, head, _ = self.s3api("head-object", "--bucket", bucket, "--key", "cold/a")
        self.assertNotIn("ArchiveStatus", head)
        self.s3api("get-object", "--bucket", bucket, "--key", "cold/a", out)
        with open(out, "rb") as f, open(body, "rb") as g:
            self.assertEqual(f.read(), g.read())

        self.s3api("delete-bucket-intelligent-tiering-configuration", "--bucket", bucket,
                   "--id", "cold")
        rc, _, err = self.s3api("get-bucket-intelligent-tiering-configuration", "--bucket", bucket,
                                "--id", "cold", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchConfiguration", err)


if __name__ == "__main__":
    unittest.main()
