// Local executables as Lambda stand-ins: process plumbing, error mapping and
// killing a process whose task timed out.
#include "engine/local_functions.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/encoding.hpp"
#include "engine_test_support.hpp"

namespace sluice::engine::testing {
namespace {

namespace fs = std::filesystem;

// A temporary directory of executable scripts, removed afterwards.
class ScriptDir {
 public:
  ScriptDir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-fn-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  ~ScriptDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string add(const std::string& name, const std::string& body) {
    fs::path p = dir_ / name;
    std::ofstream(p) << body;
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
  }
  fs::path path(const std::string& name) const { return dir_ / name; }

 private:
  fs::path dir_;
};

// Runs `definition` on a LocalEngine with `functions` bound.
std::shared_ptr<Execution> runWith(LocalEngine& engine, std::shared_ptr<LocalFunctions> functions,
                                   std::string_view definition, Json input = JsonObject{}) {
  registerLambdaIntegrations(engine.integrations(), std::move(functions), engine.ids());
  auto machine = TestEngine::compile(definition);
  if (!machine) return nullptr;
  return engine.run(machine, std::move(input));
}

std::string plainTask(const std::string& fn) {
  return R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ")" + fnArn(fn) +
         R"(", "End": true}}})";
}

TEST(RunProcess, CatRoundTripsTwoMebibytesWithoutDeadlock) {
  std::string input;
  input.reserve(2 * 1024 * 1024);
  for (size_t i = 0; input.size() < 2 * 1024 * 1024; ++i) input += static_cast<char>('a' + i % 26);
  int seenPid = 0;
  ProcessResult r = runProcess("/bin/cat", input, [&](int pid) { seenPid = pid; });
  EXPECT_EQ(r.exitStatus, 0);
  EXPECT_GT(seenPid, 0);
  EXPECT_EQ(r.out.size(), input.size());
  EXPECT_TRUE(r.out == input);
}

TEST(RunProcess, LargeStderrAndStdoutAreBothDrained) {
  ScriptDir dir;
  std::string exe = dir.add("noisy",
                            "#!/bin/sh\nhead -c 1000000 /dev/zero >&2\n"
                            "head -c 1000000 /dev/zero\n");
  ProcessResult r = runProcess(exe, "", [](int) {});
  EXPECT_EQ(r.exitStatus, 0);
  EXPECT_EQ(r.out.size(), 1000000u);
  EXPECT_EQ(r.err.size(), 1000000u);
}

// Regression: writing the payload to a function that exited without reading
// it raised SIGPIPE, which killed the whole engine process.
TEST(RunProcess, FunctionThatIgnoresStdinDoesNotKillTheEngine) {
  ScriptDir dir;
  std::string exe = dir.add("deaf", "#!/bin/sh\necho '{}'\nexit 0\n");
  std::string input(4 * 1024 * 1024, 'x');  // far more than a pipe buffer
  ProcessResult r = runProcess(exe, input, [](int) {});
  EXPECT_EQ(r.exitStatus, 0);
  EXPECT_EQ(r.out, "{}\n");
  // And the signal is not left pending or blocked on this thread.
  sigset_t pending, mask;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  EXPECT_FALSE(sigismember(&mask, SIGPIPE));
}

TEST(LocalFunctions, FunctionThatIgnoresALargePayloadStillSucceeds) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("deaf", dir.add("deaf", "#!/bin/sh\necho '{\"ok\": true}'\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  JsonObject input;
  input["blob"] = std::string(200 * 1024, 'y');
  auto exec = runWith(engine, functions, plainTask("deaf"), input);
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"ok": true})")));
}

TEST(RunProcess, ReportsExitStatus) {
  ScriptDir dir;
  std::string exe = dir.add("exit7", "#!/bin/sh\nexit 7\n");
  EXPECT_EQ(runProcess(exe, "ignored", [](int) {}).exitStatus, 7);
}

TEST(RunProcess, MissingExecutableCannotStart) {
  ProcessResult r = runProcess("/nonexistent/sluice-no-such-function", "{}", [](int) {});
  EXPECT_EQ(r.exitStatus, -1);
  EXPECT_FALSE(r.err.empty());
}

TEST(LocalFunctions, StdoutIsTheResultAndStdinIsThePayload) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("echo", dir.add("echo", "#!/bin/sh\nexec cat\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, plainTask("echo"), json(R"({"hello": [1, 2]})"));
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->error() << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"hello": [1, 2]})")));
}

