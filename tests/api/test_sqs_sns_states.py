"""Step Functions' optimised SQS and SNS integrations (sqs:sendMessage, its
.waitForTaskToken form, sns:publish) against a started server."""
import json
import time
import unittest

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"


class StatesIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.sfn = cls.server.client("stepfunctions")
        cls.sqs = cls.server.client("sqs")
        cls.sns = cls.server.client("sns")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_machine(self, name, definition, input_doc, while_running=None):
        arn = self.sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(input_doc))["executionArn"]
        deadline = time.time() + 20
        while time.time() < deadline:
            if while_running:
                while_running()
            d = self.sfn.describe_execution(executionArn=ex)
            if d["status"] != "RUNNING":
                return d
            time.sleep(0.1)
        self.fail("execution did not finish")

    def test_send_message_and_publish(self):
        url = self.sqs.create_queue(QueueName="sfn-out")["QueueUrl"]
        fan_url = self.sqs.create_queue(QueueName="sfn-fan")["QueueUrl"]
        fan_arn = self.sqs.get_queue_attributes(QueueUrl=fan_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        topic = self.sns.create_topic(Name="sfn-alerts")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fan_arn)
        definition = {"StartAt": "Send", "States": {
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                     "Parameters": {"QueueUrl": url, "MessageBody.$": "$.order"},
                     "ResultPath": "$.sent", "Next": "Notify"},
            "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                       "Parameters": {"TopicArn": topic, "Message.$": "$.order.id", "Subject": "order"},
                       "ResultPath": "$.published", "End": True}}}
        d = self.run_machine("sqs-sns-tasks", definition, {"order": {"id": "o-1", "total": 3}})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertIn("MessageId", out["sent"])
        self.assertIn("MD5OfMessageBody", out["sent"])
        self.assertEqual(out["sent"]["SdkHttpMetadata"]["HttpStatusCode"], 200)
        self.assertIn("MessageId", out["published"])
        got = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertEqual(json.loads(got["Body"]), {"id": "o-1", "total": 3})
        envelope = json.loads(self.sqs.receive_message(QueueUrl=fan_url, WaitTimeSeconds=2)["Messages"][0]["Body"])
        self.assertEqual(envelope["Message"], "o-1")
        self.assertEqual(envelope["MessageId"], out["published"]["MessageId"])

    def test_failure_is_caught(self):
        definition = {"StartAt": "Send", "States": {
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                     "Parameters": {"QueueUrl": f"http://localhost/{ACCOUNT}/absent", "MessageBody": "x"},
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                     "End": True},
            "Caught": {"Type": "Pass", "End": True}}}
        d = self.run_machine("sqs-missing", definition, {})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"])["error"]["Error"], "SQS.QueueDoesNotExist")

    def test_wait_for_task_token(self):
        url = self.sqs.create_queue(QueueName="sfn-tokens")["QueueUrl"]
        definition = {"StartAt": "Ask", "States": {
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": url,
                                   "MessageBody": {"token.$": "$$.Task.Token", "file.$": "$.file"}},
                    "End": True}}}

        def worker():
            for m in self.sqs.receive_message(QueueUrl=url).get("Messages", []):
                body = json.loads(m["Body"])
                self.sfn.send_task_success(taskToken=body["token"], output=json.dumps({"done": body["file"]}))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        d = self.run_machine("sqs-token", definition, {"file": "a.wav"}, while_running=worker)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"done": "a.wav"})


if __name__ == "__main__":
    unittest.main()
