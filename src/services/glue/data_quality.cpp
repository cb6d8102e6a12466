// Glue Data Quality: rulesets (CreateDataQualityRuleset, Get, Update, Delete,
// ListDataQualityRulesets) — configuration documents of glue_dq_rulesets,
// their DQDL checked when saved — and evaluation runs over a catalog table
// (StartDataQualityRulesetEvaluationRun, GetDataQualityRulesetEvaluationRun,
// ListDataQualityRulesetEvaluationRuns) with their results
// (GetDataQualityResult, BatchGetDataQualityResult, ListDataQualityResults).
// Runs and results grow with use: rows of glue_dq_runs and glue_dq_results.
// A run reads the table as Athena does, evaluates each ruleset on DuckDB
// (lake/dqdl.hpp), stores one result per ruleset and publishes "Data Quality
// Evaluation Results Available" so a rule can gate a pipeline.
#include <cmath>

#include "lake/dqdl.hpp"
#include "services/common/catalog_reads.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/publish_event.hpp"
#include "services/common/unfinished.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kRulesets = "glue_dq_rulesets";

Result<void> storeRow(store::sqlite::Database& db, const char* sql, const Scope& scope,
                      const std::string& id, int64_t ms, const std::string& key,
                      const std::string& text) {
  return store::sqlite::runStatement(db, sql, scope.account, scope.region, id, ms, key, text);
}

}  // namespace

Result<Change> GlueService::createDataQualityRuleset(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto ruleset = input.requiredString("Ruleset");
  if (!ruleset) return ruleset.error();
  if (auto parsed = lake::parseDqdl(*ruleset); !parsed) return parsed.error();
  auto& mine = dqRulesets_[scopeKey(ctx.scope)];
  if (mine.count(*name)) return alreadyExists("Ruleset " + *name + " already exists.");
  Json now = epochSeconds(clock_.now());
  JsonObject doc{
      {"Name", *name}, {"Ruleset", *ruleset}, {"CreatedOn", now}, {"LastModifiedOn", now}};
  if (auto d = input.optionalString("Description"); d && *d) doc["Description"] = **d;
  if (const Json* t = input.get("TargetTable"); t && t->is_object()) {
    JsonObject target = t->as_object();
    if (target.contains("DatabaseName")) {
      target["DatabaseName"] = lowerName(jsonString(&target["DatabaseName"]));
    }
    if (target.contains("TableName")) {
      target["TableName"] = lowerName(jsonString(&target["TableName"]));
    }
    doc["TargetTable"] = std::move(target);
  }
  Change change(JsonObject{{"Name", *name}});
  change.batch.put(kRulesets, ctx.scope, *name, doc);
  mine[*name] = std::move(doc);
  return change;
}

Result<Change> GlueService::getDataQualityRuleset(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto& mine = dqRulesets_[scopeKey(ctx.scope)];
  auto it = mine.find(*name);
  if (it == mine.end()) return entityNotFound("Cannot find Data Quality Ruleset " + *name);
  return Change(publicView(it->second));
}

Result<Change> GlueService::updateDataQualityRuleset(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto& mine = dqRulesets_[scopeKey(ctx.scope)];
  auto it = mine.find(*name);
  if (it == mine.end()) return entityNotFound("Cannot find Data Quality Ruleset " + *name);
  JsonObject doc = it->second.as_object();
  if (auto r = input.optionalString("Ruleset"); r && *r) {
    if (auto parsed = lake::parseDqdl(**r); !parsed) return parsed.error();
    doc["Ruleset"] = **r;
  }
  if (auto d = input.optionalString("Description"); d && *d) doc["Description"] = **d;
  doc["LastModifiedOn"] = epochSeconds(clock_.now());
  JsonObject response{{"Name", *name}, {"Ruleset", doc["Ruleset"]}};
  if (doc.contains("Description")) response["Description"] = doc["Description"];
  Change change(std::move(response));
  change.batch.put(kRulesets, ctx.scope, *name, doc);
  it->second = std::move(doc);
  return change;
}

