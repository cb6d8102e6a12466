#include "asl/compile.hpp"

#include <gtest/gtest.h>

namespace sluice::asl {
namespace {

CompileResult compile(std::string_view text, bool express = false) {
  return compileDefinition(text, CompileOptions{express});
}

std::string errorText(const CompileResult& r) {
  return r.diagnostics.empty() ? "" : invalidDefinitionError(r.diagnostics).message;
}

std::string only(std::string_view text) {
  auto r = compile(text);
  EXPECT_FALSE(r.machine) << text;
  return errorText(r);
}

TEST(Compile, BuildsStatesInDefinitionOrder) {
  auto r = compile(R"({
    "Comment": "c", "StartAt": "B", "TimeoutSeconds": 60, "Version": "1.0",
    "States": {
      "A": {"Type": "Succeed"},
      "B": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "Next": "C"},
      "C": {"Type": "Choice", "Choices": [{"Variable": "$.r.x", "NumericEquals": 1, "Next": "A"}],
            "Default": "D"},
      "D": {"Type": "Fail", "Error": "E", "Cause": "boom"}
    }})");
  ASSERT_TRUE(r.machine) << errorText(r);
  const Machine& m = *r.machine;
  EXPECT_EQ(m.comment, "c");
  EXPECT_EQ(m.version, "1.0");
  EXPECT_EQ(m.timeoutSeconds, 60);
  ASSERT_EQ(m.states.size(), 4u);
  EXPECT_EQ(m.startAt, 1);
  EXPECT_EQ(m.start().name, "B");
  EXPECT_EQ(m.states[1].next, 2);
  EXPECT_TRUE(m.states[1].resultPath.path.has_value());
  EXPECT_TRUE(jsonEquals(*m.states[1].as<PassSpec>().result, *parseJson(R"({"x":1})")));
  const auto& choice = m.states[2].as<ChoiceSpec>();
  ASSERT_EQ(choice.choices.size(), 1u);
  EXPECT_EQ(choice.choices[0].next, 0);
  EXPECT_EQ(choice.defaultNext, 3);
  EXPECT_EQ(m.states[3].as<FailSpec>().error, "E");
  EXPECT_EQ(m.find("D")->type, StateType::Fail);
}

TEST(Compile, SplitsTaskIntegrationPatterns) {
  auto r = compile(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
          "TimeoutSeconds": 30, "HeartbeatSecondsPath": "$.hb", "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Next": "C"},
    "C": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Next": "D"},
    "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
          "Next": "E"},
    "E": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": true}}})");
  ASSERT_TRUE(r.machine) << errorText(r);
  const auto& a = r.machine->states[0].as<TaskSpec>();
  EXPECT_EQ(a.resource, "arn:aws:states:::states:startExecution");
  EXPECT_EQ(a.resourceAsWritten, "arn:aws:states:::states:startExecution.sync:2");
  EXPECT_EQ(a.pattern, IntegrationPattern::Sync2);
  EXPECT_EQ(a.timeoutSeconds.value, 30);
  EXPECT_TRUE(a.heartbeatSeconds.path);
  EXPECT_EQ(r.machine->states[1].as<TaskSpec>().pattern, IntegrationPattern::WaitForTaskToken);
  EXPECT_EQ(r.machine->states[2].as<TaskSpec>().pattern, IntegrationPattern::Sync);
  EXPECT_EQ(r.machine->states[3].as<TaskSpec>().pattern, IntegrationPattern::RequestResponse);
}

TEST(Compile, RejectsUnknownResources) {
  EXPECT_EQ(only(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "createToken", "End": true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource provided "
            "createToken is not recognized. The value is not a valid resource ARN, or the "
            "resource is not available in this region. at /States/A/Resource'");
}

TEST(Compile, ExpressRejectsCallbackAndSyncPatterns) {
  const char* def = R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": true}}})";
  EXPECT_TRUE(compile(def).machine);
  auto r = compile(def, true);
  EXPECT_FALSE(r.machine);
  EXPECT_EQ(errorText(r),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine "
            "does not support '.sync' service integration  at /States/A/Resource'");
}

TEST(Compile, ReportsTransitionProblemsTheWayAwsJoinsThem) {
  EXPECT_EQ(only(R"({"StartAt": "pass1", "States": {
    "pass1": {"Type": "Pass", "Next": "pass3"},
    "pass2": {"Type": "Pass", "End": true}}})"),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
            "pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not "
            "reachable. at /States/pass2'");
}

