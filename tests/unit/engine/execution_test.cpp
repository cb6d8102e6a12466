// Whole executions: timeouts, stop, payload limits and the shape of history.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

TEST(Execution, TopLevelTimeoutSecondsTimesOut) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "W", "TimeoutSeconds": 5, "States": {
    "W": {"Type": "Wait", "Seconds": 60, "Next": "P"},
    "P": {"Type": "Pass", "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::TimedOut);
  EXPECT_EQ(statusName(exec->status()), "TIMED_OUT");
  ASSERT_FALSE(exec->history().empty());
  EXPECT_EQ(exec->history().back().type, "ExecutionTimedOut");
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 5);
  EXPECT_EQ(exec->stopTime() - exec->startTime(), std::chrono::seconds(5));
  EXPECT_EQ(firstEvent(*exec, "PassStateEntered"), nullptr);
  EXPECT_EQ(firstEvent(*exec, "WaitStateExited"), nullptr);
}

TEST(Execution, TimeoutDoesNotFireWhenTheExecutionEndsFirst) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "W", "TimeoutSeconds": 5, "States": {
    "W": {"Type": "Wait", "Seconds": 4, "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Succeeded);
  // The loop ran dry: no timer was left behind to move the clock to 5 s.
  EXPECT_EQ(t.engine().clock().now() - exec->startTime(), std::chrono::seconds(4));
}

TEST(Execution, TimeoutAbortsARunningTask) {
  TestEngine t;
  t.functions().always("f", Reply::never());
  auto exec = t.run(R"({"StartAt": "T", "TimeoutSeconds": 10, "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "End": true}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::TimedOut);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 10);
  EXPECT_EQ(t.functions().cancelled(), 1u);
}

TEST(Execution, StopAbortsTheExecution) {
  TestEngine t;
  auto exec = t.start(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
    "P": {"Type": "Pass", "End": true}}})");
  ASSERT_TRUE(exec);
  auto& loop = t.engine().loop();
  loop.schedule(loop.now() + std::chrono::seconds(30),
                [exec] { exec->stop("UserStopped", "stopped by the test"); });
  t.runToCompletion(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Aborted);
  EXPECT_EQ(exec->error(), "UserStopped");
  EXPECT_EQ(exec->cause(), "stopped by the test");
  EXPECT_EQ(exec->history().back().type, "ExecutionAborted");
  EXPECT_TRUE(jsonEquals(Json(details(exec->history().back())),
                         json(R"({"error": "UserStopped", "cause": "stopped by the test"})")));
  EXPECT_NE(firstEvent(*exec, "WaitStateAborted"), nullptr);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 30);
  // Stopping again changes nothing.
  size_t events = exec->history().size();
  exec->stop("Again", "");
  EXPECT_EQ(exec->history().size(), events);
  EXPECT_EQ(exec->error(), "UserStopped");
}

TEST(Execution, StopWithoutErrorOrCauseRecordsEmptyDetails) {
  TestEngine t;
  t.functions().always("f", Reply::never());
  auto exec = t.start(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "End": true}}})");
  ASSERT_TRUE(exec);
  auto& loop = t.engine().loop();
  loop.post([exec] { exec->stop("", ""); });
  t.runToCompletion(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Aborted);
  EXPECT_TRUE(details(exec->history().back()).empty());
  EXPECT_EQ(t.functions().cancelled(), 1u);
}

TEST(Execution, OutputOverTheLimitIsDataLimitExceeded) {
  TestEngine t;
  JsonObject input;
  input["s"] = std::string(150 * 1024, 'x');
  auto exec = t.run(R"({"StartAt": "Double", "States": {
    "Double": {"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "End": true}}})",
                    input);
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.DataLimitExceeded");
  EXPECT_NE(exec->cause().find("'Double'"), std::string::npos) << exec->cause();
  EXPECT_EQ(firstEvent(*exec, "PassStateExited"), nullptr);
}

TEST(Execution, OutputJustUnderTheLimitSucceeds) {
  TestEngine t;
  JsonObject input;
  input["s"] = std::string(200 * 1024, 'x');
  auto exec = t.run(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})", input);
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Succeeded);
}