Result<Change> GlueService::deleteDataQualityRuleset(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto& mine = dqRulesets_[scopeKey(ctx.scope)];
  if (!mine.erase(*name)) return entityNotFound("Cannot find Data Quality Ruleset " + *name);
  Change change;
  change.batch.erase(kRulesets, ctx.scope, *name);
  return change;
}

Result<Change> GlueService::listDataQualityRulesets(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  const Json* filter = Input(in).get("Filter");
  auto& mine = dqRulesets_[scopeKey(ctx.scope)];
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = mine.upper_bound(page->after); it != mine.end(); ++it) {
    const Json& doc = it->second;
    if (filter && filter->is_object()) {
      std::string db = lowerName(jsonString(jsonAt(*filter, {"TargetTable", "DatabaseName"})));
      std::string table = lowerName(jsonString(jsonAt(*filter, {"TargetTable", "TableName"})));
      if (!db.empty() && jsonString(jsonAt(doc, {"TargetTable", "DatabaseName"})) != db) continue;
      if (!table.empty() && jsonString(jsonAt(doc, {"TargetTable", "TableName"})) != table) {
        continue;
      }
    }
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    JsonObject item{{"Name", doc.at("Name")},
                    {"CreatedOn", doc.at("CreatedOn")},
                    {"LastModifiedOn", doc.at("LastModifiedOn")},
                    {"RuleCount", 0}};
    if (auto parsed = lake::parseDqdl(jsonString(jsonAt(doc, {"Ruleset"})))) {
      item["RuleCount"] = static_cast<int64_t>(parsed->rules.size());
    }
    if (const Json* d = doc.as_object().if_contains("Description")) item["Description"] = *d;
    if (const Json* t = doc.as_object().if_contains("TargetTable")) item["TargetTable"] = *t;
    out.push_back(std::move(item));
    last = it->first;
  }
  JsonObject r{{"Rulesets", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

void GlueService::putDqRun(DocumentBatch& batch, const Scope& scope, const Json& run,
                           const char* table) {
  batch.sql([scope, table, id = jsonString(jsonAt(run, {"RunId"})),
             ms = run.as_object().at("_StartedMs").to_number<int64_t>(),
             status = jsonString(jsonAt(run, {"Status"})),
             text = toJsonText(run)](store::sqlite::Database& db) {
    // `table` is one of two compile-time names.
    std::string sql = std::string("INSERT OR REPLACE INTO ") + table +
                      "(account, region, id, started_ms, status, doc) VALUES (?, ?, ?, ?, ?, ?)";
    return storeRow(db, sql.c_str(), scope, id, ms, status, text);
  });
}

Result<std::optional<Json>> GlueService::readDqRow(const char* table, const Scope& scope,
                                                   const std::string& id) {
  if (!docs_.store()) return AwsError::internal("Glue Data Quality needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(std::string("SELECT doc FROM ") + table +
                                " WHERE account = ? AND region = ? AND id = ?");
  if (!st) return st.takeError();
  st->bindAll(scope.account, scope.region, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Json>();
  auto doc = parseJson(st->columnText(0));
  if (!doc) return AwsError::internal(std::string("corrupt row in ") + table);
  return std::optional<Json>(std::move(*doc));
}

Result<GlueService::DqRunStart> GlueService::beginDqRun(const Input& input, const Scope& scope) {
  const Json* source = input.get("DataSource");
  DqRunStart start;
  start.db =
      lowerName(jsonString(source ? jsonAt(*source, {"GlueTable", "DatabaseName"}) : nullptr));
  start.table =
      lowerName(jsonString(source ? jsonAt(*source, {"GlueTable", "TableName"}) : nullptr));
  if (start.db.empty() || start.table.empty()) {
    return invalidInput("DataSource.GlueTable needs DatabaseName and TableName.");
  }
  auto role = input.requiredString("Role");
  if (!role) return role.error();
  auto t = table(scope, start.db, start.table);
  if (!t) return t.error();
  start.tableDoc = **t;
  TimePoint now = clock_.now();
  start.run = JsonObject{{"RunId", "dqrun-" + hexId(ids_, 40)},
                         {"DataSource", *source},
                         {"Role", *role},
                         {"NumberOfWorkers", 5},
                         {"Timeout", 2880},
                         {"Status", "RUNNING"},
                         {"StartedOn", epochSeconds(now)},
                         {"LastModifiedOn", epochSeconds(now)},
                         {"_StartedMs", epochMs(now)}};
  for (const char* member : {"NumberOfWorkers", "Timeout"}) {
    if (const Json* v = input.get(member); v && !v->is_null()) start.run[member] = *v;
  }
  return start;
}

Result<Change> GlueService::cancelDqRun(const Json& in, const Scope& scope, const char* table,
                                        const std::string& kind) {
  auto id = Input(in).requiredString("RunId");
  if (!id) return id.error();
  auto it = dqRunsInFlight_.find(*id);
  if (it == dqRunsInFlight_.end() || it->second.scope.account != scope.account ||
      it->second.scope.region != scope.region || std::string_view(it->second.table) != table) {
    auto run = readDqRow(table, scope, *id);
    if (!run) return run.error();
    if (!*run) return entityNotFound("Cannot find " + kind + " " + *id);
    return invalidInput(kind + " " + *id + " is " + jsonString(jsonAt(**run, {"Status"})) +
                        ", not running.");
  }
  // STOPPING until the run gives up its query; then STOPPED.
  it->second.cancel->cancel();
  Json& run = it->second.run;
  run.as_object()["Status"] = "STOPPING";
  run.as_object()["LastModifiedOn"] = epochSeconds(clock_.now());
  Change change;
  putDqRun(change.batch, scope, run, table);
  return change;
}

Result<Change> GlueService::startDataQualityRulesetEvaluationRun(const Json& in,
                                                                 const CallContext& ctx) {
  Input input(in);
  auto start = beginDqRun(input, ctx.scope);
  if (!start) return start.error();
  const std::string& db = start->db;
  const std::string& tableName = start->table;
  const Json* names = input.get("RulesetNames");
  if (!names || !names->is_array() || names->as_array().empty()) {
    return invalidInput("RulesetNames must name at least one ruleset.");
  }
  auto& mine = dqRulesets_[scopeKey(ctx.scope)];
  std::vector<std::pair<std::string, std::string>> rulesets;  // name, DQDL
  for (const Json& n : names->as_array()) {
    std::string name = jsonString(&n);
    auto it = mine.find(name);
    if (it == mine.end()) return entityNotFound("Cannot find Data Quality Ruleset " + name);
    rulesets.emplace_back(name, jsonString(jsonAt(it->second, {"Ruleset"})));
  }
  // Reference datasets for the multi-dataset rules, by alias; a rule may
  // also name one "database.table", as in the Data Catalog.
  std::map<std::pair<std::string, std::string>, Json> tables{{{db, tableName}, start->tableDoc}};
  std::map<std::string, std::pair<std::string, std::string>> references;
  const Json* additional = input.get("AdditionalDataSources");
  if (additional && !additional->is_null()) {
    if (!additional->is_object()) return invalidInput("AdditionalDataSources must be a map.");
    for (const auto& kv : additional->as_object()) {
      std::string refDb = lowerName(jsonString(jsonAt(kv.value(), {"GlueTable", "DatabaseName"})));
      std::string refTable = lowerName(jsonString(jsonAt(kv.value(), {"GlueTable", "TableName"})));
      if (refDb.empty() || refTable.empty()) {
        return invalidInput("AdditionalDataSources." + std::string(kv.key()) +
                            ".GlueTable needs DatabaseName and TableName.");
      }
      auto ref = table(ctx.scope, refDb, refTable);
      if (!ref) return ref.error();
      tables[{refDb, refTable}] = **ref;
      references[std::string(kv.key())] = {refDb, refTable};
      references.emplace(refDb + "." + refTable, std::make_pair(refDb, refTable));
    }
  }
  JsonObject& run = start->run;
  std::string id = jsonString(&run["RunId"]);
  TimePoint now = clock_.now();
  run["RulesetNames"] = *names;
  for (const char* member : {"AdditionalRunOptions", "AdditionalDataSources"}) {
    if (const Json* v = input.get(member); v && !v->is_null()) run[member] = *v;
  }
  Change change(JsonObject{{"RunId", id}});
  putDqRun(change.batch, ctx.scope, run);
  ++inFlight_;
  struct Evaluated {
    std::string error;
    std::vector<DqRulesetOutcome> results;
  };
  auto evaluated = std::make_shared<Evaluated>();
  auto cancel = std::make_shared<lake::LakeCancel>();
  dqRunsInFlight_[id] = DqRunInFlight{ctx.scope, run, cancel, "glue_dq_runs"};
  loop_.runBlocking(
      [this, scope = ctx.scope, tables, references, rulesets, evaluated, db, tableName, now,
       cancel] {
        auto reads = readCatalogTables(registry_, lake_, scope, tables, now);
        auto con = lake_.connection();
        if (!reads) {
          evaluated->error = reads.error().message;
        } else if (!con) {
          evaluated->error = con.error().message;
        } else if (cancel->attach(&**con)) {
          std::string relation = "(" + reads->readers.at({db, tableName}) + ")";
          std::map<std::string, std::string> referenced;
          for (const auto& [alias, key] : references) {
            referenced[alias] = "(" + reads->readers.at(key) + ")";
          }
          for (const auto& [name, text] : rulesets) {
            if (cancel->cancelled()) break;
            auto parsed = lake::parseDqdl(text);
            if (!parsed) {
              evaluated->error = parsed.error().message;
              break;
            }
            auto rows = lake::countDqRows(**con, relation, *parsed, now);
            evaluated->results.push_back(DqRulesetOutcome{
                name, lake::evaluateDqdl(**con, relation, *parsed, now, referenced),
                lake::analyzeDqdl(**con, relation, *parsed, now, referenced),
                rows ? std::optional<lake::DqRowCounts>(*rows) : std::nullopt});
          }
        }
        std::lock_guard lock(mu_);
        --inFlight_;
        crawlsDone_.notify_all();
      },
      [this, scope = ctx.scope, run = Json(run), evaluated]() mutable {
        finishDqRun(scope, std::move(run), evaluated->error, evaluated->results);
      });
  return change;
}

std::string GlueService::recordDqResult(DocumentBatch& batch, const Scope& scope, JsonObject result,
                                        const std::vector<lake::DqRuleResult>& rules,
                                        const std::vector<lake::DqRuleResult>& analyzers,
                                        const std::optional<lake::DqRowCounts>& rows,
                                        JsonObject context, JsonArray rulesetNames,
                                        std::vector<Json>& events) {
  std::string resultId = "dqresult-" + hexId(ids_, 40);
  TimePoint now = clock_.now();
  auto metricsOf = [](const lake::DqRuleResult& r) {
    JsonObject metrics;
    for (const auto& [k, v] : r.metrics) metrics[k] = v;
    return metrics;
  };
  JsonArray ruleResults;
  int passed = 0, failed = 0, errored = 0;
  for (const auto& r : rules) {
    JsonObject rr{{"Name", r.name},
                  {"Description", r.description},
                  {"Result", r.result},
                  {"EvaluatedMetrics", metricsOf(r)}};
    if (!r.message.empty()) rr["EvaluationMessage"] = r.message;
    ruleResults.push_back(std::move(rr));
    (r.result == "PASS" ? passed : r.result == "FAIL" ? failed : errored)++;
  }
  JsonArray analyzerResults;
  for (const auto& a : analyzers) {
    JsonObject ar{
        {"Name", a.name}, {"Description", a.description}, {"EvaluatedMetrics", metricsOf(a)}};
    if (!a.message.empty()) ar["EvaluationMessage"] = a.message;
    analyzerResults.push_back(std::move(ar));
  }
  double score = rules.empty() ? 1.0 : static_cast<double>(passed) / rules.size();
  result["ResultId"] = resultId;
  result["Score"] = score;
  result["CompletedOn"] = epochSeconds(now);
  result["RuleResults"] = std::move(ruleResults);
  result["AnalyzerResults"] = std::move(analyzerResults);
  result["Observations"] = JsonArray{};
  JsonObject aggregated{{"TotalRulesProcessed", static_cast<double>(rules.size())},
                        {"TotalRulesPassed", static_cast<double>(passed)},
                        {"TotalRulesFailed", static_cast<double>(failed)}};
  if (rows) {
    aggregated["TotalRowsProcessed"] = rows->processed;
    aggregated["TotalRowsPassed"] = rows->passed;
    aggregated["TotalRowsFailed"] = rows->failed;
  }
  result["AggregatedMetrics"] = std::move(aggregated);
  std::string ruleset = jsonString(result.if_contains("RulesetName"));
  batch.sql([scope, resultId, ms = epochMs(now), ruleset,
             text = toJsonText(Json(std::move(result)))](store::sqlite::Database& db) {
    return storeRow(db,
                    "INSERT OR REPLACE INTO glue_dq_results(account, region, id, completed_ms, "
                    "ruleset, doc) VALUES (?, ?, ?, ?, ?, ?)",
                    scope, resultId, ms, ruleset, text);
  });
  char shown[16];
  std::snprintf(shown, sizeof shown, "%.2f", score);
  events.push_back(JsonObject{{"context", std::move(context)},
                              {"resultId", resultId},
                              {"rulesetNames", std::move(rulesetNames)},
                              {"state", "SUCCEEDED"},
                              {"score", std::string(shown)},
                              {"rulesSucceeded", passed},
                              {"rulesFailed", failed},
                              {"rulesSkipped", errored}});
  return resultId;
}

void GlueService::publishDqEvents(const Scope& scope, const std::vector<Json>& events) {
  for (const auto& detail : events) {
    publishEvent(registry_, scope, "aws.glue-dataquality",
                 "Data Quality Evaluation Results Available", detail.as_object());
  }
}

void GlueService::finishDqRun(const Scope& scope, Json run, const std::string& error,
                              std::vector<DqRulesetOutcome> results) {
  std::lock_guard lock(mu_);
  JsonObject& o = run.as_object();
  TimePoint now = clock_.now();
  std::string runId = jsonString(jsonAt(run, {"RunId"}));
  bool stopped = false;
  if (auto it = dqRunsInFlight_.find(runId); it != dqRunsInFlight_.end()) {
    stopped = it->second.cancel->cancelled();
    dqRunsInFlight_.erase(it);
  }
  if (stopped) results.clear();  // a stopped run publishes nothing
  DocumentBatch batch;
  JsonArray resultIds;
  std::vector<Json> events;
  for (const auto& [name, rules, analyzers, rows] : results) {
    JsonObject result{{"DataSource", o.at("DataSource")},
                      {"RulesetName", name},
                      {"StartedOn", o.at("StartedOn")},
                      {"RulesetEvaluationRunId", runId}};
    JsonObject context{
        {"contextType", "GLUE_DATA_CATALOG"},
        {"runId", runId},
        {"databaseName", jsonString(jsonAt(run, {"DataSource", "GlueTable", "DatabaseName"}))},
        {"tableName", jsonString(jsonAt(run, {"DataSource", "GlueTable", "TableName"}))},
        {"catalogId", scope.account}};
    resultIds.push_back(Json(recordDqResult(batch, scope, std::move(result), rules, analyzers, rows,
                                            std::move(context), JsonArray{Json(name)}, events)));
  }
  o["Status"] = stopped ? "STOPPED" : error.empty() ? "SUCCEEDED" : "FAILED";
  if (!error.empty() && !stopped) o["ErrorString"] = error;
  o["ResultIds"] = std::move(resultIds);
  o["CompletedOn"] = epochSeconds(now);
  o["LastModifiedOn"] = epochSeconds(now);
  o["ExecutionTime"] =
      std::max<int64_t>(0, (epochMs(now) - o.at("_StartedMs").to_number<int64_t>()) / 1000);
  putDqRun(batch, scope, run);
  loop_.beginJob();
  docs_.commit(std::move(batch), [this, scope, events](Result<void>) {
    loop_.post([this, scope, events] {
      publishDqEvents(scope, events);
      loop_.endJob();
    });
  });
}

Result<Change> GlueService::getDataQualityRulesetEvaluationRun(const Json& in,
                                                               const CallContext& ctx) {
  auto id = Input(in).requiredString("RunId");
  if (!id) return id.error();
  auto run = readDqRow("glue_dq_runs", ctx.scope, *id);
  if (!run) return run.error();
  if (!*run) return entityNotFound("Cannot find Data Quality Ruleset Evaluation Run " + *id);
  return Change(publicView(**run));
}

Result<Change> GlueService::cancelDataQualityRulesetEvaluationRun(const Json& in,
                                                                  const CallContext& ctx) {
  return cancelDqRun(in, ctx.scope, "glue_dq_runs", "Data Quality Ruleset Evaluation Run");
}

Result<Change> GlueService::listDataQualityRulesetEvaluationRuns(const Json& in,
                                                                 const CallContext& ctx) {
  return listNewestFirst(in, ctx.scope, "glue_dq_runs", "started_ms", {}, "Runs",
                         [](const Json& run) {
                           JsonObject item;
                           for (const char* k : {"RunId", "Status", "StartedOn", "DataSource"}) {
                             if (const Json* v = run.as_object().if_contains(k)) item[k] = *v;
                           }
                           return Json(std::move(item));
                         });
}

Result<Change> GlueService::getDataQualityResult(const Json& in, const CallContext& ctx) {
  auto id = Input(in).requiredString("ResultId");
  if (!id) return id.error();
  auto result = readDqRow("glue_dq_results", ctx.scope, *id);
  if (!result) return result.error();
  if (!*result) return entityNotFound("Cannot find Data Quality Result " + *id);
  return Change(std::move(**result));
}

Result<Change> GlueService::batchGetDataQualityResult(const Json& in, const CallContext& ctx) {
  const Json* ids = Input(in).get("ResultIds");
  if (!ids || !ids->is_array() || ids->as_array().empty()) {
    return invalidInput("ResultIds must list at least one id.");
  }
  JsonArray found, missing;
  for (const Json& v : ids->as_array()) {
    std::string id = jsonString(&v);
    auto result = readDqRow("glue_dq_results", ctx.scope, id);
    if (!result) return result.error();
    if (*result) {
      found.push_back(std::move(**result));
    } else {
      missing.push_back(Json(id));
    }
  }
  return Change(JsonObject{{"Results", std::move(found)}, {"ResultsNotFound", std::move(missing)}});
}

Result<Change> GlueService::listDataQualityResults(const Json& in, const CallContext& ctx) {
  return listNewestFirst(in, ctx.scope, "glue_dq_results", "completed_ms", {}, "Results",
                         [](const Json& r) {
                           JsonObject item;
                           for (const char* k : {"ResultId", "DataSource", "StartedOn"}) {
                             if (const Json* v = r.as_object().if_contains(k)) item[k] = *v;
                           }
                           return Json(std::move(item));
                         });
}

void GlueService::recoverDqRuns() {
  DocumentBatch batch;
  bool any = false;
  for (const char* table : {"glue_dq_runs", "glue_dq_recommendation_runs"}) {
    auto cut = unfinishedDocuments(docs_, std::string("SELECT account, region, doc FROM ") + table +
                                              " WHERE status IN ('STARTING', 'RUNNING', "
                                              "'STOPPING')");
    for (auto& [scope, run] : cut) {
      JsonObject& o = run.as_object();
      o["Status"] = "FAILED";
      o["ErrorString"] = "The run was cut short by a restart of the server; start it again.";
      o["CompletedOn"] = epochSeconds(clock_.now());
      putDqRun(batch, scope, run, table);
      any = true;
    }
  }
  if (any) docs_.commit(std::move(batch), [](Result<void>) {});
}

}  // namespace sluice::services::glue
