"""examples/call-recording-archival as an end-to-end test: recordings converted to
A-law mono as GLACIER_IR with their originals as noncurrent versions, the damaged
one in the dead-letter queue, the run ending once the queue is empty."""
import io
import json
import struct
import unittest
import wave

from example_helpers import ExampleTestCase, fixture_path

fixture_path("call-recording-archival")
import recordings  # noqa: E402  (the fixture's generator: what was uploaded)


class CallRecordingArchivalTest(ExampleTestCase):
    example = "call-recording-archival"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.uploaded = recordings.calls()

    def test_every_good_recording_is_archived_as_alaw_mono(self):
        s3 = self.server.client("s3")
        damaged = f"recordings/{recordings.DAY}/{recordings.DAMAGED}"
        for key, original in self.uploaded.items():
            if key == damaged:
                continue
            versions = s3.list_object_versions(Bucket="call-recordings", Prefix=key)["Versions"]
            current = [v for v in versions if v["IsLatest"]][0]
            old = [v for v in versions if not v["IsLatest"]]
            self.assertEqual(len(versions), 2, key)
            self.assertEqual(current["StorageClass"], "GLACIER_IR", key)
            # The original survives untouched as the noncurrent version.
            kept = s3.get_object(Bucket="call-recordings", Key=key,
                                 VersionId=old[0]["VersionId"])["Body"].read()
            self.assertEqual(kept, original, key)
            tags = s3.get_object_tagging(Bucket="call-recordings", Key=key)["TagSet"]
            self.assertEqual(tags, [{"Key": "converted", "Value": "True"}])
            archived = s3.get_object(Bucket="call-recordings", Key=key)["Body"].read()
            fmt, channels, rate, byte_rate, _, bits = struct.unpack("<HHIIHH", archived[20:36])
            self.assertEqual((fmt, channels, rate, byte_rate, bits), (6, 1, 8000, 8000, 8))
            with wave.open(io.BytesIO(original)) as w:
                frames = w.getnframes()
            data = archived.index(b"data")
            self.assertEqual(struct.unpack("<I", archived[data + 4:data + 8])[0], frames)

    def test_the_damaged_recording_is_in_the_dead_letter_queue(self):
        sqs = self.server.client("sqs")
        damaged = f"recordings/{recordings.DAY}/{recordings.DAMAGED}"
        # run.sh received it (so it is in flight now) and printed its body.
        self.assertIn("== the dead-letter queue\n  " + damaged + "\n", self.run_sh.stdout)
        url = sqs.get_queue_url(QueueName="recordings-failed")["QueueUrl"]
        dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(int(dlq["ApproximateNumberOfMessages"]) +
                         int(dlq["ApproximateNumberOfMessagesNotVisible"]), 1)
        versions = self.server.client("s3").list_object_versions(
            Bucket="call-recordings", Prefix=damaged)["Versions"]
        self.assertEqual(len(versions), 1)
        queue = sqs.get_queue_url(QueueName="recordings-to-convert")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["ApproximateNumberOfMessages"],
                          attrs["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    def test_run_summary_schedule_and_lifecycle(self):
        self.assertIn('{"prefix":"recordings/2024/03/04/","queued":24,"failed":1}',
                      self.run_sh.stdout)
        rules = self.server.client("s3").get_bucket_lifecycle_configuration(
            Bucket="call-recordings")["Rules"]
        self.assertEqual(rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"], 30)
        cfn = self.server.client("cloudformation")
        schedule = cfn.describe_stack_resource(StackName="call-recording-archival",
                                               LogicalResourceId="ArchiveWeekly")
        got = self.server.client("scheduler").get_schedule(
            Name=schedule["StackResourceDetail"]["PhysicalResourceId"])
        self.assertEqual(got["ScheduleExpression"], "cron(0 3 ? * MON *)")
        self.assertEqual(json.loads(got["Target"]["Input"]), {})


if __name__ == "__main__":
    unittest.main()
