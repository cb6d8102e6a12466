// Task states: timeouts, heartbeat fields, history shapes and dispatch to the
// right integration.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

TEST(TaskTimeout, LambdaInvokeTimesOutAfterTimeoutSeconds) {
  TestEngine t;
  t.functions().always("slow", Reply::ok(json(R"({"late": true})"), 60));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5,
          "Parameters": {"FunctionName": "slow"}, "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.Timeout");
  const HistoryEvent* scheduled = firstEvent(*exec, "TaskScheduled");
  const HistoryEvent* timedOut = firstEvent(*exec, "TaskTimedOut");
  ASSERT_TRUE(scheduled && timedOut) << historyText(*exec);
  EXPECT_DOUBLE_EQ(secondsBetween(scheduled->timestamp, timedOut->timestamp), 5);
  EXPECT_TRUE(
      jsonEquals(Json(details(*timedOut)), json(R"({"error": "States.Timeout", "resource": "invoke",
                                  "resourceType": "lambda"})")))
      << toJsonText(details(*timedOut));
  EXPECT_EQ(firstEvent(*exec, "TaskSucceeded"), nullptr);
  // The late reply was cancelled, not delivered.
  EXPECT_EQ(t.functions().cancelled(), 1u);
  EXPECT_EQ(t.functions().inFlight(), 0u);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 5);
  // AWS records ExecutionFailed for a timeout with the error only.
  const HistoryEvent* failed = lastEvent(*exec, "ExecutionFailed");
  ASSERT_TRUE(failed);
  EXPECT_TRUE(jsonEquals(Json(details(*failed)), json(R"({"error": "States.Timeout"})")))
      << toJsonText(details(*failed));
}

TEST(TaskTimeout, LambdaFunctionArnTimesOutWithLambdaFunctionTimedOut) {
  TestEngine t;
  t.functions().always("slow", Reply::never());
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:slow",
          "TimeoutSeconds": 30, "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Timeout");
  const HistoryEvent* scheduled = firstEvent(*exec, "LambdaFunctionScheduled");
  const HistoryEvent* timedOut = firstEvent(*exec, "LambdaFunctionTimedOut");
  ASSERT_TRUE(scheduled && timedOut) << historyText(*exec);
  EXPECT_DOUBLE_EQ(secondsBetween(scheduled->timestamp, timedOut->timestamp), 30);
  // As recorded on AWS: {"error": "States.Timeout"}, no cause.
  EXPECT_TRUE(jsonEquals(Json(details(*timedOut)), json(R"({"error": "States.Timeout"})")))
      << toJsonText(details(*timedOut));
  EXPECT_EQ(t.functions().cancelled(), 1u);
}

TEST(TaskTimeout, FastFunctionBeatsTheTimeout) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json(R"({"ok": 1})"), 4.5));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "TimeoutSeconds": 5, "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"ok": 1})")));
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 4.5);
}

TEST(TaskTimeout, RetryOnTimeoutRestartsTheTimeoutPerAttempt) {
  TestEngine t;
  t.functions().on("f", [](const Json&, size_t n) {
    return n < 2 ? Reply::never() : Reply::ok(Json("finally"), 1);
  });
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "TimeoutSeconds": 10,
          "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "BackoffRate": 1}],
          "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), Json("finally")));
  // (10 s timeout + 2 s retry) twice, then 1 s.
  EXPECT_EQ(gapsBetween(*exec, "LambdaFunctionScheduled"), (std::vector<double>{12, 12}));
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 25);
  EXPECT_EQ(eventsOfType(*exec, "LambdaFunctionTimedOut").size(), 2u);
}

TEST(TaskTimeout, TimeoutSecondsPathReadsTheInput) {
  TestEngine t;
  t.functions().always("f", Reply::never());
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "TimeoutSecondsPath": "$.timeout", "Parameters": {"FunctionName": "f"},
          "End": true}}})",
                    json(R"({"timeout": 42})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Timeout");
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 42);
  const HistoryEvent* scheduled = firstEvent(*exec, "TaskScheduled");
  ASSERT_TRUE(scheduled);
  EXPECT_TRUE(jsonEquals(detail(*scheduled, "timeoutInSeconds"), Json(42)));
}

TEST(TaskTimeout, InvalidTimeoutSecondsPathIsARuntimeError) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "TimeoutSecondsPath": "$.timeout", "Parameters": {"FunctionName": "f"},
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
    "Done": {"Type": "Pass", "End": true}}})",
                    json(R"({"timeout": -3})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_TRUE(t.functions().calls().empty());
}

