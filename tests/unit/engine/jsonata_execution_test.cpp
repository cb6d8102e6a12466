// JSONata states running: Arguments/Output/Assign over $states, variables,
// Choice conditions, Map items, and States.QueryEvaluationError with its
// causes and EvaluationFailed events.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

constexpr const char* kPrefix = "An error occurred while executing the state ";

void expectEvaluationFailure(const Execution& exec, const std::string& state,
                             const std::string& cause, const std::string& location) {
  EXPECT_EQ(exec.status(), ExecutionStatus::Failed) << historyText(exec);
  EXPECT_EQ(exec.error(), "States.QueryEvaluationError");
  EXPECT_EQ(exec.cause(), cause);
  const HistoryEvent* e = firstEvent(exec, "EvaluationFailed");
  ASSERT_NE(e, nullptr) << historyText(exec);
  EXPECT_EQ(detailString(*e, "state"), state);
  EXPECT_EQ(detailString(*e, "error"), "States.QueryEvaluationError");
  EXPECT_EQ(detailString(*e, "cause"), cause);
  EXPECT_EQ(detailString(*e, "location"), location);
  EXPECT_EQ(eventsOfType(exec, "EvaluationFailed").size(), 1u);
}

TEST(JsonataExecution, TaskArgumentsAssignAndOutput) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json(R"({"n": 7})")));
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Arguments": {"x": "{% $states.input.a * 2 %}", "lit": "$.a"},
          "Assign": {"seen": "{% $states.result.n %}"},
          "Output": {"in": "{% $states.input.a %}", "res": "{% $states.result.n %}"},
          "Next": "P"},
    "P": {"Type": "Pass", "Output": {"seen": "{% $seen %}", "prev": "{% $states.input %}"},
          "End": true}}})",
                    json(R"({"a": 3})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  ASSERT_EQ(t.functions().calls().size(), 1u);
  // Strings without {% %} are literals, "$.a" included.
  EXPECT_TRUE(jsonEquals(t.functions().calls()[0].payload, json(R"({"x": 6, "lit": "$.a"})")));
  const HistoryEvent* exited = firstEvent(*exec, "TaskStateExited");
  ASSERT_NE(exited, nullptr);
  EXPECT_TRUE(jsonEquals(detail(*exited, "assignedVariables"), json(R"({"seen": "7"})")));
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"seen": 7, "prev": {"in": 3, "res": 7}})")));
}

TEST(JsonataExecution, AssignAndOutputSeeThePreviousVariableValues) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
    "A": {"Type": "Pass", "Assign": {"v": 1}, "Next": "B"},
    "B": {"Type": "Pass", "Assign": {"v": "{% $v + 1 %}", "w": "{% $v %}"},
          "Output": {"v": "{% $v %}"}, "Next": "C"},
    "C": {"Type": "Pass", "Output": {"v": "{% $v %}", "w": "{% $w %}"}, "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  // B's Assign and Output both read v = 1; C sees B's assignments.
  const auto exits = eventsOfType(*exec, "PassStateExited");
  ASSERT_EQ(exits.size(), 3u);
  EXPECT_TRUE(jsonEquals(detail(exits[1], "output"), json(R"("{\"v\":1}")")));
  EXPECT_TRUE(jsonEquals(detail(exits[1], "assignedVariables"), json(R"({"v": "2", "w": "1"})")));
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"v": 2, "w": 1})")));
}

TEST(JsonataExecution, ChoiceUsesTheMatchedRulesOutputOrTheStatesWithDefault) {
  TestEngine t;
  const char* definition = R"({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.n > 10 %}", "Next": "Big",
             "Output": "big", "Assign": {"which": "rule"}}],
          "Default": "Small", "Output": "small", "Assign": {"which": "default"}},
    "Big": {"Type": "Pass", "Output": {"o": "{% $states.input %}", "w": "{% $which %}"}, "End": true},
    "Small": {"Type": "Pass", "Output": {"o": "{% $states.input %}", "w": "{% $which %}"},
              "End": true}}})";
  auto big = t.run(definition, json(R"({"n": 11})"));
  ASSERT_TRUE(big);
  EXPECT_TRUE(jsonEquals(big->output(), json(R"({"o": "big", "w": "rule"})"))) << big->cause();
  auto small = t.run(definition, json(R"({"n": 1})"));
  ASSERT_TRUE(small);
  EXPECT_TRUE(jsonEquals(small->output(), json(R"({"o": "small", "w": "default"})")))
      << small->cause();
}

