"""examples/archive-restore as an end-to-end test: a DEEP_ARCHIVE object restored
on request; S3's "Object Restore Completed" event starts the second state machine,
whose record and presigned URL are checked."""
import json
import unittest
import urllib.request

from example_helpers import ExampleTestCase

KEY = "contracts/2019/master-agreement.pdf"


class ArchiveRestoreTest(ExampleTestCase):
    example = "archive-restore"
    server_args = ("--s3-restore-delays", "DEEP_ARCHIVE.Standard=2,DEEP_ARCHIVE.Bulk=4")

    def completed_executions(self):
        sfn = self.server.client("stepfunctions")
        arn = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
               if m["name"] == "archive-restore-completed"][0]
        return sfn, sfn.list_executions(stateMachineArn=arn)["executions"]

    def test_the_event_started_the_second_machine_once(self):
        self.assertIn("GET before the restore: InvalidObjectState", self.run_sh.stdout)
        sfn, executions = self.completed_executions()
        self.assertEqual(len(executions), 1)
        d = sfn.describe_execution(executionArn=executions[0]["executionArn"])
        event = json.loads(d["input"])
        self.assertEqual((event["source"], event["detail-type"]),
                         ("aws.s3", "Object Restore Completed"))
        self.assertEqual(event["detail"]["object"]["key"], KEY)
        self.assertEqual(event["detail"]["source-storage-class"], "DEEP_ARCHIVE")
        out = json.loads(d["output"])
        self.assertEqual(out["sizeBytes"], 300009)
        # 300,009 bytes at $0.02 per GB plus one request at $0.10 per 1,000.
        self.assertAlmostEqual(out["costEstimateUsd"], round(300009 / 2**30 * 0.02 + 0.0001, 6))

    def test_record_and_presigned_url(self):
        s3 = self.server.client("s3")
        record = json.loads(s3.get_object(Bucket="archive-restore-records",
                                          Key=f"restores/{KEY}.json")["Body"].read())
        self.assertEqual(record["storageClass"], "DEEP_ARCHIVE")
        sfn, executions = self.completed_executions()
        url = json.loads(sfn.describe_execution(
            executionArn=executions[0]["executionArn"])["output"])["url"]
        self.assertTrue(url.startswith(self.server.endpoint + "/archive-vault/"))
        body = urllib.request.urlopen(url, timeout=10).read()
        self.assertEqual(body, s3.get_object(Bucket="archive-vault", Key=KEY)["Body"].read())
        self.assertTrue(body.startswith(b"%PDF-1.4"))

    def test_objects_not_archived_are_not_restored(self):
        s3 = self.server.client("s3")
        s3.put_object(Bucket="archive-vault", Key="hot.txt", Body=b"hot")
        sfn = self.server.client("stepfunctions")
        arn = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
               if m["name"] == "archive-request-restore"][0]
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(
            {"key": "hot.txt", "tier": "Bulk", "days": 1}))["executionArn"]
        self.server.idle()
        d = sfn.describe_execution(executionArn=execution)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]),
                         {"key": "hot.txt", "storageClass": "STANDARD", "requested": False})


if __name__ == "__main__":
    unittest.main()
