"""Lambda Invoke through boto3 with real Python, Node.js and provided
functions running as local processes behind AWS's Runtime API."""
import base64
import json
import os
import time
import unittest

from lambda_helpers import ROLE, LambdaTestCase, long_client, zip_of

CONTEXT = {"app.py": """
import os
def handler(event, context):
    print("hello from", context.function_name)
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "env": {k: os.environ.get(k) for k in [
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION",
            "AWS_EXECUTION_ENV", "_HANDLER", "LAMBDA_TASK_ROOT", "STAGE", "TZ",
            "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_VERSION"]},
        "cwd": os.getcwd(),
        "pid": os.getpid(),
    }
"""}


class PythonInvokeTests(LambdaTestCase):
    def test_event_context_environment_and_log_tail(self):
        name = self.create(CONTEXT, runtime="python3.12", MemorySize=256,
                           Environment={"Variables": {"STAGE": "dev"}})
        r = self.invoke(name, {"k": "v"}, LogType="Tail")
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        out = json.loads(r["body"])
        self.assertEqual(out["event"], {"k": "v"})
        self.assertEqual(out["function_name"], name)
        self.assertEqual(out["function_version"], "$LATEST")
        self.assertEqual(out["invoked_function_arn"],
                         f"arn:aws:lambda:us-east-1:000000000000:function:{name}")
        self.assertEqual(out["memory_limit_in_mb"], "256")
        self.assertEqual(out["aws_request_id"], r["ResponseMetadata"]["RequestId"])
        self.assertEqual(out["log_group_name"], f"/aws/lambda/{name}")
        self.assertRegex(out["log_stream_name"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        self.assertTrue(0 < out["remaining"] <= 3000)
        env = out["env"]
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], name)
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12")
        self.assertEqual(env["_HANDLER"], "app.handler")
        self.assertEqual(env["STAGE"], "dev")
        self.assertEqual(env["AWS_ENDPOINT_URL"], self.server.endpoint)
        self.assertEqual(env["LAMBDA_TASK_ROOT"], out["cwd"])
        log = base64.b64decode(r["LogResult"]).decode()
        request_id = out["aws_request_id"]
        self.assertIn(f"START RequestId: {request_id} Version: $LATEST", log)
        self.assertIn(f"hello from {name}", log)
        self.assertIn(f"END RequestId: {request_id}", log)
        self.assertRegex(log, rf"REPORT RequestId: {request_id}\tDuration: [\d.]+ ms\t"
                              r"Billed Duration: \d+ ms\tMemory Size: 256 MB\t"
                              r"Max Memory Used: \d+ MB\tInit Duration: [\d.]+ ms")

        # Warm: the same process answers, and no Init Duration is reported.
        again = self.invoke(name, {}, LogType="Tail")
        self.assertEqual(json.loads(again["body"])["pid"], out["pid"])
        self.assertNotIn("Init Duration", base64.b64decode(again["LogResult"]).decode())

    def test_unhandled_error(self):
        name = self.create({"app.py": "def handler(event, context):\n"
                                      "    raise ValueError('bad input: ' + event['x'])\n"})
        r = self.invoke(name, {"x": "42"}, LogType="Tail")
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["FunctionError"], "Unhandled")
        err = json.loads(r["body"])
        self.assertEqual(err["errorType"], "ValueError")
        self.assertEqual(err["errorMessage"], "bad input: 42")
        self.assertEqual(err["requestId"], r["ResponseMetadata"]["RequestId"])
        self.assertTrue(any("app.py" in line for line in err["stackTrace"]))
        self.assertIn("[ERROR] ValueError: bad input: 42",
                      base64.b64decode(r["LogResult"]).decode())
        # The sandbox survives its function's exception.
        self.assertEqual(self.invoke(name, {"x": "1"})["FunctionError"], "Unhandled")

    def test_logging_module_lines_as_aws_formats_them(self):
        name = self.create({"app.py": "import logging\n"
                                      "logger = logging.getLogger()\n"
                                      "logger.setLevel(logging.INFO)\n"
                                      "def handler(event, context):\n"
                                      "    logger.info('processing %s', event['k'])\n"})
        r = self.invoke(name, {"k": "v1"}, LogType="Tail")
        log = base64.b64decode(r["LogResult"]).decode()
        request_id = r["ResponseMetadata"]["RequestId"]
        self.assertRegex(log, r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" +
                         request_id + r"\tprocessing v1\n(?!\n)")

    def test_init_errors(self):
        cases = [
            ({"other.py": "x = 1\n"}, "app.handler", "Runtime.ImportModuleError",
             "Unable to import module 'app'"),
            ({"app.py": "def other(e, c):\n    return 1\n"}, "app.handler",
             "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
            ({"app.py": "def handler(e, c)\n    return 1\n"}, "app.handler",
             "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
        ]
        for files, handler, error_type, message in cases:
            with self.subTest(error_type):
                name = self.create(files, handler=handler)
                r = self.invoke(name)
                self.assertEqual(r["FunctionError"], "Unhandled")
                err = json.loads(r["body"])
                self.assertEqual(err["errorType"], error_type)
                self.assertIn(message, err["errorMessage"])

    def test_timeout_kills_the_sandbox(self):
        name = self.create({"app.py": "import os, time\n"
                                      "def handler(event, context):\n"
                                      "    if event.get('sleep'):\n"
                                      "        time.sleep(30)\n"
                                      "    return os.getpid()\n"}, Timeout=1)
        first_pid = json.loads(self.invoke(name)["body"])
        started = time.monotonic()
        r = self.invoke(name, {"sleep": True}, LogType="Tail")
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(r["FunctionError"], "Unhandled")
        err = json.loads(r["body"])
        self.assertEqual(err["errorType"], "Sandbox.Timedout")
        self.assertIn("Task timed out after 1.00 seconds", err["errorMessage"])
        self.assertIn("Task timed out after 1.00 seconds",
                      base64.b64decode(r["LogResult"]).decode())
        def gone():
            try:
                os.kill(first_pid, 0)
                return False
            except ProcessLookupError:
                return True
        deadline = time.monotonic() + 5  # SIGKILLed: gone once the kernel reaps it
        while not gone() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(gone(), f"sandbox {first_pid} survived its timeout")
        # A fresh sandbox serves the next call.
        self.assertNotEqual(json.loads(self.invoke(name)["body"]), first_pid)

    def test_memory_size_is_enforced(self):
        name = self.create({"app.py": "def handler(event, context):\n"
                                      "    blocks = [b'x' * (16 << 20) for _ in range(event['n'])]\n"
                                      "    return len(blocks)\n"}, MemorySize=128, Timeout=30)
        self.assertEqual(json.loads(self.invoke(name, {"n": 2})["body"]), 2)  # 32 MB fits
        r = self.invoke(name, {"n": 40}, LogType="Tail")  # 640 MB does not
        self.assertEqual(r["FunctionError"], "Unhandled")
        err = json.loads(r["body"])
        self.assertEqual(err["errorType"], "Runtime.OutOfMemory")
        self.assertIn("Runtime exited with error: signal: killed", err["errorMessage"])
        self.assertIn("Error Type: Runtime.OutOfMemory", base64.b64decode(r["LogResult"]).decode())
        self.assertEqual(json.loads(self.invoke(name, {"n": 1})["body"]), 1)  # a fresh sandbox

    def test_boto3_inside_the_function_reaches_sluice(self):
        self.server.client("ssm").put_parameter(Name="/fn/greeting", Value="hi", Type="String")
        name = self.create({"app.py": "import boto3\n"
                                      "def handler(event, context):\n"
                                      "    ssm = boto3.client('ssm')\n"
                                      "    v = ssm.get_parameter(Name='/fn/greeting')\n"
                                      "    boto3.client('s3').put_object(Bucket=event['b'],"
                                      " Key='from-fn', Body=b'written')\n"
                                      "    return v['Parameter']['Value']\n"}, Timeout=30)
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="fn-writes")
        lam = long_client(self.server, "lambda")
        r = lam.invoke(FunctionName=name, Payload=json.dumps({"b": "fn-writes"}), LogType="Tail")
        body = r["Payload"].read()
        self.assertNotIn("FunctionError", r, (body, base64.b64decode(r["LogResult"])))
        self.assertEqual(json.loads(body), "hi")
        self.assertEqual(s3.get_object(Bucket="fn-writes", Key="from-fn")["Body"].read(),
                         b"written")

    def test_event_and_dry_run(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="async-out")
        name = self.create({"app.py": "import boto3\n"
                                      "def handler(event, context):\n"
                                      "    boto3.client('s3').put_object(Bucket='async-out',"
                                      " Key=event['key'], Body=b'1')\n"}, Timeout=30)
        dry = self.lam.invoke(FunctionName=name, InvocationType="DryRun")
        self.assertEqual(dry["StatusCode"], 204)
        r = self.lam.invoke(FunctionName=name, InvocationType="Event",
                            Payload=json.dumps({"key": "k1"}))
        self.assertEqual(r["StatusCode"], 202)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="async-out").get("Contents", [])]
            if keys:
                break
            time.sleep(0.1)
        self.assertEqual(keys, ["k1"])

    def test_logs_reach_cloudwatch(self):
        name = self.create({"app.py": "def handler(event, context):\n"
                                      "    print('line for logs')\n"})
        request_id = self.invoke(name)["ResponseMetadata"]["RequestId"]
        logs = self.server.client("logs")
        self.server.idle()
        streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
        self.assertEqual(len(streams), 1)
        self.assertRegex(streams[0]["logStreamName"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\]")
        messages = [e["message"] for e in logs.get_log_events(
            logGroupName=f"/aws/lambda/{name}",
            logStreamName=streams[0]["logStreamName"])["events"]]
        self.assertTrue(messages[0].startswith(f"START RequestId: {request_id}"))
        self.assertIn("line for logs\n", messages)
        self.assertTrue(messages[-1].startswith(f"REPORT RequestId: {request_id}"))

    def test_reserved_concurrency_zero_throttles(self):
        name = self.create({"app.py": "def handler(e, c):\n    return 1\n"})
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)
                         ["ReservedConcurrentExecutions"], 0)
        r = self.assertError("TooManyRequestsException", self.lam.invoke, FunctionName=name)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.assertEqual(r["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded")
        self.lam.delete_function_concurrency(FunctionName=name)
        self.assertEqual(json.loads(self.invoke(name)["body"]), 1)
        self.assertError("InvalidParameterValueException", self.lam.put_function_concurrency,
                         FunctionName=name, ReservedConcurrentExecutions=950)


class OtherRuntimeTests(LambdaTestCase):
    def test_node_async_and_callback_handlers(self):
        name = self.create({"index.mjs": "export const handler = async (event, context) => "
                                         "({ got: event, name: context.functionName, "
                                         "id: context.awsRequestId });\n"},
                           handler="index.handler", runtime="nodejs20.x")
        r = self.invoke(name, {"a": 1})
        out = json.loads(r["body"])
        self.assertEqual(out, {"got": {"a": 1}, "name": name,
                               "id": r["ResponseMetadata"]["RequestId"]})
        cb = self.create({"lib/cb.js": "exports.go = (event, context, callback) => "
                                       "callback(null, event.n * 2);\n"},
                         handler="lib/cb.go", runtime="nodejs22.x")
        self.assertEqual(json.loads(self.invoke(cb, {"n": 21})["body"]), 42)

    def test_node_errors(self):
        name = self.create({"index.js": "exports.handler = async () => { "
                                        "throw new TypeError('nope'); };\n"},
                           handler="index.handler", runtime="nodejs20.x")
        r = self.invoke(name)
        self.assertEqual(r["FunctionError"], "Unhandled")
        err = json.loads(r["body"])
        self.assertEqual((err["errorType"], err["errorMessage"]), ("TypeError", "nope"))
        self.assertTrue(err["trace"][0].startswith("TypeError: nope"))
        missing = self.create({"index.js": "exports.other = 1;\n"}, handler="index.handler",
                              runtime="nodejs20.x")
        err = json.loads(self.invoke(missing)["body"])
        self.assertEqual(err["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(err["errorMessage"], "index.handler is undefined or not exported")

    def test_provided_bootstrap(self):
        # A provided.al2023 function: the package's own `bootstrap` speaks the
        # Runtime API (here a Python script, as a Go or Rust binary would).
        bootstrap = """#!/usr/bin/env python3
import http.client, json, os
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
conn = http.client.HTTPConnection(host, int(port))
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    r = conn.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    body = json.dumps({"handler": os.environ["_HANDLER"], "doubled": event["n"] * 2})
    conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body)
    conn.getresponse().read()
"""
        name = self.name()
        self.lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=ROLE,
                                 Handler="my.handler",
                                 Code={"ZipFile": zip_of({"bootstrap": bootstrap},
                                                         {"bootstrap": 0o755})})
        out = json.loads(self.invoke(name, {"n": 4})["body"])
        self.assertEqual(out, {"handler": "my.handler", "doubled": 8})
        broken = self.name()
        self.lam.create_function(FunctionName=broken, Runtime="provided.al2", Role=ROLE,
                                 Handler="x", Code={"ZipFile": zip_of({"readme": "none"})})
        r = self.invoke(broken)
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(r["body"])["errorType"], "Runtime.InvalidEntrypoint")


if __name__ == "__main__":
    unittest.main()
