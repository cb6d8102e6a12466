"""CloudFormation through boto3 and the AWS CLI against a started `sluice server`:
stacks from YAML and JSON templates whose resources are real (a bucket, a queue,
a function that runs, a state machine that calls it), their events, outputs and
exports, rollback of a failed deployment, and the errors of bad templates."""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import SluiceServer

ROLE = "arn:aws:iam::000000000000:role/deployer"

MESSAGING = """
AWSTemplateFormatVersion: '2010-09-09'
Description: raw bucket, a queue fed by a topic, the configuration in Parameter Store
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Visibility: {Type: Number, Default: 45, MinValue: 0}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Raw:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "raw-${Env}-${AWS::AccountId}"
      VersioningConfiguration: {Status: Enabled}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
  Dlq:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{Protocol: sqs, Endpoint: !GetAtt Queue.Arn}]
  RawName:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Join ["/", ["", s3, lakehouse, name, raw]]
      Type: String
      Value: !Ref Raw
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
Outputs:
  Bucket: {Value: !Ref Raw, Export: {Name: !Sub "${AWS::StackName}-raw"}}
  QueueUrl: {Value: !Ref Queue, Description: the work queue}
  TopicArn: {Value: !Ref Topic}
  ProdQueue: {Value: !Ref ProdOnly, Condition: IsProd}
"""


def function_stack(table_name="orders"):
    """A JSON template: a role, a Python function from inline source and a
    state machine calling it, the function name substituted into the
    definition."""
    return json.dumps({
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Environment": {"Variables": {"TABLE": table_name}},
                "Code": {"ZipFile": "import os\n"
                                    "def handler(event, context):\n"
                                    "    return {'table': os.environ['TABLE'],"
                                    " 'n': event['n'] * 2}\n"}}},
            "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}, "StateMachineType": "EXPRESS",
                "Definition": {"StartAt": "Call", "States": {"Call": {
                    "Type": "Task", "Resource": "${FnArn}", "End": True}}},
                "DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}}}},
        },
        "Outputs": {"MachineArn": {"Value": {"Ref": "Machine"}},
                    "FunctionName": {"Value": {"Ref": "Fn"}}},
    })


class CloudFormationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.cfn = cls.server.client("cloudformation")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def stack(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]

    def outputs(self, name):
        return {o["OutputKey"]: o["OutputValue"] for o in self.stack(name).get("Outputs", [])}

    def events(self, name):
        """(logical id, status) oldest first."""
        events = self.cfn.describe_stack_events(StackName=name)["StackEvents"]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
                for e in reversed(events)]

    def test_yaml_stack_creates_real_resources_and_deletes_them(self):
        sid = self.cfn.create_stack(StackName="messaging", TemplateBody=MESSAGING)["StackId"]
        self.assertRegex(sid, r"^arn:aws:cloudformation:us-east-1:000000000000:stack/messaging/")
        self.cfn.get_waiter("stack_create_complete").wait(
            StackName="messaging", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        st = self.stack("messaging")
        self.assertEqual(st["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(st["Description"],
                         "raw bucket, a queue fed by a topic, the configuration in Parameter Store")
        self.assertEqual(sorted((p["ParameterKey"], p["ParameterValue"]) for p in st["Parameters"]),
                         [("Env", "dev"), ("Visibility", "45")])
        out = self.outputs("messaging")
        self.assertEqual(out["Bucket"], "raw-dev-000000000000")
        self.assertNotIn("ProdQueue", out)  # its condition is false
        # The resources are the services' own: usable through their APIs.
        s3, sqs, sns, ssm = (self.server.client(n) for n in ("s3", "sqs", "sns", "ssm"))
        self.assertEqual(s3.get_bucket_versioning(Bucket="raw-dev-000000000000")["Status"],
                         "Enabled")
        attrs = sqs.get_queue_attributes(QueueUrl=out["QueueUrl"],
                                         AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(json.loads(attrs["RedrivePolicy"])["maxReceiveCount"], 3)
        sns.publish(TopicArn=out["TopicArn"], Message="hello")
        self.server.idle()
        msgs = sqs.receive_message(QueueUrl=out["QueueUrl"], WaitTimeSeconds=1)["Messages"]
        self.assertEqual(json.loads(msgs[0]["Body"])["Message"], "hello")
        self.assertEqual(ssm.get_parameter(Name="/s3/lakehouse/name/raw")["Parameter"]["Value"],
                         "raw-dev-000000000000")
        # Resources, events, template, exports.
        resources = {r["LogicalResourceId"]: r for r in
                     self.cfn.list_stack_resources(StackName="messaging")["StackResourceSummaries"]}
        self.assertEqual(sorted(resources), ["Dlq", "Queue", "Raw", "RawName", "Topic"])
        self.assertEqual(resources["Raw"]["PhysicalResourceId"], "raw-dev-000000000000")
        self.assertEqual(resources["Raw"]["ResourceType"], "AWS::S3::Bucket")
        self.assertTrue(all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in resources.values()))
        detail = self.cfn.describe_stack_resource(StackName="messaging",
                                                  LogicalResourceId="Topic")["StackResourceDetail"]
        self.assertEqual(detail["PhysicalResourceId"], out["TopicArn"])
        self.assertRegex(out["TopicArn"], r":messaging-Topic-[A-Z0-9]{12}$")
        events = self.events("messaging")
        self.assertEqual(events[0], ("messaging", "CREATE_IN_PROGRESS", "User Initiated"))
        self.assertEqual(events[-1][:2], ("messaging", "CREATE_COMPLETE"))
        # Dlq comes before the queue that names it, whatever the template order.
        order = [e[0] for e in events if e[1] == "CREATE_COMPLETE"]
        self.assertLess(order.index("Dlq"), order.index("Queue"))
        self.assertLess(order.index("Queue"), order.index("Topic"))
        by_phys = self.cfn.describe_stack_resources(PhysicalResourceId="raw-dev-000000000000")
        self.assertEqual(by_phys["StackResources"][0]["StackName"], "messaging")
        self.assertIn("!Sub", self.cfn.get_template(StackName="messaging")["TemplateBody"])
        exports = self.cfn.list_exports()["Exports"]
        self.assertIn({"ExportingStackId": sid, "Name": "messaging-raw",
                       "Value": "raw-dev-000000000000"}, exports)
        # A second stack imports the export.
        self.cfn.create_stack(StackName="importer", TemplateBody=json.dumps({"Resources": {
            "P": {"Type": "AWS::SSM::Parameter", "Properties": {
                "Name": "/imported", "Type": "String",
                "Value": {"Fn::ImportValue": "messaging-raw"}}}}}))
        self.assertEqual(ssm.get_parameter(Name="/imported")["Parameter"]["Value"],
                         "raw-dev-000000000000")
        self.cfn.delete_stack(StackName="importer")

        self.error("AlreadyExistsException", self.cfn.create_stack, StackName="messaging",
                   TemplateBody=MESSAGING)
        self.cfn.delete_stack(StackName="messaging")
        self.cfn.get_waiter("stack_delete_complete").wait(
            StackName=sid, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertEqual(self.stack(sid)["StackStatus"], "DELETE_COMPLETE")
        msg = self.error("ValidationError", self.cfn.describe_stacks, StackName="messaging")
        self.assertEqual(msg, "Stack with id messaging does not exist")
        self.assertNotIn("raw-dev-000000000000",
                         [b["Name"] for b in s3.list_buckets()["Buckets"]])
        self.error("AWS.SimpleQueueService.NonExistentQueue", sqs.get_queue_attributes,
                   QueueUrl=out["QueueUrl"])
        self.error("ParameterNotFound", ssm.get_parameter, Name="/s3/lakehouse/name/raw")
        summaries = self.cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
        self.assertIn(sid, [s["StackId"] for s in summaries])
        # Deleting what no longer exists succeeds, as on AWS.
        self.cfn.delete_stack(StackName="messaging")

    def test_function_and_state_machine_run(self):
        self.error("InsufficientCapabilitiesException", self.cfn.create_stack,
                   StackName="app", TemplateBody=function_stack())
        self.cfn.create_stack(StackName="app", TemplateBody=function_stack(),
                              Capabilities=["CAPABILITY_IAM"])
        self.assertEqual(self.stack("app")["StackStatus"], "CREATE_COMPLETE")
        out = self.outputs("app")
        self.assertRegex(out["FunctionName"], r"^app-Fn-[A-Z0-9]{12}$")
        self.assertRegex(out["MachineArn"], r":stateMachine:Machine-[A-Z0-9]{12}$")
        sfn = self.server.client("stepfunctions")
        r = sfn.start_sync_execution(stateMachineArn=out["MachineArn"], input='{"n": 21}')
        self.assertEqual(r["status"], "SUCCEEDED", r)
        self.assertEqual(json.loads(r["output"]), {"table": "orders", "n": 42})
        role = self.cfn.describe_stack_resource(StackName="app", LogicalResourceId="Role")
        self.assertRegex(role["StackResourceDetail"]["PhysicalResourceId"], r"^app-Role-")
        self.cfn.delete_stack(StackName="app")
        lam = self.server.client("lambda")
        self.error("ResourceNotFoundException", lam.get_function, FunctionName=out["FunctionName"])
        self.error("StateMachineDoesNotExist", sfn.describe_state_machine,
                   stateMachineArn=out["MachineArn"])

    def test_failed_resource_rolls_back_everything_it_created(self):
        template = json.dumps({"Resources": {
            "Keep": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "rollback-bucket"}},
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "rollback-queue"},
                  "DependsOn": "Keep"},
            "Bad": {"Type": "AWS::Lambda::Function", "DependsOn": "Q", "Properties": {
                "Runtime": "cobol85", "Handler": "x.y", "Role": ROLE,
                "Code": {"ZipFile": "x"}}}}})
        sid = self.cfn.create_stack(StackName="broken", TemplateBody=template)["StackId"]
        st = self.stack("broken")
        self.assertEqual(st["StackStatus"], "ROLLBACK_COMPLETE")
        events = self.events("broken")
        failed = [e for e in events if e[1] == "CREATE_FAILED"]
        self.assertEqual(failed[0][0], "Bad")
        self.assertIn("cobol85", failed[0][2])
        self.assertIn(("broken", "ROLLBACK_IN_PROGRESS",
                       "The following resource(s) failed to create: [Bad]. Rollback requested "
                       "by user."), events)
        self.assertEqual([e[:2] for e in events if e[1].startswith("DELETE")],
                         [("Q", "DELETE_IN_PROGRESS"), ("Q", "DELETE_COMPLETE"),
                          ("Keep", "DELETE_IN_PROGRESS"), ("Keep", "DELETE_COMPLETE")])
        self.assertNotIn("rollback-bucket",
                         [b["Name"] for b in self.server.client("s3").list_buckets()["Buckets"]])
        self.assertEqual(self.server.client("sqs").list_queues(
            QueueNamePrefix="rollback").get("QueueUrls", []), [])
        # A stack in ROLLBACK_COMPLETE keeps its name until deleted.
        self.error("AlreadyExistsException", self.cfn.create_stack, StackName="broken",
                   TemplateBody=template)
        self.cfn.delete_stack(StackName="broken")
        self.assertEqual(self.stack(sid)["StackStatus"], "DELETE_COMPLETE")

    def test_unsupported_type_and_property_fail_naming_them(self):
        self.cfn.create_stack(StackName="vpc", TemplateBody=json.dumps({"Resources": {
            "Net": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}}),
            OnFailure="DO_NOTHING")
        st = self.stack("vpc")
        self.assertEqual(st["StackStatus"], "CREATE_FAILED")
        reason = [e[2] for e in self.events("vpc") if e[1] == "CREATE_FAILED" and e[0] == "Net"]
        self.assertIn("Resource type AWS::EC2::VPC is not supported by Sluice", reason[0])
        self.cfn.delete_stack(StackName="vpc")
        self.cfn.create_stack(StackName="prop", TemplateBody=json.dumps({"Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Colour": "blue"}}}}))
        self.assertEqual(self.stack("prop")["StackStatus"], "ROLLBACK_COMPLETE")
        reason = [e[2] for e in self.events("prop") if e[1] == "CREATE_FAILED"]
        self.assertIn("[Colour]", reason[0])
        self.cfn.delete_stack(StackName="prop")

    def test_bad_intrinsic_fails_the_resource_and_rolls_back(self):
        self.cfn.create_stack(StackName="intrinsic", TemplateBody=json.dumps({"Resources": {
            "Ok": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "intrinsic-ok"}},
            "Bad": {"Type": "AWS::SSM::Parameter", "DependsOn": "Ok", "Properties": {
                "Name": "/intrinsic", "Type": "String",
                "Value": {"Fn::Select": [5, {"Fn::Split": [",", "a,b"]}]}}}}}))
        self.assertEqual(self.stack("intrinsic")["StackStatus"], "ROLLBACK_COMPLETE")
        reason = [e[2] for e in self.events("intrinsic") if e[1] == "CREATE_FAILED"][0]
        self.assertIn("Template error: Fn::Select cannot select nonexistent value at index 5",
                      reason)
        self.assertEqual(self.server.client("sqs").list_queues(
            QueueNamePrefix="intrinsic").get("QueueUrls", []), [])
        self.cfn.delete_stack(StackName="intrinsic")

    def test_queue_policy_sets_and_clears_the_queues_policy(self):
        sqs = self.server.client("sqs")
        url = sqs.create_queue(QueueName="policed")["QueueUrl"]
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "*"}]}
        self.cfn.create_stack(StackName="qp", TemplateBody=json.dumps({"Resources": {"P": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {"Queues": [url], "PolicyDocument": doc}}}}))
        self.assertEqual(self.stack("qp")["StackStatus"], "CREATE_COMPLETE")
        got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
        self.assertEqual(json.loads(got["Policy"]), doc)
        self.cfn.delete_stack(StackName="qp")
        got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        self.assertNotIn("Policy", got.get("Attributes", {}))

    def test_retained_resource_outlives_its_stack(self):
        self.cfn.create_stack(StackName="retain", TemplateBody=json.dumps({"Resources": {
            "B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
                  "Properties": {"BucketName": "retained-bucket"}}}}))
        self.cfn.delete_stack(StackName="retain")
        s3 = self.server.client("s3")
        self.assertIn("retained-bucket", [b["Name"] for b in s3.list_buckets()["Buckets"]])
        s3.delete_bucket(Bucket="retained-bucket")

    def test_bad_templates_and_parameters_create_nothing(self):
        cases = [
            ('{"Resources": ', "Template format error: JSON not well-formed."),
            ("Resources: [unclosed", "Template format error: YAML not well-formed."),
            ('{"Resources": {}}',
             "Template format error: At least one Resources member must be defined."),
            ('{"Resources": {"A": {"Type": "Nonsense"}}}',
             "Template format error: Unrecognized resource types: [Nonsense]"),
            ('{"Resources": {"A": {"Properties": {}}}}',
             "Template format error: [/Resources/A] Every Resources object must contain a Type "
             "member."),
            ('{"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": '
             '{"QueueName": {"Ref": "Missing"}}}}}',
             "Template format error: Unresolved resource dependencies [Missing] in the Resources "
             "block of the template"),
            ('{"Resources": {"A": {"Type": "AWS::SQS::Queue", "DependsOn": "B"}, '
             '"B": {"Type": "AWS::SQS::Queue", "DependsOn": "A"}}}',
             "Circular dependency between resources: [A, B]"),
            ('{"Resources": {"A": {"Type": "AWS::SQS::Queue"}}, "Bogus": {}}',
             "Template format error: Invalid template property or properties [Bogus]"),
            ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n"
             "      QueueName: !Bogus x\n", "Template format error: YAML not well-formed."),
        ]
        for body, message in cases:
            with self.subTest(body=body):
                msg = self.error("ValidationError", self.cfn.create_stack, StackName="bad",
                                 TemplateBody=body)
                self.assertTrue(msg.startswith(message), msg)
                msg = self.error("ValidationError", self.cfn.validate_template, TemplateBody=body)
                self.assertTrue(msg.startswith(message), msg)
        params = [
            ([], "Parameters: [Name] must have values"),
            ([{"ParameterKey": "Name", "ParameterValue": "x"},
              {"ParameterKey": "Other", "ParameterValue": "y"}],
             "Parameters: [Other] do not exist in the template"),
            ([{"ParameterKey": "Name", "ParameterValue": "x"},
              {"ParameterKey": "Size", "ParameterValue": "huge"}],
             "Parameter 'Size' must be one of AllowedValues"),
        ]
        template = json.dumps({
            "Parameters": {"Name": {"Type": "String"},
                           "Size": {"Type": "String", "Default": "s", "AllowedValues": ["s", "m"]}},
            "Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                "Properties": {"QueueName": {"Ref": "Name"}}}}})
        for given, message in params:
            with self.subTest(params=given):
                msg = self.error("ValidationError", self.cfn.create_stack, StackName="bad",
                                 TemplateBody=template, Parameters=given)
                self.assertEqual(msg, message)
        msg = self.error("ValidationError", self.cfn.create_stack, StackName="bad_name",
                         TemplateBody=template)
        self.assertIn("[a-zA-Z][-a-zA-Z0-9]*", msg)
        self.error("ValidationError", self.cfn.describe_stacks, StackName="bad")
        self.assertEqual([s["StackName"] for s in self.cfn.list_stacks()["StackSummaries"]
                          if s["StackName"] == "bad"], [])

    def test_template_url_reads_the_template_from_s3(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="templates")
        body = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                               "Properties": {"QueueName": "from-url"}}}})
        s3.put_object(Bucket="templates", Key="stacks/queue.json", Body=body.encode())
        for url in (f"{self.server.endpoint}/templates/stacks/queue.json",
                    "https://templates.s3.amazonaws.com/stacks/queue.json",
                    "https://s3.us-east-1.amazonaws.com/templates/stacks/queue.json"):
            with self.subTest(url=url):
                self.assertEqual(self.cfn.validate_template(TemplateURL=url)["Parameters"], [])
        self.cfn.create_stack(StackName="by-url", TemplateURL=f"{self.server.endpoint}/templates/"
                                                              "stacks/queue.json")
        self.assertEqual(self.stack("by-url")["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(json.loads(json.dumps(self.cfn.get_template(StackName="by-url")[
            "TemplateBody"])), json.loads(body))
        self.cfn.delete_stack(StackName="by-url")
        msg = self.error("ValidationError", self.cfn.create_stack, StackName="by-url",
                         TemplateURL="https://templates.s3.amazonaws.com/stacks/missing.json")
        self.assertTrue(msg.startswith("S3 error: "), msg)
        self.assertEqual(self.error("ValidationError", self.cfn.validate_template,
                                    TemplateURL="ftp://example.com/t.json"),
                         "TemplateURL must be a supported URL.")

    def test_validate_template_reports_parameters_and_capabilities(self):
        r = self.cfn.validate_template(TemplateBody=MESSAGING)
        self.assertEqual(sorted((p["ParameterKey"], p["DefaultValue"]) for p in r["Parameters"]),
                         [("Env", "dev"), ("Visibility", "45")])
        self.assertEqual(r["Description"],
                         "raw bucket, a queue fed by a topic, the configuration in Parameter Store")
        r = self.cfn.validate_template(TemplateBody=function_stack())
        self.assertEqual(r["Capabilities"], ["CAPABILITY_IAM"])

    def test_aws_cli_create_wait_describe_delete(self):
        body = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                                 "Properties": {"QueueName": "cli-queue"}}},
                           "Outputs": {"Url": {"Value": {"Ref": "Q"}}}})
        aws(self.server, "cloudformation", "create-stack", "--stack-name", "cli",
            "--template-body", body)
        aws(self.server, "cloudformation", "wait", "stack-create-complete", "--stack-name", "cli")
        _, out, _ = aws(self.server, "cloudformation", "describe-stacks", "--stack-name", "cli")
        self.assertEqual(out["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")
        self.assertTrue(out["Stacks"][0]["Outputs"][0]["OutputValue"].endswith("/cli-queue"))
        aws(self.server, "cloudformation", "delete-stack", "--stack-name", "cli")
        aws(self.server, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "cli")
        rc, _, err = aws(self.server, "cloudformation", "describe-stacks", "--stack-name", "cli",
                         check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("Stack with id cli does not exist", err)


def update_template(visibility=30, value="one", bucket=True, topic_name=None, extra=None):
    """A stack of a named queue, a parameter, an optional bucket and a topic."""
    resources = {
        "Q": {"Type": "AWS::SQS::Queue",
              "Properties": {"QueueName": "upd-q", "VisibilityTimeout": visibility}},
        "P": {"Type": "AWS::SSM::Parameter",
              "Properties": {"Name": "/upd/p", "Type": "String", "Value": value}},
        "T": {"Type": "AWS::SNS::Topic",
              "Properties": {"TopicName": topic_name} if topic_name else {}},
    }
    if bucket:
        resources["B"] = {"Type": "AWS::S3::Bucket"}
    resources.update(extra or {})
    return json.dumps({"Resources": resources,
                       "Outputs": {"Topic": {"Value": {"Ref": "T"}},
                                   "Queue": {"Value": {"Ref": "Q"}}}})


class CloudFormationUpdateTest(unittest.TestCase):
    """UpdateStack and change sets: in-place updates, replacements, removals,
    rollback of a failed update, and `aws cloudformation deploy`."""

    def setUp(self):
        self.server = SluiceServer().start()
        self.cfn = self.server.client("cloudformation")

    def tearDown(self):
        self.server.cleanup()

    def error(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def status(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]

    def outputs(self, name):
        st = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in st.get("Outputs", [])}

    def physical(self, name):
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in
                self.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]}

    def test_update_in_place_replace_add_and_remove(self):
        self.cfn.create_stack(StackName="u", TemplateBody=update_template())
        before = self.physical("u")
        topic_before = self.outputs("u")["Topic"]
        self.error("ValidationError", self.cfn.update_stack, StackName="u",
                   TemplateBody=update_template())
        extra = {"Q2": {"Type": "AWS::SQS::Queue"}}
        self.cfn.update_stack(StackName="u", TemplateBody=update_template(
            visibility=60, value="two", bucket=False, topic_name="upd-topic", extra=extra))
        self.cfn.get_waiter("stack_update_complete").wait(
            StackName="u", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertEqual(self.status("u"), "UPDATE_COMPLETE")
        after = self.physical("u")
        self.assertEqual(sorted(after), ["P", "Q", "Q2", "T"])
        # In place: the same queue and parameter, changed.
        self.assertEqual(after["Q"], before["Q"])
        sqs, ssm, sns, s3 = (self.server.client(n) for n in ("sqs", "ssm", "sns", "s3"))
        self.assertEqual(sqs.get_queue_attributes(QueueUrl=after["Q"], AttributeNames=[
            "VisibilityTimeout"])["Attributes"]["VisibilityTimeout"], "60")
        p = ssm.get_parameter(Name="/upd/p")["Parameter"]
        self.assertEqual((p["Value"], p["Version"]), ("two", 2))
        # Replaced: a new topic, the old one deleted in the cleanup.
        self.assertTrue(self.outputs("u")["Topic"].endswith(":upd-topic"))
        topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
        self.assertIn(self.outputs("u")["Topic"], topics)
        self.assertNotIn(topic_before, topics)
        # Removed: the bucket.
        self.assertNotIn(before["B"], [b["Name"] for b in s3.list_buckets()["Buckets"]])
        statuses = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(
            self.cfn.describe_stack_events(StackName="u")["StackEvents"])]
        tail = statuses[statuses.index(("u", "UPDATE_IN_PROGRESS")):]
        self.assertEqual(tail[-2:], [("B", "DELETE_COMPLETE"), ("u", "UPDATE_COMPLETE")])
        self.assertIn(("u", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), tail)
        self.assertIn(("T", "DELETE_COMPLETE"), tail)
        self.assertLess(tail.index(("Q2", "CREATE_COMPLETE")),
                        tail.index(("u", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")))
        # UsePreviousTemplate with nothing new to do.
        self.error("ValidationError", self.cfn.update_stack, StackName="u",
                   UsePreviousTemplate=True)

    def test_failed_update_puts_everything_back(self):
        self.cfn.create_stack(StackName="r", TemplateBody=update_template(value="two"))
        before = self.physical("r")
        bad = {"Q3": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "upd-q3"}},
               "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["Q3", "P"], "Properties": {
                   "Runtime": "cobol85", "Handler": "x.y", "Role": ROLE,
                   "Code": {"ZipFile": "x"}}}}
        self.cfn.update_stack(StackName="r", TemplateBody=update_template(
            value="three", topic_name="upd-topic-2", extra=bad))
        self.assertEqual(self.status("r"), "UPDATE_ROLLBACK_COMPLETE")
        self.assertEqual(self.physical("r"), before)
        ssm, sqs, sns = (self.server.client(n) for n in ("ssm", "sqs", "sns"))
        self.assertEqual(ssm.get_parameter(Name="/upd/p")["Parameter"]["Value"], "two")
        self.assertEqual(sqs.list_queues(QueueNamePrefix="upd-q3").get("QueueUrls", []), [])
        topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
        self.assertEqual(topics, [before["T"]])
        body = self.cfn.get_template(StackName="r")["TemplateBody"]  # boto3 parses JSON bodies
        self.assertEqual(body["Resources"]["P"]["Properties"]["Value"], "two")
        events = self.cfn.describe_stack_events(StackName="r")["StackEvents"]
        failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual(failed[0]["LogicalResourceId"], "Fn")
        # The stack can be updated again afterwards.
        self.cfn.update_stack(StackName="r", TemplateBody=update_template(value="four"))
        self.assertEqual(self.status("r"), "UPDATE_COMPLETE")
        self.assertEqual(ssm.get_parameter(Name="/upd/p")["Parameter"]["Value"], "four")

    def test_replacing_a_custom_named_resource_is_refused(self):
        self.cfn.create_stack(StackName="n", TemplateBody=json.dumps({"Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fixed"}}}}))
        self.cfn.update_stack(StackName="n", TemplateBody=json.dumps({"Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fixed",
                                                              "FifoQueue": True}}}}))
        self.assertEqual(self.status("n"), "UPDATE_ROLLBACK_COMPLETE")
        reasons = [e.get("ResourceStatusReason", "") for e in
                   self.cfn.describe_stack_events(StackName="n")["StackEvents"]
                   if e["ResourceStatus"] == "UPDATE_FAILED"]
        self.assertIn("CloudFormation cannot update a stack when a custom-named resource "
                      "requires replacing. Rename fixed and update the stack again.", reasons[0])

    def test_change_sets(self):
        r = self.cfn.create_change_set(StackName="cs", ChangeSetName="first",
                                       ChangeSetType="CREATE", TemplateBody=update_template())
        self.assertRegex(r["Id"], r":changeSet/first/")
        self.assertEqual(self.status("cs"), "REVIEW_IN_PROGRESS")
        self.cfn.get_waiter("change_set_create_complete").wait(
            ChangeSetName=r["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        d = self.cfn.describe_change_set(ChangeSetName="first", StackName="cs")
        self.assertEqual((d["Status"], d["ExecutionStatus"]), ("CREATE_COMPLETE", "AVAILABLE"))
        self.assertEqual(sorted((c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
                                for c in d["Changes"]),
                         [("Add", "B"), ("Add", "P"), ("Add", "Q"), ("Add", "T")])
        self.assertEqual([s["ChangeSetName"] for s in
                          self.cfn.list_change_sets(StackName="cs")["Summaries"]], ["first"])
        self.cfn.execute_change_set(ChangeSetName=r["Id"])
        self.assertEqual(self.status("cs"), "CREATE_COMPLETE")
        self.assertEqual(self.cfn.list_change_sets(StackName="cs")["Summaries"], [])
        self.error("ChangeSetNotFound", self.cfn.describe_change_set, ChangeSetName=r["Id"])

        r = self.cfn.create_change_set(StackName="cs", ChangeSetName="second",
                                       TemplateBody=update_template(
                                           visibility=90, bucket=False, topic_name="cs-topic"))
        d = self.cfn.describe_change_set(ChangeSetName=r["Id"])
        changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]
                   for c in d["Changes"]}
        self.assertEqual(sorted(changes), ["B", "Q", "T"])
        self.assertEqual((changes["Q"]["Action"], changes["Q"]["Replacement"]), ("Modify", "False"))
        self.assertEqual((changes["T"]["Action"], changes["T"]["Replacement"]), ("Modify", "True"))
        self.assertEqual((changes["B"]["Action"], changes["B"]["PolicyAction"]),
                         ("Remove", "Delete"))
        self.assertEqual(self.status("cs"), "CREATE_COMPLETE")  # nothing done yet
        self.cfn.delete_change_set(ChangeSetName=r["Id"])
        self.error("ChangeSetNotFound", self.cfn.execute_change_set, ChangeSetName=r["Id"])

        r = self.cfn.create_change_set(StackName="cs", ChangeSetName="same",
                                       TemplateBody=update_template())
        d = self.cfn.describe_change_set(ChangeSetName=r["Id"])
        self.assertEqual(d["Status"], "FAILED")
        self.assertEqual(d["StatusReason"], "The submitted information didn't contain changes. "
                         "Submit different information to create a change set.")
        self.error("InvalidChangeSetStatus", self.cfn.execute_change_set, ChangeSetName=r["Id"])
        msg = self.error("ValidationError", self.cfn.create_change_set, StackName="cs",
                         ChangeSetName="again", ChangeSetType="CREATE",
                         TemplateBody=update_template())
        self.assertIn("already exists", msg)
        self.error("ValidationError", self.cfn.create_change_set, StackName="nostack",
                   ChangeSetName="x", TemplateBody=update_template())
        # A CREATE change set that is never executed leaves a stack to delete.
        self.cfn.create_change_set(StackName="review", ChangeSetName="c", ChangeSetType="CREATE",
                                   TemplateBody=update_template(extra=None))
        self.cfn.delete_stack(StackName="review")
        self.error("ValidationError", self.cfn.describe_stacks, StackName="review")

    def drop_change_sets(self, stack):
        for cs in self.cfn.list_change_sets(StackName=stack)["Summaries"]:
            self.cfn.delete_change_set(ChangeSetName=cs["ChangeSetId"])

    def deploy(self, *args):
        """`aws cloudformation deploy ...` (it prints text, not JSON): (rc, output)."""
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
        r = subprocess.run(["aws", "--endpoint-url", self.server.endpoint, "cloudformation",
                            "deploy", *args], capture_output=True, text=True, env=env, timeout=60)
        return r.returncode, r.stdout + r.stderr

    def test_aws_cloudformation_deploy(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "template.yaml")
            with open(path, "w") as f:
                f.write(MESSAGING)
            args = ["--template-file", path, "--stack-name", "cli-deploy",
                    "--parameter-overrides", "Env=prod"]
            rc, out = self.deploy(*args)
            self.assertEqual(rc, 0, out)
            self.assertIn("Successfully created/updated stack - cli-deploy", out)
            self.assertEqual(self.status("cli-deploy"), "CREATE_COMPLETE")
            self.assertIn("ProdOnly", self.physical("cli-deploy"))
            rc, out = self.deploy(*args)
            self.assertNotEqual(rc, 0)
            self.assertIn("No changes to deploy", out)
            # The CLI names its change sets by the second and leaves the empty one
            # behind: a second run within the same second would collide (on AWS
            # too), so the leftover is deleted as a user would.
            self.drop_change_sets("cli-deploy")
            rc, out = self.deploy(*args, "--no-fail-on-empty-changeset")
            self.assertEqual(rc, 0, out)
            self.drop_change_sets("cli-deploy")
            rc, out = self.deploy("--template-file", path, "--stack-name", "cli-deploy",
                                  "--parameter-overrides", "Env=dev")
            self.assertEqual(rc, 0, out)
            self.assertEqual(self.status("cli-deploy"), "UPDATE_COMPLETE")
            self.assertNotIn("ProdOnly", self.physical("cli-deploy"))


class SluiceDeployTest(unittest.TestCase):
    """`sluice deploy`: local code packaged into S3, the stack created, updated when
    the code changes, left alone when nothing does; a failure exits 1 naming why."""

    TEMPLATE = """
Parameters:
  Greeting: {Type: String, Default: hello}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: deployed-fn
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::000000000000:role/fn
      Code: src
      Environment: {Variables: {GREETING: !Ref Greeting}}
Outputs:
  Arn: {Value: !GetAtt Fn.Arn}
"""

    def setUp(self):
        self.server = SluiceServer().start()
        self.dir = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.dir, "src"))
        with open(os.path.join(self.dir, "template.yaml"), "w") as f:
            f.write(self.TEMPLATE)

    def tearDown(self):
        self.server.cleanup()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def code(self, version):
        with open(os.path.join(self.dir, "src", "app.py"), "w") as f:
            f.write("import os\n"
                    f"def handler(event, context):\n    return os.environ['GREETING'] + ' {version}'\n")

    def deploy(self, *args):
        r = subprocess.run([self.server.binary, "deploy", os.path.join(self.dir, "template.yaml"),
                            "--stack-name", "app", "--endpoint-url", self.server.endpoint, *args],
                           capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout + r.stderr

    def invoke(self):
        lam = self.server.client("lambda")
        return json.loads(lam.invoke(FunctionName="deployed-fn")["Payload"].read())

    def test_package_create_update_and_no_change(self):
        self.code("v1")
        rc, out = self.deploy()
        self.assertEqual(rc, 0, out)
        self.assertIn("Uploaded src to s3://sluice-deployments/", out)
        self.assertIn("Successfully created/updated stack - app", out)
        self.assertIn("Arn = arn:aws:lambda:us-east-1:000000000000:function:deployed-fn", out)
        self.assertEqual(self.invoke(), "hello v1")
        self.code("v2")
        rc, out = self.deploy("--parameter-overrides", "Greeting=hi")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.invoke(), "hi v2")
        # Not overridden: the previous value is kept.
        rc, out = self.deploy()
        self.assertEqual(rc, 0, out)
        self.assertIn("No changes to deploy. Stack app is up to date", out)
        self.assertEqual(self.invoke(), "hi v2")

    def test_failures_exit_non_zero(self):
        self.code("v1")
        rc, out = self.deploy("--parameter-overrides", "Nope=1")
        self.assertEqual(rc, 2)
        self.assertIn("the template has no parameter Nope", out)
        with open(os.path.join(self.dir, "template.yaml"), "w") as f:
            f.write(self.TEMPLATE.replace("Outputs:", "  Broken:\n    Type: AWS::EC2::VPC\nOutputs:"))
        rc, out = self.deploy()
        self.assertEqual(rc, 1, out)
        self.assertIn("stack app is ROLLBACK_COMPLETE", out)
        self.assertIn("not supported by Sluice", out)
        rc, out = subprocess.run([self.server.binary, "deploy", "/nonexistent.yaml"],
                                 capture_output=True, text=True).returncode, ""
        self.assertEqual(rc, 2)


