// Python shell jobs (Command.Name pythonshell): the script from Sluice's S3
// run as a local `python3` process, as Glue runs it — `script.py --JOB_NAME
// <job> --JOB_ID <id> --JOB_RUN_ID <run> --<arg> <value> ...` — with boto3
// pointed at this server (AWS_ENDPOINT_URL), and a small `awsglue.utils`
// (getResolvedOptions) on its path, since Glue's own library needs Spark.
// Its output is the run's log; exit code 0 succeeds.
#pragma once

#include <string>

#include "lake/lake_engine.hpp"
#include "services/glue/job_execution.hpp"
#include "services/operation.hpp"

namespace sluice::services::glue {

// Where scripts reach this server, and the keys they sign with.
struct ScriptRuntime {
  std::string endpointUrl;
  std::string accessKeyId = "test";
  std::string secretAccessKey = "test";
};

struct PythonShellPlan {
  Scope scope;
  std::string jobName, runId, scriptLocation;
  JsonObject arguments;  // "--name" -> value, merged as the run's
};

// Runs on a worker thread until the script exits or `cancel` is cancelled.
JobRunOutcome runPythonShell(const OperationRegistry& registry, lake::LakeEngine& lake,
                             const ScriptRuntime& runtime, const PythonShellPlan& plan,
                             lake::LakeCancel& cancel);

}  // namespace sluice::services::glue
