// Retry and Catch of Task states, timed on the virtual clock.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

// A lambda:invoke task (TaskScheduled events) with the given Retry/Catch JSON.
std::string invokeMachine(std::string_view retry, std::string_view catchers = "[]",
                          std::string_view extraStates = "") {
  return std::string(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload": {"retry.$": "$$.State.RetryCount"}},
          "OutputPath": "$.Payload",
          "Retry": )") +
         std::string(retry) + R"(, "Catch": )" + std::string(catchers) + R"(, "End": true})" +
         std::string(extraStates) + "}}";
}

TEST(Retry, BackoffRateDoublesTheIntervalBetweenAttempts) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError", "boom"));
  auto exec = t.run(invokeMachine(
      R"([{"ErrorEquals": ["MyError"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "MyError");
  EXPECT_EQ(t.functions().calls().size(), 4u);  // 1 attempt + 3 retries
  EXPECT_EQ(gapsBetween(*exec, "TaskScheduled"), (std::vector<double>{1, 2, 4}));
  EXPECT_EQ(eventsOfType(*exec, "TaskFailed").size(), 4u);
  // The task state is entered once; retries do not re-enter it.
  EXPECT_EQ(eventsOfType(*exec, "TaskStateEntered").size(), 1u);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 7);
}

TEST(Retry, DefaultsAreThreeAttemptsOneSecondBackoffTwo) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(invokeMachine(R"([{"ErrorEquals": ["States.ALL"]}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(t.functions().calls().size(), 4u);
  EXPECT_EQ(gapsBetween(*exec, "TaskScheduled"), (std::vector<double>{1, 2, 4}));
}

TEST(Retry, FractionalBackoffAndLongerInterval) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(invokeMachine(
      R"([{"ErrorEquals": ["MyError"], "IntervalSeconds": 4, "BackoffRate": 1.5, "MaxAttempts": 3}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(gapsBetween(*exec, "TaskScheduled"), (std::vector<double>{4, 6, 9}));
}

TEST(Retry, MaxDelaySecondsCapsTheBackoff) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(invokeMachine(
      R"([{"ErrorEquals": ["MyError"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 4,
           "MaxDelaySeconds": 5}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(gapsBetween(*exec, "TaskScheduled"), (std::vector<double>{2, 5, 5, 5}));
}

TEST(Retry, FullJitterStaysWithinZeroAndTheBackoffDelay) {
  TestEngine t(7);
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(invokeMachine(
      R"([{"ErrorEquals": ["MyError"], "IntervalSeconds": 10, "BackoffRate": 2, "MaxAttempts": 6,
           "MaxDelaySeconds": 100, "JitterStrategy": "FULL"}])"));
  ASSERT_TRUE(exec);
  auto gaps = gapsBetween(*exec, "TaskScheduled");
  ASSERT_EQ(gaps.size(), 6u);
  double ceilings[] = {10, 20, 40, 80, 100, 100};
  bool jittered = false;
  for (size_t i = 0; i < gaps.size(); ++i) {
    EXPECT_GE(gaps[i], 0) << i;
    EXPECT_LE(gaps[i], ceilings[i]) << i;
    if (gaps[i] < ceilings[i]) jittered = true;
  }
  EXPECT_TRUE(jittered) << "FULL jitter never shortened a delay";
}

TEST(Retry, FirstMatchingRetrierWinsAndExhaustingItDoesNotFallThrough) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(invokeMachine(
      R"([{"ErrorEquals": ["MyError"], "IntervalSeconds": 3, "MaxAttempts": 1},
          {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(t.functions().calls().size(), 2u);
  EXPECT_EQ(gapsBetween(*exec, "TaskScheduled"), (std::vector<double>{3}));
}

TEST(Retry, EachRetrierCountsItsOwnAttempts) {
  TestEngine t;
  // A, B, A, B, ... : each retrier allows 2 retries of its own error.
  t.functions().on(
      "f", [](const Json&, size_t n) { return Reply::fail(n % 2 == 0 ? "ErrorA" : "ErrorB"); });
  auto exec = t.run(invokeMachine(
      R"([{"ErrorEquals": ["ErrorA"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 2},
          {"ErrorEquals": ["ErrorB"], "IntervalSeconds": 10, "BackoffRate": 1, "MaxAttempts": 2}])"));
  ASSERT_TRUE(exec);
  // A(retry 1s) B(retry 10s) A(retry 1s) B(retry 10s) A -> exhausted.
  EXPECT_EQ(t.functions().calls().size(), 5u);
  EXPECT_EQ(exec->error(), "ErrorA");
  EXPECT_EQ(gapsBetween(*exec, "TaskScheduled"), (std::vector<double>{1, 10, 1, 10}));
}

TEST(Retry, MaxAttemptsZeroNeverRetries) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(invokeMachine(R"([{"ErrorEquals": ["MyError"], "MaxAttempts": 0}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(t.functions().calls().size(), 1u);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 0);
}

TEST(Retry, SpecificErrorNameDoesNotMatchOtherErrors) {
  TestEngine t;
  t.functions().always("f", Reply::fail("OtherError"));
  auto exec = t.run(invokeMachine(R"([{"ErrorEquals": ["MyError"], "MaxAttempts": 5}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "OtherError");
  EXPECT_EQ(t.functions().calls().size(), 1u);
}

TEST(Retry, StatesAllMatchesAnyError) {
  TestEngine t;
  t.functions().always("f", Reply::fail("OtherError"));
  auto exec = t.run(invokeMachine(R"([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(t.functions().calls().size(), 3u);
}

TEST(Retry, TaskFailedMatchesFunctionErrorsButNotTimeouts) {
  {
    TestEngine t;
    t.functions().always("f", Reply::fail("Custom"));
    auto exec =
        t.run(invokeMachine(R"([{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}])"));
    ASSERT_TRUE(exec);
    EXPECT_EQ(t.functions().calls().size(), 2u);
  }
  {
    TestEngine t;
    t.functions().always("f", Reply::never());
    auto exec = t.run(R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f"}, "TimeoutSeconds": 5,
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 3}], "End": true}}})");
    ASSERT_TRUE(exec);
    EXPECT_EQ(exec->error(), "States.Timeout");
    EXPECT_EQ(t.functions().calls().size(), 1u);
  }
}

TEST(Retry, RetryCountInTheContextObjectIncrements) {
  TestEngine t;
  t.functions().on("f", [](const Json& payload, size_t n) {
    if (n < 2) return Reply::fail("Flaky");
    return Reply::ok(payload);
  });
  auto exec = t.run(invokeMachine(R"([{"ErrorEquals": ["Flaky"], "MaxAttempts": 5}])"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  ASSERT_EQ(t.functions().calls().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(jsonEquals(t.functions().calls()[i].payload,
                           json(R"({"retry": )" + std::to_string(i) + "}")));
  }
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"retry": 2})")));
}

TEST(Retry, RetryCountResetsInTheNextState) {
  TestEngine t;
  t.functions().on("f", [](const Json& payload, size_t n) {
    if (n == 0) return Reply::fail("Flaky");
    return Reply::ok(payload);
  });
  t.functions().echo("g");
  auto exec = t.run(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload": {"retry.$": "$$.State.RetryCount"}},
          "Retry": [{"ErrorEquals": ["States.ALL"]}], "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "g", "Payload": {"retry.$": "$$.State.RetryCount"}},
          "OutputPath": "$.Payload", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(t.functions().callsTo("f").back().payload, json(R"({"retry": 1})")));
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"retry": 0})")));
}

TEST(Retry, SucceedsAfterRetriesAndKeepsTheStateInput) {
  TestEngine t;
  t.functions().on("f", [](const Json&, size_t n) {
    if (n == 0) return Reply::fail("Flaky");
    return Reply::ok(json(R"({"done": true})"));
  });
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "ResultPath": "$.result",
          "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2}], "End": true}}})",
                    json(R"({"in": 1})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"in": 1, "result": {"done": true}})")));
  EXPECT_EQ(gapsBetween(*exec, "LambdaFunctionScheduled"), (std::vector<double>{2}));
}

