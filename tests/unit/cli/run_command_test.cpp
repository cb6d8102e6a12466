// `sluice run` and `sluice validate`, exercised through the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "cli_test_support.hpp"
#include "core/json.hpp"

namespace sluice::cli::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSluice = SLUICE_BINARY;
// The medallion state machine with every function bound to a stand-in
// executable: what `sluice run --function` is for.
const fs::path kMedallion =
    fs::path(SLUICE_SOURCE_DIR) / "tests" / "data" / "cli" / "stand-in-medallion";

Json parseOutput(const CommandResult& r) {
  auto v = parseJson(r.out);
  EXPECT_TRUE(v && v->is_object()) << "stdout is not a JSON object:\n"
                                   << r.out << "\nstderr:\n"
                                   << r.err;
  return v && v->is_object() ? *v : Json(JsonObject{});
}

std::string str(const Json& v, std::string_view key) {
  if (!v.is_object()) return {};
  const Json* x = v.as_object().if_contains(key);
  return x && x->is_string() ? std::string(x->get_string()) : std::string();
}

std::vector<std::string> medallionArgs(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {kSluice, "run", (kMedallion / "state_machine.json").string(),
                                   "--input", "@" + (kMedallion / "input.json").string()};
  for (const auto& entry : fs::directory_iterator(kMedallion / "functions")) {
    args.push_back("--function");
    args.push_back(entry.path().filename().string() + "=" + entry.path().string());
  }
  for (auto& e : extra) args.push_back(std::move(e));
  return args;
}