TEST(LocalFunctions, NonZeroExitWithErrorObjectFailsWithItsErrorType) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("bad", dir.add("bad",
                                 "#!/bin/sh\n"
                                 "echo '{\"errorType\": \"MyError\", \"errorMessage\": "
                                 "\"boom\"}'\nexit 1\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, plainTask("bad"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "MyError");
  auto cause = parseJson(exec->cause());
  ASSERT_TRUE(cause) << exec->cause();
  EXPECT_TRUE(jsonEquals(*cause, json(R"({"errorType": "MyError", "errorMessage": "boom"})")));
}

TEST(LocalFunctions, ErrorObjectCanBeCaughtByErrorType) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("bad", dir.add("bad",
                                 "#!/bin/sh\n"
                                 "echo '{\"errorType\": \"MyError\", \"errorMessage\": "
                                 "\"boom\"}'\nexit 1\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "bad"},
          "Catch": [{"ErrorEquals": ["MyError"], "Next": "Caught"}], "End": true},
    "Caught": {"Type": "Pass", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded);
  EXPECT_TRUE(jsonEquals(exec->output().at("Error"), Json("MyError")));
}

TEST(LocalFunctions, NonZeroExitWithoutErrorObjectIsRuntimeExitError) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("crash", dir.add("crash", "#!/bin/sh\necho 'Traceback: oops'\nexit 3\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, plainTask("crash"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_EQ(exec->error(), "Runtime.ExitError");
  auto cause = parseJson(exec->cause());
  ASSERT_TRUE(cause) << exec->cause();
  EXPECT_TRUE(jsonEquals(cause->at("errorType"), Json("Runtime.ExitError")));
  EXPECT_NE(std::string(cause->at("errorMessage").as_string()).find("3"), std::string::npos);
}

TEST(LocalFunctions, MissingExecutableFailsTheTaskCleanly) {
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("ghost", "/nonexistent/sluice-no-such-function");
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, plainTask("ghost"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
  EXPECT_TRUE(exec->error().starts_with("Lambda.")) << exec->error();
  EXPECT_NE(exec->cause().find("/nonexistent/sluice-no-such-function"), std::string::npos)
      << exec->cause();
}

TEST(LocalFunctions, UnboundFunctionIsResourceNotFound) {
  auto functions = std::make_shared<LocalFunctions>();
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, plainTask("unbound"));
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->error(), "Lambda.ResourceNotFoundException");
}

TEST(LocalFunctions, BindingByArnOrNameIsTheSameFunction) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind(fnArn("echo"), dir.add("echo", "#!/bin/sh\nexec cat\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "echo", "Payload": {"x": 1}},
          "OutputPath": "$.Payload", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(), json(R"({"x": 1})")));
}

TEST(LocalFunctions, StderrIsTheLogTail) {
  ScriptDir dir;
  auto functions = std::make_shared<LocalFunctions>();
  functions->bind("logs", dir.add("logs", "#!/bin/sh\necho 'log line' >&2\necho '{}'\n"));
  LocalEngine engine({.virtualClock = true, .seed = 1});
  auto exec = runWith(engine, functions, R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "logs", "LogType": "Tail"},
          "OutputPath": "$.LogResult", "End": true}}})");
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->status(), ExecutionStatus::Succeeded) << exec->cause();
  EXPECT_TRUE(jsonEquals(exec->output(), Json(base64Encode("log line\n"))));
}

bool processExists(int pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

TEST(LocalFunctions, TimedOutFunctionProcessIsKilled) {
  ScriptDir dir;
  std::string pidFile = dir.path("pid").string();
  auto functions = std::make_shared<LocalFunctions>();
  // The script reports its pid through a FIFO: the test's read blocks until
  // the process has started, with no polling.
  ASSERT_EQ(::mkfifo(pidFile.c_str(), 0600), 0);
  functions->bind("sleeper",
                  dir.add("sleeper", "#!/bin/sh\necho $$ > " + pidFile + "\nexec sleep 300\n"));
  int pid = 0;
  std::shared_ptr<Execution> exec;
  {
    // A hand-driven virtual clock: the loop never advances it on its own
    // while the process runs, so the test moves it past the timeout.
    ManualClock clock(SystemClock().now());
    EventLoop loop(clock);
    IdGenerator ids(1);
    IntegrationRegistry registry;
    registerLambdaIntegrations(registry, functions, ids);
    auto machine = TestEngine::compile(R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:sleeper",
            "TimeoutSeconds": 10, "End": true}}})");
    ASSERT_TRUE(machine);
    exec = Execution::create({loop, registry, ids}, machine, JsonObject{}, {});
    exec->start();
    std::ifstream(pidFile) >> pid;  // blocks until the function process writes it
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(processExists(pid));
    clock.advance(std::chrono::seconds(11));
    loop.post([] {});
    EXPECT_TRUE(loop.runUntil([&] { return exec->done(); }));
    EXPECT_EQ(exec->status(), ExecutionStatus::Failed);
    EXPECT_EQ(exec->error(), "States.Timeout");
    EXPECT_NE(firstEvent(*exec, "LambdaFunctionTimedOut"), nullptr);
    // Leaving the scope joins the worker that reaps the process.
  }
  EXPECT_FALSE(processExists(pid)) << "function process " << pid << " survived its timeout";
  if (processExists(pid)) ::kill(pid, SIGKILL);
}

}  // namespace
}  // namespace sluice::engine::testing
