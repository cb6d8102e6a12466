"""Signed restJson requests (Scheduler) with credentials configured: paths with
encoded ARNs, query strings and DELETE verbs verify; a wrong secret is refused
in restJson's error shape."""
import os
import tempfile
import unittest

from botocore.exceptions import ClientError

from sluice_server import SluiceServer


class SchedulerAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fd, cls.credentials = tempfile.mkstemp(suffix=".ini")
        with os.fdopen(fd, "w") as f:
            f.write("[default]\naws_access_key_id = AKIDSLUICE\n"
                    "aws_secret_access_key = s3cr3t/KEY+value\n")
        cls.server = SluiceServer("--credentials", cls.credentials).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.credentials)

    def test_signed_requests_verify(self):
        c = self.server.client("scheduler", "AKIDSLUICE", "s3cr3t/KEY+value")
        arn = c.create_schedule_group(Name="signed", Tags=[{"Key": "a b", "Value": "c"}])["ScheduleGroupArn"]
        self.assertEqual(c.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "a b", "Value": "c"}])
        c.untag_resource(ResourceArn=arn, TagKeys=["a b"])
        self.assertEqual(c.list_tags_for_resource(ResourceArn=arn)["Tags"], [])
        names = [g["Name"] for g in c.list_schedule_groups(NamePrefix="sig", MaxResults=5)["ScheduleGroups"]]
        self.assertEqual(names, ["signed"])
        c.delete_schedule_group(Name="signed")

    def test_wrong_secret_is_refused_and_changes_nothing(self):
        bad = self.server.client("scheduler", "AKIDSLUICE", "wrong")
        with self.assertRaises(ClientError) as cm:
            bad.create_schedule_group(Name="refused")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        good = self.server.client("scheduler", "AKIDSLUICE", "s3cr3t/KEY+value")
        names = [g["Name"] for g in good.list_schedule_groups()["ScheduleGroups"]]
        self.assertNotIn("refused", names)


if __name__ == "__main__":
    unittest.main()