TEST(Compile, ReportsChoiceAndCatchTargets) {
  auto r = compile(R"({"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "X"}],
          "Default": "Y"},
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}]}}})");
  ASSERT_FALSE(r.machine);
  std::vector<std::string> locations;
  for (const auto& d : r.diagnostics) locations.push_back(d.location);
  EXPECT_EQ(locations, (std::vector<std::string>{"/States/C/Choices/0/Next", "/States/C/Default",
                                                 "/States/T/Catch/0/Next", "/States/T"}));
}

TEST(Compile, RequiresStartAtAndTransitions) {
  auto r = compile(R"({"States": {"A": {"Type": "Pass"}}})");
  ASSERT_FALSE(r.machine);
  ASSERT_GE(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].message, "These fields are required: [StartAt]");
  EXPECT_EQ(r.diagnostics[0].location, "/");
  EXPECT_NE(errorText(compile(R"({"StartAt": "A", "States": {"A": {"Type": "Pass"}}})")), "");
  EXPECT_NE(errorText(compile(R"({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "A", "End": true}}})")),
            "");
  EXPECT_NE(errorText(compile(R"({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}})")), "");
}

TEST(Compile, RejectsFieldsOfOtherStateTypes) {
  EXPECT_EQ(only(R"({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "TimeoutSeconds": 5, "End": true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' "
            "is not supported at /States/A'");
  EXPECT_NE(only(R"({"StartAt": "A", "States": {
    "A": {"Type": "Succeed", "Catch": []}}})"),
            "");
}

TEST(Compile, ValidatesWaitFields) {
  EXPECT_EQ(only(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Timestamp": "2016-12-05T21:29:29", "End": true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match "
            "RFC3339 timestamp at /States/W/Timestamp'");
  EXPECT_NE(only(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}}})"),
            "");
  auto ok = compile(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "End": true}}})");
  ASSERT_TRUE(ok.machine);
  EXPECT_TRUE(ok.machine->states[0].as<WaitSpec>().timestampValue);
}

TEST(Compile, ValidatesRetryAndCatch) {
  auto r = compile(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
          "Retry": [{"ErrorEquals": ["States.ALL"]},
                    {"ErrorEquals": ["X"], "BackoffRate": 0.5, "MaxAttempts": -1}],
          "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "T"}]}}})");
  ASSERT_FALSE(r.machine);
  std::vector<std::string> locations;
  for (const auto& d : r.diagnostics) locations.push_back(d.location);
  EXPECT_EQ(locations, (std::vector<std::string>{
                           "/States/T/Retry/1/MaxAttempts", "/States/T/Retry/1/BackoffRate",
                           "/States/T/Retry/0/ErrorEquals", "/States/T/Catch/0/ErrorEquals"}));

  auto ok = compile(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
          "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 2, "MaxAttempts": 5,
                     "BackoffRate": 1.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "F"}]},
    "F": {"Type": "Fail"}}})");
  ASSERT_TRUE(ok.machine) << errorText(ok);
  const auto& retry = ok.machine->states[0].retry.at(0);
  EXPECT_EQ(retry.intervalSeconds, 2);
  EXPECT_EQ(retry.maxAttempts, 5);
  EXPECT_EQ(retry.backoffRate, 1.5);
  EXPECT_EQ(retry.maxDelaySeconds, 10);
  EXPECT_TRUE(retry.fullJitter);
  EXPECT_EQ(ok.machine->states[0].catchers.at(0).next, 1);
}

