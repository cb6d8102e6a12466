#include "services/glue/glue_service.hpp"

#include <stdexcept>

namespace sluice::services::glue {

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE glue_databases(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE glue_tables(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE glue_partitions(account TEXT NOT NULL, region TEXT NOT NULL, db TEXT NOT NULL, "
     "tbl TEXT NOT NULL, vkey TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, db, tbl, vkey))"},
    {2,
     "CREATE TABLE glue_table_versions(account TEXT NOT NULL, region TEXT NOT NULL, db TEXT NOT "
     "NULL, tbl TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, db, tbl, version))"},
    {3,
     "CREATE TABLE glue_tags(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {4,
     "CREATE TABLE glue_crawlers(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE glue_crawls(account TEXT NOT NULL, region TEXT NOT NULL, crawler TEXT NOT "
     "NULL, crawl_id TEXT NOT NULL, start_ms INTEGER NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, crawler, crawl_id));"
     "CREATE INDEX glue_crawls_by_start ON glue_crawls(account, region, crawler, start_ms)"},
    {5,
     "CREATE TABLE glue_jobs(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {6,
     "CREATE TABLE glue_job_runs(account TEXT NOT NULL, region TEXT NOT NULL, job TEXT NOT NULL, "
     "id TEXT NOT NULL, started_ms INTEGER NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, job, id));"
     "CREATE INDEX glue_job_runs_by_start ON glue_job_runs(account, region, job, started_ms);"
     "CREATE INDEX glue_job_runs_unfinished ON glue_job_runs(state) "
     "WHERE state IN ('STARTING', 'RUNNING', 'STOPPING')"},
    {7,
     "CREATE TABLE glue_dq_rulesets(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT "
     "NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE glue_dq_runs(account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, "
     "started_ms INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, id));"
     "CREATE INDEX glue_dq_runs_by_start ON glue_dq_runs(account, region, started_ms);"
     "CREATE TABLE glue_dq_results(account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT "
     "NULL, completed_ms INTEGER NOT NULL, ruleset TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, id));"
     "CREATE INDEX glue_dq_results_by_time ON glue_dq_results(account, region, completed_ms)"},
    {8,
     "CREATE TABLE glue_job_bookmarks(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT "
     "NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {9,
     "CREATE TABLE glue_classifiers(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT "
     "NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {10,
     "CREATE TABLE glue_partition_indexes(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT "
     "NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {11,
     "CREATE TABLE glue_dq_recommendation_runs(account TEXT NOT NULL, region TEXT NOT NULL, id "
     "TEXT NOT NULL, started_ms INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY(account, region, id));"
     "CREATE INDEX glue_dq_recommendation_runs_by_start ON "
     "glue_dq_recommendation_runs(account, region, started_ms)"},
};

}  // namespace

std::span<const store::sqlite::Migration> GlueService::migrations() {
  return kMigrations;
}

GlueService::GlueService(const ServiceEnvironment& env, OperationRegistry& registry,
                         lake::LakeEngine& lake)
    : clock_(env.clock),
      loop_(env.engine.loop),
      ids_(env.engine.ids),
      registry_(registry),
      lake_(lake),
      docs_(env.store),
      catalog_(env.store ? makeSqlCatalogStore(*env.store) : makeMemoryCatalogStore()) {
  auto loaded = docs_.scan("glue_databases", [this](const Scope& s, const std::string& k, Json d) {
    databases_[scopeKey(s)][k] = std::move(d);
  });
  if (loaded) {
    loaded = docs_.scan("glue_tables", [this](const Scope& s, const std::string& k, Json d) {
      tables_[scopeKey(s)][k] = std::move(d);
    });
  }
  if (loaded) {
    loaded =
        docs_.scan("glue_partition_indexes", [this](const Scope& s, const std::string& k, Json d) {
          partitionIndexes_[scopeKey(s)][k] = std::move(d);
        });
  }
  if (loaded) {
    loaded = docs_.scan("glue_tags", [this](const Scope&, const std::string& arn, Json d) {
      for (const auto& kv : d.as_object()) {
        tags_[arn][std::string(kv.key())] = std::string(kv.value().as_string());
      }
    });
  }
  if (loaded) {
    loaded = docs_.scan("glue_crawlers", [this](const Scope& s, const std::string& k, Json d) {
      crawlers_[scopeKey(s)][k] = std::move(d);
    });
  }
  if (loaded) {
    loaded = docs_.scan("glue_jobs", [this](const Scope& s, const std::string& k, Json d) {
      jobs_[scopeKey(s)][k] = std::move(d);
    });
  }
  if (loaded) {
    loaded = docs_.scan("glue_job_bookmarks", [this](const Scope& s, const std::string& k, Json d) {
      jobBookmarks_[scopeKey(s)][k] = std::move(d);
    });
  }
  if (loaded) {
    loaded = docs_.scan("glue_dq_rulesets", [this](const Scope& s, const std::string& k, Json d) {
      dqRulesets_[scopeKey(s)][k] = std::move(d);
    });
  }
  if (loaded) {
    loaded = docs_.scan("glue_classifiers", [this](const Scope& s, const std::string& k, Json d) {
      classifiers_[scopeKey(s)][k] = std::move(d);
    });
  }
  if (!loaded) throw std::runtime_error("glue: " + loaded.error().message);
  recoverCrawls();
  recoverJobRuns();
  recoverDqRuns();
  for (const auto& [key, crawlers] : crawlers_) {
    Scope scope{key.substr(0, key.find('/')), key.substr(key.find('/') + 1)};
    for (const auto& [name, _] : crawlers) armSchedule(scope, name);
  }
}

GlueService::~GlueService() {
  std::unique_lock lock(mu_);
  for (auto& [_, cancel] : running_) cancel->cancel();
  for (auto& [_, runs] : activeRuns_) {
    for (auto& [__, cancel] : runs) cancel->cancel();
  }
  crawlsDone_.wait(lock, [this] { return inFlight_ == 0; });
}

void GlueService::registerOperations(OperationRegistry& registry) {
  registry.addService("glue", "AWSGlue");
  using Op = Result<Change> (GlueService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("glue", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      runLocked(
          mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
    });
  };
  add("CreateDatabase", &GlueService::createDatabase);
  add("GetDatabase", &GlueService::getDatabase);
  add("GetDatabases", &GlueService::getDatabases);
  add("UpdateDatabase", &GlueService::updateDatabase);
  add("DeleteDatabase", &GlueService::deleteDatabase);
  add("CreateTable", &GlueService::createTable);
  add("GetTable", &GlueService::getTable);
  add("GetTables", &GlueService::getTables);
  add("UpdateTable", &GlueService::updateTable);
  add("DeleteTable", &GlueService::deleteTable);
  add("BatchDeleteTable", &GlueService::batchDeleteTable);
  add("SearchTables", &GlueService::searchTables);
  add("GetTableVersions", &GlueService::getTableVersions);
  add("GetTableVersion", &GlueService::getTableVersion);
  add("DeleteTableVersion", &GlueService::deleteTableVersion);
  add("BatchDeleteTableVersion", &GlueService::batchDeleteTableVersion);
  add("CreatePartition", &GlueService::createPartition);
  add("BatchCreatePartition", &GlueService::batchCreatePartition);
  add("GetPartition", &GlueService::getPartition);
  add("GetPartitions", &GlueService::getPartitions);
  add("BatchGetPartition", &GlueService::batchGetPartition);
  add("UpdatePartition", &GlueService::updatePartition);
  add("DeletePartition", &GlueService::deletePartition);
  add("BatchDeletePartition", &GlueService::batchDeletePartition);
  add("CreatePartitionIndex", &GlueService::createPartitionIndex);
  add("GetPartitionIndexes", &GlueService::getPartitionIndexes);
  add("DeletePartitionIndex", &GlueService::deletePartitionIndex);
  add("TagResource", &GlueService::tagResource);
  add("UntagResource", &GlueService::untagResource);
  add("GetTags", &GlueService::getTags);
  add("CreateCrawler", &GlueService::createCrawler);
  add("GetCrawler", &GlueService::getCrawler);
  add("GetCrawlers", &GlueService::getCrawlers);
  add("BatchGetCrawlers", &GlueService::batchGetCrawlers);
  add("ListCrawlers", &GlueService::listCrawlers);
  add("UpdateCrawler", &GlueService::updateCrawler);
  add("DeleteCrawler", &GlueService::deleteCrawler);
  add("StartCrawler", &GlueService::startCrawler);
  add("StopCrawler", &GlueService::stopCrawler);
  add("GetCrawlerMetrics", &GlueService::getCrawlerMetrics);
  add("ListCrawls", &GlueService::listCrawls);
  add("UpdateCrawlerSchedule", &GlueService::updateCrawlerSchedule);
  add("StartCrawlerSchedule", &GlueService::startCrawlerSchedule);
  add("StopCrawlerSchedule", &GlueService::stopCrawlerSchedule);
  add("CreateJob", &GlueService::createJob);
  add("GetJob", &GlueService::getJob);
  add("GetJobs", &GlueService::getJobs);
  add("ListJobs", &GlueService::listJobs);
  add("BatchGetJobs", &GlueService::batchGetJobs);
  add("UpdateJob", &GlueService::updateJob);
  add("CreateClassifier", &GlueService::createClassifier);
  add("GetClassifier", &GlueService::getClassifier);
  add("GetClassifiers", &GlueService::getClassifiers);
  add("UpdateClassifier", &GlueService::updateClassifier);
  add("DeleteClassifier", &GlueService::deleteClassifier);
  add("DeleteJob", &GlueService::deleteJob);
  add("StartJobRun", &GlueService::startJobRun);
  add("GetJobRun", &GlueService::getJobRun);
  add("GetJobRuns", &GlueService::getJobRuns);
  add("BatchStopJobRun", &GlueService::batchStopJobRun);
  add("GetJobBookmark", &GlueService::getJobBookmark);
  add("ResetJobBookmark", &GlueService::resetJobBookmark);
  add("CreateDataQualityRuleset", &GlueService::createDataQualityRuleset);
  add("GetDataQualityRuleset", &GlueService::getDataQualityRuleset);
  add("UpdateDataQualityRuleset", &GlueService::updateDataQualityRuleset);
  add("DeleteDataQualityRuleset", &GlueService::deleteDataQualityRuleset);
  add("ListDataQualityRulesets", &GlueService::listDataQualityRulesets);
  add("StartDataQualityRulesetEvaluationRun", &GlueService::startDataQualityRulesetEvaluationRun);
  add("GetDataQualityRulesetEvaluationRun", &GlueService::getDataQualityRulesetEvaluationRun);
  add("CancelDataQualityRulesetEvaluationRun", &GlueService::cancelDataQualityRulesetEvaluationRun);
  add("ListDataQualityRulesetEvaluationRuns", &GlueService::listDataQualityRulesetEvaluationRuns);
  add("StartDataQualityRuleRecommendationRun", &GlueService::startDataQualityRuleRecommendationRun);
  add("GetDataQualityRuleRecommendationRun", &GlueService::getDataQualityRuleRecommendationRun);
  add("CancelDataQualityRuleRecommendationRun",
      &GlueService::cancelDataQualityRuleRecommendationRun);
  add("ListDataQualityRuleRecommendationRuns", &GlueService::listDataQualityRuleRecommendationRuns);
  add("GetDataQualityResult", &GlueService::getDataQualityResult);
  add("BatchGetDataQualityResult", &GlueService::batchGetDataQualityResult);
  add("ListDataQualityResults", &GlueService::listDataQualityResults);
}

}  // namespace sluice::services::glue
