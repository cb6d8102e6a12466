// Wait states on the virtual clock: the wait is exactly as long as asked.
#include <gtest/gtest.h>

#include "asl/timestamp.hpp"
#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

// Seconds between the Wait state's entered and exited events.
double waited(const Execution& exec) {
  const HistoryEvent* in = firstEvent(exec, "WaitStateEntered");
  const HistoryEvent* out = firstEvent(exec, "WaitStateExited");
  if (!in || !out) return -1;
  return secondsBetween(in->timestamp, out->timestamp);
}

std::string waitMachine(std::string_view waitFields) {
  return std::string(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", )") +
         std::string(waitFields) + R"(, "Next": "Done"}, "Done": {"Type": "Pass", "End": true}}})";
}

TEST(Wait, SecondsWaitsExactly) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("Seconds": 3600)"), json(R"({"v": 1})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_DOUBLE_EQ(waited(*exec), 3600);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 3600);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"v": 1})")));
}

TEST(Wait, AssignSetsVariablesFromTheEffectiveInput) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 5, "InputPath": "$.in", "Assign": {"seen.$": "$.v"},
          "Next": "Use"},
    "Use": {"Type": "Pass", "Parameters": {"seen.$": "$seen"}, "End": true}}})",
                    json(R"({"in": {"v": 42}})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->error() << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"seen": 42})")));
  const HistoryEvent* exited = firstEvent(*exec, "WaitStateExited");
  ASSERT_NE(exited, nullptr);
  EXPECT_TRUE(exited->details.contains("assignedVariables"));
}

TEST(Wait, ZeroSecondsDoesNotWait) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("Seconds": 0)"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_DOUBLE_EQ(waited(*exec), 0);
}

TEST(Wait, SecondsPathReadsTheInput) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("SecondsPath": "$.delay")"), json(R"({"delay": 7})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_DOUBLE_EQ(waited(*exec), 7);
}

TEST(Wait, ConsecutiveWaitsAddUp) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "A", "States": {
    "A": {"Type": "Wait", "Seconds": 10, "Next": "B"},
    "B": {"Type": "Wait", "SecondsPath": "$.s", "Next": "C"},
    "C": {"Type": "Wait", "Seconds": 100, "End": true}}})",
                    json(R"({"s": 5})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_EQ(gapsBetween(*exec, "WaitStateExited"), (std::vector<double>{5, 100}));
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 115);
}

TEST(Wait, TimestampWaitsUntilThatInstant) {
  TestEngine t;
  // The virtual clock starts at the real time; wait until one hour from now.
  std::string until = formatIso8601(t.engine().clock().now() + std::chrono::hours(1));
  auto exec = t.run(waitMachine(R"("Timestamp": ")" + until + "\""));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const HistoryEvent* out = firstEvent(*exec, "WaitStateExited");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->timestamp, *asl::parseTimestamp(until));
  EXPECT_NEAR(waited(*exec), 3600, 0.01);
}

TEST(Wait, TimestampPathWaitsUntilThatInstant) {
  TestEngine t;
  std::string until = formatIso8601(t.engine().clock().now() + std::chrono::minutes(30));
  JsonObject input;
  input["at"] = until;
  auto exec = t.run(waitMachine(R"("TimestampPath": "$.at")"), input);
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const HistoryEvent* out = firstEvent(*exec, "WaitStateExited");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->timestamp, *asl::parseTimestamp(until));
  EXPECT_NEAR(waited(*exec), 1800, 0.01);
}

TEST(Wait, TimestampInThePastDoesNotWait) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("Timestamp": "2016-03-14T01:59:00Z")"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_DOUBLE_EQ(waited(*exec), 0);
}

TEST(Wait, NegativeSecondsPathIsARuntimeError) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("SecondsPath": "$.input.waitSeconds")"),
                    json(R"({"input": {"waitSeconds": -1}})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_EQ(exec->cause(),
            "An error occurred while executing the state 'W' (entered at the event id #2). The "
            "SecondsPath parameter references a negative value: $.input.waitSeconds == -1");
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 0);
}

TEST(Wait, NonIntegerSecondsPathIsARuntimeError) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("SecondsPath": "$.input.waitSeconds")"),
                    json(R"({"input": {"waitSeconds": -1.5}})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_EQ(exec->cause(),
            "An error occurred while executing the state 'W' (entered at the event id #2). The "
            "SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == -1.5");
}

TEST(Wait, StringSecondsPathIsARuntimeError) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("SecondsPath": "$.s")"), json(R"({"s": "ten"})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_NE(exec->cause().find("cannot be parsed as a long value: $.s == ten"), std::string::npos)
      << exec->cause();
}

TEST(Wait, RuntimeErrorsInWaitAreNotCaught) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "Branches": [{"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
    "Done": {"Type": "Pass", "End": true}}})",
                    json(R"({"s": -5})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.Runtime");
}

TEST(Wait, MissingTimestampPathIsARuntimeError) {
  TestEngine t;
  auto exec = t.run(waitMachine(R"("TimestampPath": "$.at")"), json(R"({"at": "not a date"})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_NE(exec->cause().find("The TimestampPath parameter does not reference a valid ISO-8601"),
            std::string::npos)
      << exec->cause();
}

}  // namespace
}  // namespace sluice::engine::testing
