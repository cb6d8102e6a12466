"""Parameter Store through boto3 and the AWS CLI against a started `sluice server`."""
import base64
import json
import unittest

from botocore.exceptions import ClientError

from aws_cli import aws
from sluice_server import ACCOUNT, REGION, SluiceServer


class SsmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.ssm = cls.server.client("ssm")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def error(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def names(self, params):
        return [p["Name"] for p in params]

    # --- put / get ------------------------------------------------------------
    def test_put_get_versions_and_arn(self):
        r = self.ssm.put_parameter(Name="/s3/lakehouse/name/raw", Value="raw-bucket", Type="String",
                                   Description="raw bucket")
        self.assertEqual((r["Version"], r["Tier"]), (1, "Standard"))
        r = self.ssm.put_parameter(Name="/s3/lakehouse/name/raw", Value="raw-2", Overwrite=True)
        self.assertEqual(r["Version"], 2)
        p = self.ssm.get_parameter(Name="/s3/lakehouse/name/raw")["Parameter"]
        self.assertEqual(p["Value"], "raw-2")
        self.assertEqual(p["Type"], "String")
        self.assertEqual(p["Version"], 2)
        self.assertEqual(p["DataType"], "text")
        self.assertEqual(p["ARN"], f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/s3/lakehouse/name/raw")
        self.assertIn("LastModifiedDate", p)
        old = self.ssm.get_parameter(Name="/s3/lakehouse/name/raw:1")["Parameter"]
        self.assertEqual((old["Value"], old["Version"], old["Selector"]), ("raw-bucket", 1, ":1"))
        by_arn = self.ssm.get_parameter(Name=p["ARN"])["Parameter"]
        self.assertEqual(by_arn["Value"], "raw-2")
        # Description carries over to the new version when not given again.
        meta = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Values": ["/s3/lakehouse/name/raw"]}])["Parameters"]
        self.assertEqual(meta[0]["Description"], "raw bucket")
        self.assertEqual(meta[0]["Version"], 2)

    def test_overwrite_rules(self):
        self.ssm.put_parameter(Name="ow", Value="1", Type="String")
        msg = self.error("ParameterAlreadyExists", self.ssm.put_parameter, Name="ow", Value="2",
                         Type="String")
        self.assertIn("overwrite", msg)
        # "/ow" names the same one-level parameter.
        self.error("ParameterAlreadyExists", self.ssm.put_parameter, Name="/ow", Value="2",
                   Type="String")
        msg = self.error("ValidationException", self.ssm.put_parameter, Name="ow", Value="2",
                         Overwrite=True, Tags=[{"Key": "k", "Value": "v"}])
        self.assertIn("tags and overwrite can't be used together", msg)
        self.assertEqual(self.ssm.get_parameter(Name="ow")["Parameter"]["Value"], "1")
        self.error("ValidationException", self.ssm.put_parameter, Name="needs-type", Value="x")

    def test_string_list_and_secure_string(self):
        self.ssm.put_parameter(Name="/app/hosts", Value="a,b,c", Type="StringList")
        self.assertEqual(self.ssm.get_parameter(Name="/app/hosts")["Parameter"]["Value"], "a,b,c")
        self.ssm.put_parameter(Name="/app/db/password", Value="hunter2", Type="SecureString")
        enc = self.ssm.get_parameter(Name="/app/db/password")["Parameter"]
        self.assertEqual(enc["Type"], "SecureString")
        self.assertNotEqual(enc["Value"], "hunter2")
        base64.b64decode(enc["Value"], validate=True)  # ciphertext, Base64 like a KMS blob
        dec = self.ssm.get_parameter(Name="/app/db/password", WithDecryption=True)["Parameter"]
        self.assertEqual(dec["Value"], "hunter2")
        meta = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Values": ["/app/db/password"]}])["Parameters"][0]
        self.assertEqual(meta["KeyId"], "alias/aws/ssm")
        self.ssm.put_parameter(Name="/app/db/key2", Value="x", Type="SecureString",
                               KeyId="alias/custom")
        meta = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "KeyId", "Values": ["alias/custom"]}])["Parameters"]
        self.assertEqual(self.names(meta), ["/app/db/key2"])
        # The plaintext never reaches the data directory.
        import glob
        for f in glob.glob(self.server.data_dir + "/**", recursive=True):
            if f.endswith((".db", ".db-wal")):
                with open(f, "rb") as fh:
                    self.assertNotIn(b"hunter2", fh.read(), f)

    def test_name_rules(self):
        for name in ["awsTest", "SSM-x", "/aws/x", "has space", "/a//b"]:
            msg = self.error("ValidationException", self.ssm.put_parameter, Name=name, Value="v",
                             Type="String")
            self.assertIn("Parameter name", msg)
        msg = self.error("ValidationException", self.ssm.put_parameter, Name="a/b", Value="v",
                         Type="String")
        self.assertEqual(msg, "Parameter name must be a fully qualified name.")
        deep = "".join(f"/l{i}" for i in range(16))
        self.error("HierarchyLevelLimitExceededException", self.ssm.put_parameter, Name=deep,
                   Value="v", Type="String")
        long_name = "/" + "x" * 1000
        self.error("ValidationException", self.ssm.put_parameter, Name=long_name, Value="v",
                   Type="String")
        self.assertEqual(self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Option": "BeginsWith", "Values": ["/aws"]}])["Parameters"], [])

    def test_tiers_and_size_limits(self):
        self.error("ValidationException", self.ssm.put_parameter, Name="/big/std", Value="x" * 4097,
                   Type="String")
        r = self.ssm.put_parameter(Name="/big/std", Value="x" * 4096, Type="String")
        self.assertEqual(r["Tier"], "Standard")
        r = self.ssm.put_parameter(Name="/big/adv", Value="x" * 8192, Type="String",
                                   Tier="Advanced")
        self.assertEqual(r["Tier"], "Advanced")
        self.error("ValidationException", self.ssm.put_parameter, Name="/big/adv2",
                   Value="x" * 8193, Type="String", Tier="Advanced")
        r = self.ssm.put_parameter(Name="/big/it", Value="x" * 5000, Type="String",
                                   Tier="Intelligent-Tiering")
        self.assertEqual(r["Tier"], "Advanced")
        r = self.ssm.put_parameter(Name="/big/it-small", Value="x", Type="String",
                                   Tier="Intelligent-Tiering")
        self.assertEqual(r["Tier"], "Standard")
        msg = self.error("ValidationException", self.ssm.put_parameter, Name="/big/adv",
                         Value="y", Overwrite=True, Tier="Standard")
        self.assertIn("downgrade", msg)
        self.assertEqual(self.ssm.get_parameter(Name="/big/adv")["Parameter"]["Version"], 1)
        self.error("ValidationException", self.ssm.put_parameter, Name="/big/x", Value="x",
                   Type="String", Tier="Premium")

    def test_allowed_pattern_data_type_and_policies(self):
        msg = self.error("ParameterPatternMismatchException", self.ssm.put_parameter,
                         Name="/pat/n", Value="abc", Type="String", AllowedPattern=r"^\d+$")
        self.assertEqual(msg, r"Parameter value, cannot be validated against allowedPattern: ^\d+$")
        self.error("ParameterNotFound", self.ssm.get_parameter, Name="/pat/n")
        self.ssm.put_parameter(Name="/pat/n", Value="123", Type="String", AllowedPattern=r"^\d+$")
        # The pattern stays with the parameter.
        self.error("ParameterPatternMismatchException", self.ssm.put_parameter, Name="/pat/n",
                   Value="x", Overwrite=True)
        self.ssm.put_parameter(Name="/ami/id", Value="ami-0123456789abcdef0", Type="String",
                               DataType="aws:ec2:image")
        self.assertEqual(self.ssm.get_parameter(Name="/ami/id")["Parameter"]["DataType"],
                         "aws:ec2:image")
        self.error("ValidationException", self.ssm.put_parameter, Name="/ami/bad", Value="nope",
                   Type="String", DataType="aws:ec2:image")
        msg = self.error("ValidationException", self.ssm.put_parameter, Name="/dt/bad", Value="v",
                         Type="String", DataType="Text")
        self.assertIn("The following data type is not supported: Text", msg)
        policy = json.dumps([{"Type": "Expiration", "Version": "1.0",
                              "Attributes": {"Timestamp": "2030-05-13T00:00:00.000Z"}}])
        r = self.ssm.put_parameter(Name="/pol/p", Value="v", Type="String", Tier="Advanced",
                                   Policies=policy)
        self.assertEqual(r["Tier"], "Advanced")
        meta = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Values": ["/pol/p"]}])["Parameters"][0]
        self.assertEqual(meta["Policies"][0]["PolicyType"], "Expiration")
        self.assertEqual(json.loads(meta["Policies"][0]["PolicyText"]), json.loads(policy)[0])
        self.error("InvalidPolicyTypeException", self.ssm.put_parameter, Name="/pol/q", Value="v",
                   Type="String", Tier="Advanced",
                   Policies=json.dumps([{"Type": "Deletion", "Version": "1.0", "Attributes": {}}]))

    def test_get_parameters_reports_invalid(self):
        self.ssm.put_parameter(Name="/gp/a", Value="A", Type="String")
        self.ssm.put_parameter(Name="/gp/b", Value="B", Type="SecureString")
        r = self.ssm.get_parameters(Names=["/gp/a", "/gp/b", "/gp/missing", "/gp/a:9"],
                                    WithDecryption=True)
        self.assertEqual({p["Name"]: p["Value"] for p in r["Parameters"]}, {"/gp/a": "A", "/gp/b": "B"})
        self.assertEqual(sorted(r["InvalidParameters"]), ["/gp/a:9", "/gp/missing"])
        self.error("ValidationException", self.ssm.get_parameters, Names=[f"/n{i}" for i in range(11)])

    def test_get_parameters_by_path(self):
        for n in ["/p/a", "/p/b", "/p/c/d", "/p/c/e/f", "/pp/x"]:
            self.ssm.put_parameter(Name=n, Value=n, Type="String",
                                   Tags=[{"Key": "env", "Value": "dev" if n != "/p/b" else "prod"}])
        self.ssm.put_parameter(Name="/p/s", Value="sec", Type="SecureString")
        one = self.ssm.get_parameters_by_path(Path="/p")["Parameters"]
        self.assertEqual(self.names(one), ["/p/a", "/p/b", "/p/s"])
        secure = [p for p in one if p["Name"] == "/p/s"][0]
        self.assertNotEqual(secure["Value"], "sec")
        dec = self.ssm.get_parameters_by_path(Path="/p/", WithDecryption=True)["Parameters"]
        self.assertEqual([p["Value"] for p in dec if p["Name"] == "/p/s"], ["sec"])
        rec = self.ssm.get_parameters_by_path(Path="/p", Recursive=True)["Parameters"]
        self.assertEqual(self.names(rec), ["/p/a", "/p/b", "/p/c/d", "/p/c/e/f", "/p/s"])
        tagged = self.ssm.get_parameters_by_path(Path="/p", Recursive=True, ParameterFilters=[
            {"Key": "tag:env", "Values": ["prod"]}])["Parameters"]
        self.assertEqual(self.names(tagged), ["/p/b"])
        typed = self.ssm.get_parameters_by_path(Path="/p", Recursive=True, ParameterFilters=[
            {"Key": "Type", "Values": ["SecureString"]}])["Parameters"]
        self.assertEqual(self.names(typed), ["/p/s"])
        # Pagination: at most MaxResults a page, NextToken to resume.
        seen, token = [], None
        while True:
            kw = {"NextToken": token} if token else {}
            page = self.ssm.get_parameters_by_path(Path="/p", Recursive=True, MaxResults=2, **kw)
            self.assertLessEqual(len(page["Parameters"]), 2)
            seen += self.names(page["Parameters"])
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, self.names(rec))
        paginator = self.ssm.get_paginator("get_parameters_by_path")
        pages = list(paginator.paginate(Path="/p", Recursive=True, PaginationConfig={"PageSize": 3}))
        self.assertEqual(sum(len(p["Parameters"]) for p in pages), 5)
        self.error("ValidationException", self.ssm.get_parameters_by_path, Path="/p", MaxResults=11)
        self.error("ValidationException", self.ssm.get_parameters_by_path, Path="p")
        self.error("InvalidFilterKey", self.ssm.get_parameters_by_path, Path="/p",
                   ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
        self.error("InvalidNextToken", self.ssm.get_parameters_by_path, Path="/p",
                   NextToken="bogus")

    def test_describe_parameters_filters_and_pages(self):
        for i in range(7):
            self.ssm.put_parameter(Name=f"/desc/item{i}", Value="v",
                                   Type="String" if i % 2 else "StringList")
        r = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Path", "Values": ["/desc"]}, {"Key": "Type", "Values": ["StringList"]}])
        self.assertEqual(self.names(r["Parameters"]), ["/desc/item0", "/desc/item2", "/desc/item4",
                                                       "/desc/item6"])
        r = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Option": "Contains", "Values": ["item3"]}])
        self.assertEqual(self.names(r["Parameters"]), ["/desc/item3"])
        r = self.ssm.describe_parameters(Filters=[{"Key": "Name", "Values": ["/desc/item"]}],
                                         MaxResults=3)
        self.assertEqual(len(r["Parameters"]), 3)
        self.assertIn("NextToken", r)
        rest = self.ssm.describe_parameters(Filters=[{"Key": "Name", "Values": ["/desc/item"]}],
                                            NextToken=r["NextToken"])
        self.assertEqual(len(rest["Parameters"]), 4)
        self.error("InvalidFilterOption", self.ssm.describe_parameters, ParameterFilters=[
            {"Key": "Type", "Option": "BeginsWith", "Values": ["String"]}])
        self.error("ValidationException", self.ssm.describe_parameters,
                   Filters=[{"Key": "Name", "Values": ["x"]}],
                   ParameterFilters=[{"Key": "Name", "Values": ["x"]}])

    def test_history_labels(self):
        n = "/lbl/p"
        for v in ["one", "two", "three"]:
            self.ssm.put_parameter(Name=n, Value=v, Type="String", Overwrite=True)
        r = self.ssm.label_parameter_version(Name=n, ParameterVersion=1, Labels=["prod", "1bad", "awsx"])
        self.assertEqual(r["ParameterVersion"], 1)
        self.assertEqual(sorted(r["InvalidLabels"]), ["1bad", "awsx"])
        self.assertEqual(self.ssm.get_parameter(Name=n + ":prod")["Parameter"]["Value"], "one")
        # The label moves to the newest version when labelled again.
        r = self.ssm.label_parameter_version(Name=n, Labels=["prod"])
        self.assertEqual(r["ParameterVersion"], 3)
        p = self.ssm.get_parameter(Name=n + ":prod")["Parameter"]
        self.assertEqual((p["Value"], p["Selector"]), ("three", ":prod"))
        hist = self.ssm.get_parameter_history(Name=n)["Parameters"]
        self.assertEqual([(h["Version"], h["Value"], h["Labels"]) for h in hist],
                         [(1, "one", []), (2, "two", []), (3, "three", ["prod"])])
        page = self.ssm.get_parameter_history(Name=n, MaxResults=2)
        self.assertEqual(len(page["Parameters"]), 2)
        rest = self.ssm.get_parameter_history(Name=n, NextToken=page["NextToken"])
        self.assertEqual([h["Version"] for h in rest["Parameters"]], [3])
        labels = [f"l{i}" for i in range(10)]
        self.ssm.label_parameter_version(Name=n, ParameterVersion=2, Labels=labels)
        msg = self.error("ParameterVersionLabelLimitExceeded", self.ssm.label_parameter_version,
                         Name=n, ParameterVersion=2, Labels=["eleventh"])
        self.assertIn("maximum 10 labels", msg)
        self.error("ParameterVersionNotFound", self.ssm.label_parameter_version, Name=n,
                   ParameterVersion=9, Labels=["x"])
        self.error("ParameterVersionNotFound", self.ssm.get_parameter, Name=n + ":9")
        self.error("ParameterVersionNotFound", self.ssm.get_parameter, Name=n + ":nolabel")
        self.error("ParameterNotFound", self.ssm.label_parameter_version, Name="/lbl/none",
                   Labels=["x"])
        r = self.ssm.unlabel_parameter_version(Name=n, ParameterVersion=2, Labels=["l0", "prod"])
        self.assertEqual((r["RemovedLabels"], r["InvalidLabels"]), (["l0"], ["prod"]))
        self.error("ParameterNotFound", self.ssm.get_parameter_history, Name="/lbl/none")

    def test_delete_and_tags(self):
        self.ssm.put_parameter(Name="/del/a", Value="v", Type="String",
                               Tags=[{"Key": "team", "Value": "lake"}])
        self.ssm.put_parameter(Name="/del/b", Value="v", Type="String")
        tags = self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/del/a")
        self.assertEqual(tags["TagList"], [{"Key": "team", "Value": "lake"}])
        self.ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/del/a",
                                      Tags=[{"Key": "env", "Value": "dev"}])
        self.ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/del/a",
                                           TagKeys=["team"])
        tags = self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/del/a")
        self.assertEqual(tags["TagList"], [{"Key": "env", "Value": "dev"}])
        self.error("InvalidResourceId", self.ssm.add_tags_to_resource, ResourceType="Parameter",
                   ResourceId="/del/none", Tags=[{"Key": "k", "Value": "v"}])
        self.error("InvalidResourceType", self.ssm.list_tags_for_resource, ResourceType="Document",
                   ResourceId="/del/a")
        self.ssm.delete_parameter(Name="/del/a")
        self.error("ParameterNotFound", self.ssm.get_parameter, Name="/del/a")
        self.error("ParameterNotFound", self.ssm.delete_parameter, Name="/del/a")
        r = self.ssm.delete_parameters(Names=["/del/b", "/del/none"])
        self.assertEqual((r["DeletedParameters"], r["InvalidParameters"]), (["/del/b"], ["/del/none"]))

    # --- the AWS CLI ----------------------------------------------------------
    def test_cli(self):
        aws(self.server, "ssm", "put-parameter", "--name", "/cli/p", "--value", "from-cli",
            "--type", "SecureString")
        _, out, _ = aws(self.server, "ssm", "get-parameter", "--name", "/cli/p", "--with-decryption")
        self.assertEqual(out["Parameter"]["Value"], "from-cli")
        _, out, _ = aws(self.server, "ssm", "get-parameters-by-path", "--path", "/cli")
        self.assertEqual([p["Name"] for p in out["Parameters"]], ["/cli/p"])
        code, _, err = aws(self.server, "ssm", "get-parameter", "--name", "/cli/none", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ParameterNotFound", err)


if __name__ == "__main__":
    unittest.main()
