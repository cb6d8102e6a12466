"""Lambda versions, aliases, tags and account settings through boto3, Step
Functions tasks reaching real functions, and functions surviving kill -9."""
import json
import os
import signal
import time
import unittest

from lambda_helpers import ROLE, LambdaTestCase, zip_of
from sluice_server import SluiceServer


def code(value):
    return {"app.py": f"def handler(event, context):\n    return {value!r}\n"}


class VersionAliasTests(LambdaTestCase):
    def test_publish_invoke_by_version_and_alias(self):
        name = self.create(code("one"))
        v1 = self.lam.publish_version(FunctionName=name, Description="first")
        self.assertEqual(v1["Version"], "1")
        self.assertTrue(v1["FunctionArn"].endswith(f"function:{name}:1"))
        # Nothing changed: publishing again answers with version 1.
        self.assertEqual(self.lam.publish_version(FunctionName=name)["Version"], "1")
        self.lam.update_function_code(FunctionName=name, ZipFile=zip_of(code("two")))
        v2 = self.lam.publish_version(FunctionName=name)
        self.assertEqual(v2["Version"], "2")
        versions = [v["Version"] for v in
                    self.lam.list_versions_by_function(FunctionName=name)["Versions"]]
        self.assertEqual(versions, ["$LATEST", "1", "2"])

        r = self.invoke(name, Qualifier="1")
        self.assertEqual((json.loads(r["body"]), r["ExecutedVersion"]), ("one", "1"))
        r = self.invoke(f"{name}:2")
        self.assertEqual((json.loads(r["body"]), r["ExecutedVersion"]), ("two", "2"))

        alias = self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        self.assertEqual(alias["AliasArn"],
                         f"arn:aws:lambda:us-east-1:000000000000:function:{name}:live")
        r = self.invoke(name, Qualifier="live")
        self.assertEqual((json.loads(r["body"]), r["ExecutedVersion"]), ("one", "1"))
        self.lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
        self.assertEqual(self.lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"],
                         "2")
        self.assertEqual(json.loads(self.invoke(name, Qualifier="live")["body"]), "two")
        self.assertEqual(
            self.lam.get_function(FunctionName=name, Qualifier="live")["Configuration"]["Version"],
            "2")

        r = self.assertError("ResourceConflictException", self.lam.delete_function,
                             FunctionName=name, Qualifier="2")
        self.assertIn("live", r["Error"]["Message"])
        self.assertError("ResourceConflictException", self.lam.create_alias, FunctionName=name,
                         Name="live", FunctionVersion="1")
        self.assertError("ResourceNotFoundException", self.lam.create_alias, FunctionName=name,
                         Name="ghost", FunctionVersion="9")
        self.assertError("InvalidParameterValueException", self.lam.delete_function,
                         FunctionName=name, Qualifier="$LATEST")
        self.lam.delete_function(FunctionName=name, Qualifier="1")
        self.assertError("ResourceNotFoundException", self.lam.invoke, FunctionName=name,
                         Qualifier="1")
        self.assertEqual([a["Name"] for a in self.lam.list_aliases(FunctionName=name)["Aliases"]],
                         ["live"])
        self.lam.delete_alias(FunctionName=name, Name="live")
        self.assertError("ResourceNotFoundException", self.lam.get_alias, FunctionName=name,
                         Name="live")

    def test_weighted_alias_routes_to_both_versions(self):
        name = self.create(code("a"))
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name, ZipFile=zip_of(code("b")))
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="canary", FunctionVersion="1",
                              RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        seen = {self.invoke(name, Qualifier="canary")["ExecutedVersion"] for _ in range(40)}
        self.assertEqual(seen, {"1", "2"})
        self.assertError("ValidationException", self.lam.update_alias,
                         FunctionName=name, Name="canary",
                         RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}})
        self.assertError("InvalidParameterValueException", self.lam.update_alias,
                         FunctionName=name, Name="canary",
                         RoutingConfig={"AdditionalVersionWeights": {"9": 0.5}})

    def test_tags_and_account_settings(self):
        name = self.create(code(1))
        arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
        self.lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
        self.lam.untag_resource(Resource=arn, TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"b": "2"})
        self.assertError("InvalidParameterValueException", self.lam.list_tags,
                         Resource=arn + ":1")
        s = self.lam.get_account_settings()
        self.assertEqual(s["AccountLimit"]["ConcurrentExecutions"], 1000)
        self.assertGreaterEqual(s["AccountUsage"]["FunctionCount"], 1)