SAM_TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Environment:
      Variables: {OUT: sam-out}
Resources:
  Out:
    Type: AWS::S3::Bucket
    Properties: {BucketName: sam-out}
  Inbox:
    Type: AWS::S3::Bucket
    Properties: {BucketName: sam-inbox}
  Work:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sam-recorder
      Handler: app.handler
      CodeUri: src
      Environment:
        Variables: {KIND: recorder}
      Events:
        FromQueue:
          Type: SQS
          Properties: {Queue: !GetAtt Work.Arn, BatchSize: 5}
        FromInbox:
          Type: S3
          Properties:
            Bucket: !Ref Inbox
            Events: s3:ObjectCreated:*
            Filter: {S3Key: {Rules: [{Name: prefix, Value: incoming/}]}}
        FromTopic:
          Type: SNS
          Properties: {Topic: !Ref Alerts}
        FromBus:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [sam.test]}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Input: '{"from": "schedule"}'}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: Record
        States:
          Record: {Type: Task, Resource: '${RecorderArn}', End: true}
      DefinitionSubstitutions:
        RecorderArn: !GetAtt Recorder.Arn
      Events:
        Daily:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 7 * * ? *)
Outputs:
  Flow: {Value: !Ref Flow}
  Queue: {Value: !Ref Work}
