"""Step Functions API through boto3 against a started `sluice server`."""
import json
import unittest

from botocore.exceptions import ClientError

from sluice_server import ACCOUNT, REGION, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"
PASS = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"hi": 1}, "End": True}}})
ECHO = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
WAIT = json.dumps({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
    "Done": {"Type": "Pass", "Result": "woke", "End": True}}})
FAIL = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "because"}}})


def machine_arn(name):
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


class StatesApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer("--clock", "virtual").start()
        cls.sfn = cls.server.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def create(self, name, definition=PASS, **kw):
        return self.sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE, **kw)

    def assertAwsError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    # --- state machines -------------------------------------------------
    def test_create_describe_update_delete(self):
        arn = self.create("crud", tags=[{"key": "team", "value": "lake"}])["stateMachineArn"]
        self.assertEqual(arn, machine_arn("crud"))
        d = self.sfn.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(d["name"], "crud")
        self.assertEqual(d["type"], "STANDARD")
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(json.loads(d["definition"]), json.loads(PASS))
        self.assertEqual(d["loggingConfiguration"], {"level": "OFF", "includeExecutionData": False})
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "team", "value": "lake"}])
        before = d["revisionId"]
        self.sfn.update_state_machine(stateMachineArn=arn, definition=ECHO)
        d2 = self.sfn.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(json.loads(d2["definition"]), json.loads(ECHO))
        self.assertNotEqual(d2["revisionId"], before)
        self.sfn.delete_state_machine(stateMachineArn=arn)
        self.assertAwsError("StateMachineDoesNotExist", self.sfn.describe_state_machine,
                            stateMachineArn=arn)

    def test_create_is_idempotent_for_the_same_definition_only(self):
        first = self.create("idem")
        again = self.create("idem")
        self.assertEqual(first["stateMachineArn"], again["stateMachineArn"])
        self.assertEqual(first["creationDate"], again["creationDate"])
        self.assertAwsError("StateMachineAlreadyExists", self.create, "idem", definition=ECHO)

    def test_invalid_definition_is_rejected_with_its_location(self):
        bad = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
        msg = self.assertAwsError("InvalidDefinition", self.create, "bad-def", definition=bad)
        self.assertIn("MISSING_TRANSITION_TARGET", msg)
        self.assertIn("/States/A/Next", msg)
        self.assertAwsError("StateMachineDoesNotExist", self.sfn.describe_state_machine,
                            stateMachineArn=machine_arn("bad-def"))

    def test_invalid_names_and_arns(self):
        self.assertAwsError("InvalidName", self.create, "has space")
        self.assertAwsError("InvalidArn", self.sfn.describe_state_machine, stateMachineArn="nope")
        exec_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:m:e"
        msg = self.assertAwsError("InvalidArn", self.sfn.describe_state_machine,
                                  stateMachineArn=exec_arn)
        self.assertIn("Resource type not valid in this context: execution", msg)

    def test_model_constraints_answer_validation_exception(self):
        msg = self.assertAwsError("ValidationException", self.create, "x" * 81)
        self.assertEqual(msg, "1 validation error detected: Value '" + "x" * 81 +
                         "' at 'name' failed to satisfy constraint: Member must have length "
                         "less than or equal to 80")
        self.assertAwsError("ValidationException", self.sfn.list_state_machines, maxResults=1001)

    def test_list_state_machines_paginates(self):
        for i in range(5):
            self.create(f"page-{i}")
        names = []
        for page in self.sfn.get_paginator("list_state_machines").paginate(
                PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page["stateMachines"]), 2)
            names += [m["name"] for m in page["stateMachines"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertTrue({f"page-{i}" for i in range(5)} <= set(names))
        self.assertAwsError("InvalidToken", self.sfn.list_state_machines, nextToken="garbage")

    def test_validate_state_machine_definition(self):
        ok = self.sfn.validate_state_machine_definition(definition=PASS)
        self.assertEqual(ok["result"], "OK")
        fail = self.sfn.validate_state_machine_definition(definition=json.dumps({"States": {}}))
        self.assertEqual(fail["result"], "FAIL")
        self.assertTrue(fail["diagnostics"])

    # --- executions -----------------------------------------------------
    def test_start_describe_history(self):
        arn = self.create("run")["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn, name="first", input='{"a": 1}')
        self.assertEqual(ex["executionArn"],
                         f"arn:aws:states:{REGION}:{ACCOUNT}:execution:run:first")
        d = self.sfn.describe_execution(executionArn=ex["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"hi": 1})
        self.assertEqual(json.loads(d["input"]), {"a": 1})
        events = self.sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
        self.assertEqual([e["type"] for e in events],
                         ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                          "ExecutionSucceeded"])
        self.assertEqual([e["id"] for e in events], [1, 2, 3, 4])
        rev = self.sfn.get_execution_history(executionArn=ex["executionArn"], reverseOrder=True,
                                             includeExecutionData=False)["events"]
        self.assertEqual([e["id"] for e in rev], [4, 3, 2, 1])
        self.assertNotIn("output", rev[0]["executionSucceededEventDetails"])
        pages = list(self.sfn.get_paginator("get_execution_history").paginate(
            executionArn=ex["executionArn"], PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["events"]) for p in pages], [3, 1])
        for_exec = self.sfn.describe_state_machine_for_execution(executionArn=ex["executionArn"])
        self.assertEqual(json.loads(for_exec["definition"]), json.loads(PASS))

    def test_start_execution_name_idempotency(self):
        arn = self.create("idem-exec", definition=WAIT)["stateMachineArn"]
        a = self.sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
        b = self.sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
        self.assertEqual(a["executionArn"], b["executionArn"])
        self.assertEqual(a["startDate"], b["startDate"])
        self.assertAwsError("ExecutionAlreadyExists", self.sfn.start_execution,
                            stateMachineArn=arn, name="once", input='{"other": true}')
        self.sfn.stop_execution(executionArn=a["executionArn"])
        self.assertAwsError("ExecutionAlreadyExists", self.sfn.start_execution,
                            stateMachineArn=arn, name="once", input="{}")

    def test_bad_execution_input_changes_nothing(self):
        arn = self.create("bad-input")["stateMachineArn"]
        self.assertAwsError("InvalidExecutionInput", self.sfn.start_execution,
                            stateMachineArn=arn, name="x", input="{not json")
        self.assertEqual(self.sfn.list_executions(stateMachineArn=arn)["executions"], [])
        self.assertAwsError("InvalidName", self.sfn.start_execution, stateMachineArn=arn,
                            name="a/b")
        self.assertAwsError("StateMachineDoesNotExist", self.sfn.start_execution,
                            stateMachineArn=machine_arn("missing"))
        self.assertAwsError("ExecutionDoesNotExist", self.sfn.describe_execution,
                            executionArn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:bad-input:no")

    def test_stop_execution_aborts_with_error_and_cause(self):
        arn = self.create("stop-me", definition=WAIT)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        self.sfn.stop_execution(executionArn=ex, error="Operator", cause="not today")
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual(d["status"], "ABORTED")
        self.assertEqual((d["error"], d["cause"]), ("Operator", "not today"))
        last = self.sfn.get_execution_history(executionArn=ex, reverseOrder=True)["events"][0]
        self.assertEqual(last["type"], "ExecutionAborted")

    def test_list_executions_newest_first_with_status_filter(self):
        arn = self.create("listing", definition=FAIL)["stateMachineArn"]
        for i in range(3):
            self.sfn.start_execution(stateMachineArn=arn, name=f"e{i}")
        listed = self.sfn.list_executions(stateMachineArn=arn)["executions"]
        self.assertEqual([e["name"] for e in listed], ["e2", "e1", "e0"])
        self.assertTrue(all(e["status"] == "FAILED" for e in listed))
        self.assertEqual(self.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")
                         ["executions"], [])
        d = self.sfn.describe_execution(executionArn=listed[0]["executionArn"])
        self.assertEqual((d["error"], d["cause"]), ("Boom", "because"))

    def test_virtual_clock_moves_a_one_hour_wait(self):
        arn = self.create("sleepy", definition=WAIT)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        before = self.server.admin("/_sluice/clock")
        self.assertEqual(before["mode"], "virtual")
        self.server.admin("/_sluice/clock/advance", {"seconds": 3599})
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        self.server.admin("/_sluice/clock/advance", {"seconds": 1})
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), "woke")
        self.assertEqual((d["stopDate"] - d["startDate"]).total_seconds(), 3600)

    def test_start_sync_execution_is_for_express_only(self):
        express = self.create("quick", type="EXPRESS")["stateMachineArn"]
        r = self.sfn.start_sync_execution(stateMachineArn=express, input='{"x": 1}')
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"hi": 1})
        self.assertIn(":express:quick:", r["executionArn"])
        standard = self.create("slow")["stateMachineArn"]
        self.assertAwsError("StateMachineTypeNotSupported", self.sfn.start_sync_execution,
                            stateMachineArn=standard)

    def test_tags(self):
        arn = self.create("tagged")["stateMachineArn"]
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"},
                                                     {"key": "b", "value": "2"}])
        self.sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"],
                         [{"key": "b", "value": "2"}])


if __name__ == "__main__":
    unittest.main()