TEST(JsonataExecution, ChoiceConditionMustBeABoolean) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "P"}],
          "Default": "P"},
    "P": {"Type": "Pass", "End": true}}})",
                    json(R"({"n": "yes"})"));
  ASSERT_TRUE(exec);
  expectEvaluationFailure(*exec, "C",
                          std::string(kPrefix) +
                              "'C' (entered at the event id #2). The JSONata expression "
                              "'$states.input.n' specified for the field 'Choices[0]/Condition' "
                              "returned an unexpected result type. Expected 'boolean', but was "
                              "'string' for value: \"yes\"",
                          "Choices[0]/Condition");
}

TEST(JsonataExecution, UndefinedOutputFailsWithTheFieldAndAnEvaluationFailedEvent) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "B"},
    "B": {"Type": "Pass", "Output": {"r": ["{% $nope %}"]}, "End": true}}})");
  ASSERT_TRUE(exec);
  expectEvaluationFailure(*exec, "B",
                          std::string(kPrefix) +
                              "'B' (entered at the event id #4). The JSONata expression '$nope' "
                              "specified for the field 'Output/r[0]' returned nothing "
                              "(undefined).",
                          "Output/r[0]");
  // As AWS records it: the event follows the one before B was entered.
  const HistoryEvent* failed = firstEvent(*exec, "EvaluationFailed");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->previousEventId, 3);
  EXPECT_EQ(exec->history().back().type, "ExecutionFailed");
}

TEST(JsonataExecution, EvaluationErrorsCanBeCaught) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json("1")));
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Output": "{% $states.result + 'a' %}",
          "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"],
                     "Output": {"caught": "{% $states.errorOutput.Error %}",
                                "input": "{% $states.input %}"},
                     "Assign": {"e": "{% $states.errorOutput.Cause %}"},
                     "Next": "P"}],
          "End": true},
    "P": {"Type": "Pass", "Output": {"o": "{% $states.input %}", "e": "{% $e %}"}, "End": true}}})",
                    json(R"({"k": 1})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  const Json& out = exec->output();
  EXPECT_TRUE(jsonEquals(out.at("o"),
                         json(R"({"caught": "States.QueryEvaluationError", "input": {"k": 1}})")));
  EXPECT_NE(std::string(out.at("e").as_string())
                .find("threw an error during evaluation. T2002: The right side of the + operator "
                      "must evaluate to a number"),
            std::string::npos);
  EXPECT_NE(firstEvent(*exec, "EvaluationFailed"), nullptr);
}

TEST(JsonataExecution, MapItemsItemSelectorAndScopedVariables) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
    "A": {"Type": "Pass", "Assign": {"base": 100}, "Next": "M"},
    "M": {"Type": "Map", "Items": "{% $states.input.xs %}", "MaxConcurrency": "{% 1 %}",
          "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}",
                           "i": "{% $states.context.Map.Item.Index %}"},
          "ItemProcessor": {"StartAt": "X", "States": {
            "X": {"Type": "Pass", "Assign": {"base": "{% $base + $states.input.v %}"},
                  "Output": "{% $base + $states.input.v * 10 + $states.input.i %}",
                  "End": true}}},
          "Output": {"r": "{% $states.result %}", "base": "{% $base %}"},
          "End": true}}})",
                    json(R"({"xs": [1, 2]})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  // Each iteration assigns in its own scope: the outer $base stays 100.
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"r": [110, 121], "base": 100})")));
}