TEST(CliRun, MedallionPipelineSucceedsWithTheSummary) {
  auto r = runCommand(medallionArgs(), {"DQ_SCORE=0.97"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  ASSERT_EQ(str(out, "status"), "SUCCEEDED") << r.out;
  EXPECT_TRUE(str(out, "executionArn")
                  .starts_with("arn:aws:states:us-east-1:000000000000:execution:state_machine:"))
      << r.out;
  EXPECT_TRUE(jsonEquals(out.at("output"), *parseJson(R"({
    "runDate": "2026-11-24",
    "rawObjects": 3,
    "bronzeObjects": ["s3://lakehouse-bronze/posts/page-1.parquet",
                      "s3://lakehouse-bronze/posts/page-2.parquet",
                      "s3://lakehouse-bronze/posts/page-3.parquet"],
    "qualityScore": 0.97,
    "goldTables": ["gold_posts", "gold_users"]})")))
      << toJsonText(out.at("output"));
  EXPECT_FALSE(out.as_object().contains("error"));
  EXPECT_FALSE(out.as_object().contains("events"));
}

TEST(CliRun, MedallionPipelineFailsTheQualityGate) {
  auto r = runCommand(medallionArgs({"--history"}), {"DQ_SCORE=0.5"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "FAILED") << r.out;
  EXPECT_EQ(str(out, "error"), "DataQualityFailed");
  EXPECT_EQ(str(out, "cause"), "Quality score 0.5 is below 0.9");
  EXPECT_FALSE(out.as_object().contains("output"));
  // The failure was published before the pipeline failed.
  std::vector<std::string> tail;
  for (const auto& ev : out.at("events").as_array()) {
    std::string type(ev.at("type").as_string());
    if (type == "LambdaFunctionScheduled") {
      type += " " + str(ev.at("lambdaFunctionScheduledEventDetails"), "resource");
    } else if (type.ends_with("StateEntered")) {
      type += " " + str(ev.at("stateEnteredEventDetails"), "name");
    }
    tail.push_back(type);
  }
  ASSERT_GE(tail.size(), 6u);
  tail.erase(tail.begin(), tail.end() - 6);
  EXPECT_EQ(tail, (std::vector<std::string>{
                      "LambdaFunctionScheduled "
                      "arn:aws:lambda:us-east-1:000000000000:function:publish-failure",
                      "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
                      "FailStateEntered PipelineFailed", "ExecutionFailed"}))
      << r.out;
}

TEST(CliRun, HistoryPrintsEventsShapedLikeGetExecutionHistory) {
  auto r = runCommand(medallionArgs({"--history"}));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  ASSERT_EQ(str(out, "status"), "SUCCEEDED") << r.out;
  ASSERT_TRUE(out.as_object().contains("events"));
  const auto& events = out.at("events").as_array();
  ASSERT_GT(events.size(), 10u);
  std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  int64_t expectedId = 1;
  size_t withDetails = 0;
  for (const auto& ev : events) {
    const auto& e = ev.as_object();
    ASSERT_TRUE(e.contains("type") && e.at("type").is_string());
    ASSERT_TRUE(e.contains("id") && e.contains("previousEventId") && e.contains("timestamp"));
    EXPECT_TRUE(jsonEquals(e.at("id"), Json(expectedId++)));
    EXPECT_LT(e.at("previousEventId").to_number<int64_t>(), e.at("id").to_number<int64_t>());
    EXPECT_TRUE(std::regex_match(std::string(e.at("timestamp").as_string()), iso))
        << e.at("timestamp");
    for (const auto& kv : e) {
      if (kv.key().ends_with("EventDetails")) {
        ++withDetails;
        EXPECT_TRUE(kv.value().is_object());
      }
    }
  }
  EXPECT_EQ(events.front().at("type"), "ExecutionStarted");
  EXPECT_TRUE(events.front().as_object().contains("executionStartedEventDetails"));
  EXPECT_EQ(events.back().at("type"), "ExecutionSucceeded");
  EXPECT_GT(withDetails, events.size() / 2);
  // The optimised lambda:invoke task and the plain function ARN tasks.
  bool taskScheduled = false, lambdaScheduled = false;
  for (const auto& ev : events) {
    if (ev.at("type") == "TaskScheduled") {
      taskScheduled = true;
      const auto& d = ev.at("taskScheduledEventDetails").as_object();
      EXPECT_EQ(d.at("resourceType"), "lambda");
      EXPECT_EQ(d.at("resource"), "invoke");
      EXPECT_TRUE(jsonEquals(d.at("timeoutInSeconds"), Json(120)));
    }
    if (ev.at("type") == "LambdaFunctionScheduled") lambdaScheduled = true;
  }
  EXPECT_TRUE(taskScheduled);
  EXPECT_TRUE(lambdaScheduled);
}

TEST(CliRun, BoundExecutableErrorFailsTheExecutionButNotTheCommand) {
  TempDir dir;
  std::string fn = dir.write("myfn",
                             "#!/bin/sh\n"
                             "echo '{\"errorType\":\"MyError\",\"errorMessage\":\"boom\"}'\n"
                             "exit 1\n",
                             true);
  std::string def = dir.write("sm.json", R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:myfn",
          "End": true}}})");
  auto r = runCommand({kSluice, "run", def, "--function", "myfn=" + fn});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "FAILED");
  EXPECT_EQ(str(out, "error"), "MyError");
  auto cause = parseJson(str(out, "cause"));
  ASSERT_TRUE(cause) << r.out;
  EXPECT_EQ(cause->at("errorMessage"), "boom");
}

// --lambda: a real Python function from a folder, created through the Lambda
// service and invoked as a plain ARN, through lambda:invoke and beside a
// --function executable; its log goes to stderr.
TEST(CliRun, LambdaFunctionsFromAFolderRunAsRealFunctions) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("fn"));
  dir.write("fn/app.py",
            "def handler(event, context):\n"
            "    print('doubling', event['n'])\n"
            "    return {'n': event['n'] * 2, 'fn': context.function_name}\n");
  std::string shell = dir.write("add1", "#!/bin/sh\necho '{\"n\": 100}'\n", true);
  std::string def = dir.write("sm.json", R"({"StartAt": "Double", "States": {
    "Double": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:dbl",
               "Next": "Again"},
    "Again": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "dbl", "Payload.$": "$"},
              "OutputPath": "$.Payload", "Next": "Shell"},
    "Shell": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:add1",
              "ResultPath": "$.shell", "End": true}}})");
  auto r =
      runCommand({kSluice, "run", def, "--input", R"({"n": 5})", "--lambda",
                  "name=dbl,code=" + dir.path("fn") + ",runtime=python3.12,handler=app.handler",
                  "--function", "add1=" + shell});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "SUCCEEDED") << r.out;
  EXPECT_EQ(out.at("output").at("n"), 20);
  EXPECT_EQ(out.at("output").at("fn"), "dbl");
  EXPECT_EQ(out.at("output").at("shell").at("n"), 100);
  EXPECT_NE(r.err.find("[dbl] doubling 5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[dbl] REPORT RequestId:"), std::string::npos) << r.err;

  auto bad = runCommand({kSluice, "run", def, "--lambda", "name=dbl,code=/no/such,runtime=x"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("--lambda"), std::string::npos) << bad.err;
}