TEST(Catch, ResultPathPutsTheErrorObjectIntoTheInput) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError", "it broke"));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Catch": [{"ErrorEquals": ["MyError"], "ResultPath": "$.error", "Next": "Done"}],
          "End": true},
    "Done": {"Type": "Pass", "End": true}}})",
                    json(R"({"keep": "me"})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const auto& out = exec->output().as_object();
  EXPECT_TRUE(jsonEquals(out.at("keep"), Json("me")));
  EXPECT_TRUE(jsonEquals(out.at("error").at("Error"), Json("MyError")));
  // The cause of a function error is the function's error object.
  auto cause = parseJson(out.at("error").at("Cause").as_string());
  ASSERT_TRUE(cause);
  EXPECT_TRUE(jsonEquals(cause->at("errorType"), Json("MyError")));
  EXPECT_TRUE(jsonEquals(cause->at("errorMessage"), Json("it broke")));
}

TEST(Catch, DefaultResultPathReplacesTheInputWithErrorAndCause) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "missing"},
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
    "Done": {"Type": "Pass", "End": true}}})",
                    json(R"({"keep": "me"})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const auto& out = exec->output().as_object();
  EXPECT_EQ(out.size(), 2u) << toJsonText(exec->output());
  EXPECT_TRUE(jsonEquals(out.at("Error"), Json("Lambda.ResourceNotFoundException")));
  EXPECT_TRUE(out.at("Cause").is_string());
  EXPECT_FALSE(out.contains("keep"));
  // The task state exits with the catcher's output before the next state.
  const HistoryEvent* exited = firstEvent(*exec, "TaskStateExited");
  ASSERT_TRUE(exited);
  EXPECT_TRUE(jsonEquals(*parseJson(detailString(*exited, "output")), exec->output()));
}

