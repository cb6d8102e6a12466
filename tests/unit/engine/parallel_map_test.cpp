// Parallel and Map states: ordering, aborts, concurrency, batching and
// tolerated failures.
#include <gtest/gtest.h>

#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

TEST(Parallel, OutputsAreInBranchOrderNotCompletionOrder) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "Slow", "States": {
        "Slow": {"Type": "Wait", "Seconds": 20, "Next": "A"},
        "A": {"Type": "Pass", "Result": "first", "End": true}}},
      {"StartAt": "Medium", "States": {
        "Medium": {"Type": "Wait", "Seconds": 10, "Next": "B"},
        "B": {"Type": "Pass", "Result": "second", "End": true}}},
      {"StartAt": "C", "States": {"C": {"Type": "Pass", "Result": "third", "End": true}}}]}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"(["first", "second", "third"])")));
  // Branches run concurrently: the whole state takes the longest branch's time.
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 20);
}

TEST(Parallel, EveryBranchGetsTheSameInput) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "End": true, "InputPath": "$.in", "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.x", "End": true}}}]}}})",
                    json(R"({"in": {"x": 5}})"));
  ASSERT_TRUE(exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"([{"x": 5}, 5])")));
}

TEST(Parallel, FailingBranchAbortsTheOthersAndPropagatesItsError) {
  TestEngine t;
  t.functions().always("slow", Reply::never());
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "LongWait", "States": {
        "LongWait": {"Type": "Wait", "Seconds": 1000, "Next": "After"},
        "After": {"Type": "Pass", "End": true}}},
      {"StartAt": "SlowTask", "States": {
        "SlowTask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": "slow"}, "End": true}}},
      {"StartAt": "Delay", "States": {
        "Delay": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
        "Boom": {"Type": "Fail", "Error": "BranchBroke", "Cause": "on purpose"}}}]}}})");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "BranchBroke");
  EXPECT_EQ(exec->cause(), "on purpose");
  // Aborted at the failure, 5 s in; the 1000 s wait never completed.
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 5);
  EXPECT_EQ(eventsOfType(*exec, "WaitStateAborted").size(), 1u) << historyText(*exec);
  EXPECT_EQ(eventsOfType(*exec, "TaskStateAborted").size(), 1u);
  EXPECT_EQ(firstEvent(*exec, "PassStateEntered"), nullptr);
  EXPECT_NE(firstEvent(*exec, "ParallelStateFailed"), nullptr);
  EXPECT_EQ(t.functions().cancelled(), 1u);
  // The aborted events come before ParallelStateFailed.
  auto types = eventTypes(*exec);
  auto failedAt = std::find(types.begin(), types.end(), "ParallelStateFailed");
  auto abortedAt = std::find(types.begin(), types.end(), "WaitStateAborted");
  EXPECT_LT(abortedAt, failedAt);
}

TEST(Parallel, BranchErrorCanBeRetriedAsAWhole) {
  TestEngine t;
  t.functions().on("flaky", [](const Json&, size_t n) {
    return n == 0 ? Reply::fail("Flaky") : Reply::ok(Json("ok"));
  });
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "End": true,
          "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 3}],
          "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}},
      {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:flaky",
              "End": true}}}]}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"([1, "ok"])")));
  EXPECT_EQ(eventsOfType(*exec, "ParallelStateStarted").size(), 2u);
  EXPECT_EQ(gapsBetween(*exec, "ParallelStateStarted"), (std::vector<double>{3}));
}

TEST(Parallel, VariablesAssignedInABranchAreNotVisibleOutside) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "P"},
    "P": {"Type": "Parallel", "Next": "Read", "Branches": [
      {"StartAt": "B", "States": {
        "B": {"Type": "Pass", "Assign": {"inner": 2}, "Next": "UseInner"},
        "UseInner": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "inner.$": "$inner"},
                     "End": true}}}]},
    "Read": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "inner.$": "$inner"},
             "End": true}}})");
  ASSERT_TRUE(exec);
  // Inside the branch both are visible...
  const HistoryEvent* useInner = nullptr;
  for (const auto& e : exec->history())
    if (e.type == "PassStateExited" && detailString(e, "name") == "UseInner") useInner = &e;
  ASSERT_TRUE(useInner) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(*parseJson(detailString(*useInner, "output")),
                         json(R"({"outer": 1, "inner": 2})")));
  // ...outside, $inner does not exist.
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed) << toJsonText(exec->output());
  EXPECT_EQ(exec->error(), "States.Runtime");
  EXPECT_NE(exec->cause().find("inner"), std::string::npos) << exec->cause();
}