TEST(CliRun, InlineInputAndExecutionNameAndExpressType) {
  TempDir dir;
  std::string def = dir.write("echo.json", R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Parameters": {"got.$": "$.v", "name.$": "$$.Execution.Name"},
          "End": true}}})");
  auto r = runCommand(
      {kSluice, "run", def, "--input", R"({"v": [1, 2]})", "--name", "run-1", "--type", "EXPRESS"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "SUCCEEDED");
  EXPECT_TRUE(jsonEquals(out.at("output"), *parseJson(R"({"got": [1, 2], "name": "run-1"})")));
  EXPECT_NE(str(out, "executionArn").find(":express:echo:run-1:"), std::string::npos)
      << str(out, "executionArn");
}

TEST(CliRun, VirtualClockCompletesLongWaitsImmediately) {
  TempDir dir;
  std::string def = dir.write("wait.json", R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 86400, "End": true}}})");
  auto started = std::chrono::steady_clock::now();
  auto r = runCommand({kSluice, "run", def, "--clock", "virtual", "--history"});
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "SUCCEEDED");
  EXPECT_LT(took, std::chrono::seconds(30));
  // The history still shows the day-long wait.
  const auto& events = out.at("events").as_array();
  std::string first = std::string(events.front().at("timestamp").as_string());
  std::string last = std::string(events.back().at("timestamp").as_string());
  EXPECT_NE(first.substr(0, 10), last.substr(0, 10)) << first << " " << last;
}

TEST(CliRun, BadDefinitionIsRejectedWithInvalidDefinition) {
  TempDir dir;
  std::string def = dir.write("bad.json", R"({"StartAt": "Missing", "States": {
    "A": {"Type": "Pass", "End": true}}})");
  auto r = runCommand({kSluice, "run", def});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("InvalidDefinition"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MISSING_TRANSITION_TARGET"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliRun, DefinitionThatIsNotJsonIsRejected) {
  TempDir dir;
  std::string def = dir.write("bad.json", "{\"StartAt\": ");
  auto r = runCommand({kSluice, "run", def});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("InvalidDefinition"), std::string::npos) << r.err;
}