TEST(JsonataExecution, MapItemsOfTheWrongTypeFail) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
    "M": {"Type": "Map", "Items": "{% $states.input.xs %}", "End": true,
          "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}}})",
                    json(R"({"xs": 5})"));
  ASSERT_TRUE(exec);
  expectEvaluationFailure(*exec, "M",
                          std::string(kPrefix) +
                              "'M' (entered at the event id #2). The JSONata expression "
                              "'$states.input.xs' specified for the field 'Items' returned an "
                              "unexpected result type. Expected 'array', but was 'number' for "
                              "value: 5",
                          "Items");
  EXPECT_NE(firstEvent(*exec, "MapStateFailed"), nullptr);
  // Without Items the input itself must be an array; that failure names no field.
  auto noItems = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
    "M": {"Type": "Map", "End": true,
          "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}}})",
                       json(R"({"xs": 5})"));
  ASSERT_TRUE(noItems);
  EXPECT_EQ(noItems->cause(), std::string(kPrefix) +
                                  "'M' (entered at the event id #2). Map state input must be an "
                                  "array but was: {\"xs\":5}");
  const HistoryEvent* e = firstEvent(*noItems, "EvaluationFailed");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(detail(*e, "location").is_null());
}

TEST(JsonataExecution, WaitTimestampExpressionMustBeIso8601) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "W", "States": {
    "W": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": true}}})",
                    json(R"({"t": "2016-12-05T21:29:29"})"));
  ASSERT_TRUE(exec);
  expectEvaluationFailure(*exec, "W",
                          std::string(kPrefix) +
                              "'W' (entered at the event id #2). The Timestamp field cannot be "
                              "parsed as an ISO-8601 extended offset date-time format string: "
                              "2016-12-05T21:29:29",
                          "Timestamp");
  // A Wait's evaluation follows its entered event.
  EXPECT_EQ(firstEvent(*exec, "EvaluationFailed")->previousEventId, 2);
}

TEST(JsonataExecution, WaitSecondsExpressionWaits) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": "{% $states.input.s * 2 %}", "End": true}}})",
                    json(R"({"s": 30})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 60);
}

TEST(JsonataExecution, FailErrorAndCauseExpressions) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "F", "States": {
    "F": {"Type": "Fail", "Error": "{% 'Err.' & $states.input.code %}", "Cause": "fixed"}}})",
                    json(R"({"code": "X"})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "Err.X");
  EXPECT_EQ(exec->cause(), "fixed");
  EXPECT_EQ(firstEvent(*exec, "EvaluationFailed"), nullptr);
}

TEST(JsonataExecution, TaskTimeoutExpressionMustBePositive) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json("1")));
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "TimeoutSeconds": "{% $states.input.t %}", "End": true}}})",
                    json(R"({"t": 0})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.QueryEvaluationError");
  EXPECT_NE(exec->cause().find("specified for the field 'TimeoutSeconds' returned an unexpected "
                               "result type. Expected 'positive integer', but was 'number' for "
                               "value: 0"),
            std::string::npos)
      << exec->cause();
  EXPECT_TRUE(t.functions().calls().empty());
}

TEST(JsonataExecution, StepFunctionsFunctionsAndContextAreAvailable) {
  TestEngine t;
  auto exec = t.run(R"({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
    "P": {"Type": "Pass", "Output": {"parts": "{% $partition([1,2,3], 2) %}",
                                     "name": "{% $states.context.State.Name %}",
                                     "parsed": "{% $parse('{\"a\":1}') %}"},
          "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(),
                         json(R"({"parts": [[1,2],[3]], "name": "P", "parsed": {"a": 1}})")));
}

TEST(JsonataExecution, JsonPathAndJsonataStatesShareVariables) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Assign": {"x.$": "$.v"}, "Next": "B"},
    "B": {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"y": "{% $x * 2 %}"},
          "Next": "C"},
    "C": {"Type": "Pass", "Parameters": {"y.$": "$y"}, "End": true}}})",
                    json(R"({"v": 4})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"y": 8})")));
}

}  // namespace
}  // namespace sluice::engine::testing
