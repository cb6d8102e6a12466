"""TestState: one state run on an input, with the statuses, next state and
inspection data Step Functions reports, mocks, and real integrations."""
import json
import os
import time
import unittest
from unittest import mock as env_patch

from aws_cli import aws
from sluice_server import ACCOUNT, SluiceServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-tests"


def d(obj):
    return json.dumps(obj)


class TestStateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.sfn = cls.server.client("stepfunctions")
        cls.ssm = cls.server.client("ssm")
        cls.sqs = cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_state(self, state, **kw):
        r = self.sfn.test_state(definition=d(state), **kw)
        r.pop("ResponseMetadata", None)
        return r

    def assert_error(self, code, message_part=None, **kw):
        with self.assertRaises(self.sfn.exceptions.ClientError) as cm:
            self.sfn.test_state(**kw)
        err = cm.exception.response["Error"]
        self.assertEqual(code, err["Code"])
        if message_part:
            self.assertIn(message_part, err["Message"])

    # --- Flow states ---------------------------------------------------------

    def test_pass_debug_shows_every_processing_step(self):
        r = self.run_state(
            {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "k": 1},
             "ResultPath": "$.copy", "OutputPath": "$.copy", "Next": "Ship"},
            input=d({"order": {"id": 7, "qty": 2}}), inspectionLevel="DEBUG")
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertEqual("Ship", r["nextState"])
        self.assertEqual({"id": 7, "k": 1}, json.loads(r["output"]))
        data = r["inspectionData"]
        self.assertEqual({"order": {"id": 7, "qty": 2}}, json.loads(data["input"]))
        self.assertEqual({"id": 7, "qty": 2}, json.loads(data["afterInputPath"]))
        self.assertEqual({"id": 7, "k": 1}, json.loads(data["afterParameters"]))
        # ResultPath merges into the raw state input, not the InputPath selection.
        self.assertEqual({"order": {"id": 7, "qty": 2}, "copy": {"id": 7, "k": 1}},
                         json.loads(data["afterResultPath"]))

    def test_info_is_the_default_and_has_no_inspection_data(self):
        r = self.run_state({"Type": "Pass", "End": True}, input=d({"a": 1}))
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertEqual({"a": 1}, json.loads(r["output"]))
        self.assertNotIn("inspectionData", r)
        self.assertNotIn("nextState", r)
        r = self.run_state({"Type": "Pass", "End": True}, inspectionLevel="INFO")
        self.assertNotIn("inspectionData", r)
        self.assertEqual({}, json.loads(r["output"]))  # input defaults to {}

    def test_trace_on_a_state_that_is_no_http_task_reports_as_debug(self):
        r = self.run_state({"Type": "Pass", "Result": {"x": 1}, "End": True},
                           inspectionLevel="TRACE")
        self.assertEqual({"x": 1}, json.loads(r["inspectionData"]["result"]))
        self.assertNotIn("request", r["inspectionData"])

    def test_jsonata_pass_sees_variables_and_reports_assigned_ones(self):
        r = self.run_state(
            {"Type": "Pass", "QueryLanguage": "JSONata",
             "Assign": {"total": "{% $states.input.n + $base %}"},
             "Output": "{% {'doubled': $states.input.n * 2, 'base': $base} %}", "End": True},
            input=d({"n": 21}), variables=d({"base": 100}), inspectionLevel="DEBUG")
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertEqual({"doubled": 42, "base": 100}, json.loads(r["output"]))
        data = r["inspectionData"]
        self.assertEqual({"base": 100, "total": 121}, json.loads(data["variables"]))
        # JSONPath-only steps are not reported for JSONata states.
        self.assertNotIn("afterInputPath", data)
        self.assertNotIn("afterResultPath", data)

    def test_choice_reports_the_chosen_state(self):
        state = {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            {"Variable": "$.n", "NumericLessThan": 0, "Next": "Negative"}], "Default": "Small"}
        self.assertEqual("Big", self.run_state(state, input=d({"n": 11}))["nextState"])
        self.assertEqual("Negative", self.run_state(state, input=d({"n": -1}))["nextState"])
        r = self.run_state(state, input=d({"n": 5}))
        self.assertEqual(("SUCCEEDED", "Small"), (r["status"], r["nextState"]))
        self.assertEqual({"n": 5}, json.loads(r["output"]))

    def test_choice_without_match_or_default_fails(self):
        r = self.run_state({"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]}, input=d({"n": 2}))
        self.assertEqual("FAILED", r["status"])
        self.assertEqual("States.NoChoiceMatched", r["error"])
        self.assertNotIn("output", r)

    def test_jsonata_choice_condition(self):
        r = self.run_state({"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
            {"Condition": "{% $states.input.ok %}", "Next": "Yes",
             "Output": {"answer": "yes"}}], "Default": "No"}, input=d({"ok": True}))
        self.assertEqual("Yes", r["nextState"])
        self.assertEqual({"answer": "yes"}, json.loads(r["output"]))

    def test_wait_does_not_wait(self):
        started = time.monotonic()
        r = self.run_state({"Type": "Wait", "Seconds": 3600, "Next": "After"},
                           input=d({"a": 1}))
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(("SUCCEEDED", "After"), (r["status"], r["nextState"]))
        self.assertEqual({"a": 1}, json.loads(r["output"]))

    def test_succeed_and_fail(self):
        r = self.run_state({"Type": "Succeed", "OutputPath": "$.keep"},
                           input=d({"keep": [1], "drop": 2}))
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertEqual([1], json.loads(r["output"]))
        self.assertNotIn("nextState", r)
        r = self.run_state({"Type": "Fail", "Error": "Bad.Thing", "Cause": "it broke"})
        self.assertEqual(("FAILED", "Bad.Thing", "it broke"), (r["status"], r["error"], r["cause"]))
        r = self.run_state({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"},
                           input=d({"e": "Dyn", "c": "from input"}))
        self.assertEqual(("Dyn", "from input"), (r["error"], r["cause"]))

    def test_runtime_error_in_input_processing_fails(self):
        r = self.run_state({"Type": "Pass", "InputPath": "$.missing", "End": True},
                           input=d({"a": 1}))
        self.assertEqual("FAILED", r["status"])
        self.assertEqual("States.Runtime", r["error"])
        self.assertIn("$.missing", r["cause"])

    # --- A whole machine, one state picked ------------------------------------

    def test_state_picked_from_a_machine(self):
        machine = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": {"step": "a"}, "Next": "B"},
            "B": {"Type": "Pass", "Output": "{% $states.input.v + 1 %}", "Next": "C"},
            "C": {"Type": "Succeed"}}}
        r = self.sfn.test_state(definition=d(machine), stateName="B", input=d({"v": 1}))
        self.assertEqual(("SUCCEEDED", "C"), (r["status"], r["nextState"]))
        self.assertEqual(2, json.loads(r["output"]))

    def test_state_name_missing_from_the_machine(self):
        machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        self.assert_error("ValidationException", "Nope", definition=d(machine), stateName="Nope")

    # --- Real integrations -----------------------------------------------------

    def test_task_calls_ssm_through_the_operation_registry(self):
        self.ssm.put_parameter(Name="/teststate/bucket", Value="raw-bucket", Type="String")
        r = self.run_state(
            {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
             "Parameters": {"Name.$": "$.name"},
             "ResultSelector": {"value.$": "$.Parameter.Value"}, "ResultPath": "$.param",
             "Next": "Use"},
            input=d({"name": "/teststate/bucket"}), inspectionLevel="DEBUG")
        self.assertEqual(("SUCCEEDED", "Use"), (r["status"], r["nextState"]))
        self.assertEqual({"name": "/teststate/bucket", "param": {"value": "raw-bucket"}},
                         json.loads(r["output"]))
        data = r["inspectionData"]
        self.assertEqual({"Name": "/teststate/bucket"}, json.loads(data["afterParameters"]))
        self.assertEqual("raw-bucket", json.loads(data["result"])["Parameter"]["Value"])
        self.assertEqual({"value": "raw-bucket"}, json.loads(data["afterResultSelector"]))

    def test_sqs_send_message_really_sends(self):
        url = self.sqs.create_queue(QueueName="teststate-q")["QueueUrl"]
        r = self.run_state(
            {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
             "Parameters": {"QueueUrl": url, "MessageBody.$": "$.body"}, "End": True},
            input=d({"body": "hello from TestState"}))
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertIn("MessageId", json.loads(r["output"]))
        msgs = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(["hello from TestState"], [m["Body"] for m in msgs])

    def test_real_error_without_retry_or_catch_fails(self):
        r = self.run_state({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
                            "Parameters": {"Name": "/teststate/absent"}, "End": True})
        self.assertEqual("FAILED", r["status"])
        self.assertEqual("Ssm.ParameterNotFoundException", r["error"])

    # --- Retry and Catch ------------------------------------------------------

    RETRY_CATCH = {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
        "Parameters": {"Name": "/teststate/absent"},
        "Retry": [{"ErrorEquals": ["Ssm.InternalServerErrorException"], "MaxAttempts": 5},
                  {"ErrorEquals": ["Ssm.ParameterNotFoundException"], "IntervalSeconds": 2,
                   "BackoffRate": 3, "MaxAttempts": 3}],
        "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Timeout"},
                  {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
        "End": True}

    def test_matching_retrier_with_attempts_left_is_retriable(self):
        r = self.run_state(self.RETRY_CATCH, input=d({"a": 1}), inspectionLevel="DEBUG")
        self.assertEqual("RETRIABLE", r["status"])
        self.assertEqual("Ssm.ParameterNotFoundException", r["error"])
        self.assertNotIn("nextState", r)
        details = r["inspectionData"]["errorDetails"]
        self.assertEqual(1, details["retryIndex"])
        self.assertEqual(2, details["retryBackoffIntervalSeconds"])  # IntervalSeconds

    def test_retrier_retry_count_sets_the_backoff(self):
        r = self.run_state(self.RETRY_CATCH, inspectionLevel="DEBUG",
                           stateConfiguration={"retrierRetryCount": 2})
        self.assertEqual("RETRIABLE", r["status"])
        # IntervalSeconds * BackoffRate^2 = 2 * 9
        self.assertEqual(18, r["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"])

    def test_exhausted_retrier_falls_to_the_catch(self):
        r = self.run_state(self.RETRY_CATCH, input=d({"a": 1}), inspectionLevel="DEBUG",
                           stateConfiguration={"retrierRetryCount": 3})
        self.assertEqual("CAUGHT_ERROR", r["status"])
        self.assertEqual("Recover", r["nextState"])
        self.assertEqual("Ssm.ParameterNotFoundException", r["error"])
        out = json.loads(r["output"])
        self.assertEqual(1, out["a"])
        self.assertEqual("Ssm.ParameterNotFoundException", out["error"]["Error"])
        self.assertEqual(1, r["inspectionData"]["errorDetails"]["catchIndex"])
        self.assertEqual(out, json.loads(r["inspectionData"]["afterResultPath"]))
        self.assertNotIn("retryIndex", r["inspectionData"]["errorDetails"])

    # --- Mocks ----------------------------------------------------------------

    def test_mocked_result_replaces_the_call(self):
        r = self.run_state(
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "not-deployed", "Payload.$": "$"},
             "ResultSelector": {"total.$": "$.Payload.total"}, "End": True},
            input=d({"x": 1}), mock={"result": d({"Payload": {"total": 3}, "StatusCode": 200})},
            inspectionLevel="DEBUG")
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertEqual({"total": 3}, json.loads(r["output"]))
        self.assertEqual({"FunctionName": "not-deployed", "Payload": {"x": 1}},
                         json.loads(r["inspectionData"]["afterParameters"]))

    def test_mocked_error_goes_through_retry_and_catch(self):
        state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "f"},
                 "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"],
                            "MaxAttempts": 1}],
                 "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handle",
                            "ResultPath": "$.failure"}], "End": True}
        mock = {"errorOutput": {"error": "Lambda.TooManyRequestsException", "cause": "slow down"}}
        r = self.run_state(state, mock=mock, inspectionLevel="DEBUG")
        self.assertEqual(("RETRIABLE", 0), (r["status"],
                                            r["inspectionData"]["errorDetails"]["retryIndex"]))
        self.assertEqual(1, r["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"])
        r = self.run_state(state, mock=mock, stateConfiguration={"retrierRetryCount": 1})
        self.assertEqual(("CAUGHT_ERROR", "Handle"), (r["status"], r["nextState"]))
        self.assertEqual({"failure": {"Error": "Lambda.TooManyRequestsException",
                                      "Cause": "slow down"}}, json.loads(r["output"]))
        self.assertEqual("slow down", r["cause"])

    def test_mock_is_validated_against_the_api_response_shape(self):
        state = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
                 "Parameters": {"Name": "/x"}, "End": True}
        wrong_type = d({"Parameter": {"Name": "/x", "Version": "one"}})
        self.assert_error("ValidationException", "Parameter.Version", definition=d(state),
                          mock={"result": wrong_type})
        self.assert_error("ValidationException", "Parameter.Version", definition=d(state),
                          mock={"result": wrong_type, "fieldValidationMode": "PRESENT"})
        r = self.run_state(state, mock={"result": wrong_type, "fieldValidationMode": "NONE"})
        self.assertEqual("SUCCEEDED", r["status"])
        unknown = d({"Parameters": {}})
        self.assert_error("ValidationException", "Parameters", definition=d(state),
                          mock={"result": unknown})

    def test_strict_mode_requires_the_required_members(self):
        # SQS SendMessage's response has no required members; SSM PutParameter's
        # Version is not required either, so use SFN StartExecution: executionArn
        # and startDate are required.
        state = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startExecution",
                 "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:000000000000:"
                                                   "stateMachine:x"}, "End": True}
        partial = d({"ExecutionArn": "arn:aws:states:us-east-1:000000000000:execution:x:1"})
        self.assert_error("ValidationException", "StartDate", definition=d(state),
                          mock={"result": partial})
        r = self.run_state(state, mock={"result": partial, "fieldValidationMode": "PRESENT"})
        self.assertEqual("SUCCEEDED", r["status"])

    def test_wait_for_task_token_needs_a_mock(self):
        state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                 "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                 "End": True}
        self.assert_error("ValidationException", "mock", definition=d(state))
        r = self.run_state(state, mock={"result": d({"approved": True})})
        self.assertEqual("SUCCEEDED", r["status"])
        self.assertEqual({"approved": True}, json.loads(r["output"]))

    def test_activity_needs_a_mock(self):
        state = {"Type": "Task", "End": True,
                 "Resource": f"arn:aws:states:us-east-1:{ACCOUNT}:activity:approve"}
        self.assert_error("ValidationException", "Activity", definition=d(state))
        r = self.run_state(state, mock={"result": d({"ok": 1})})
        self.assertEqual({"ok": 1}, json.loads(r["output"]))

    def test_context_is_seen_by_the_state(self):
        state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "f", "Payload": {"exec.$": "$$.Execution.Id",
                                                                 "state.$": "$$.State.Name"}},
                 "End": True}
        r = self.run_state(state, mock={"result": d({"Payload": {}})}, inspectionLevel="DEBUG",
                           context=d({"Execution": {"Id": "arn:exec:given"}}))
        params = json.loads(r["inspectionData"]["afterParameters"])
        self.assertEqual("arn:exec:given", params["Payload"]["exec"])
        self.assertIsInstance(params["Payload"]["state"], str)

    def test_map_with_a_mock(self):
        state = {"Type": "Map", "ItemsPath": "$.items",
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                 "ResultPath": "$.results", "Next": "After"}
        r = self.run_state(state, input=d({"items": [1, 2]}), mock={"result": "[10, 20]"},
                           inspectionLevel="DEBUG")
        self.assertEqual(("SUCCEEDED", "After"), (r["status"], r["nextState"]))
        self.assertEqual({"items": [1, 2], "results": [10, 20]}, json.loads(r["output"]))
        self.assertEqual([1, 2], json.loads(r["inspectionData"]["afterItemsPath"]))
        self.assert_error("ValidationException", "array", definition=d(state),
                          input=d({"items": [1]}), mock={"result": d({"not": "array"})})

    MAP_TOLERANT = {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
        "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
        "ToleratedFailureCount": 1,
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
        "Next": "After"}

    def test_map_reports_item_selection_and_limits(self):
        r = self.run_state(self.MAP_TOLERANT, input=d({"items": ["a", "b", "c"]}),
                           mock={"result": d(["x", "y", "z"])}, inspectionLevel="DEBUG")
        self.assertEqual("SUCCEEDED", r["status"])
        data = r["inspectionData"]
        self.assertEqual([{"value": "a", "index": 0}, {"value": "b", "index": 1},
                          {"value": "c", "index": 2}], json.loads(data["afterItemSelector"]))
        self.assertEqual(2, data["maxConcurrency"])
        self.assertEqual(1, data["toleratedFailureCount"])

    def test_map_batches_are_reported(self):
        state = {"Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 2}, "End": True,
                 "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True}}}}
        r = self.run_state(state, input="[1, 2, 3]", mock={"result": "[]"},
                           inspectionLevel="DEBUG")
        self.assertEqual([{"Items": [1, 2]}, {"Items": [3]}],
                         json.loads(r["inspectionData"]["afterItemBatcher"]))

    def test_map_iteration_failures_beyond_the_tolerance_fail_the_state(self):
        items = d({"items": ["a", "b", "c"]})
        r = self.run_state(self.MAP_TOLERANT, input=items, mock={"result": "[1, 2]"},
                           stateConfiguration={"mapIterationFailureCount": 1})
        self.assertEqual(("SUCCEEDED", "After"), (r["status"], r["nextState"]))
        r = self.run_state(self.MAP_TOLERANT, input=items, mock={"result": "[1]"},
                           stateConfiguration={"mapIterationFailureCount": 2})
        self.assertEqual("FAILED", r["status"])
        self.assertEqual("States.ExceedToleratedFailureThreshold", r["error"])
        self.assert_error("ValidationException", "Map", definition=d({"Type": "Pass",
                                                                      "End": True}),
                          stateConfiguration={"mapIterationFailureCount": 1})

    def test_error_caused_by_state_names_an_inner_state(self):
        mock = {"errorOutput": {"error": "States.TaskFailed", "cause": "inner"}}
        r = self.run_state(self.MAP_TOLERANT, input=d({"items": [1]}), mock=mock,
                           stateConfiguration={"errorCausedByState": "Work"})
        self.assertEqual(("FAILED", "States.TaskFailed"), (r["status"], r["error"]))
        self.assert_error("ValidationException", "Elsewhere", definition=d(self.MAP_TOLERANT),
                          input=d({"items": [1]}), mock=mock,
                          stateConfiguration={"errorCausedByState": "Elsewhere"})

    def test_map_and_parallel_need_a_mock(self):
        m = {"Type": "Map", "End": True,
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        self.assert_error("ValidationException", "mock", definition=d(m), input="[1]")
        p = {"Type": "Parallel", "End": True,
             "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]}
        self.assert_error("ValidationException", "mock", definition=d(p))

    def test_parallel_mocked_error_is_caught(self):
        p = {"Type": "Parallel", "Next": "Ok",
             "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
             "Catch": [{"ErrorEquals": ["Custom.Error"], "Next": "Cleanup"}]}
        r = self.run_state(p, mock={"errorOutput": {"error": "Custom.Error", "cause": "x"}},
                           inspectionLevel="DEBUG")
        self.assertEqual(("CAUGHT_ERROR", "Cleanup"), (r["status"], r["nextState"]))
        self.assertEqual({"Error": "Custom.Error", "Cause": "x"}, json.loads(r["output"]))
        r = self.run_state(p, mock={"result": d([{"a": 1}])})
        self.assertEqual(("SUCCEEDED", "Ok"), (r["status"], r["nextState"]))

    # --- Bad inputs -----------------------------------------------------------

    def test_bad_definitions(self):
        self.assert_error("InvalidDefinition", "Invalid State Machine Definition",
                          definition='{"Type": "Pass",')
        self.assert_error("InvalidDefinition", "SCHEMA_VALIDATION_FAILED",
                          definition=d({"Type": "Teleport", "End": True}))
        self.assert_error("InvalidDefinition", None,
                          definition=d({"Type": "Pass", "Next": "A", "End": True}))

    def test_bad_input_and_variables(self):
        self.assert_error("InvalidExecutionInput", None,
                          definition=d({"Type": "Pass", "End": True}), input="{not json")
        self.assert_error("ValidationException", "variables",
                          definition=d({"Type": "Pass", "End": True}), variables="[1]")

    def test_bad_combinations(self):
        self.assert_error("ValidationException", "mock",
                          definition=d({"Type": "Pass", "End": True}),
                          mock={"result": "{}"})
        self.assert_error("ValidationException", "context",
                          definition=d({"Type": "Pass", "End": True}), context="{}")
        task = d({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True})
        self.assert_error("ValidationException", None, definition=task,
                          mock={"result": "{}", "errorOutput": {"error": "E"}})
        self.assert_error("ValidationException", "JSON", definition=task,
                          mock={"result": "{nope"})
        self.assert_error("ValidationException", "inspectionLevel", definition=task,
                          inspectionLevel="LOUD")

    def test_nothing_is_left_behind(self):
        self.run_state({"Type": "Pass", "End": True})
        self.run_state(self.RETRY_CATCH)
        self.assertEqual([], self.sfn.list_state_machines()["stateMachines"])
        self.assertEqual([], self.sfn.list_activities()["activities"])

    def test_cli(self):
        # TestState's endpoint has a "sync-" host prefix on AWS, as StartSyncExecution's.
        with env_patch.patch.dict(os.environ, {"AWS_DISABLE_HOST_PREFIX_INJECTION": "true"}):
            code, out, err = aws(self.server, "stepfunctions", "test-state",
                                 "--definition",
                                 d({"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Next": "B"}),
                                 "--input", d({"a": "cli"}), "--inspection-level", "DEBUG",
                                 "--role-arn", ROLE)
        self.assertEqual(0, code, err)
        self.assertEqual("SUCCEEDED", out["status"])
        self.assertEqual("B", out["nextState"])
        self.assertEqual({"v": "cli"}, json.loads(out["output"]))
        self.assertEqual({"v": "cli"}, json.loads(out["inspectionData"]["afterParameters"]))


if __name__ == "__main__":
    unittest.main()
