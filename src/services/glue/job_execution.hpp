// One run of a visual job, on a worker thread: the DAG compiled node by node
// into DuckDB views in a private catalog (sources over a snapshot of their
// S3 objects or catalog tables; transforms as SQL over their inputs; the
// Spark SQL of a SparkSQL node translated as Athena's is), every target's
// rows written to a scratch directory first, then uploaded together and
// catalogued — so a run that fails leaves nothing written.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lake/dqdl.hpp"
#include "lake/lake_engine.hpp"
#include "services/glue/job_dag.hpp"
#include "services/operation.hpp"

namespace sluice::services::glue {

struct JobRunPlan {
  Scope scope;
  std::string jobName, runId;
  JobDag dag;
  int64_t startMs = 0;
  // Job bookmarks (--job-bookmark-option job-bookmark-enable / -pause): an
  // S3 source reads only the objects new since `bookmark` (per source node:
  // {"max": last modified ms, "seen": [keys modified at max]}).
  bool bookmarks = false;
  Json bookmark = JsonObject{};
};

// An EvaluateDataQuality node's outcome to publish as a Data Quality result
// (PublishingOptions.ResultsPublishingEnabled, on unless turned off).
struct JobDqEvaluation {
  std::string context;  // PublishingOptions.EvaluationContext, else the node's id
  std::vector<lake::DqRuleResult> rules, analyzers;
  std::optional<lake::DqRowCounts> rows;
};

struct JobRunOutcome {
  std::string state = "SUCCEEDED";  // SUCCEEDED, FAILED or STOPPED
  std::string error;                // ErrorMessage when FAILED
  uint64_t rowsWritten = 0;
  std::vector<std::string> log;              // what the run did, for /aws-glue/jobs/output
  Json bookmark = JsonObject{};              // the sources' state after this run (bookmarks)
  bool nothingNew = false;                   // bookmarks: every source had read all it has
  std::vector<JobDqEvaluation> dataQuality;  // evaluations to publish, in node order
};

JobRunOutcome executeJobRun(const OperationRegistry& registry, lake::LakeEngine& lake,
                            const JobRunPlan& plan, lake::LakeCancel& cancel);

// Glue's (Spark's) type name as DuckDB's: long -> BIGINT, string -> VARCHAR, ...
std::string duckTypeOfSpark(std::string_view sparkType);

}  // namespace sluice::services::glue
