"""Lambda resource policies through boto3 and the AWS CLI: AddPermission,
GetPolicy, RemovePermission per function, version and alias, the statements
as Lambda writes them, their errors, and a stack's AWS::Lambda::Permission."""
import json
import signal

from aws_cli import aws
from lambda_helpers import LambdaTestCase

CODE = {"app.py": "def handler(event, context):\n    return 'ok'\n"}


class LambdaPermissionsTest(LambdaTestCase):
    def policy(self, name, **kw):
        return json.loads(self.lam.get_policy(FunctionName=name, **kw)["Policy"])

    def test_add_get_remove(self):
        name = self.create(CODE)
        r = self.lam.add_permission(FunctionName=name, StatementId="s3-invoke",
                                    Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                    SourceArn="arn:aws:s3:::uploads", SourceAccount="000000000000")
        statement = json.loads(r["Statement"])
        self.assertEqual(statement, {
            "Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"},
                          "StringEquals": {"AWS:SourceAccount": "000000000000"}}})
        self.lam.add_permission(FunctionName=name, StatementId="account",
                                Action="lambda:GetFunction", Principal="123456789012")
        policy = self.policy(name)
        self.assertEqual((policy["Version"], policy["Id"]), ("2012-10-17", "default"))
        self.assertEqual(sorted(s["Sid"] for s in policy["Statement"]), ["account", "s3-invoke"])
        account = [s for s in policy["Statement"] if s["Sid"] == "account"][0]
        self.assertEqual(account["Principal"], {"AWS": "arn:aws:iam::123456789012:root"})
        # A statement id is unique within the policy.
        err = self.assertError("ResourceConflictException", self.lam.add_permission,
                               FunctionName=name, StatementId="account",
                               Action="lambda:InvokeFunction", Principal="*")
        self.assertIn("The statement id (account) provided already exists", err["Error"]["Message"])
        # A stale RevisionId is refused.
        self.assertError("PreconditionFailedException", self.lam.add_permission,
                         FunctionName=name, StatementId="late", Action="lambda:InvokeFunction",
                         Principal="*", RevisionId="not-the-current-one")
        self.lam.remove_permission(FunctionName=name, StatementId="account")
        self.assertEqual([s["Sid"] for s in self.policy(name)["Statement"]], ["s3-invoke"])
        self.assertError("ResourceNotFoundException", self.lam.remove_permission,
                         FunctionName=name, StatementId="account")
        self.lam.remove_permission(FunctionName=name, StatementId="s3-invoke")
        self.assertError("ResourceNotFoundException", self.lam.get_policy, FunctionName=name)

    def test_qualified_policies_are_separate(self):
        name = self.create(CODE)
        version = self.lam.publish_version(FunctionName=name)["Version"]
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
        self.lam.add_permission(FunctionName=name, Qualifier="live", StatementId="a",
                                Action="lambda:InvokeFunction", Principal="events.amazonaws.com")
        self.assertEqual(self.policy(name, Qualifier="live")["Statement"][0]["Resource"],
                         f"arn:aws:lambda:us-east-1:000000000000:function:{name}:live")
        self.assertError("ResourceNotFoundException", self.lam.get_policy, FunctionName=name)
        self.assertError("ResourceNotFoundException", self.lam.add_permission, FunctionName=name,
                         Qualifier="nope", StatementId="b", Action="lambda:InvokeFunction",
                         Principal="*")

    def test_bad_input(self):
        name = self.create(CODE)
        self.assertError("ResourceNotFoundException", self.lam.add_permission,
                         FunctionName="no-such-function", StatementId="x",
                         Action="lambda:InvokeFunction", Principal="*")
        self.assertError("ValidationException", self.lam.add_permission, FunctionName=name,
                         StatementId="x", Action="s3:GetObject", Principal="*")
        self.assertError("ResourceNotFoundException", self.lam.get_policy, FunctionName=name)

    def test_cli_and_cloudformation(self):
        name = self.create(CODE)
        _, out, _ = aws(self.server, "lambda", "add-permission", "--function-name", name,
                        "--statement-id", "cli", "--action", "lambda:InvokeFunction",
                        "--principal", "sns.amazonaws.com")
        self.assertEqual(json.loads(out["Statement"])["Sid"], "cli")
        cfn = self.server.client("cloudformation")
        cfn.create_stack(StackName="perm", TemplateBody=json.dumps({"Resources": {"P": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": name, "Action": "lambda:InvokeFunction",
                           "Principal": "s3.amazonaws.com",
                           "SourceArn": "arn:aws:s3:::from-stack"}}}}))
        sid = cfn.describe_stack_resource(StackName="perm", LogicalResourceId="P")[
            "StackResourceDetail"]["PhysicalResourceId"]
        self.assertTrue(sid.startswith("perm-P-"), sid)
        self.assertEqual(sorted(s["Sid"] for s in self.policy(name)["Statement"]),
                         sorted(["cli", sid]))
        cfn.delete_stack(StackName="perm")
        self.assertEqual([s["Sid"] for s in self.policy(name)["Statement"]], ["cli"])

    def test_policies_survive_kill_9(self):
        name = self.create(CODE)
        self.lam.add_permission(FunctionName=name, StatementId="keep",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        self.server.stop(signal.SIGKILL)
        self.server.start()
        type(self).lam = self.server.client("lambda")
        self.assertEqual([s["Sid"] for s in self.policy(name)["Statement"]], ["keep"])
