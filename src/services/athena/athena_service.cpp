#include "services/athena/athena_service.hpp"

#include <fstream>
#include <sstream>

#include "services/athena/athena_errors.hpp"
#include "services/athena/athena_results.hpp"
#include "services/athena/query_run.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/publish_event.hpp"
#include "services/common/unfinished.hpp"

namespace sluice::services::athena {

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE athena_queries(account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, "
     "workgroup TEXT NOT NULL, submitted_ms INTEGER NOT NULL, state TEXT NOT NULL, token TEXT, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, id));"
     "CREATE INDEX athena_queries_by_workgroup ON athena_queries(account, region, workgroup, "
     "submitted_ms);"
     "CREATE INDEX athena_queries_by_token ON athena_queries(account, region, token)"},
    // Start-up finds the queries a crash cut short without reading them all.
    {2,
     "CREATE INDEX athena_queries_unfinished ON athena_queries(state) "
     "WHERE state IN ('QUEUED', 'RUNNING')"},
    {3,
     "CREATE TABLE athena_workgroups(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE athena_prepared_statements(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE athena_named_queries(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {4,
     "CREATE TABLE athena_tags(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
};

constexpr const char* kPrimary = "primary";

int64_t epochMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

JsonObject engineVersion() {
  return JsonObject{{"SelectedEngineVersion", "AUTO"},
                    {"EffectiveEngineVersion", "Athena engine version 3"}};
}

JsonObject& status(Json& doc) {
  return doc.as_object()["Status"].as_object();
}

}  // namespace

std::span<const store::sqlite::Migration> AthenaService::migrations() {
  return kMigrations;
}

AthenaService::AthenaService(const ServiceEnvironment& env, OperationRegistry& registry,
                             lake::LakeEngine& lake)
    : clock_(env.clock),
      loop_(env.engine.loop),
      ids_(env.engine.ids),
      registry_(registry),
      lake_(lake),
      docs_(env.store) {
  // Configuration is small: loaded once, written through.
  (void)loadWorkGroups();
  (void)loadPreparedStatements();
  (void)loadNamedQueries();
  (void)loadTags();
  recover();
}

AthenaService::~AthenaService() {
  std::unique_lock lock(mu_);
  for (auto& [_, cancel] : running_) cancel->cancel();
  inFlight_ -= static_cast<int>(waiting_.size());  // never started
  waiting_.clear();
  done_.wait(lock, [this] { return inFlight_ == 0; });
}

void AthenaService::registerOperations(OperationRegistry& registry) {
  registry.addService("athena", "AmazonAthena");
  using Op = Result<Change> (AthenaService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("athena", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      runLocked(
          mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
    });
  };
  add("StartQueryExecution", &AthenaService::startQueryExecution);
  add("GetQueryExecution", &AthenaService::getQueryExecution);
  add("BatchGetQueryExecution", &AthenaService::batchGetQueryExecution);
  add("ListQueryExecutions", &AthenaService::listQueryExecutions);
  add("StopQueryExecution", &AthenaService::stopQueryExecution);
  add("GetQueryResults", &AthenaService::getQueryResults);
  add("GetQueryRuntimeStatistics", &AthenaService::getQueryRuntimeStatistics);
  add("CreateWorkGroup", &AthenaService::createWorkGroup);
  add("GetWorkGroup", &AthenaService::getWorkGroup);
  add("UpdateWorkGroup", &AthenaService::updateWorkGroup);
  add("DeleteWorkGroup", &AthenaService::deleteWorkGroup);
  add("ListWorkGroups", &AthenaService::listWorkGroups);
  add("CreatePreparedStatement", &AthenaService::createPreparedStatement);
  add("GetPreparedStatement", &AthenaService::getPreparedStatement);
  add("UpdatePreparedStatement", &AthenaService::updatePreparedStatement);
  add("DeletePreparedStatement", &AthenaService::deletePreparedStatement);
  add("ListPreparedStatements", &AthenaService::listPreparedStatements);
  add("BatchGetPreparedStatement", &AthenaService::batchGetPreparedStatement);
  add("CreateNamedQuery", &AthenaService::createNamedQuery);
  add("GetNamedQuery", &AthenaService::getNamedQuery);
  add("BatchGetNamedQuery", &AthenaService::batchGetNamedQuery);
  add("ListNamedQueries", &AthenaService::listNamedQueries);
  add("UpdateNamedQuery", &AthenaService::updateNamedQuery);
  add("DeleteNamedQuery", &AthenaService::deleteNamedQuery);
  add("TagResource", &AthenaService::tagResource);
  add("UntagResource", &AthenaService::untagResource);
  add("ListTagsForResource", &AthenaService::listTagsForResource);
  registerCatalogOperations(registry);
}