TEST(CliRun, InvalidInputJsonIsRejected) {
  TempDir dir;
  std::string def = dir.write("ok.json", R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "End": true}}})");
  auto r = runCommand({kSluice, "run", def, "--input", "{not json"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("InvalidExecutionInput"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliRun, InputOverStartExecutionsLimitIsRejected) {
  TempDir dir;
  std::string def = dir.write("ok.json", R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "End": true}}})");
  // 256 KiB is the most StartExecution takes; one byte more is refused, for
  // Express as for Standard.
  std::string fits = "{\"x\": \"" + std::string(262144 - 9, 'a') + "\"}";
  ASSERT_EQ(fits.size(), 262144u);
  std::string over = "{\"x\": \"" + std::string(262144 - 8, 'a') + "\"}";
  std::string atLimit = dir.write("fits.json", fits);
  std::string tooBig = dir.write("over.json", over);
  EXPECT_EQ(runCommand({kSluice, "run", def, "--input", "@" + atLimit}).exitCode, 0);
  for (const char* type : {"STANDARD", "EXPRESS"}) {
    auto r = runCommand({kSluice, "run", def, "--type", type, "--input", "@" + tooBig});
    EXPECT_NE(r.exitCode, 0) << type;
    EXPECT_NE(r.err.find("ValidationException"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("less than or equal to 262144"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliRun, AStandardExecutionFailsAtTwentyFiveThousandHistoryEvents) {
  TempDir dir;
  // Four events a round, 100,000 rounds: past AWS's history limit.
  std::string def = dir.write("loop.json", R"json({"StartAt": "Inc", "States": {
    "Inc": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [
      {"Variable": "$.n", "NumericLessThan": 100000, "Next": "Inc"}], "Default": "Done"},
    "Done": {"Type": "Succeed"}}})json");
  auto r = runCommand({kSluice, "run", def, "--input", R"({"n": 0})", "--history"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "FAILED");
  EXPECT_EQ(str(out, "error"), "States.Runtime");
  EXPECT_EQ(str(out, "cause"),
            "The execution reached the maximum number of history events (25000).");
  const JsonArray& events = out.at("events").as_array();
  ASSERT_EQ(events.size(), 25000u);
  // The failure is event 25,000; the loop's last step before it is 24,999.
  EXPECT_EQ(events.back().at("type").as_string(), "ExecutionFailed");
  EXPECT_EQ(events.back().at("id").to_number<int64_t>(), 25000);
  EXPECT_EQ(events.back().at("previousEventId").to_number<int64_t>(), 24999);
  EXPECT_EQ(events[24998].at("type").as_string(), "PassStateExited");
  // Express has no history limit: the same loop runs to its end.
  auto express = runCommand({kSluice, "run", def, "--type", "EXPRESS", "--input", R"({"n": 0})"});
  ASSERT_EQ(express.exitCode, 0) << express.err;
  Json done = parseOutput(express);
  EXPECT_EQ(str(done, "status"), "SUCCEEDED");
  EXPECT_EQ(done.at("output").at("n").to_number<int64_t>(), 100000);
}

TEST(CliRun, WithoutHistoryEventsAreCountedNotKept) {
  TempDir dir;
  // The failing item's cause names the event its state entered at: the
  // same number whether the events are kept (--history) or only counted.
  std::string def = dir.write("map.json", R"json({"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
      "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pick", "States": {
        "Pick": {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "ResultPath": "$.picked",
                 "Next": "Out"},
        "Out": {"Type": "Pass", "OutputPath": "$.nope", "End": true}}}, "End": true}}})json");
  std::string input = R"({"items": [{"v": 1}, {"v": 2}, {"v": 3}]})";
  auto kept = runCommand({kSluice, "run", def, "--input", input, "--history"});
  auto counted = runCommand({kSluice, "run", def, "--input", input});
  ASSERT_EQ(kept.exitCode, 0) << kept.err;
  ASSERT_EQ(counted.exitCode, 0) << counted.err;
  Json a = parseOutput(kept), b = parseOutput(counted);
  EXPECT_EQ(str(b, "status"), "FAILED");
  EXPECT_EQ(str(b, "error"), "States.Runtime");
  EXPECT_NE(str(b, "cause").find("(entered at the event id #"), std::string::npos)
      << str(b, "cause");
  EXPECT_EQ(str(a, "cause"), str(b, "cause"));
  EXPECT_FALSE(b.as_object().contains("events"));
}

TEST(CliRun, MissingFilesAreErrors) {
  TempDir dir;
  auto r = runCommand({kSluice, "run", dir.path("does-not-exist.json")});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("does-not-exist.json"), std::string::npos) << r.err;

  std::string def = dir.write("ok.json", R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "End": true}}})");
  auto r2 = runCommand({kSluice, "run", def, "--input", "@" + dir.path("no-input.json")});
  EXPECT_NE(r2.exitCode, 0);
  EXPECT_NE(r2.err.find("no-input.json"), std::string::npos) << r2.err;
}

TEST(CliRun, MalformedFunctionBindingIsAnError) {
  TempDir dir;
  std::string def = dir.write("ok.json", R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "End": true}}})");
  auto r = runCommand({kSluice, "run", def, "--function", "no-equals-sign"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("--function"), std::string::npos) << r.err;
}