class StepFunctionsTests(LambdaTestCase):
    def test_state_machine_tasks_invoke_real_functions(self):
        double = self.create({"app.py": "def handler(event, context):\n"
                                        "    return {'n': event['n'] * 2}\n"})
        fail = self.create({"app.py": "def handler(event, context):\n"
                                      "    raise KeyError('missing')\n"})
        arn = f"arn:aws:lambda:us-east-1:000000000000:function:{double}"
        definition = {
            "StartAt": "Plain",
            "States": {
                "Plain": {"Type": "Task", "Resource": arn, "Next": "Optimised"},
                "Optimised": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "Parameters": {"FunctionName": double, "Payload.$": "$"},
                              "OutputPath": "$.Payload", "Next": "Failing"},
                "Failing": {"Type": "Task",
                            "Resource": f"arn:aws:lambda:us-east-1:000000000000:function:{fail}",
                            "Catch": [{"ErrorEquals": ["KeyError"], "ResultPath": "$.error",
                                       "Next": "Done"}],
                            "End": True},
                "Done": {"Type": "Pass", "End": True},
            },
        }
        sfn = self.server.client("stepfunctions")
        machine = sfn.create_state_machine(name=self.name("sm"), definition=json.dumps(definition),
                                           roleArn=ROLE)["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 3}')["executionArn"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            d = sfn.describe_execution(executionArn=execution)
            if d["status"] != "RUNNING":
                break
            time.sleep(0.05)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["n"], 12)
        self.assertEqual(out["error"]["Error"], "KeyError")
        self.assertEqual(json.loads(out["error"]["Cause"])["errorMessage"], "'missing'")


class DurabilityTests(unittest.TestCase):
    def test_functions_survive_kill_9_and_sandboxes_die_with_the_server(self):
        server = SluiceServer().start()
        try:
            lam = server.client("lambda")
            lam.create_function(FunctionName="keep", Runtime="python3.11", Role=ROLE,
                                Handler="app.handler",
                                Code={"ZipFile": zip_of({"app.py": "import os\n"
                                                         "def handler(e, c):\n"
                                                         "    return os.getpid()\n"})})
            lam.publish_version(FunctionName="keep")
            lam.create_alias(FunctionName="keep", Name="prod", FunctionVersion="1")
            lam.tag_resource(Resource="arn:aws:lambda:us-east-1:000000000000:function:keep",
                             Tags={"t": "v"})
            sqs = server.client("sqs")
            url = sqs.create_queue(QueueName="feed")["QueueUrl"]
            mapping = lam.create_event_source_mapping(
                EventSourceArn="arn:aws:sqs:us-east-1:000000000000:feed", FunctionName="keep",
                Enabled=False)["UUID"]
            pid = json.loads(lam.invoke(FunctionName="keep")["Payload"].read())
            os.kill(pid, 0)  # the sandbox is running
            server.stop(signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                self.fail(f"sandbox {pid} outlived the server")

            server.start()
            lam = server.client("lambda")
            self.assertEqual(lam.get_alias(FunctionName="keep", Name="prod")["FunctionVersion"],
                             "1")
            self.assertEqual(lam.list_tags(
                Resource="arn:aws:lambda:us-east-1:000000000000:function:keep")["Tags"],
                {"t": "v"})
            self.assertEqual(lam.get_event_source_mapping(UUID=mapping)["State"], "Disabled")
            lam.update_event_source_mapping(UUID=mapping, Enabled=True)
            sqs = server.client("sqs")
            url = sqs.get_queue_url(QueueName="feed")["QueueUrl"]  # the port changed
            sqs.send_message(QueueUrl=url, MessageBody="after restart")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                attrs = sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages",
                                    "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
                if attrs == {"ApproximateNumberOfMessages": "0",
                             "ApproximateNumberOfMessagesNotVisible": "0"}:
                    break
                time.sleep(0.1)
            else:
                self.fail("the restored mapping did not consume the queue")
            r = lam.invoke(FunctionName="keep", Qualifier="prod")
            self.assertNotIn("FunctionError", r)
            self.assertNotEqual(json.loads(r["Payload"].read()), pid)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