TEST(Catch, ResultPathNullKeepsTheInput) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "Done"}],
          "End": true},
    "Done": {"Type": "Pass", "End": true}}})",
                    json(R"({"keep": "me"})"));
  ASSERT_TRUE(exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"keep": "me"})")));
}

std::string catchOrderMachine() {
  return R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "First", "ResultPath": null},
                    {"ErrorEquals": ["MyError"], "Next": "Second", "ResultPath": null},
                    {"ErrorEquals": ["States.ALL"], "Next": "Third", "ResultPath": null}],
          "End": true},
    "First": {"Type": "Pass", "Result": "first", "End": true},
    "Second": {"Type": "Pass", "Result": "second", "End": true},
    "Third": {"Type": "Pass", "Result": "third", "End": true}}})";
}

TEST(Catch, FirstMatchingCatcherInOrderWins) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(catchOrderMachine());
  ASSERT_TRUE(exec);
  EXPECT_TRUE(jsonEquals(exec->output(), Json("first")));
}

TEST(Catch, StatesErrorsSkipTaskFailedAndReachLaterCatchers) {
  TestEngine t;
  t.functions().always("f", Reply::never());
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "TimeoutSeconds": 3,
          "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "First"},
                    {"ErrorEquals": ["States.Timeout"], "Next": "Second"}],
          "End": true},
    "First": {"Type": "Pass", "Result": "first", "End": true},
    "Second": {"Type": "Pass", "Result": "second", "ResultPath": "$.caught", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output().at("caught"), Json("second")));
  EXPECT_TRUE(jsonEquals(exec->output().at("Error"), Json("States.Timeout")));
}

TEST(Catch, RuntimeErrorsAreNotCaughtEvenByStatesAll) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "InputPath": "$.missing",
          "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
    "Done": {"Type": "Pass", "End": true}}})",
                    json(R"({"present": 1})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_NE(exec->cause().find("Invalid path '$.missing'"), std::string::npos) << exec->cause();
  EXPECT_NE(exec->cause().find("An error occurred while executing the state 'T'"),
            std::string::npos)
      << exec->cause();
  EXPECT_TRUE(t.functions().calls().empty());
  EXPECT_EQ(firstEvent(*exec, "PassStateEntered"), nullptr);
}

TEST(Catch, RetriesAreExhaustedBeforeTheCatcherRuns) {
  TestEngine t;
  t.functions().always("f", Reply::fail("MyError"));
  auto exec = t.run(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Retry": [{"ErrorEquals": ["MyError"], "IntervalSeconds": 1, "MaxAttempts": 2}],
          "Catch": [{"ErrorEquals": ["MyError"], "Next": "Done"}], "End": true},
    "Done": {"Type": "Pass", "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_EQ(t.functions().calls().size(), 3u);
  const HistoryEvent* caught = firstEvent(*exec, "PassStateEntered");
  ASSERT_TRUE(caught);
  // 1 s + 2 s of retries before the catcher's Next.
  EXPECT_DOUBLE_EQ(secondsBetween(exec->history().front().timestamp, caught->timestamp), 3);
}

TEST(Catch, FailStateErrorInParallelIsCaughtByTheParallelState) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "BranchError",
                                                "Cause": "why"}}}],
          "Catch": [{"ErrorEquals": ["BranchError"], "Next": "Done"}], "End": true},
    "Done": {"Type": "Pass", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"Error": "BranchError", "Cause": "why"})")));
}

}  // namespace
}  // namespace sluice::engine::testing
