"""Lambda functions through boto3: create from a zip, get, list, update, delete,
and the bad inputs AWS refuses, each leaving nothing behind."""
import base64
import json
import unittest

from lambda_helpers import ROLE, LambdaTestCase, long_client, zip_of

ECHO = {"app.py": "def handler(event, context):\n    return {'echo': event}\n"}


class FunctionLifecycleTests(LambdaTestCase):
    def test_create_get_list_delete(self):
        name = self.name()
        r = self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                                     Handler="app.handler", Code={"ZipFile": zip_of(ECHO)},
                                     Description="echo", Timeout=10, MemorySize=256,
                                     Environment={"Variables": {"STAGE": "test"}},
                                     Tags={"team": "data"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(r["State"], "Pending")
        self.assertEqual(r["StateReasonCode"], "Creating")
        arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
        self.assertEqual(r["FunctionArn"], arn)
        self.assertEqual(r["Version"], "$LATEST")
        self.assertEqual(r["PackageType"], "Zip")
        self.lam.get_waiter("function_active_v2").wait(FunctionName=name)

        got = self.lam.get_function(FunctionName=name)
        c = got["Configuration"]
        self.assertEqual(c["State"], "Active")
        self.assertEqual(c["LastUpdateStatus"], "Successful")
        self.assertEqual((c["Runtime"], c["Handler"], c["Timeout"], c["MemorySize"]),
                         ("python3.12", "app.handler", 10, 256))
        self.assertEqual(c["Environment"], {"Variables": {"STAGE": "test"}})
        self.assertEqual(c["EphemeralStorage"], {"Size": 512})
        self.assertEqual(c["Architectures"], ["x86_64"])
        self.assertEqual(c["LoggingConfig"]["LogGroup"], f"/aws/lambda/{name}")
        self.assertEqual(c["CodeSize"], len(zip_of(ECHO)))
        import hashlib
        self.assertEqual(c["CodeSha256"],
                         base64.b64encode(hashlib.sha256(zip_of(ECHO)).digest()).decode())
        self.assertEqual(got["Tags"], {"team": "data"})
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        import urllib.request
        with urllib.request.urlopen(got["Code"]["Location"], timeout=10) as z:
            self.assertEqual(z.read(), zip_of(ECHO))
        self.assertEqual(self.lam.get_function_configuration(FunctionName=arn)["FunctionName"],
                         name)

        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertIn(name, names)
        self.lam.delete_function(FunctionName=name)
        r = self.assertError("ResourceNotFoundException", self.lam.get_function,
                             FunctionName=name)
        self.assertEqual(r["Error"]["Message"], f"Function not found: {arn}")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_list_functions_pages(self):
        made = sorted(self.create(ECHO, name=f"page-{i}") for i in range(5))
        seen, marker = [], None
        while True:
            kwargs = {"MaxItems": 2}
            if marker:
                kwargs["Marker"] = marker
            page = self.lam.list_functions(**kwargs)
            self.assertLessEqual(len(page["Functions"]), 2)
            seen += [f["FunctionName"] for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual([n for n in seen if n.startswith("page-")], made)
        self.assertEqual(len(seen), len(set(seen)))
        paginated = [f["FunctionName"]
                     for p in self.lam.get_paginator("list_functions").paginate(
                         PaginationConfig={"PageSize": 3})
                     for f in p["Functions"]]
        self.assertEqual(paginated, seen)

    def test_update_configuration_and_code(self):
        name = self.create(ECHO)
        r = self.lam.update_function_configuration(FunctionName=name, Timeout=30,
                                                   Environment={"Variables": {"AB": "1"}})
        self.assertEqual(r["LastUpdateStatus"], "InProgress")
        self.lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        c = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual((c["Timeout"], c["Environment"]["Variables"]), (30, {"AB": "1"}))

        first = self.invoke(name, {"x": 1})
        self.assertEqual(json.loads(first["body"]), {"echo": {"x": 1}})
        new_code = {"app.py": "def handler(event, context):\n    return 'v2'\n"}
        r = self.lam.update_function_code(FunctionName=name, ZipFile=zip_of(new_code))
        self.assertEqual(r["LastUpdateStatus"], "InProgress")
        self.lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        self.assertEqual(json.loads(self.invoke(name)["body"]), "v2")

        stale = self.lam.get_function_configuration(FunctionName=name)["RevisionId"]
        self.lam.update_function_configuration(FunctionName=name, Description="d")
        self.assertError("PreconditionFailedException", self.lam.update_function_configuration,
                         FunctionName=name, Description="e", RevisionId=stale)
        self.assertEqual(self.lam.get_function_configuration(FunctionName=name)["Description"],
                         "d")

    def test_code_from_s3(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="lambda-code")
        s3.put_object(Bucket="lambda-code", Key="fn.zip", Body=zip_of(ECHO))
        name = self.name()
        self.lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE,
                                 Handler="app.handler",
                                 Code={"S3Bucket": "lambda-code", "S3Key": "fn.zip"})
        self.assertEqual(json.loads(self.invoke(name, {"s3": True})["body"]),
                         {"echo": {"s3": True}})
        r = self.assertError("InvalidParameterValueException", self.lam.create_function,
                             FunctionName=self.name(), Runtime="python3.11", Role=ROLE,
                             Handler="app.handler",
                             Code={"S3Bucket": "lambda-code", "S3Key": "missing.zip"})
        self.assertIn("S3 Error Code: NoSuchKey", r["Error"]["Message"])


class BadInputTests(LambdaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Without boto3's own checks, so the server's answers are what is tested.
        cls.unchecked = long_client(cls.server, "lambda", validate=False)

    def assertNotCreated(self, name):
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName=name)

    def test_duplicate_name(self):
        name = self.create(ECHO)
        r = self.assertError("ResourceConflictException", self.lam.create_function,
                             FunctionName=name, Runtime="python3.11", Role=ROLE,
                             Handler="app.handler", Code={"ZipFile": zip_of(ECHO)})
        self.assertEqual(r["Error"]["Message"], f"Function already exist: {name}")

    def test_corrupt_and_hostile_zips(self):
        for label, package in [("corrupt", b"PK\x03\x04 not really a zip"),
                               ("dotdot", zip_of({"../escape.py": "x = 1\n"})),
                               ("absolute", zip_of({"/etc/evil.py": "x = 1\n"}))]:
            with self.subTest(label):
                name = self.name(label)
                self.assertError("InvalidParameterValueException", self.lam.create_function,
                                 FunctionName=name, Runtime="python3.11", Role=ROLE,
                                 Handler="app.handler", Code={"ZipFile": package})
                self.assertNotCreated(name)

    def test_configuration_refusals(self):
        cases = [
            ("reserved variable", dict(Environment={"Variables": {"AWS_REGION": "x"}}),
             "InvalidParameterValueException", "AWS_REGION"),
            ("deprecated runtime", dict(Runtime="python3.7"), "InvalidParameterValueException",
             "no longer supported"),
            ("runtime not run here", dict(Runtime="java21"), "InvalidParameterValueException",
             "java21"),
            ("unknown runtime", dict(Runtime="cobol"), "ValidationException", "runtime"),
            ("image", dict(PackageType="Image"), "InvalidParameterValueException", "Image"),
            ("timeout", dict(Timeout=0), "ValidationException", "timeout"),
            ("memory", dict(MemorySize=64), "ValidationException", "memorySize"),
            ("layer", dict(Layers=["arn:aws:lambda:us-east-1:000000000000:layer:l:1"]),
             "InvalidParameterValueException", "does not exist"),
        ]
        for label, overrides, code, text in cases:
            with self.subTest(label):
                name = self.name()
                args = dict(FunctionName=name, Runtime="python3.11", Role=ROLE,
                            Handler="app.handler", Code={"ZipFile": zip_of(ECHO)})
                args.update(overrides)
                r = self.assertError(code, self.unchecked.create_function, **args)
                self.assertIn(text, r["Error"]["Message"])
                self.assertNotCreated(name)

    def test_missing_handler_and_runtime(self):
        name = self.name()
        r = self.assertError("InvalidParameterValueException", self.lam.create_function,
                             FunctionName=name, Role=ROLE, Code={"ZipFile": zip_of(ECHO)})
        self.assertIn("Runtime and Handler are mandatory", r["Error"]["Message"])
        self.assertNotCreated(name)

    def test_missing_function_everywhere(self):
        arn = "arn:aws:lambda:us-east-1:000000000000:function:nope"
        for fn, kwargs in [(self.lam.get_function, {}),
                           (self.lam.invoke, {}),
                           (self.lam.delete_function, {}),
                           (self.lam.update_function_configuration, {"Timeout": 5}),
                           (self.lam.update_function_code, {"ZipFile": zip_of(ECHO)}),
                           (self.lam.publish_version, {})]:
            with self.subTest(fn.__name__):
                r = self.assertError("ResourceNotFoundException", fn, FunctionName="nope", **kwargs)
                self.assertIn(arn, r["Error"]["Message"])

    def test_bad_payloads(self):
        name = self.create(ECHO)
        self.assertError("InvalidRequestContentException", self.lam.invoke, FunctionName=name,
                         Payload=b"{not json")
        r = self.assertError("RequestTooLargeException", self.lam.invoke, FunctionName=name,
                             Payload=json.dumps({"x": "a" * (6 * 1024 * 1024)}))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertError("RequestTooLargeException", self.lam.invoke, FunctionName=name,
                         InvocationType="Event", Payload=json.dumps({"x": "a" * 300000}))


if __name__ == "__main__":
    unittest.main()
