"""arn:aws:states:::aws-sdk:<service>:<action> from a state machine: the same
operations the API serves, with PascalCase parameters and results and
"<Service>.<Name>Exception" errors, as Step Functions' SDK integrations give."""
import json
import unittest

from sluice_server import ACCOUNT, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"

PIPELINE = {
    "StartAt": "Put",
    "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:putParameter",
                "Parameters": {"Name": "/pipeline/threshold", "Value.$": "$.threshold",
                               "Type": "String"},
                "ResultPath": "$.put", "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
                "Parameters": {"Name": "/pipeline/threshold"},
                "ResultSelector": {"value.$": "$.Parameter.Value",
                                   "version.$": "$.Parameter.Version"},
                "ResultPath": "$.got", "Next": "Bucket"},
        "Bucket": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:createBucket",
                   "Parameters": {"Bucket": "sdk-lake"}, "ResultPath": None, "Next": "Write"},
        "Write": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                  "Parameters": {"Bucket": "sdk-lake", "Key": "raw/a.json", "Body.$": "$.doc"},
                  "ResultSelector": {"etag.$": "$.ETag"}, "ResultPath": "$.write",
                  "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
                    "Parameters": {"Name": "/pipeline/absent"},
                    "Catch": [{"ErrorEquals": ["Ssm.ParameterNotFoundException"],
                               "ResultPath": "$.caught", "Next": "Done"}],
                    "End": True},
        "Done": {"Type": "Pass", "End": True},
    },
}


class AwsSdkIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sfn = cls.server.client("stepfunctions")
        cls.s3 = cls.server.client("s3")
        cls.ssm = cls.server.client("ssm")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_machine(self, name, definition, doc):
        arn = self.sfn.create_state_machine(name=name, roleArn=ROLE,
                                            definition=json.dumps(definition))["stateMachineArn"]
        execution = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(doc))
        for _ in range(200):
            d = self.sfn.describe_execution(executionArn=execution["executionArn"])
            if d["status"] != "RUNNING":
                return d
        self.fail("execution did not finish")

    def test_sdk_calls_reach_the_services_with_pascal_case_names(self):
        d = self.run_machine("sdk-pipeline", PIPELINE, {"threshold": "0.9", "doc": "{\"a\": 1}"})
        self.assertEqual(d["status"], "SUCCEEDED", d.get("cause"))
        out = json.loads(d["output"])
        self.assertEqual(out["put"]["Version"], 1)
        self.assertEqual(out["got"], {"value": "0.9", "version": 1})
        # The workflow's writes are visible to the API clients.
        self.assertEqual(self.ssm.get_parameter(Name="/pipeline/threshold")["Parameter"]["Value"],
                         "0.9")
        body = self.s3.get_object(Bucket="sdk-lake", Key="raw/a.json")["Body"].read()
        self.assertEqual(body, b"{\"a\": 1}")
        self.assertEqual(out["write"]["etag"],
                         self.s3.head_object(Bucket="sdk-lake", Key="raw/a.json")["ETag"])
        # The service error is named <Service>.<Name>Exception and caught by that name.
        self.assertEqual(out["caught"]["Error"], "Ssm.ParameterNotFoundException")
        self.assertIn("Service: Ssm, Status Code: 400", out["caught"]["Cause"])

    def test_uncaught_sdk_error_fails_the_execution_with_that_name(self):
        definition = {"StartAt": "Describe", "States": {"Describe": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeExecution",
            "Parameters": {"ExecutionArn": f"arn:aws:states:us-east-1:{ACCOUNT}:execution:nope:x"},
            "End": True}}}
        d = self.run_machine("sdk-failure", definition, {})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "Sfn.ExecutionDoesNotExistException")

    def test_results_use_pascal_case_but_keep_map_keys(self):
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="sdk-tagged", tags={"team": "lake"})["QueueUrl"]
        definition = {"StartAt": "Tags", "States": {
            "Tags": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:listQueueTags",
                     "Parameters": {"QueueUrl": url}, "ResultPath": "$.tags", "Next": "List"},
            "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:listStateMachines",
                     "Parameters": {}, "ResultPath": "$.list", "End": True}}}
        d = self.run_machine("sdk-list", definition, {})
        self.assertEqual(d["status"], "SUCCEEDED", d.get("cause"))
        out = json.loads(d["output"])
        # Members are PascalCase; the map's keys are data and stay as written.
        self.assertEqual(out["tags"], {"Tags": {"team": "lake"}})
        machines = out["list"]["StateMachines"]
        self.assertIn("sdk-list", [m["Name"] for m in machines])
        self.assertTrue(all("StateMachineArn" in m and "CreationDate" in m for m in machines))


if __name__ == "__main__":
    unittest.main()