TEST(Execution, DataLimitExceededCanBeCaughtByName) {
  TestEngine t;
  JsonObject input;
  input["s"] = std::string(150 * 1024, 'x');
  auto exec = t.run(R"({"StartAt": "Par", "States": {
    "Par": {"Type": "Parallel", "Branches": [{"StartAt": "Double", "States": {
              "Double": {"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"},
                         "End": true}}}],
            "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Caught"}],
            "End": true},
    "Caught": {"Type": "Pass", "Parameters": {"error.$": "$.Error"}, "End": true}}})",
                    input);
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->error();
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"error": "States.DataLimitExceeded"})")));
}

// Every event's id is its 1-based position and previousEventId refers to an
// earlier event (0 only for the first two events).
void expectWellFormedHistory(const Execution& exec) {
  const auto& h = exec.history();
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.front().type, "ExecutionStarted");
  EXPECT_EQ(h.front().previousEventId, 0);
  TimePoint last = h.front().timestamp;
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h[i].id, static_cast<int64_t>(i) + 1) << h[i].type;
    EXPECT_GE(h[i].previousEventId, 0) << h[i].type;
    EXPECT_LT(h[i].previousEventId, h[i].id) << h[i].type << " #" << h[i].id;
    EXPECT_GE(h[i].timestamp, last) << "time went backwards at #" << h[i].id;
    last = h[i].timestamp;
    // As AWS records it: the first state event names no previous event
    // (ExecutionStarted is not its predecessor); every later one does.
    if (i > 1 && !h[i].type.starts_with("Execution")) {
      EXPECT_GT(h[i].previousEventId, 0) << h[i].type << " #" << h[i].id;
    }
  }
  if (h.size() > 1) {
    EXPECT_EQ(h[1].previousEventId, 0) << h[1].type;
  }
}

TEST(Execution, HistoryIdsAreContiguousAndPreviousIdsPointBackwards) {
  TestEngine t;
  t.functions().on("f", [](const Json& p, size_t n) {
    if (n == 1) return Reply::fail("Flaky");
    return Reply::ok(p, 1);
  });
  auto exec = t.run(R"({"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Result": [1, 2, 3], "ResultPath": "$.items", "Next": "Par"},
    "Par": {"Type": "Parallel", "Next": "Choose", "Branches": [
      {"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": true,
              "ItemProcessor": {"StartAt": "T", "States": {
                "T": {"Type": "Task",
                      "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
                      "Retry": [{"ErrorEquals": ["Flaky"]}], "End": true}}}}}},
      {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}}]},
    "Choose": {"Type": "Choice", "Choices": [
      {"Variable": "$[0][0]", "NumericEquals": 1, "Next": "Done"}], "Default": "Bad"},
    "Bad": {"Type": "Fail", "Error": "Unexpected"},
    "Done": {"Type": "Succeed"}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  expectWellFormedHistory(*exec);
  EXPECT_EQ(exec->history().back().type, "ExecutionSucceeded");
}

TEST(Execution, FailedExecutionHistoryIsWellFormed) {
  TestEngine t;
  t.functions().always("f", Reply::fail("Nope", "", 2));
  auto exec = t.run(R"({"StartAt": "M", "States": {
    "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}], "End": true}}}}}})",
                    json("[1, 2, 3]"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  expectWellFormedHistory(*exec);
}

TEST(Execution, SucceededHistoryShape) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})",
                    json(R"({"a": 1})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(eventTypes(*exec), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                         "PassStateExited", "ExecutionSucceeded"}));
  Json h = historyToJson(exec->history());
  const auto& started = h.as_array()[0].as_object();
  EXPECT_TRUE(started.contains("timestamp"));
  EXPECT_TRUE(jsonEquals(started.at("id"), Json(1)));
  EXPECT_TRUE(jsonEquals(started.at("previousEventId"), Json(0)));
  const auto& d = started.at("executionStartedEventDetails").as_object();
  EXPECT_TRUE(jsonEquals(d.at("input"), Json(R"({"a":1})")));
  EXPECT_TRUE(jsonEquals(d.at("inputDetails"), json(R"({"truncated": false})")));
  EXPECT_TRUE(d.contains("roleArn"));
  const auto& entered = h.as_array()[1].as_object().at("stateEnteredEventDetails").as_object();
  EXPECT_TRUE(jsonEquals(entered.at("name"), Json("P")));
  const auto& succeeded =
      h.as_array()[3].as_object().at("executionSucceededEventDetails").as_object();
  EXPECT_TRUE(jsonEquals(succeeded.at("output"), Json(R"({"a":1})")));
}