"""

RECORDER = """import json, os, uuid
import boto3

s3 = boto3.client("s3")


def source(event):
    if "Records" in event:
        r = event["Records"][0]
        return r.get("eventSource") or r.get("EventSource")
    return event.get("source") or event.get("from") or "direct"


def handler(event, context):
    kind = source(event)
    s3.put_object(Bucket=os.environ["OUT"], Key=f"{kind}/{uuid.uuid4()}", Body=json.dumps(event))
    return {"kind": os.environ["KIND"], "source": kind}
"""


class ServerlessTransformTest(unittest.TestCase):
    """A SAM template deployed with `sluice deploy`: Globals merged, the function's
    events wired to real queues, buckets, topics and rules, a state machine with a
    schedule; bad SAM documents refused as SAM refuses them."""

    def setUp(self):
        self.server = SluiceServer().start()
        self.cfn = self.server.client("cloudformation")
        self.dir = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.dir, "src"))
        with open(os.path.join(self.dir, "src", "app.py"), "w") as f:
            f.write(RECORDER)
        with open(os.path.join(self.dir, "template.yaml"), "w") as f:
            f.write(SAM_TEMPLATE)

    def tearDown(self):
        self.server.cleanup()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def recorded(self):
        s3 = self.server.client("s3")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="sam-out").get("Contents", [])]
        return sorted({k.split("/")[0] for k in keys})

    def test_sam_template_deploys_and_its_events_reach_the_function(self):
        r = subprocess.run([self.server.binary, "deploy", os.path.join(self.dir, "template.yaml"),
                            "--stack-name", "sam", "--endpoint-url", self.server.endpoint],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        resources = {x["LogicalResourceId"]: x["ResourceType"] for x in
                     self.cfn.list_stack_resources(StackName="sam")["StackResourceSummaries"]}
        self.assertEqual(resources["Recorder"], "AWS::Lambda::Function")
        self.assertEqual(resources["RecorderRole"], "AWS::IAM::Role")
        self.assertEqual(resources["RecorderFromQueue"], "AWS::Lambda::EventSourceMapping")
        self.assertEqual(resources["RecorderFromTopic"], "AWS::SNS::Subscription")
        self.assertEqual(resources["RecorderFromBus"], "AWS::Events::Rule")
        self.assertEqual(resources["RecorderNightly"], "AWS::Events::Rule")
        self.assertEqual(resources["RecorderFromInboxPermission"], "AWS::Lambda::Permission")
        self.assertEqual(resources["Flow"], "AWS::StepFunctions::StateMachine")
        self.assertEqual(resources["FlowDaily"], "AWS::Scheduler::Schedule")
        processed = self.cfn.get_template(StackName="sam", TemplateStage="Processed")[
            "TemplateBody"]  # boto3 parses a JSON body
        self.assertNotIn("Transform", processed)
        fn = processed["Resources"]["Recorder"]["Properties"]
        self.assertEqual((fn["Runtime"], fn["Timeout"]), ("python3.12", 10))
        self.assertEqual(fn["Environment"]["Variables"], {"OUT": "sam-out", "KIND": "recorder"})
        self.assertTrue(fn["Code"]["S3Key"].endswith(".zip"))

        out = {o["OutputKey"]: o["OutputValue"] for o in
               self.cfn.describe_stacks(StackName="sam")["Stacks"][0]["Outputs"]}
        self.server.client("sqs").send_message(QueueUrl=out["Queue"], MessageBody="work")
        self.server.client("s3").put_object(Bucket="sam-inbox", Key="incoming/a.txt", Body=b"x")
        self.server.client("s3").put_object(Bucket="sam-inbox", Key="elsewhere/b.txt", Body=b"x")
        topic = [t["TopicArn"] for t in self.server.client("sns").list_topics()["Topics"]][0]
        self.server.client("sns").publish(TopicArn=topic, Message="alert")
        self.server.client("events").put_events(Entries=[
            {"Source": "sam.test", "DetailType": "t", "Detail": "{}"}])
        sfn = self.server.client("stepfunctions")
        run = sfn.start_sync_execution(stateMachineArn=out["Flow"], input="{}")
        self.assertEqual(json.loads(run["output"]), {"kind": "recorder", "source": "direct"})
        self.server.idle()  # every delivery the calls above set off has run
        self.assertEqual(self.recorded(),
                         ["aws:s3", "aws:sns", "aws:sqs", "direct", "sam.test"])
        schedule = self.server.client("scheduler").get_schedule(
            Name=self.cfn.describe_stack_resource(StackName="sam", LogicalResourceId="FlowDaily")[
                "StackResourceDetail"]["PhysicalResourceId"])
        self.assertEqual(schedule["Target"]["Arn"], out["Flow"])

    def test_bad_sam_documents(self):
        bad = SAM_TEMPLATE.replace("      BatchSize: 5", "      BatchSize: 5").replace(
            "      Handler: app.handler", "      Handler: app.handler\n      Colour: blue")
        msg = self.error(bad)
        self.assertIn("Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless "
                      "Application Specification document", msg)
        self.assertIn("Resource with id [Recorder] is invalid. property Colour not defined", msg)
        # Without packaging, CodeUri is a local path SAM cannot use.
        self.assertIn("'CodeUri' is not a location in S3", self.error(SAM_TEMPLATE))
        no_transform = json.dumps({"Resources": {"F": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"InlineCode": "x", "Handler": "a.b", "Runtime": "python3.12"}}}})
        self.assertEqual(self.error(no_transform), "Template format error: Unrecognized resource "
                         "types: [AWS::Serverless::Function]")

    def error(self, body):
        with self.assertRaises(ClientError) as cm:
            self.cfn.create_stack(StackName="bad", TemplateBody=body,
                                  Capabilities=["CAPABILITY_IAM"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        return cm.exception.response["Error"]["Message"]


class CloudFormationRestartTest(unittest.TestCase):
    def test_stacks_survive_kill_9(self):
        server = SluiceServer().start()
        try:
            cfn = server.client("cloudformation")
            sid = cfn.create_stack(StackName="durable", TemplateBody=MESSAGING,
                                   Parameters=[{"ParameterKey": "Env",
                                                "ParameterValue": "prod"}])["StackId"]
            server.stop(signal.SIGKILL)
            server.start()
            cfn = server.client("cloudformation")
            st = cfn.describe_stacks(StackName="durable")["Stacks"][0]
            self.assertEqual((st["StackId"], st["StackStatus"]), (sid, "CREATE_COMPLETE"))
            resources = cfn.list_stack_resources(StackName="durable")["StackResourceSummaries"]
            self.assertIn("ProdOnly", [r["LogicalResourceId"] for r in resources])
            events = cfn.describe_stack_events(StackName="durable")["StackEvents"]
            self.assertEqual(events[0]["ResourceStatus"], "CREATE_COMPLETE")
            cfn.delete_stack(StackName="durable")
            self.assertEqual(cfn.describe_stacks(StackName=sid)["Stacks"][0]["StackStatus"],
                             "DELETE_COMPLETE")
            self.assertNotIn("raw-prod-000000000000",
                             [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]])
        finally:
            server.cleanup()

    def test_a_deployment_cut_by_kill_9_is_rolled_back_at_restart(self):
        import threading
        server = SluiceServer().start()
        try:
            cfn = server.client("cloudformation")
            # Enough resources that the deployment is still running when killed.
            template = json.dumps({"Resources": {
                f"P{i}": {"Type": "AWS::SSM::Parameter",
                          "Properties": {"Name": f"/cut/p{i}", "Type": "String", "Value": "v"}}
                for i in range(400)}})
            threading.Thread(target=lambda: self.swallow(
                lambda: cfn.create_stack(StackName="cut", TemplateBody=template)),
                daemon=True).start()
            # Polled on the wall clock by design: the kill must land mid-deployment.
            created = []
            for _ in range(500):
                try:
                    resources = cfn.list_stack_resources(StackName="cut")[
                        "StackResourceSummaries"]
                except ClientError:
                    resources = []
                created = [r["LogicalResourceId"] for r in resources
                           if r["ResourceStatus"] == "CREATE_COMPLETE"]
                if len(created) >= 20:
                    break
                time.sleep(0.01)
            server.stop(signal.SIGKILL)
            self.assertGreaterEqual(len(created), 20)
            self.assertLess(len(created), 400)
            server.start()
            cfn, ssm = server.client("cloudformation"), server.client("ssm")
            server.idle()  # the rollback the restart launched has run
            status = cfn.describe_stacks(StackName="cut")["Stacks"][0]["StackStatus"]
            self.assertEqual(status, "ROLLBACK_COMPLETE")
            reasons = [e.get("ResourceStatusReason", "") for e in
                       cfn.describe_stack_events(StackName="cut")["StackEvents"]]
            self.assertIn("Sluice stopped while the stack was being deployed.", reasons)
            # Everything the stack knew it had created is gone; at most the one
            # resource being created at the kill can remain.
            left = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate()
                    for p in page["Parameters"] if p["Name"].startswith("/cut/")]
            self.assertLessEqual(len(left), 1, left)
            for logical in created:
                self.assertNotIn("/cut/p" + logical[1:], left)
        finally:
            server.cleanup()

    @staticmethod
    def swallow(fn):
        try:
            fn()
        except Exception:  # the server is killed under it
            pass


if __name__ == "__main__":
    unittest.main()