TEST(TaskHeartbeat, HeartbeatAndTimeoutAreRecordedInTaskScheduled) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json("{}")));
  auto exec = t.run(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload": {"x": 1}},
          "TimeoutSeconds": 300, "HeartbeatSeconds": 60, "ResultPath": null, "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "TimeoutSeconds": 100, "HeartbeatSecondsPath": "$.hb", "End": true}}})",
                    json(R"({"hb": 20})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const HistoryEvent* a = firstEvent(*exec, "TaskScheduled");
  ASSERT_TRUE(a);
  EXPECT_TRUE(
      jsonEquals(Json(details(*a)),
                 json(R"({"resourceType": "lambda", "resource": "invoke", "region": "us-east-1",
               "parameters": "{\"FunctionName\":\"f\",\"Payload\":{\"x\":1}}",
               "timeoutInSeconds": 300, "heartbeatInSeconds": 60})")))
      << toJsonText(details(*a));
  const HistoryEvent* b = firstEvent(*exec, "LambdaFunctionScheduled");
  ASSERT_TRUE(b);
  EXPECT_TRUE(jsonEquals(detail(*b, "timeoutInSeconds"), Json(100)));
  EXPECT_TRUE(jsonEquals(detail(*b, "heartbeatInSeconds"), Json(20)));
  EXPECT_TRUE(jsonEquals(detail(*b, "resource"), Json(fnArn("f"))));
}

TEST(TaskHeartbeat, NoTimeoutFieldsWhenNotSet) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "End": true}}})");
  ASSERT_TRUE(exec);
  const HistoryEvent* a = firstEvent(*exec, "LambdaFunctionScheduled");
  ASSERT_TRUE(a);
  EXPECT_FALSE(details(*a).contains("timeoutInSeconds"));
  EXPECT_FALSE(details(*a).contains("heartbeatInSeconds"));
}

// Regression: the parsed resource used to be cached per frame, so a second
// Task state with a different resource kind went to the first one's integration.
TEST(TaskDispatch, ConsecutiveTasksWithDifferentResourceKindsUseTheirOwnIntegration) {
  TestEngine t;
  t.functions().on("a", [](const Json&, size_t) { return Reply::ok(json(R"({"from": "a"})")); });
  t.functions().on("b", [](const Json&, size_t) { return Reply::ok(json(R"({"from": "b"})")); });
  auto exec = t.run(R"({"StartAt": "Invoke", "States": {
    "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "a", "Payload.$": "$"},
               "ResultPath": "$.invoke", "Next": "Plain"},
    "Plain": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:b",
              "ResultPath": "$.plain", "Next": "InvokeAgain"},
    "InvokeAgain": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "a"},
               "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.again", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  ASSERT_EQ(t.functions().calls().size(), 3u);
  EXPECT_EQ(t.functions().calls()[0].function, "a");
  EXPECT_EQ(t.functions().calls()[1].function, "b");
  EXPECT_EQ(t.functions().calls()[2].function, "a");
  // The plain function ARN received the state input, not an Invoke request.
  EXPECT_TRUE(t.functions().calls()[1].payload.as_object().contains("invoke"));

  const auto& out = exec->output().as_object();
  // lambda:invoke: the Invoke API response.
  EXPECT_TRUE(jsonEquals(out.at("invoke").at("StatusCode"), Json(200)));
  EXPECT_TRUE(jsonEquals(out.at("invoke").at("Payload"), json(R"({"from": "a"})")));
  // Function ARN: the payload itself.
  EXPECT_TRUE(jsonEquals(out.at("plain"), json(R"({"from": "b"})")));
  EXPECT_TRUE(jsonEquals(out.at("again"), json(R"({"p": {"from": "a"}})")));

  std::vector<std::string> taskEvents;
  for (const auto& e : exec->history())
    if (e.type.ends_with("Scheduled") || e.type.ends_with("Succeeded"))
      taskEvents.emplace_back(e.type);
  EXPECT_EQ(taskEvents,
            (std::vector<std::string>{"TaskScheduled", "TaskSucceeded", "LambdaFunctionScheduled",
                                      "LambdaFunctionSucceeded", "TaskScheduled", "TaskSucceeded",
                                      "ExecutionSucceeded"}));
}

TEST(TaskDispatch, PlainArnThenLambdaInvoke) {
  TestEngine t;
  t.functions().echo("a");
  auto exec = t.run(R"({"StartAt": "Plain", "States": {
    "Plain": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:a",
              "Next": "Invoke"},
    "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "a", "Payload.$": "$"},
               "OutputPath": "$.StatusCode", "End": true}}})",
                    json(R"({"v": 1})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), Json(200)));
  ASSERT_NE(firstEvent(*exec, "LambdaFunctionScheduled"), nullptr);
  ASSERT_NE(firstEvent(*exec, "TaskScheduled"), nullptr);
}

TEST(TaskDispatch, UnknownIntegrationFailsTheTask) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
          "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_NE(firstEvent(*exec, "TaskFailed"), nullptr);
}

TEST(TaskDispatch, MissingFunctionFailsWithLambdaResourceNotFound) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:nope",
          "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "Lambda.ResourceNotFoundException");
  EXPECT_NE(exec->cause().find("Function not found"), std::string::npos) << exec->cause();
  EXPECT_NE(firstEvent(*exec, "LambdaFunctionFailed"), nullptr);
}

TEST(TaskResult, ResultSelectorResultPathAndOutputPathApplyInOrder) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json(R"({"a": 1, "b": {"c": 2}})")));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "InputPath": "$.in", "Parameters": {"wrapped.$": "$"},
          "ResultSelector": {"c.$": "$.b.c"}, "ResultPath": "$.res", "OutputPath": "$.res",
          "End": true}}})",
                    json(R"({"in": {"x": 1}})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(t.functions().calls()[0].payload, json(R"({"wrapped": {"x": 1}})")));
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"c": 2})")));
}

TEST(TaskResult, ResultOverTheLimitIsDataLimitExceeded) {
  TestEngine t;
  t.functions().always("big", Reply::ok(Json(std::string(300 * 1024, 'x'))));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:big",
          "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.DataLimitExceeded");
  EXPECT_NE(firstEvent(*exec, "LambdaFunctionFailed"), nullptr);
}

}  // namespace
}  // namespace sluice::engine::testing
