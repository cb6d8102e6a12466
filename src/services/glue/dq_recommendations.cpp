// Glue Data Quality rule recommendations: StartDataQualityRuleRecommendationRun
// profiles a catalog table (read as Athena reads it) on DuckDB and recommends
// a DQDL ruleset (lake/dq_recommend.hpp), saved as a ruleset when the run
// names one (CreatedRulesetName); GetDataQualityRuleRecommendationRun,
// ListDataQualityRuleRecommendationRuns and
// CancelDataQualityRuleRecommendationRun. Runs grow with use: rows of
// glue_dq_recommendation_runs.
#include "lake/dq_recommend.hpp"
#include "services/common/catalog_reads.hpp"
#include "services/common/input.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kRuns = "glue_dq_recommendation_runs";

}  // namespace

Result<Change> GlueService::startDataQualityRuleRecommendationRun(const Json& in,
                                                                  const CallContext& ctx) {
  Input input(in);
  auto created = input.optionalString("CreatedRulesetName");
  if (!created) return created.error();
  if (*created && dqRulesets_[scopeKey(ctx.scope)].count(**created)) {
    return alreadyExists("Ruleset " + **created + " already exists.");
  }
  auto start = beginDqRun(input, ctx.scope);
  if (!start) return start.error();
  const std::string db = start->db, tableName = start->table;
  JsonObject& run = start->run;
  std::string id = jsonString(&run["RunId"]);
  TimePoint now = clock_.now();
  for (const char* member : {"CreatedRulesetName", "DataQualitySecurityConfiguration"}) {
    if (const Json* v = input.get(member); v && !v->is_null()) run[member] = *v;
  }
  Change change(JsonObject{{"RunId", id}});
  putDqRun(change.batch, ctx.scope, run, kRuns);
  struct Recommended {
    std::string error, ruleset;
  };
  auto recommended = std::make_shared<Recommended>();
  auto cancel = std::make_shared<lake::LakeCancel>();
  dqRunsInFlight_[id] = DqRunInFlight{ctx.scope, run, cancel, kRuns};
  ++inFlight_;
  std::map<std::pair<std::string, std::string>, Json> tables{{{db, tableName}, start->tableDoc}};
  loop_.runBlocking(
      [this, scope = ctx.scope, tables, recommended, cancel, db, tableName, now] {
        auto reads = readCatalogTables(registry_, lake_, scope, tables, now);
        auto con = lake_.connection();
        if (!reads) {
          recommended->error = reads.error().message;
        } else if (!con) {
          recommended->error = con.error().message;
        } else if (cancel->attach(&**con)) {
          auto ruleset = lake::recommendDqdl(**con, "(" + reads->readers.at({db, tableName}) + ")");
          if (ruleset) {
            recommended->ruleset = std::move(*ruleset);
          } else {
            recommended->error = ruleset.error().message;
          }
        }
        std::lock_guard lock(mu_);
        --inFlight_;
        crawlsDone_.notify_all();
      },
      [this, scope = ctx.scope, run = Json(run), recommended]() mutable {
        finishRecommendationRun(scope, std::move(run), recommended->error, recommended->ruleset);
      });
  return change;
}

void GlueService::finishRecommendationRun(const Scope& scope, Json run, const std::string& error,
                                          const std::string& ruleset) {
  std::lock_guard lock(mu_);
  JsonObject& o = run.as_object();
  TimePoint now = clock_.now();
  bool stopped = false;
  if (auto it = dqRunsInFlight_.find(jsonString(jsonAt(run, {"RunId"})));
      it != dqRunsInFlight_.end()) {
    stopped = it->second.cancel->cancelled();
    dqRunsInFlight_.erase(it);
  }
  std::string failure = error;
  DocumentBatch batch;
  if (!stopped && failure.empty()) {
    o["RecommendedRuleset"] = ruleset;
    if (const Json* name = o.if_contains("CreatedRulesetName")) {
      // Saved as a ruleset of the profiled table (unless one of that name
      // was made meanwhile: the run then fails, its recommendation kept).
      CallContext ctx;
      ctx.scope = scope;
      JsonObject target{{"DatabaseName", *jsonAt(run, {"DataSource", "GlueTable", "DatabaseName"})},
                        {"TableName", *jsonAt(run, {"DataSource", "GlueTable", "TableName"})}};
      auto made = createDataQualityRuleset(
          JsonObject{{"Name", *name}, {"Ruleset", ruleset}, {"TargetTable", std::move(target)}},
          ctx);
      if (made) {
        batch = std::move(made->batch);
      } else {
        failure = made.error().message;
      }
    }
  }
  o["Status"] = stopped ? "STOPPED" : failure.empty() ? "SUCCEEDED" : "FAILED";
  if (!failure.empty() && !stopped) o["ErrorString"] = failure;
  o["CompletedOn"] = epochSeconds(now);
  o["LastModifiedOn"] = epochSeconds(now);
  o["ExecutionTime"] =
      std::max<int64_t>(0, (epochMs(now) - o.at("_StartedMs").to_number<int64_t>()) / 1000);
  putDqRun(batch, scope, run, kRuns);
  loop_.beginJob();
  docs_.commit(std::move(batch), [this](Result<void>) { loop_.post([this] { loop_.endJob(); }); });
}

Result<Change> GlueService::getDataQualityRuleRecommendationRun(const Json& in,
                                                                const CallContext& ctx) {
  auto id = Input(in).requiredString("RunId");
  if (!id) return id.error();
  auto run = readDqRow(kRuns, ctx.scope, *id);
  if (!run) return run.error();
  if (!*run) return entityNotFound("Cannot find Data Quality Rule Recommendation Run " + *id);
  return Change(publicView(**run));
}

Result<Change> GlueService::cancelDataQualityRuleRecommendationRun(const Json& in,
                                                                   const CallContext& ctx) {
  return cancelDqRun(in, ctx.scope, kRuns, "Data Quality Rule Recommendation Run");
}

Result<Change> GlueService::listDataQualityRuleRecommendationRuns(const Json& in,
                                                                  const CallContext& ctx) {
  return listNewestFirst(in, ctx.scope, kRuns, "started_ms", {}, "Runs", [](const Json& run) {
    JsonObject item;
    for (const char* k : {"RunId", "Status", "StartedOn", "DataSource"}) {
      if (const Json* v = run.as_object().if_contains(k)) item[k] = *v;
    }
    return Json(std::move(item));
  });
}

}  // namespace sluice::services::glue
