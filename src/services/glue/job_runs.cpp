// Job runs: StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun. Runs grow
// with use, so they live in the store only (rows of glue_job_runs, paged
// from there); in memory are the runs in flight (their cancel handles, for
// MaxConcurrentRuns and stopping). A visual job's run executes on the worker
// pool (job_execution.hpp); its end is stored, logged to /aws-glue/jobs and
// told to EventBridge ("Glue Job State Change"). A run a crash cut short is
// FAILED at start-up.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/publish_event.hpp"
#include "services/common/unfinished.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"
#include "services/glue/job_dag.hpp"
#include "services/glue/job_execution.hpp"
#include "services/glue/python_shell.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kRuns = "glue_job_runs";
constexpr const char* kOutputLog = "/aws-glue/jobs/output";
constexpr const char* kErrorLog = "/aws-glue/jobs/error";

}  // namespace

std::string GlueService::runKey(const Scope& scope, const std::string& job) {
  return scopeKey(scope) + "/" + job;
}

void GlueService::putJobRun(DocumentBatch& batch, const Scope& scope, const Json& run) {
  const JsonObject& o = run.as_object();
  batch.sql([scope, job = std::string(o.at("JobName").as_string()),
             id = std::string(o.at("Id").as_string()),
             started = o.at("_StartedMs").to_number<int64_t>(),
             state = std::string(o.at("JobRunState").as_string()),
             text = toJsonText(run)](store::sqlite::Database& db) {
    return store::sqlite::runStatement(
        db,
        "INSERT OR REPLACE INTO glue_job_runs(account, region, job, id, started_ms, state, doc) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        scope.account, scope.region, job, id, started, state, text);
  });
}

Result<std::optional<Json>> GlueService::readJobRun(const Scope& scope, const std::string& job,
                                                    const std::string& id) {
  if (!docs_.store()) return AwsError::internal("Glue job runs need a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT doc FROM glue_job_runs WHERE account = ? AND region = ? AND job = ? AND id = ?");
  if (!st) return st.takeError();
  st->bindAll(scope.account, scope.region, job, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Json>();
  auto doc = parseJson(st->columnText(0));
  if (!doc) return AwsError::internal("corrupt run in glue_job_runs");
  return std::optional<Json>(std::move(*doc));
}

Result<Change> GlueService::startJobRun(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("JobName");
  if (!name) return name.error();
  auto j = job(ctx.scope, *name);
  if (!j) return j.error();
  const JsonObject& def = (*j)->as_object();
  std::string kind = jsonString(jsonAt(**j, {"Command", "Name"}));
  const Json* nodes = def.if_contains("CodeGenConfigurationNodes");
  bool shell = kind == "pythonshell";
  if (!nodes && !shell) {
    // No fake success: script jobs need what Sluice does not have.
    return invalidInput("Job " + *name + " is a " + kind +
                        " script job, which needs Spark: "
                        "Sluice has no Spark. Build it as a visual job (CodeGenConfigurationNodes "
                        "from Glue Studio) or run its SQL with Athena.");
  }
  if (shell && scriptRuntime_.endpointUrl.empty()) {
    return invalidInput("Python shell jobs run under `sluice server` only.");
  }
  auto dag = nodes ? readJobDag(*nodes) : Result<JobDag>(JobDag{});
  if (!dag) return dag.error();
  int max = 1;
  if (const Json* m = jsonAt(**j, {"ExecutionProperty", "MaxConcurrentRuns"})) {
    max = static_cast<int>(toInteger(*m).value_or(1));
  }
  auto& active = activeRuns_[runKey(ctx.scope, *name)];
  if (static_cast<int>(active.size()) >= max) {
    return AwsError{"ConcurrentRunsExceededException",
                    "Concurrent runs exceeded for " + *name + " (MaxConcurrentRuns " +
                        std::to_string(max) + ")",
                    400};
  }
  // Arguments over DefaultArguments; NonOverridableArguments over both.
  JsonObject args;
  if (const Json* d = def.if_contains("DefaultArguments"); d && d->is_object())
    args = d->as_object();
  if (const Json* a = input.get("Arguments"); a && a->is_object()) {
    for (const auto& kv : a->as_object()) args[kv.key()] = kv.value();
  }
  if (const Json* n = def.if_contains("NonOverridableArguments"); n && n->is_object()) {
    for (const auto& kv : n->as_object()) args[kv.key()] = kv.value();
  }
  JsonObject overrides;
  for (const char* member : {"Timeout", "WorkerType", "NumberOfWorkers"}) {
    if (const Json* v = input.get(member); v && !v->is_null()) overrides[member] = *v;
  }
  std::string id = "jr_" + hexId(ids_, 64);
  Change change(JsonObject{{"JobRunId", id}});
  launchJobRun(change.batch, ctx.scope, *name, def, std::move(*dag), shell, std::move(args),
               overrides, 0, "", id);
  return change;
}

void GlueService::launchJobRun(DocumentBatch& batch, const Scope& scope, const std::string& name,
                               const JsonObject& def, JobDag dag, bool shell, JsonObject args,
                               const JsonObject& overrides, int attempt,
                               const std::string& previousRunId, const std::string& id) {
  TimePoint now = clock_.now();
  JsonObject run{{"Id", id},
                 {"Attempt", attempt},
                 {"JobName", name},
                 {"JobMode", def.contains("JobMode") ? def.at("JobMode") : Json("VISUAL")},
                 {"StartedOn", epochSeconds(now)},
                 {"LastModifiedOn", epochSeconds(now)},
                 {"JobRunState", "RUNNING"},
                 {"Arguments", args},
                 {"PredecessorRuns", JsonArray{}},
                 {"AllocatedCapacity",
                  def.contains("AllocatedCapacity") ? def.at("AllocatedCapacity") : Json(10)},
                 {"ExecutionTime", 0},
                 {"Timeout", def.contains("Timeout") ? def.at("Timeout") : Json(2880)},
                 {"MaxCapacity", def.contains("MaxCapacity") ? def.at("MaxCapacity") : Json(10.0)},
                 {"LogGroupName", "/aws-glue/jobs"},
                 {"ExecutionClass", "STANDARD"},
                 {"_StartedMs", epochMs(now)}};
  if (!previousRunId.empty()) run["PreviousRunId"] = previousRunId;
  for (const char* member : {"WorkerType", "NumberOfWorkers", "GlueVersion"}) {
    if (const Json* v = def.if_contains(member)) run[member] = *v;
  }
  for (const auto& kv : overrides) run[kv.key()] = kv.value();
  putJobRun(batch, scope, run);
  auto cancel = std::make_shared<lake::LakeCancel>();
  activeRuns_[runKey(scope, name)][id] = cancel;
  ++inFlight_;
  // A run past its Timeout (minutes) is stopped and ends TIMEOUT.
  int64_t minutes = toInteger(run.at("Timeout")).value_or(2880);
  runTimers_[id] =
      loop_.schedule(now + std::chrono::minutes(minutes), [this, key = runKey(scope, name), id] {
        std::lock_guard lock(mu_);
        auto& runs = activeRuns_[key];
        if (auto it = runs.find(id); it != runs.end()) {
          timedOut_.insert(id);
          it->second->cancel();
        }
      });
  JobRunPlan plan{scope, name, id, std::move(dag), epochMs(now)};
  // --job-bookmark-option: enable (read what is new, then move the
  // bookmark), pause (read what is new, keep it), disable (the default).
  std::string bookmarks = jsonString(jsonAt(Json(args), {"--job-bookmark-option"}));
  if (bookmarks == "job-bookmark-enable" || bookmarks == "job-bookmark-pause") {
    plan.bookmarks = true;
    auto& marks = jobBookmarks_[scopeKey(scope)];
    if (auto it = marks.find(name); it != marks.end()) {
      if (auto state = parseJson(jsonString(jsonAt(it->second, {"JobBookmark"})))) {
        plan.bookmark = std::move(*state);
      }
    }
    run["_Bookmarks"] = bookmarks;
  }
  PythonShellPlan shellPlan{scope, name, id,
                            jsonString(jsonAt(Json(def), {"Command", "ScriptLocation"})), args};
  auto outcome = std::make_shared<JobRunOutcome>();
  loop_.runBlocking(
      [this, plan = std::move(plan), shellPlan = std::move(shellPlan), shell, cancel, outcome] {
        *outcome = shell ? runPythonShell(registry_, lake_, scriptRuntime_, shellPlan, *cancel)
                         : executeJobRun(registry_, lake_, plan, *cancel);
        std::lock_guard lock(mu_);
        --inFlight_;
        crawlsDone_.notify_all();
      },
      [this, scope, run = Json(run), outcome] { finishJobRun(scope, run, *outcome); });
}

void GlueService::finishJobRun(const Scope& scope, Json run, const JobRunOutcome& outcome) {
  std::lock_guard lock(mu_);
  JsonObject& o = run.as_object();
  std::string job(o.at("JobName").as_string());
  std::string id(o.at("Id").as_string());
  activeRuns_[runKey(scope, job)].erase(id);
  TimePoint now = clock_.now();
  int64_t started = o.at("_StartedMs").to_number<int64_t>();
  if (auto timer = runTimers_.find(id); timer != runTimers_.end()) {
    loop_.cancel(timer->second);
    runTimers_.erase(timer);
  }
  bool timedOut = timedOut_.erase(id) > 0;
  o["JobRunState"] = timedOut ? "TIMEOUT" : outcome.state;
  if (timedOut) {
    o["ErrorMessage"] = "Job run timed out after " +
                        std::to_string(toInteger(o.at("Timeout")).value_or(0)) + " minutes";
  }
  o["CompletedOn"] = epochSeconds(now);
  o["LastModifiedOn"] = epochSeconds(now);
  o["ExecutionTime"] = std::max<int64_t>(0, (epochMs(now) - started) / 1000);
  if (!outcome.error.empty() && !timedOut) o["ErrorMessage"] = outcome.error;
  DocumentBatch batch;
  putJobRun(batch, scope, run);
  retryJobRun(batch, scope, run);
  // The EvaluateDataQuality nodes' results, published as Data Quality
  // results of the job run (a stopped run publishes nothing).
  std::vector<Json> dqEvents;
  if (o["JobRunState"] != "STOPPED") {
    for (const auto& e : outcome.dataQuality) {
      JsonObject result{{"JobName", job},
                        {"JobRunId", id},
                        {"EvaluationContext", e.context},
                        {"StartedOn", o.at("StartedOn")}};
      JsonObject context{{"contextType", "GLUE_JOB"},
                         {"jobName", job},
                         {"jobId", id},
                         {"evaluationContext", e.context}};
      recordDqResult(batch, scope, std::move(result), e.rules, e.analyzers, e.rows,
                     std::move(context), JsonArray{}, dqEvents);
    }
  }
  if (o["JobRunState"] == "SUCCEEDED" &&
      jsonString(o.if_contains("_Bookmarks")) == "job-bookmark-enable") {
    // The bookmark moves past what this run read.
    auto& marks = jobBookmarks_[scopeKey(scope)];
    JsonObject entry =
        marks.count(job) ? marks[job].as_object()
                         : JsonObject{{"JobName", job}, {"Version", 0}, {"Run", 0}, {"Attempt", 0}};
    JsonObject state;
    if (auto old = parseJson(jsonString(entry.if_contains("JobBookmark")));
        old && old->is_object()) {
      state = old->as_object();
    }
    for (const auto& kv : outcome.bookmark.as_object()) state[kv.key()] = kv.value();
    if (entry.contains("RunId")) entry["PreviousRunId"] = entry["RunId"];
    entry["RunId"] = id;
    entry["Version"] = toInteger(entry["Version"]).value_or(0) + 1;
    entry["Run"] = toInteger(entry["Run"]).value_or(0) + 1;
    entry["Attempt"] = 0;
    entry["JobBookmark"] = toJsonText(Json(std::move(state)));
    batch.put("glue_job_bookmarks", scope, job, entry);
    marks[job] = std::move(entry);
  }
  finishingRuns_.insert(id);
  loop_.beginJob();  // settling waits until the end is stored and told
  docs_.commit(std::move(batch), [this, scope, run, outcome, id, dqEvents](Result<void>) {
    loop_.post([this, scope, run, outcome, id, dqEvents] {
      publishDqEvents(scope, dqEvents);
      std::vector<std::function<void(Json)>> waiting;
      {
        std::lock_guard lock(mu_);
        finishingRuns_.erase(id);
        if (auto it = runWaiters_.find(id); it != runWaiters_.end()) {
          waiting = std::move(it->second);
          runWaiters_.erase(it);
        }
      }
      jobRunTold(scope, run, outcome);
      for (auto& w : waiting) w(jobView(run));
      loop_.endJob();
    });
  });
}

void GlueService::retryJobRun(DocumentBatch& batch, const Scope& scope, const Json& run) {
  // MaxRetries: a FAILED run (not a stopped or timed-out one) is attempted
  // again as a new run, <first run id>_attempt_<n>, naming the one before.
  const JsonObject& o = run.as_object();
  if (o.at("JobRunState") != "FAILED") return;
  std::string name(o.at("JobName").as_string());
  auto j = job(scope, name);
  if (!j) return;  // deleted since
  const JsonObject& def = (*j)->as_object();
  int64_t attempt = toInteger(o.at("Attempt")).value_or(0);
  const Json* maxRetries = def.if_contains("MaxRetries");
  if (!maxRetries || attempt >= toInteger(*maxRetries).value_or(0)) return;
  bool shell = jsonString(jsonAt(**j, {"Command", "Name"})) == "pythonshell";
  const Json* nodes = def.if_contains("CodeGenConfigurationNodes");
  auto dag = nodes ? readJobDag(*nodes) : Result<JobDag>(JobDag{});
  if (!dag || (!nodes && !shell)) return;  // no longer runnable: the failure stands
  std::string id(o.at("Id").as_string());
  std::string first = id.substr(0, id.find("_attempt_"));
  JsonObject overrides;
  for (const char* member : {"Timeout", "WorkerType", "NumberOfWorkers"}) {
    if (const Json* v = o.if_contains(member)) overrides[member] = *v;
  }
  const Json* args = o.if_contains("Arguments");
  launchJobRun(batch, scope, name, def, std::move(*dag), shell,
               args && args->is_object() ? args->as_object() : JsonObject{}, overrides,
               static_cast<int>(attempt + 1), id,
               first + "_attempt_" + std::to_string(attempt + 1));
}

void GlueService::whenRunFinished(const Scope& scope, const std::string& job, const std::string& id,
                                  std::function<void(Json)> then) {
  {
    std::lock_guard lock(mu_);
    if (activeRuns_[runKey(scope, job)].count(id) || finishingRuns_.count(id)) {
      runWaiters_[id].push_back(std::move(then));
      return;
    }
  }
  auto run = readJobRun(scope, job, id);
  then(run && *run ? jobView(**run) : Json());
}

void GlueService::jobRunTold(const Scope& scope, const Json& run, const JobRunOutcome& outcome) {
  const JsonObject& o = run.as_object();
  std::string job(o.at("JobName").as_string()), id(o.at("Id").as_string());
  std::string state(o.at("JobRunState").as_string());
  CallContext ctx;
  ctx.scope = scope;
  auto ignore = [](Result<Json>) {};
  {
    static const std::map<std::string, std::string> messages = {{"SUCCEEDED", "Job run succeeded"},
                                                                {"FAILED", "Job run failed"},
                                                                {"STOPPED", "Job run stopped"},
                                                                {"TIMEOUT", "Job run timed out"}};
    JsonObject detail{
        {"jobName", job},
        {"severity", state == "SUCCEEDED" || state == "STOPPED" ? "INFO" : "ERROR"},
        {"state", state},
        {"jobRunId", id},
        {"message",
         state == "FAILED" && !outcome.error.empty() ? outcome.error : messages.at(state)}};
    publishEvent(registry_, scope, "aws.glue", "Glue Job State Change", detail);
  }
  if (registry_.has("logs", "PutLogEvents")) {
    // The run's log stream is its id, in the output and error groups.
    int64_t at = epochMs(clock_.now());
    auto put = [&](const char* group, const std::vector<std::string>& lines) {
      if (lines.empty()) return;
      registry_.call("logs", "CreateLogGroup", JsonObject{{"logGroupName", group}}, ctx, ignore);
      registry_.call("logs", "CreateLogStream",
                     JsonObject{{"logGroupName", group}, {"logStreamName", id}}, ctx, ignore);
      JsonArray events;
      for (const auto& l : lines) events.push_back(JsonObject{{"timestamp", at}, {"message", l}});
      registry_.call(
          "logs", "PutLogEvents",
          JsonObject{
              {"logGroupName", group}, {"logStreamName", id}, {"logEvents", std::move(events)}},
          ctx, ignore);
    };
    std::vector<std::string> output = outcome.log;
    output.push_back("Job " + job + " run " + id + ": " + state + ", " +
                     std::to_string(outcome.rowsWritten) + " rows written");
    put(kOutputLog, output);
    if (!outcome.error.empty()) put(kErrorLog, {outcome.error});
  }
}

Result<Change> GlueService::getJobRun(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("JobName");
  if (!name) return name.error();
  auto id = input.requiredString("RunId");
  if (!id) return id.error();
  auto run = readJobRun(ctx.scope, *name, *id);
  if (!run) return run.error();
  if (!*run) return entityNotFound("Job Run " + *id + " not found for job " + *name);
  return Change(JsonObject{{"JobRun", jobView(**run)}});
}

Result<Change> GlueService::getJobRuns(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("JobName");
  if (!name) return name.error();
  if (auto j = job(ctx.scope, *name); !j) return j.error();
  return listNewestFirst(in, ctx.scope, "glue_job_runs", "started_ms", {{"job", *name}}, "JobRuns",
                         [](const Json& run) { return jobView(run); });
}

Result<Change> GlueService::batchStopJobRun(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("JobName");
  if (!name) return name.error();
  if (auto j = job(ctx.scope, *name); !j) return j.error();
  const Json* ids = input.get("JobRunIds");
  if (!ids || !ids->is_array()) return invalidInput("JobRunIds is required.");
  auto& active = activeRuns_[runKey(ctx.scope, *name)];
  JsonArray stopped, errors;
  for (const Json& v : ids->as_array()) {
    std::string id = jsonString(&v);
    if (auto it = active.find(id); it != active.end()) {
      it->second->cancel();
      stopped.push_back(JsonObject{{"JobName", *name}, {"JobRunId", id}});
      continue;
    }
    auto run = readJobRun(ctx.scope, *name, id);
    std::string why = run && *run ? "Job run " + id + " has already finished"
                                  : "Job Run " + id + " not found for job " + *name;
    errors.push_back(JsonObject{
        {"JobName", *name},
        {"JobRunId", id},
        {"ErrorDetail", JsonObject{{"ErrorCode", run && *run ? "InvalidInputException"
                                                             : "EntityNotFoundException"},
                                   {"ErrorMessage", why}}}});
  }
  return Change(
      JsonObject{{"SuccessfulSubmissions", std::move(stopped)}, {"Errors", std::move(errors)}});
}

void GlueService::recoverJobRuns() {
  auto cut = unfinishedDocuments(
      docs_,
      "SELECT account, region, doc FROM glue_job_runs WHERE state IN ('STARTING', 'RUNNING', "
      "'STOPPING')");
  if (cut.empty()) return;
  DocumentBatch batch;
  for (auto& [scope, run] : cut) {
    JsonObject& o = run.as_object();
    o["JobRunState"] = "FAILED";
    o["ErrorMessage"] = "The run was cut short by a restart of the server; start it again.";
    o["CompletedOn"] = epochSeconds(clock_.now());
    putJobRun(batch, scope, run);
  }
  docs_.commit(std::move(batch), [](Result<void>) {});
}

Result<Change> GlueService::getJobBookmark(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("JobName");
  if (!name) return name.error();
  auto& marks = jobBookmarks_[scopeKey(ctx.scope)];
  auto it = marks.find(*name);
  if (it == marks.end()) return entityNotFound("Continuation for job " + *name + " not found");
  return Change(JsonObject{{"JobBookmarkEntry", it->second}});
}

Result<Change> GlueService::resetJobBookmark(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("JobName");
  if (!name) return name.error();
  auto& marks = jobBookmarks_[scopeKey(ctx.scope)];
  auto it = marks.find(*name);
  if (it == marks.end()) return entityNotFound("Continuation for job " + *name + " not found");
  // The next run reads everything again.
  JsonObject entry = it->second.as_object();
  entry["Version"] = toInteger(entry["Version"]).value_or(0) + 1;
  entry["JobBookmark"] = "{}";
  Change change(JsonObject{{"JobBookmarkEntry", entry}});
  change.batch.put("glue_job_bookmarks", ctx.scope, *name, entry);
  it->second = std::move(entry);
  return change;
}

}  // namespace sluice::services::glue