TEST(Execution, FailStateWithoutCauseRecordsOnlyTheError) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "OnlyError"}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  const HistoryEvent& last = exec->history().back();
  EXPECT_EQ(last.type, "ExecutionFailed");
  EXPECT_TRUE(jsonEquals(Json(details(last)), json(R"({"error": "OnlyError"})")))
      << toJsonText(details(last));
}

TEST(Execution, ContextObjectDescribesTheExecution) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
      "name.$": "$$.Execution.Name", "id.$": "$$.Execution.Id", "input.$": "$$.Execution.Input",
      "state.$": "$$.State.Name", "entered.$": "$$.State.EnteredTime",
      "machine.$": "$$.StateMachine.Name"}, "End": true}}})",
                    json(R"({"k": "v"})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const auto& out = exec->output().as_object();
  EXPECT_TRUE(jsonEquals(out.at("name"), Json(exec->name())));
  EXPECT_TRUE(jsonEquals(out.at("id"), Json(exec->arn())));
  EXPECT_TRUE(jsonEquals(out.at("input"), json(R"({"k": "v"})")));
  EXPECT_TRUE(jsonEquals(out.at("state"), Json("P")));
  EXPECT_TRUE(jsonEquals(out.at("entered"), Json(formatIso8601(exec->startTime()))));
  EXPECT_TRUE(jsonEquals(out.at("machine"), Json("StateMachine")));
}

TEST(Execution, LongChainsOfSynchronousStatesDoNotRecurse) {
  // 2000 Pass states: a recursive interpreter would blow the stack.
  std::string states;
  for (int i = 0; i < 2000; ++i) {
    if (i) states += ",";
    states += "\"S" + std::to_string(i) + "\": {\"Type\": \"Pass\", " +
              (i == 1999 ? std::string("\"End\": true}")
                         : "\"Next\": \"S" + std::to_string(i + 1) + "\"}");
  }
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "S0", "States": {)" + states + "}}", json(R"({"n": 1})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_EQ(exec->history().size(), 2u + 2 * 2000);
}

}  // namespace
}  // namespace sluice::engine::testing

namespace sluice::engine::testing {
namespace {

TEST(Execution, StopDuringRetryBackoffPreventsFurtherAttempts) {
  TestEngine t;
  t.functions().always("f", Reply::fail("Flaky"));
  auto exec = t.start(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 10, "MaxAttempts": 5}],
          "End": true}}})");
  ASSERT_TRUE(exec);
  auto& loop = t.engine().loop();
  loop.schedule(loop.now() + std::chrono::seconds(15), [exec] { exec->stop("S", ""); });
  t.runToCompletion(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Aborted);
  // Attempts at 0 s and 10 s; the one due at 30 s never happens.
  EXPECT_EQ(t.functions().calls().size(), 2u);
  EXPECT_EQ(exec->history().back().type, "ExecutionAborted");
  EXPECT_NE(firstEvent(*exec, "TaskStateAborted"), nullptr);
  // Nothing else was left on the loop: the clock stopped at the abort.
  EXPECT_FALSE(t.engine().loop().runUntil([] { return false; }));
  EXPECT_EQ(t.functions().calls().size(), 2u);
  EXPECT_EQ(t.engine().clock().now() - exec->startTime(), std::chrono::seconds(15));
}

TEST(Execution, TimeoutDuringAMapCancelsEveryIteration) {
  TestEngine t;
  t.functions().always("f", Reply::ok(json("{}"), 100));
  auto exec = t.run(R"({"StartAt": "M", "TimeoutSeconds": 30, "States": {
    "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
            "End": true}}}}}})",
                    json("[1, 2, 3]"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::TimedOut);
  EXPECT_EQ(t.functions().cancelled(), 3u);
  EXPECT_EQ(exec->history().back().type, "ExecutionTimedOut");
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 30);
  EXPECT_EQ(t.engine().clock().now() - exec->startTime(), std::chrono::seconds(30));
}

}  // namespace
}  // namespace sluice::engine::testing