TEST(Parallel, EventIdsOfBranchesChainFromTheParallelState) {
  TestEngine t;
  auto exec = t.run(R"({"StartAt": "P", "States": {
    "P": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}})");
  ASSERT_TRUE(exec);
  const HistoryEvent* started = firstEvent(*exec, "ParallelStateStarted");
  ASSERT_TRUE(started);
  for (const auto& e : exec->history()) {
    if (e.type == "PassStateEntered") {
      EXPECT_EQ(e.previousEventId, started->id);
    }
  }
}

// ---------------------------------------------------------------------------

std::string mapOverFunction(std::string_view mapFields, std::string_view function = "f") {
  return std::string(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, )") +
         std::string(mapFields) + (mapFields.empty() ? "" : ", ") +
         R"("ItemProcessor": {"StartAt": "T", "States": {
           "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:)" +
         std::string(function) + R"(", "End": true}}}}}})";
}

TEST(Map, MaxConcurrencyLimitsConcurrentIterations) {
  TestEngine t;
  t.functions().on("f", [](const Json& p, size_t) { return Reply::ok(p, 5); });
  auto exec = t.run(mapOverFunction(R"("MaxConcurrency": 2)"), json("[1, 2, 3, 4, 5, 6]"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_EQ(t.functions().maxInFlight(), 2u);
  EXPECT_EQ(t.functions().calls().size(), 6u);
  // Three waves of 5 s.
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 15);
  EXPECT_TRUE(jsonEquals(exec->output(), json("[1, 2, 3, 4, 5, 6]")));
}

TEST(Map, UnlimitedConcurrencyRunsEveryItemAtOnce) {
  TestEngine t;
  t.functions().on("f", [](const Json& p, size_t) { return Reply::ok(p, 5); });
  auto exec = t.run(mapOverFunction(R"("MaxConcurrency": 0)"), json("[1, 2, 3, 4, 5, 6]"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(t.functions().maxInFlight(), 6u);
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 5);
}

TEST(Map, MaxConcurrencyOneIsSequential) {
  TestEngine t;
  t.functions().on("f", [](const Json& p, size_t) { return Reply::ok(p, 2); });
  auto exec = t.run(mapOverFunction(R"("MaxConcurrency": 1)"), json(R"(["a", "b", "c"])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(t.functions().maxInFlight(), 1u);
  ASSERT_EQ(t.functions().calls().size(), 3u);
  EXPECT_EQ(secondsBetween(t.functions().calls()[0].at, t.functions().calls()[2].at), 4);
  EXPECT_TRUE(jsonEquals(t.functions().calls()[1].payload, Json("b")));
}

TEST(Map, ResultsAreInItemOrderWhateverTheCompletionOrder) {
  TestEngine t;
  // Item i takes 10 - i seconds: the last item finishes first.
  t.functions().on("f", [](const Json& p, size_t) {
    return Reply::ok(p, 10.0 - static_cast<double>(p.as_int64()));
  });
  auto exec =
      t.run(mapOverFunction(R"("ItemsPath": "$.items")"), json(R"({"items": [0, 1, 2, 3, 4, 5]})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output(), json("[0, 1, 2, 3, 4, 5]")));
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 10);
}

TEST(Map, ItemSelectorSeesMapItemIndexAndValue) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(mapOverFunction(R"("ItemsPath": "$.items",
      "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value",
                       "shared.$": "$.shared"})"),
                    json(R"({"items": ["a", {"b": 1}], "shared": "s"})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"([{"index": 0, "value": "a", "shared": "s"},
                                  {"index": 1, "value": {"b": 1}, "shared": "s"}])")));
}

TEST(Map, ItemBatcherGroupsItems) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(mapOverFunction(R"("ItemBatcher": {"MaxItemsPerBatch": 2,
                                                        "BatchInput": {"run": "r1"}})"),
                    json("[1, 2, 3, 4, 5]"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  ASSERT_EQ(t.functions().calls().size(), 3u);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"([
    {"Items": [1, 2], "BatchInput": {"run": "r1"}},
    {"Items": [3, 4], "BatchInput": {"run": "r1"}},
    {"Items": [5], "BatchInput": {"run": "r1"}}])")));
  const HistoryEvent* started = firstEvent(*exec, "MapStateStarted");
  ASSERT_TRUE(started);
  EXPECT_TRUE(jsonEquals(detail(*started, "length"), Json(3)));
}

// Items with "fail": true make the function raise ItemError.
void failingItems(TestEngine& t) {
  t.functions().on("f", [](const Json& p, size_t) {
    if (p.is_object() && p.as_object().contains("fail")) return Reply::fail("ItemError", "bad");
    return Reply::ok(p);
  });
}

TEST(Map, ToleratedFailureCountAllowsThatManyFailures) {
  TestEngine t;
  failingItems(t);
  auto exec = t.run(mapOverFunction(R"("ToleratedFailureCount": 1)"),
                    json(R"([{"n": 0}, {"fail": true}, {"n": 2}, {"n": 3}])"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  const auto& out = exec->output().as_array();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(jsonEquals(out[0], json(R"({"n": 0})")));
  EXPECT_TRUE(jsonEquals(out[1].at("Error"), Json("ItemError")));
  EXPECT_TRUE(jsonEquals(out[3], json(R"({"n": 3})")));
  EXPECT_EQ(eventsOfType(*exec, "MapIterationFailed").size(), 1u);
}

TEST(Map, ExceedingToleratedFailureCountFailsTheMap) {
  TestEngine t;
  failingItems(t);
  auto exec = t.run(mapOverFunction(R"("ToleratedFailureCount": 1, "MaxConcurrency": 1)"),
                    json(R"([{"fail": true}, {"fail": true}, {"n": 2}, {"n": 3}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "States.ExceedToleratedFailureThreshold");
  EXPECT_NE(firstEvent(*exec, "MapStateFailed"), nullptr);
  // Sequential: the map failed on the second item, the rest never ran.
  EXPECT_EQ(t.functions().calls().size(), 2u);
}

TEST(Map, ToleratedFailurePercentage) {
  {
    TestEngine t;
    failingItems(t);
    auto exec = t.run(mapOverFunction(R"("ToleratedFailurePercentage": 50)"),
                      json(R"([{"fail": true}, {"n": 1}, {"fail": true}, {"n": 3}])"));
    ASSERT_TRUE(exec);
    EXPECT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  }
  {
    TestEngine t;
    failingItems(t);
    auto exec = t.run(mapOverFunction(R"("ToleratedFailurePercentage": 50)"),
                      json(R"([{"fail": true}, {"fail": true}, {"fail": true}, {"n": 3}])"));
    ASSERT_TRUE(exec);
    EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
    EXPECT_EQ(exec->error(), "States.ExceedToleratedFailureThreshold");
  }
}

TEST(Map, WithoutToleranceTheIterationErrorPropagatesAndAbortsTheRest) {
  TestEngine t;
  t.functions().on("f", [](const Json& p, size_t) {
    if (p.is_object() && p.as_object().contains("fail")) return Reply::fail("ItemError", "bad", 1);
    return Reply::ok(p, 100);
  });
  auto exec = t.run(mapOverFunction(""), json(R"([{"n": 0}, {"fail": true}, {"n": 2}])"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "ItemError");
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 1);
  EXPECT_EQ(eventsOfType(*exec, "MapIterationAborted").size(), 2u) << historyText(*exec);
  EXPECT_EQ(t.functions().cancelled(), 2u);
}

TEST(Map, EmptyArrayProducesAnEmptyArray) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(mapOverFunction(R"("ItemsPath": "$.items", "ResultPath": "$.out")"),
                    json(R"({"items": []})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"items": [], "out": []})")));
  EXPECT_TRUE(t.functions().calls().empty());
  const HistoryEvent* started = firstEvent(*exec, "MapStateStarted");
  ASSERT_TRUE(started);
  EXPECT_TRUE(jsonEquals(detail(*started, "length"), Json(0)));
  EXPECT_NE(firstEvent(*exec, "MapStateSucceeded"), nullptr);
}

TEST(Map, NonArrayItemsAreARuntimeError) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(mapOverFunction(R"("ItemsPath": "$.items")"), json(R"({"items": 5})"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "States.Runtime");
}

TEST(Map, IterationEventsAreIndexed) {
  TestEngine t;
  t.functions().echo("f");
  auto exec = t.run(mapOverFunction(R"("MaxConcurrency": 1)"), json(R"(["a", "b"])"));
  ASSERT_TRUE(exec);
  auto started = eventsOfType(*exec, "MapIterationStarted");
  auto succeeded = eventsOfType(*exec, "MapIterationSucceeded");
  ASSERT_EQ(started.size(), 2u);
  ASSERT_EQ(succeeded.size(), 2u);
  for (int64_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(jsonEquals(detail(started[static_cast<size_t>(i)], "index"), Json(i)));
    EXPECT_TRUE(jsonEquals(detail(succeeded[static_cast<size_t>(i)], "index"), Json(i)));
  }
}

}  // namespace
}  // namespace sluice::engine::testing

namespace sluice::engine::testing {
namespace {

TEST(Map, RetryingTheMapRerunsEveryIteration) {
  TestEngine t;
  // The first run of item 1 fails; everything else succeeds.
  int failuresLeft = 1;
  t.functions().on("f", [&](const Json& p, size_t) {
    if (p == Json(1) && failuresLeft-- > 0) return Reply::fail("Flaky");
    return Reply::ok(p);
  });
  auto exec = t.run(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
      "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2}],
      "ItemProcessor": {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
              "End": true}}}}}})",
                    json("[0, 1, 2]"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << historyText(*exec);
  EXPECT_TRUE(jsonEquals(exec->output(), json("[0, 1, 2]")));
  EXPECT_EQ(eventsOfType(*exec, "MapStateStarted").size(), 2u);
  EXPECT_EQ(gapsBetween(*exec, "MapStateStarted"), (std::vector<double>{2}));
  // First run: item 0 succeeds, item 1 fails (item 2 never starts); second run: all three.
  EXPECT_EQ(eventsOfType(*exec, "MapIterationSucceeded").size(), 4u);
  EXPECT_EQ(eventsOfType(*exec, "MapIterationFailed").size(), 1u);
  EXPECT_EQ(t.functions().calls().size(), 5u);
}

TEST(Map, ManySynchronousIterationsWithLimitedConcurrency) {
  TestEngine t;
  JsonArray items;
  for (int i = 0; i < 5000; ++i) items.push_back(i);
  auto exec = t.run(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
      "MaxConcurrency": 3, "ItemSelector": {"i.$": "$$.Map.Item.Index"},
      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.i",
                                                          "End": true}}}}}})",
                    items);
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output(), Json(items)));
  EXPECT_EQ(eventsOfType(*exec, "MapIterationStarted").size(), 5000u);
}

TEST(Map, StopAbortsRunningIterations) {
  TestEngine t;
  t.functions().always("f", Reply::never());
  auto exec = t.start(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
      "MaxConcurrency": 2,
      "ItemProcessor": {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
              "End": true}}}}}})",
                      json("[1, 2, 3, 4]"));
  ASSERT_TRUE(exec);
  auto& loop = t.engine().loop();
  loop.schedule(loop.now() + std::chrono::seconds(9), [exec] { exec->stop("Stop", "test"); });
  t.runToCompletion(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Aborted);
  EXPECT_EQ(t.functions().calls().size(), 2u);
  EXPECT_EQ(t.functions().cancelled(), 2u);
  EXPECT_EQ(eventsOfType(*exec, "MapIterationAborted").size(), 2u) << historyText(*exec);
  EXPECT_EQ(eventsOfType(*exec, "TaskStateAborted").size(), 2u);
  EXPECT_EQ(eventsOfType(*exec, "MapStateAborted").size(), 1u);
  EXPECT_EQ(exec->history().back().type, "ExecutionAborted");
  EXPECT_DOUBLE_EQ(executionSeconds(*exec), 9);
}

}  // namespace
}  // namespace sluice::engine::testing