TEST(Compile, CompilesNestedMachinesWithInnerLocations) {
  auto r = compile(R"({"StartAt": "M", "States": {
    "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
          "ItemSelector": {"v.$": "$$.Map.Item.Value"},
          "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "In",
                            "States": {"In": {"Type": "Pass", "Next": "Gone"}}},
          "Next": "P"},
    "P": {"Type": "Parallel", "End": true,
          "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]}}})");
  ASSERT_FALSE(r.machine);
  ASSERT_EQ(r.diagnostics.size(), 2u);  // missing target, and no terminal state
  EXPECT_EQ(r.diagnostics[0].location, "/States/M/ItemProcessor/States/In/Next");

  auto ok = compile(R"({"StartAt": "M", "States": {
    "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.n",
          "ToleratedFailurePercentage": 50, "Label": "L",
          "Iterator": {"StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}},
          "Parameters": {"x.$": "$$.Map.Item.Index"}, "End": true}}})");
  ASSERT_TRUE(ok.machine) << errorText(ok);
  const auto& map = ok.machine->states[0].as<MapSpec>();
  ASSERT_TRUE(map.processor);
  EXPECT_EQ(map.processor->states[0].name, "In");
  EXPECT_TRUE(map.itemSelector);
  EXPECT_TRUE(map.maxConcurrency.path);
  EXPECT_EQ(map.toleratedFailurePercentage.value, 50);
  EXPECT_EQ(map.label, "L");
}

TEST(Compile, ReportsBadPathsAndTemplates) {
  auto r = compile(R"({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "InputPath": "nope", "ResultPath": "$.a[*]",
          "Parameters": {"x.$": "States.Nope("}, "End": true}}})");
  ASSERT_FALSE(r.machine);
  std::vector<std::string> locations;
  for (const auto& d : r.diagnostics) locations.push_back(d.location);
  EXPECT_EQ(locations, (std::vector<std::string>{"/States/A/InputPath", "/States/A/ResultPath",
                                                 "/States/A/Parameters"}));
}

TEST(Compile, FailPathsMayBeIntrinsics) {
  auto r = compile(R"json({"StartAt": "F", "States": {
    "F": {"Type": "Fail", "ErrorPath": "States.Format('E{}', $.code)", "CausePath": "$.why"}}})json");
  ASSERT_TRUE(r.machine) << errorText(r);
  const auto& f = r.machine->states[0].as<FailSpec>();
  EXPECT_TRUE(f.errorFunction);
  EXPECT_TRUE(f.causePath);
}

TEST(Compile, KeepsJsonataStatesRaw) {
  auto r = compile(R"({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
    "A": {"Type": "Pass", "Output": "{% $states.input %}", "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "W"}], "Default": "W"},
    "W": {"Type": "Wait", "Seconds": "{% 1 %}", "End": true}}})");
  ASSERT_TRUE(r.machine) << errorText(r);
  EXPECT_EQ(r.machine->queryLanguage, QueryLanguage::JSONata);
  EXPECT_EQ(r.machine->states[0].queryLanguage, QueryLanguage::JSONata);
  EXPECT_EQ(r.machine->states[1].as<ChoiceSpec>().choices[0].next, 2);
  EXPECT_TRUE(r.machine->states[1].as<ChoiceSpec>().choices[0].raw.is_object());
}

TEST(Compile, ReadsYaml) {
  auto r = compile(R"(
Comment: yaml
StartAt: A
States:
  A:
    Type: Pass
    Result:
      n: 1
      f: 1.5
      s: "1"
      b: true
      z: null
    End: true
)");
  ASSERT_TRUE(r.machine) << errorText(r);
  EXPECT_TRUE(jsonEquals(*r.machine->states[0].as<PassSpec>().result,
                         *parseJson(R"({"n":1,"f":1.5,"s":"1","b":true,"z":null})")));
}

TEST(Compile, ReportsInvalidJson) {
  auto r = compile(R"({"StartAt": )");
  ASSERT_FALSE(r.machine);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
  auto bad = compileOrError("{");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "InvalidDefinition");
}

}  // namespace
}  // namespace sluice::asl