TEST(CliValidate, GoodDefinitionIsOk) {
  auto r = runCommand({kSluice, "validate", (kMedallion / "state_machine.json").string()});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "result"), "OK");
  EXPECT_TRUE(out.at("diagnostics").is_array());
  EXPECT_TRUE(out.at("diagnostics").as_array().empty()) << r.out;
}

TEST(CliValidate, BadDefinitionFailsWithDiagnostics) {
  TempDir dir;
  std::string def = dir.write("bad.json", R"({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "Nowhere"},
    "B": {"Type": "Bogus", "End": true}}})");
  auto r = runCommand({kSluice, "validate", def});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "result"), "FAIL");
  const auto& diags = out.at("diagnostics").as_array();
  ASSERT_FALSE(diags.empty());
  bool missingTarget = false;
  for (const auto& d : diags) {
    EXPECT_EQ(d.at("severity"), "ERROR");
    EXPECT_FALSE(str(d, "code").empty());
    EXPECT_FALSE(str(d, "message").empty());
    if (str(d, "code") == "MISSING_TRANSITION_TARGET") missingTarget = true;
  }
  EXPECT_TRUE(missingTarget) << r.out;
}

TEST(CliValidate, MissingFileIsAnError) {
  auto r = runCommand({kSluice, "validate", "/nonexistent/definition.json"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.exitCode, 1);  // not a validation verdict
  EXPECT_FALSE(r.err.empty());
}

// examples/jsonata-orders: a JSONata state machine end to end.
std::vector<std::string> ordersArgs(const std::string& input) {
  fs::path dir = fs::path(SLUICE_SOURCE_DIR) / "examples" / "jsonata-orders";
  return {kSluice,
          "run",
          (dir / "state_machine.json").string(),
          "--input",
          input,
          "--lambda",
          "name=price-order,code=" + (dir / "functions" / "price_order").string() +
              ",runtime=python3.12,handler=app.handler"};
}

TEST(CliRun, JsonataExampleSucceeds) {
  fs::path input = fs::path(SLUICE_SOURCE_DIR) / "examples" / "jsonata-orders" / "input.json";
  auto r = runCommand(ordersArgs("@" + input.string()));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  ASSERT_EQ(str(out, "status"), "SUCCEEDED") << r.out;
  EXPECT_TRUE(jsonEquals(
      out.at("output"), *parseJson(R"({"big": ["bo", "cy"], "grandTotal": 190, "threshold": 50})")))
      << r.out;
}

TEST(CliRun, JsonataExampleCatchesAFailedFunction) {
  auto r = runCommand(ordersArgs(
      R"({"threshold": 1, "orders": [{"customer": "x", "lines": [{"price": 1, "qty": -1}]}]})"));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Json out = parseOutput(r);
  EXPECT_EQ(str(out, "status"), "FAILED") << r.out;
  EXPECT_EQ(str(out, "error"), "PricingFailed");
  EXPECT_EQ(str(out, "cause"), "pricing failed with InvalidQuantity");
}

TEST(CliValidate, InvalidJsonataExpressionIsReportedWhereItIs) {
  TempDir dir;
  std::string def =
      dir.write("bad_jsonata.json",
                R"({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass",
          "Output": {"v": "{% $states.input.a + %}"}, "End": true}}})");
  auto r = runCommand({kSluice, "validate", def});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  Json out = parseOutput(r);
  const auto& diags = out.at("diagnostics").as_array();
  ASSERT_EQ(diags.size(), 1u) << r.out;
  EXPECT_EQ(str(diags[0], "code"), "INVALID_JSONATA_EXPRESSION");
  EXPECT_EQ(str(diags[0], "location"), "/States/P/Output/v");
  EXPECT_EQ(str(diags[0], "message"), "Unexpected end of expression");
}

TEST(Cli, UnknownSubcommandIsAnError) {
  auto r = runCommand({kSluice, "frobnicate"});
  EXPECT_NE(r.exitCode, 0);
}

}  // namespace
}  // namespace sluice::cli::testing