Json AthenaService::view(const Json& doc) {
  JsonObject out;
  for (const auto& kv : doc.as_object()) {
    if (!kv.key().starts_with("_")) out[kv.key()] = kv.value();
  }
  return out;
}

Result<std::optional<Json>> AthenaService::readQuery(const Scope& scope, const std::string& id) {
  if (!docs_.store()) return AwsError::internal("Athena needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT doc FROM athena_queries WHERE account = ? AND region = ? AND id = ?");
  if (!st) return st.takeError();
  st->bindAll(scope.account, scope.region, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Json>();
  auto doc = parseJson(st->columnText(0));
  if (!doc) return AwsError::internal("corrupt query in athena_queries");
  return std::optional<Json>(std::move(*doc));
}

Result<Json> AthenaService::requireQuery(const Scope& scope, const std::string& id) {
  auto q = readQuery(scope, id);
  if (!q) return q.error();
  if (!*q) {
    return invalidRequest("QueryExecution " + id + " was not found", "QUERY_EXECUTION_NOT_FOUND");
  }
  return std::move(**q);
}

void AthenaService::storeQuery(DocumentBatch& batch, const Scope& scope, const Json& doc) {
  const JsonObject& o = doc.as_object();
  std::string token = o.contains("_Token") ? std::string(o.at("_Token").as_string()) : "";
  batch.sql([scope, id = std::string(o.at("QueryExecutionId").as_string()),
             workgroup = std::string(o.at("WorkGroup").as_string()),
             submitted = o.at("_SubmittedMs").to_number<int64_t>(),
             state = std::string(o.at("Status").as_object().at("State").as_string()), token,
             text = toJsonText(doc)](store::sqlite::Database& db) {
    return store::sqlite::runStatement(
        db,
        "INSERT OR REPLACE INTO athena_queries(account, region, id, workgroup, submitted_ms, "
        "state, token, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        scope.account, scope.region, id, workgroup, submitted, state, token, text);
  });
}

Result<Change> AthenaService::startQueryExecution(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto sql = input.requiredString("QueryString");
  if (!sql) return sql.error();
  auto workgroup = input.optionalString("WorkGroup");
  if (!workgroup) return workgroup.error();
  std::string wg = workgroup->value_or(kPrimary);
  auto group = effectiveWorkGroup(ctx.scope, wg);
  if (!group) return group.error();
  if (group->as_object().at("State") == "DISABLED") {
    return invalidRequest("WorkGroup " + wg + " is disabled.");
  }
  // The workgroup's output location is the default; an enforcing workgroup's
  // configuration overrides the request's.
  const JsonObject& config = group->as_object().at("Configuration").as_object();
  std::string output;
  if (const Json* o = jsonAt(*group, {"Configuration", "ResultConfiguration", "OutputLocation"});
      o && o->is_string()) {
    output = std::string(o->get_string());
  }
  const Json* enforce = config.if_contains("EnforceWorkGroupConfiguration");
  bool enforced = enforce && enforce->is_bool() && enforce->as_bool();
  if (const Json* rc = input.get("ResultConfiguration"); rc && rc->is_object() && !enforced) {
    if (const Json* o = rc->as_object().if_contains("OutputLocation"); o && o->is_string()) {
      output = std::string(o->get_string());
    }
  }
  if (output.empty()) {
    return invalidRequest(
        "No output location provided. An output location is required either through the "
        "Workgroup result configuration setting or as an API input.");
  }
  if (!output.starts_with("s3://") || !lake::parseS3Uri(output)) {
    return invalidRequest("outputLocation is not a valid S3 path.");
  }
  if (!output.ends_with("/")) output += "/";
  std::string database = "default", catalog = "AwsDataCatalog";
  if (const Json* c = input.get("QueryExecutionContext"); c && c->is_object()) {
    if (const Json* d = c->as_object().if_contains("Database"); d && d->is_string()) {
      database = std::string(d->get_string());
    }
    if (const Json* k = c->as_object().if_contains("Catalog"); k && k->is_string()) {
      catalog = std::string(k->get_string());
    }
  }
  // Result reuse: opt-in per query, at most 7 days old (60 minutes unless said).
  JsonObject reuseConfig{{"Enabled", false}};
  int64_t maxAge = 60;
  if (const Json* rr = input.get("ResultReuseConfiguration"); rr && rr->is_object()) {
    if (const Json* by = rr->as_object().if_contains("ResultReuseByAgeConfiguration");
        by && by->is_object()) {
      const Json* enabled = by->as_object().if_contains("Enabled");
      if (!enabled || !enabled->is_bool()) {
        return invalidRequest("ResultReuseByAgeConfiguration.Enabled is required.");
      }
      reuseConfig["Enabled"] = enabled->as_bool();
      if (const Json* m = by->as_object().if_contains("MaxAgeInMinutes"); m && !m->is_null()) {
        auto n = toInteger(*m);
        if (!n || *n < 0 || *n > 10080) {
          return invalidRequest("MaxAgeInMinutes must be between 0 and 10080.");
        }
        maxAge = *n;
        reuseConfig["MaxAgeInMinutes"] = maxAge;
      }
    }
  }
  auto token = input.optionalString("ClientRequestToken");
  if (!token) return token.error();
  if (*token) {
    // The same token is the same query, if the request is the same.
    if (!docs_.store()) return AwsError::internal("Athena needs a data directory");
    auto lease = docs_.store()->readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(
        "SELECT doc FROM athena_queries WHERE account = ? AND region = ? AND token = ?");
    if (!st) return st.takeError();
    st->bindAll(ctx.scope.account, ctx.scope.region, **token);
    auto row = st->step();
    if (!row) return row.error();
    if (*row) {
      auto doc = parseJson(st->columnText(0));
      if (!doc) return AwsError::internal("corrupt query in athena_queries");
      const JsonObject& o = doc->as_object();
      if (o.at("Query").as_string() != *sql || o.at("WorkGroup").as_string() != wg) {
        return invalidRequest("Idempotent parameters do not match",
                              "IDEMPOTENT_PARAMETER_MISMATCH");
      }
      return Change(JsonObject{{"QueryExecutionId", o.at("QueryExecutionId")}});
    }
  }
  std::string id = ids_.uuid();
  TimePoint now = clock_.now();
  auto [type, subtype] = statementType(*sql);
  JsonObject doc{
      {"QueryExecutionId", id},
      {"Query", *sql},
      {"StatementType", type},
      {"SubstatementType", subtype},
      {"ResultConfiguration",
       JsonObject{{"OutputLocation", subtype == "CREATE_TABLE_AS_SELECT"  ? output + "tables/" + id
                                     : subtype == "INSERT"                ? output + id
                                     : type == "DDL" || type == "UTILITY" ? output + id + ".txt"
                                                                          : output + id + ".csv"}}},
      {"ResultReuseConfiguration", JsonObject{{"ResultReuseByAgeConfiguration", reuseConfig}}},
      {"QueryExecutionContext", JsonObject{{"Database", database}, {"Catalog", catalog}}},
      {"Status", JsonObject{{"State", "QUEUED"}, {"SubmissionDateTime", epochSeconds(now)}}},
      {"Statistics",
       JsonObject{{"EngineExecutionTimeInMillis", 0},
                  {"DataScannedInBytes", 0},
                  {"TotalExecutionTimeInMillis", 0},
                  {"QueryQueueTimeInMillis", 0},
                  {"ServicePreProcessingTimeInMillis", 0},
                  {"QueryPlanningTimeInMillis", 0},
                  {"ServiceProcessingTimeInMillis", 0},
                  {"ResultReuseInformation", JsonObject{{"ReusedPreviousResult", false}}}}},
      {"WorkGroup", wg},
      {"EngineVersion", engineVersion()},
      {"_OutputDir", output},
      {"_SubmittedMs", epochMs(now)}};
  if (const Json* p = input.get("ExecutionParameters"); p && p->is_array()) {
    doc["ExecutionParameters"] = *p;
  }
  if (const Json* cutoff = config.if_contains("BytesScannedCutoffPerQuery")) {
    doc["_Cutoff"] = *cutoff;
  }
  if (*token) doc["_Token"] = **token;
  Change change(JsonObject{{"QueryExecutionId", id}});
  if (reuseConfig.at("Enabled").as_bool() && type == "DML" &&
      (subtype == "SELECT" || subtype == "EXECUTE")) {
    Json record = doc;
    auto previous = reusableResult(ctx.scope, record, maxAge);
    if (!previous) return previous.error();
    if (*previous) {
      reuseResult(record, **previous);
      storeQuery(change.batch, ctx.scope, record);
      loop_.post([this, scope = ctx.scope, ended = std::move(record)] {
        Json queued = ended;
        status(queued)["State"] = "QUEUED";
        stateEvent(scope, queued, "");
        stateEvent(scope, ended, "QUEUED");
      });
      return change;
    }
  }
  storeQuery(change.batch, ctx.scope, doc);
  // Events go out from the loop, outside this service's lock.
  loop_.post([this, scope = ctx.scope, queued = doc] { stateEvent(scope, queued, ""); });
  launch(ctx.scope, std::move(doc));
  return change;
}

void AthenaService::launch(const Scope& scope, Json doc) {
  std::string id(doc.as_object().at("QueryExecutionId").as_string());
  auto cancel = std::make_shared<lake::LakeCancel>();
  running_[id] = cancel;
  ++inFlight_;
  if (runningCount_ >= kMaxRunningQueries) {
    waiting_.push_back({scope, std::move(doc), std::move(cancel)});
    return;
  }
  start(scope, std::move(doc), std::move(cancel));
}

void AthenaService::startNextQueued() {
  if (waiting_.empty() || runningCount_ >= kMaxRunningQueries) return;
  QueuedQuery next = std::move(waiting_.front());
  waiting_.pop_front();
  start(next.scope, std::move(next.doc), std::move(next.cancel));
}

void AthenaService::start(const Scope& scope, Json doc, std::shared_ptr<lake::LakeCancel> cancel) {
  ++runningCount_;
  auto outcome = std::make_shared<QueryOutcome>();
  auto shared = std::make_shared<Json>(std::move(doc));
  loop_.runBlocking(
      [this, scope, shared, cancel, outcome] {
        Json& d = *shared;
        {
          std::lock_guard lock(mu_);
          if (!cancel->cancelled()) {
            status(d)["State"] = "RUNNING";
            d.as_object()["_StartedMs"] = epochMs(clock_.now());
            DocumentBatch batch;
            storeQuery(batch, scope, d);
            docs_.commit(std::move(batch), [](Result<void>) {});
            loop_.post([this, scope, running = d] { stateEvent(scope, running, "QUEUED"); });
          }
        }
        if (cancel->cancelled()) {
          *outcome = cancelledOutcome();
        } else {
          const JsonObject& o = d.as_object();
          QueryJob job{
              scope, std::string(o.at("QueryExecutionId").as_string()),
              std::string(o.at("Query").as_string()),
              std::string(o.at("QueryExecutionContext").as_object().at("Database").as_string()),
              std::string(o.at("_OutputDir").as_string())};
          job.workgroup = std::string(o.at("WorkGroup").as_string());
          job.now = clock_.now();
          if (const Json* p = o.if_contains("ExecutionParameters"); p && p->is_array()) {
            for (const Json& v : p->as_array()) {
              job.parameters.push_back(v.is_string() ? std::string(v.as_string()) : "");
            }
          }
          if (const Json* cutoff = o.if_contains("_Cutoff")) {
            if (auto n = toInteger(*cutoff)) job.bytesScannedCutoff = static_cast<uint64_t>(*n);
          }
          *outcome = runQuery(registry_, lake_, job, *cancel);
        }
        std::lock_guard lock(mu_);
        --inFlight_;
        done_.notify_all();
      },
      [this, scope, shared, outcome] { finish(scope, std::move(*shared), *outcome, true); });
}

void AthenaService::finish(const Scope& scope, Json doc, const QueryOutcome& outcome, bool ran) {
  std::lock_guard lock(mu_);
  JsonObject& o = doc.as_object();
  std::string id(o.at("QueryExecutionId").as_string());
  running_.erase(id);
  if (ran) {
    --runningCount_;
    startNextQueued();
  }
  TimePoint now = clock_.now();
  int64_t submitted = o.at("_SubmittedMs").to_number<int64_t>();
  int64_t started = o.contains("_StartedMs") ? o.at("_StartedMs").to_number<int64_t>() : submitted;
  JsonObject& st = status(doc);
  std::string previous(st.at("State").as_string());
  st["State"] = outcome.state;
  st["CompletionDateTime"] = epochSeconds(now);
  if (!outcome.reason.empty()) st["StateChangeReason"] = outcome.reason;
  if (outcome.state == "FAILED") {
    st["AthenaError"] = JsonObject{{"ErrorCategory", outcome.errorCategory},
                                   {"ErrorType", outcome.errorType},
                                   {"Retryable", false},
                                   {"ErrorMessage", outcome.reason}};
  }
  JsonObject& stats = o["Statistics"].as_object();
  int64_t total = std::max<int64_t>(0, epochMs(now) - submitted);
  stats["EngineExecutionTimeInMillis"] = outcome.engineMs;
  stats["DataScannedInBytes"] = outcome.scannedBytes;
  stats["TotalExecutionTimeInMillis"] = total;
  stats["QueryQueueTimeInMillis"] = std::max<int64_t>(0, started - submitted);
  stats["QueryPlanningTimeInMillis"] = outcome.planningMs;
  stats["ServiceProcessingTimeInMillis"] =
      std::max<int64_t>(0, total - outcome.engineMs - outcome.planningMs);
  if (!outcome.manifest.empty()) stats["DataManifestLocation"] = outcome.manifest;
  if (outcome.state == "SUCCEEDED") {
    o["_Columns"] = outcome.columns;
    o["_Rows"] = outcome.rows;
    if (outcome.updateCount) o["_UpdateCount"] = *outcome.updateCount;
    if (outcome.textLines) {
      JsonArray lines;
      for (const auto& l : *outcome.textLines) lines.push_back(Json(l));
      o["_Text"] = std::move(lines);
    }
  }
  DocumentBatch batch;
  storeQuery(batch, scope, doc);
  // Waiters hear of the end once it is stored, so what they read agrees.
  finishing_.insert(id);
  loop_.beginJob();  // settling waits until the end is stored and told
  loop_.post([this, scope, ended = doc, previous] { stateEvent(scope, ended, previous); });
  docs_.commit(std::move(batch), [this, id, view = view(doc)](Result<void>) {
    loop_.post([this, id, view] {
      std::vector<std::function<void(Json)>> waiting;
      {
        std::lock_guard lock(mu_);
        finishing_.erase(id);
        loop_.endJob();
        if (auto it = waiters_.find(id); it != waiters_.end()) {
          waiting = std::move(it->second);
          waiters_.erase(it);
        }
      }
      for (auto& w : waiting) w(view);
    });
  });
}

void AthenaService::whenFinished(const Scope& scope, const std::string& id,
                                 std::function<void(Json)> then) {
  Json now;
  {
    std::lock_guard lock(mu_);
    if (running_.count(id) || finishing_.count(id)) {
      waiters_[id].push_back(std::move(then));
      return;
    }
    auto q = readQuery(scope, id);
    now = q && *q ? view(**q) : Json(nullptr);
  }
  loop_.post([then = std::move(then), now = std::move(now)] { then(now); });
}

Result<Change> AthenaService::getQueryExecution(const Json& in, const CallContext& ctx) {
  auto id = Input(in).requiredString("QueryExecutionId");
  if (!id) return id.error();
  auto q = requireQuery(ctx.scope, *id);
  if (!q) return q.error();
  return Change(JsonObject{{"QueryExecution", view(*q)}});
}

Result<Change> AthenaService::batchGetQueryExecution(const Json& in, const CallContext& ctx) {
  const Json* ids = Input(in).get("QueryExecutionIds");
  if (!ids || !ids->is_array()) return invalidRequest("QueryExecutionIds is required.");
  JsonArray found, missing;
  for (const Json& v : ids->as_array()) {
    std::string id = v.is_string() ? std::string(v.get_string()) : std::string();
    auto q = readQuery(ctx.scope, id);
    if (!q) return q.error();
    if (*q) {
      found.push_back(view(**q));
    } else {
      missing.push_back(JsonObject{{"QueryExecutionId", id},
                                   {"ErrorCode", "QUERY_EXECUTION_NOT_FOUND"},
                                   {"ErrorMessage", "QueryExecution " + id + " was not found"}});
    }
  }
  return Change(JsonObject{{"QueryExecutions", std::move(found)},
                           {"UnprocessedQueryExecutionIds", std::move(missing)}});
}

Result<Change> AthenaService::listQueryExecutions(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  size_t limit = static_cast<size_t>(max->value_or(50));
  auto workgroup = input.optionalString("WorkGroup");
  if (!workgroup) return workgroup.error();
  std::string wg = workgroup->value_or(kPrimary);
  if (auto group = effectiveWorkGroup(ctx.scope, wg); !group) return group.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  std::string after;
  if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    if (!key) return invalidRequest("Invalid NextToken.");
    after = *key;
  }
  if (!docs_.store()) return AwsError::internal("Athena needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  // Newest first; the token is the last row's "submitted_ms/id".
  auto st = lease->db().prepare(
      "SELECT submitted_ms, id FROM athena_queries WHERE account = ? AND region = ? AND "
      "workgroup = ? ORDER BY submitted_ms DESC, id DESC");
  if (!st) return st.takeError();
  st->bindAll(ctx.scope.account, ctx.scope.region, wg);
  JsonArray ids;
  bool skipping = !after.empty(), more = false;
  std::string last;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    std::string key = std::to_string(st->columnInt(0)) + "/" + std::string(st->columnText(1));
    if (skipping) {
      skipping = key != after;
      continue;
    }
    if (ids.size() == limit) {
      more = true;
      break;
    }
    ids.push_back(Json(std::string(st->columnText(1))));
    last = key;
  }
  JsonObject r{{"QueryExecutionIds", std::move(ids)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> AthenaService::stopQueryExecution(const Json& in, const CallContext& ctx) {
  auto id = Input(in).requiredString("QueryExecutionId");
  if (!id) return id.error();
  auto q = requireQuery(ctx.scope, *id);
  if (!q) return q.error();
  if (auto it = running_.find(*id); it != running_.end()) it->second->cancel();
  // A query still waiting for a turn ends at once.
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if (it->doc.as_object().at("QueryExecutionId").as_string() != *id) continue;
    QueuedQuery cut = std::move(*it);
    waiting_.erase(it);
    --inFlight_;
    done_.notify_all();
    loop_.post([this, cut = std::move(cut)]() mutable {
      finish(cut.scope, std::move(cut.doc), cancelledOutcome(), false);
    });
    break;
  }
  return Change();
}

Result<Change> AthenaService::getQueryResults(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto id = input.requiredString("QueryExecutionId");
  if (!id) return id.error();
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  size_t limit = static_cast<size_t>(max->value_or(1000));
  auto q = requireQuery(ctx.scope, *id);
  if (!q) return q.error();
  JsonObject& o = q->as_object();
  std::string state(o.at("Status").as_object().at("State").as_string());
  if (state == "QUEUED" || state == "RUNNING") {
    return invalidRequest("Query has not yet finished. Current state: " + state,
                          "INVALID_QUERY_EXECUTION_STATE");
  }
  if (state == "FAILED") {
    return invalidRequest("Query did not finish successfully. Final query state: FAILED",
                          "INVALID_QUERY_EXECUTION_STATE");
  }
  if (state == "CANCELLED") return invalidRequest("Could not find results", "RESULT_NOT_FOUND");
  size_t start = 0;
  if (auto token = input.optionalString("NextToken"); !token) {
    return token.error();
  } else if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    try {
      start = key ? std::stoul(*key) : throw std::invalid_argument("token");
    } catch (const std::exception&) {
      return invalidRequest("Invalid NextToken.");
    }
  }
  // Statements that write answer with the rows they wrote.
  if (const Json* count = o.if_contains("_UpdateCount")) {
    return Change(JsonObject{
        {"UpdateCount", *count},
        {"ResultSet",
         JsonObject{{"Rows", JsonArray{}},
                    {"ResultSetMetadata",
                     JsonObject{{"ColumnInfo", o.contains("_Columns") ? o.at("_Columns")
                                                                      : Json(JsonArray{})}}}}}});
  }
  // DDL and SHOW: text rows, no header (kept in the record: they are small).
  if (const Json* text = o.if_contains("_Text"); text && text->is_array()) {
    JsonArray rows;
    const JsonArray& lines = text->as_array();
    for (size_t r = start; r < lines.size() && rows.size() < limit; ++r) {
      JsonArray data;
      std::string_view line = lines[r].as_string();
      size_t from = 0;
      for (;;) {
        size_t tab = line.find('\t', from);
        data.push_back(JsonObject{{"VarCharValue", std::string(line.substr(from, tab - from))}});
        if (tab == std::string_view::npos) break;
        from = tab + 1;
      }
      rows.push_back(JsonObject{{"Data", std::move(data)}});
    }
    JsonObject result{
        {"UpdateCount", 0},
        {"ResultSet",
         JsonObject{{"Rows", std::move(rows)},
                    {"ResultSetMetadata",
                     JsonObject{{"ColumnInfo", o.contains("_Columns") ? o.at("_Columns")
                                                                      : Json(JsonArray{})}}}}}};
    if (start + limit < lines.size())
      result["NextToken"] = encodePageToken(std::to_string(start + limit));
    return Change(Json(std::move(result)));
  }
  // The result file, read as the lake reads S3.
  std::string file(o.at("ResultConfiguration").as_object().at("OutputLocation").as_string());
  auto loc = lake::parseS3Uri(file);
  if (!loc) return invalidRequest("Could not find results", "RESULT_NOT_FOUND");
  auto listed = lake_.list(ctx.scope, loc->bucket, loc->prefix);
  if (!listed) return listed.error();
  std::string text;
  bool found = false;
  for (const auto& obj : *listed) {
    if (obj.key != loc->prefix) continue;
    found = true;
    if (obj.bytes) {
      text = *obj.bytes;
    } else {
      std::ifstream f(obj.file, std::ios::binary);
      std::ostringstream all;
      all << f.rdbuf();
      text = all.str();
    }
  }
  if (!found) return invalidRequest("Could not find results", "RESULT_NOT_FOUND");
  auto rows = parseCsv(text);  // the header row first, as Athena returns it
  JsonArray out;
  for (size_t r = start; r < rows.size() && out.size() < limit; ++r) {
    JsonArray data;
    for (const auto& v : rows[r]) {
      data.push_back(v ? Json(JsonObject{{"VarCharValue", *v}}) : Json(JsonObject{}));
    }
    out.push_back(JsonObject{{"Data", std::move(data)}});
  }
  JsonObject result{
      {"UpdateCount", 0},
      {"ResultSet",
       JsonObject{{"Rows", std::move(out)},
                  {"ResultSetMetadata",
                   JsonObject{{"ColumnInfo",
                               o.contains("_Columns") ? o.at("_Columns") : Json(JsonArray{})}}}}}};
  if (start + limit < rows.size())
    result["NextToken"] = encodePageToken(std::to_string(start + limit));
  return Change(Json(std::move(result)));
}

Result<Change> AthenaService::getQueryRuntimeStatistics(const Json& in, const CallContext& ctx) {
  auto id = Input(in).requiredString("QueryExecutionId");
  if (!id) return id.error();
  auto q = requireQuery(ctx.scope, *id);
  if (!q) return q.error();
  const JsonObject& o = q->as_object();
  std::string state(o.at("Status").as_object().at("State").as_string());
  if (state == "QUEUED" || state == "RUNNING") {
    return invalidRequest("Query has not yet finished. Current state: " + state,
                          "INVALID_QUERY_EXECUTION_STATE");
  }
  const JsonObject& stats = o.at("Statistics").as_object();
  JsonObject timeline;
  for (const char* key : {"QueryQueueTimeInMillis", "ServicePreProcessingTimeInMillis",
                          "QueryPlanningTimeInMillis", "EngineExecutionTimeInMillis",
                          "ServiceProcessingTimeInMillis", "TotalExecutionTimeInMillis"}) {
    if (const Json* v = stats.if_contains(key)) timeline[key] = *v;
  }
  JsonObject runtime{{"Timeline", std::move(timeline)}};
  if (state == "SUCCEEDED" && o.at("StatementType") == "DML") {
    // What Sluice measures: bytes of the files read and rows out (the rows
    // DuckDB read are not counted, so InputRows is left out).
    int64_t rows = 0;
    if (const Json* r = o.if_contains("_UpdateCount")) {
      rows = r->to_number<int64_t>();
    } else if (const Json* r2 = o.if_contains("_Rows")) {
      rows = r2->to_number<int64_t>();
    }
    runtime["Rows"] =
        JsonObject{{"InputBytes", stats.at("DataScannedInBytes")}, {"OutputRows", rows}};
  }
  return Change(JsonObject{{"QueryRuntimeStatistics", std::move(runtime)}});
}

void AthenaService::stateEvent(const Scope& scope, const Json& doc, const std::string& previous) {
  const JsonObject& o = doc.as_object();
  const JsonObject& st = o.at("Status").as_object();
  std::string state(st.at("State").as_string());
  // One event per change: QUEUED, RUNNING, then the end (numbered so).
  int sequence = state == "QUEUED" ? 1 : state == "RUNNING" ? 2 : previous == "RUNNING" ? 3 : 2;
  JsonObject detail{{"currentState", state},
                    {"queryExecutionId", o.at("QueryExecutionId")},
                    {"sequenceNumber", std::to_string(sequence)},
                    {"statementType", o.at("StatementType")},
                    {"versionId", "0"},
                    {"workgroupName", o.at("WorkGroup")}};
  if (!previous.empty()) detail["previousState"] = previous;
  if (const Json* e = st.if_contains("AthenaError"); e && e->is_object()) {
    const JsonObject& err = e->as_object();
    detail["athenaError"] = JsonObject{{"errorCategory", err.at("ErrorCategory")},
                                       {"errorType", err.at("ErrorType")},
                                       {"errorMessage", err.at("ErrorMessage")},
                                       {"retryable", err.at("Retryable")}};
  }
  publishEvent(registry_, scope, "aws.athena", "Athena Query State Change", detail);
}

void AthenaService::recover() {
  auto cut = unfinishedDocuments(
      docs_,
      "SELECT account, region, doc FROM athena_queries WHERE state IN ('QUEUED', 'RUNNING')");
  if (cut.empty()) return;
  DocumentBatch batch;
  std::string why = "The query was cut short by a restart of the server; run it again.";
  for (auto& [scope, doc] : cut) {
    JsonObject& st = status(doc);
    st["State"] = "FAILED";
    st["StateChangeReason"] = why;
    st["CompletionDateTime"] = epochSeconds(clock_.now());
    st["AthenaError"] = JsonObject{
        {"ErrorCategory", 1}, {"ErrorType", 100}, {"Retryable", true}, {"ErrorMessage", why}};
    storeQuery(batch, scope, doc);
  }
  docs_.commit(std::move(batch), [](Result<void>) {});
}

}  // namespace sluice::services::athena
