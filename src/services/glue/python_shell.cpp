#include "services/glue/python_shell.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "lake/object_snapshot.hpp"
#include "services/common/call_and_wait.hpp"
#include "services/lambda/sandbox_process.hpp"

namespace sluice::services::glue {

namespace fs = std::filesystem;

namespace {

// Glue's getResolvedOptions, for scripts that import it: `--name value`
// pairs of argv for the names asked (a missing one is an error, as Glue's).
constexpr const char* kAwsGlueUtils = R"(import sys


def getResolvedOptions(args, options):
    resolved = {}
    for name in list(options) + ["JOB_NAME", "JOB_ID", "JOB_RUN_ID"]:
        flag = "--" + name
        if flag in args[1:]:
            at = args.index(flag)
            if at + 1 < len(args):
                resolved[name] = args[at + 1]
        elif name in options:
            raise SystemExit("error: the following arguments are required: " + flag)
    return resolved
)";

bool writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

JobRunOutcome runPythonShell(const OperationRegistry& registry, lake::LakeEngine& lake,
                             const ScriptRuntime& runtime, const PythonShellPlan& plan,
                             lake::LakeCancel& cancel) {
  JobRunOutcome out;
  auto fail = [&out](std::string why) {
    out.state = "FAILED";
    out.error = std::move(why);
    return out;
  };
  auto loc = lake::parseS3Uri(plan.scriptLocation);
  if (!loc || loc->prefix.empty()) {
    return fail("ScriptLocation " + plan.scriptLocation + " is not an s3:// object");
  }
  auto got = callAndWait(registry, plan.scope, "s3", "GetObject",
                         JsonObject{{"Bucket", loc->bucket}, {"Key", loc->prefix}});
  if (!got) {
    return fail("Cannot read the script " + plan.scriptLocation + ": " + got.error().message);
  }
  auto scratch = lake.scratch();
  if (!scratch) return fail(scratch.error().message);
  fs::path dir = scratch->path();
  std::error_code ec;
  fs::create_directories(dir / "awsglue", ec);
  fs::path script = dir / "script.py";
  if (!writeFile(script, jsonString(jsonAt(*got, {"Body"}))) ||
      !writeFile(dir / "awsglue" / "__init__.py", "") ||
      !writeFile(dir / "awsglue" / "utils.py", kAwsGlueUtils)) {
    return fail("Cannot stage the script in " + dir.string());
  }
  lambda::ProcessSpec spec;
  spec.cwd = dir;
  spec.argv = {"python3",          script.string(),    "--JOB_NAME",   plan.jobName,
               "--JOB_ID",         plan.jobName,       "--JOB_RUN_ID", plan.runId,
               "--scriptLocation", plan.scriptLocation};
  for (const auto& kv : plan.arguments) {
    spec.argv.emplace_back(kv.key());
    spec.argv.push_back(jsonString(&kv.value()));
  }
  const char* path = std::getenv("PATH");
  const char* home = std::getenv("HOME");
  spec.env = {"PATH=" + std::string(path ? path : "/usr/bin:/bin"),
              "HOME=" + std::string(home ? home : dir.string()),
              "PYTHONPATH=" + dir.string(),
              "PYTHONUNBUFFERED=1",
              "AWS_ENDPOINT_URL=" + runtime.endpointUrl,
              "AWS_ACCESS_KEY_ID=" + runtime.accessKeyId,
              "AWS_SECRET_ACCESS_KEY=" + runtime.secretAccessKey,
              "AWS_REGION=" + plan.scope.region,
              "AWS_DEFAULT_REGION=" + plan.scope.region};
  std::mutex mu;
  std::condition_variable cv;
  std::string output;
  bool exited = false;
  int status = 0;
  auto proc = lambda::SandboxProcess::spawn(
      spec,
      [&](std::string_view chunk) {
        std::lock_guard lock(mu);
        output.append(chunk);
      },
      [&](int code) {
        std::lock_guard lock(mu);
        status = code;
        exited = true;
        cv.notify_all();
      });
  if (!proc) return fail("Cannot start python3: " + proc.error().message);
  {
    std::unique_lock lock(mu);
    while (!exited) {
      cv.wait_for(lock, std::chrono::milliseconds(50));
      if (cancel.cancelled()) (*proc)->kill();
    }
  }
  proc->reset();  // reaped: its reader is done
  size_t start = 0;
  std::string last;
  while (start < output.size()) {
    size_t nl = output.find('\n', start);
    if (nl == std::string::npos) nl = output.size();
    std::string line = output.substr(start, nl - start);
    if (!line.empty()) {
      out.log.push_back(line);
      last = line;
    }
    start = nl + 1;
  }
  if (cancel.cancelled()) {
    out.state = "STOPPED";
  } else if (status != 0) {
    out.state = "FAILED";
    out.error = "The script exited with code " + std::to_string(status) +
                (last.empty() ? std::string() : ": " + last);
  }
  return out;
}

}  // namespace sluice::services::glue
