// The engine's single-state mode (TestState): one state runs, the run stops
// at the transition, retry or end, and reports what each step produced.
#include <gtest/gtest.h>

#include "engine/single_state.hpp"
#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

SingleStateReport runOne(TestEngine& t, std::string_view definition, std::string_view state,
                         Json input = JsonObject{}, SingleStateOptions options = {}) {
  auto machine = TestEngine::compile(definition);
  EXPECT_TRUE(machine);
  auto exec = Execution::create(t.engine().context(), machine, std::move(input), {});
  std::optional<SingleStateReport> report;
  exec->startSingleState(machine->indexByName.at(std::string(state)), std::move(options),
                         [&](SingleStateReport r) { report = std::move(r); });
  t.engine().loop().runUntil([&] { return report.has_value(); });
  return report.value_or(SingleStateReport{});
}

constexpr std::string_view kTwoPasses = R"({"StartAt": "A", "States": {
  "A": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "ResultPath": "$.r", "Next": "B"},
  "B": {"Type": "Pass", "End": true}}})";

TEST(SingleState, StopsAtTheTransitionAndNamesTheNextState) {
  TestEngine t;
  auto r = runOne(t, kTwoPasses, "A", parseJson(R"({"x": 5})").value());
  EXPECT_EQ(r.status, SingleStateStatus::Succeeded);
  EXPECT_EQ(r.nextState, "B");
  ASSERT_TRUE(r.output);
  EXPECT_EQ(toJsonText(*r.output), R"({"x":5,"r":{"v":5}})");
  ASSERT_TRUE(r.afterParameters);
  EXPECT_EQ(toJsonText(*r.afterParameters), R"({"v":5})");
  ASSERT_TRUE(r.afterResultPath);
  EXPECT_EQ(toJsonText(*r.afterResultPath), R"({"x":5,"r":{"v":5}})");
}

TEST(SingleState, AnEndStateHasNoNextState) {
  TestEngine t;
  auto r = runOne(t, kTwoPasses, "B", parseJson(R"({"y": 1})").value());
  EXPECT_EQ(r.status, SingleStateStatus::Succeeded);
  EXPECT_EQ(r.nextState, "");
  EXPECT_EQ(toJsonText(r.output.value_or(nullptr)), R"({"y":1})");
}

constexpr std::string_view kRetryCatch = R"({"StartAt": "T", "States": {
  "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["Other"]},
                  {"ErrorEquals": ["Boom"], "IntervalSeconds": 3, "BackoffRate": 2,
                   "MaxAttempts": 2}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "H"}],
        "End": true},
  "H": {"Type": "Pass", "End": true}}})";

TEST(SingleState, AMatchingRetrierWithAttemptsLeftIsRetriable) {
  TestEngine t;
  t.functions().always("f", Reply::fail("Boom", "bad"));
  SingleStateOptions o;
  o.retrierRetryCount = 1;
  auto r = runOne(t, kRetryCatch, "T", JsonObject{}, o);
  EXPECT_EQ(r.status, SingleStateStatus::Retriable);
  EXPECT_EQ(r.error, "Boom");
  EXPECT_EQ(r.retryIndex, 1);
  EXPECT_EQ(r.retryBackoffIntervalSeconds, 6);  // 3 * 2^1
  EXPECT_EQ(t.functions().calls().size(), 1u);  // no second attempt
}

TEST(SingleState, AnExhaustedRetrierFallsToTheCatch) {
  TestEngine t;
  t.functions().always("f", Reply::fail("Boom", "bad"));
  SingleStateOptions o;
  o.retrierRetryCount = 2;
  auto r = runOne(t, kRetryCatch, "T", parseJson(R"({"in": 1})").value(), o);
  EXPECT_EQ(r.status, SingleStateStatus::CaughtError);
  EXPECT_EQ(r.nextState, "H");
  EXPECT_EQ(r.catchIndex, 0);
  EXPECT_EQ(r.error, "Boom");
  ASSERT_TRUE(r.output && r.output->is_object());
  EXPECT_EQ(r.output->as_object().at("in"), 1);
  EXPECT_EQ(r.output->as_object().at("e").as_object().at("Error"), "Boom");
}

TEST(SingleState, AMockReplacesTheCall) {
  TestEngine t;
  SingleStateOptions o;
  o.mock = asl::Outcome<Json>(parseJson(R"({"Payload": 7})").value());
  auto r = runOne(t, kRetryCatch, "T", JsonObject{}, o);
  EXPECT_EQ(r.status, SingleStateStatus::Succeeded);
  EXPECT_EQ(toJsonText(r.output.value_or(nullptr)), R"({"Payload":7})");
  EXPECT_TRUE(t.functions().calls().empty());
}

TEST(SingleState, WaitReturnsAtOnce) {
  TestEngine t;
  auto r = runOne(t, R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 86400, "Next": "X"}, "X": {"Type": "Succeed"}}})",
                  "W", parseJson(R"({"a": 1})").value());
  EXPECT_EQ(r.status, SingleStateStatus::Succeeded);
  EXPECT_EQ(r.nextState, "X");
  EXPECT_EQ(toJsonText(r.output.value_or(nullptr)), R"({"a":1})");
}

TEST(SingleState, VariablesAreInScopeAndAssignedOnesReported) {
  TestEngine t;
  SingleStateOptions o;
  o.variables["limit"] = 3;
  auto r = runOne(t, R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Assign": {"seen.$": "$limit"}, "End": true}}})",
                  "P", JsonObject{}, o);
  EXPECT_EQ(r.status, SingleStateStatus::Succeeded);
  EXPECT_EQ(toJsonText(Json(r.variables)), R"({"limit":3,"seen":3})");
}

TEST(SingleState, AFailStateFails) {
  TestEngine t;
  auto r = runOne(t, R"({"StartAt": "F", "States": {
    "F": {"Type": "Fail", "Error": "E", "Cause": "C"}}})",
                  "F");
  EXPECT_EQ(r.status, SingleStateStatus::Failed);
  EXPECT_EQ(r.error, "E");
  EXPECT_EQ(r.cause, "C");
  EXPECT_FALSE(r.output);
}

TEST(SingleState, ARunLastsAtMostFiveMinutes) {
  TestEngine t;
  t.functions().always("f", Reply::never());
  auto r = runOne(t, R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f"}, "End": true}}})",
                  "T");
  EXPECT_EQ(r.status, SingleStateStatus::Failed);
  EXPECT_EQ(r.error, "States.Timeout");
  EXPECT_EQ(t.functions().cancelled(), 1u);
}

}  // namespace
}  // namespace sluice::engine::testing
