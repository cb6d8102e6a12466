// The Glue Data Catalog (signing name "glue", X-Amz-Target "AWSGlue"):
// databases, tables and partitions, the single source of table metadata for
// crawlers, Athena and jobs.
//
// Databases and tables are small configuration: one document each
// (glue_databases, glue_tables), held in memory under one lock and written
// through. Partitions and table versions grow with use, so they live in the
// catalog store only (catalog_store.hpp), read by index and paginated there.
//
// Crawlers are configuration documents too (glue_crawlers); each crawl is a
// row of glue_crawls. A crawl runs on the worker pool through the lake
// (lake/table_discovery.hpp) and writes its catalog changes as one commit,
// so a crawl cut short writes nothing; one cut by a crash is marked FAILED
// at start-up.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>

#include "engine/integration.hpp"
#include "lake/dqdl.hpp"
#include "lake/lake_engine.hpp"
#include "lake/table_discovery.hpp"
#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/common/input.hpp"
#include "services/glue/catalog_store.hpp"
#include "services/glue/crawl_scope.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/job_execution.hpp"
#include "services/glue/python_shell.hpp"
#include "services/operation.hpp"

namespace sluice::services::glue {

class GlueService {
 public:
  // Loads the databases and tables. Throws std::runtime_error when the store
  // cannot be read (start-up).
  // Crawls run on `env.engine.loop`'s worker pool through `lake`, and log and
  // publish their events through `registry`. Crawls cut by a crash are
  // marked FAILED.
  GlueService(const ServiceEnvironment& env, OperationRegistry& registry, lake::LakeEngine& lake);
  // Stops running crawls and waits for them.
  ~GlueService();

  void registerOperations(OperationRegistry& registry);
  // Where Python shell jobs reach this server (set once it listens).
  void setScriptRuntime(ScriptRuntime runtime) { scriptRuntime_ = std::move(runtime); }
  // arn:aws:states:::glue:startJobRun[.sync] (glue_integration.cpp).
  void registerIntegrations(engine::IntegrationRegistry& integrations);
  // Calls `then` (on the loop thread) with the JobRun once run `id` of `job`
  // has ended and its end is stored: at once if it already has; null when
  // there is no such run.
  void whenRunFinished(const Scope& scope, const std::string& job, const std::string& id,
                       std::function<void(Json)> then);
  static std::span<const store::sqlite::Migration> migrations();

  Result<Change> createDatabase(const Json& in, const CallContext& ctx);
  Result<Change> getDatabase(const Json& in, const CallContext& ctx);
  Result<Change> getDatabases(const Json& in, const CallContext& ctx);
  Result<Change> updateDatabase(const Json& in, const CallContext& ctx);
  Result<Change> deleteDatabase(const Json& in, const CallContext& ctx);
  Result<Change> createTable(const Json& in, const CallContext& ctx);
  Result<Change> getTable(const Json& in, const CallContext& ctx);
  Result<Change> getTables(const Json& in, const CallContext& ctx);
  Result<Change> updateTable(const Json& in, const CallContext& ctx);
  Result<Change> deleteTable(const Json& in, const CallContext& ctx);
  Result<Change> batchDeleteTable(const Json& in, const CallContext& ctx);
  Result<Change> searchTables(const Json& in, const CallContext& ctx);
  Result<Change> getTableVersions(const Json& in, const CallContext& ctx);
  Result<Change> getTableVersion(const Json& in, const CallContext& ctx);
  Result<Change> deleteTableVersion(const Json& in, const CallContext& ctx);
  Result<Change> batchDeleteTableVersion(const Json& in, const CallContext& ctx);
  Result<Change> createPartition(const Json& in, const CallContext& ctx);
  Result<Change> batchCreatePartition(const Json& in, const CallContext& ctx);
  Result<Change> getPartition(const Json& in, const CallContext& ctx);
  Result<Change> getPartitions(const Json& in, const CallContext& ctx);
  Result<Change> batchGetPartition(const Json& in, const CallContext& ctx);
  Result<Change> updatePartition(const Json& in, const CallContext& ctx);
  Result<Change> deletePartition(const Json& in, const CallContext& ctx);
  Result<Change> batchDeletePartition(const Json& in, const CallContext& ctx);
  Result<Change> createPartitionIndex(const Json& in, const CallContext& ctx);
  Result<Change> getPartitionIndexes(const Json& in, const CallContext& ctx);
  Result<Change> deletePartitionIndex(const Json& in, const CallContext& ctx);
  Result<Change> tagResource(const Json& in, const CallContext& ctx);
  Result<Change> untagResource(const Json& in, const CallContext& ctx);
  Result<Change> getTags(const Json& in, const CallContext& ctx);
  Result<Change> createCrawler(const Json& in, const CallContext& ctx);
  Result<Change> getCrawler(const Json& in, const CallContext& ctx);
  Result<Change> getCrawlers(const Json& in, const CallContext& ctx);
  Result<Change> batchGetCrawlers(const Json& in, const CallContext& ctx);
  Result<Change> listCrawlers(const Json& in, const CallContext& ctx);
  Result<Change> updateCrawler(const Json& in, const CallContext& ctx);
  Result<Change> deleteCrawler(const Json& in, const CallContext& ctx);
  Result<Change> startCrawler(const Json& in, const CallContext& ctx);
  Result<Change> stopCrawler(const Json& in, const CallContext& ctx);
  Result<Change> getCrawlerMetrics(const Json& in, const CallContext& ctx);
  Result<Change> listCrawls(const Json& in, const CallContext& ctx);
  Result<Change> updateCrawlerSchedule(const Json& in, const CallContext& ctx);
  Result<Change> startCrawlerSchedule(const Json& in, const CallContext& ctx);
  Result<Change> stopCrawlerSchedule(const Json& in, const CallContext& ctx);
  // Custom classifiers (classifiers.cpp).
  Result<Change> createClassifier(const Json& in, const CallContext& ctx);
  Result<Change> getClassifier(const Json& in, const CallContext& ctx);
  Result<Change> getClassifiers(const Json& in, const CallContext& ctx);
  Result<Change> updateClassifier(const Json& in, const CallContext& ctx);
  Result<Change> deleteClassifier(const Json& in, const CallContext& ctx);
  // The crawler's classifiers as the lake applies them, in its order;
  // EntityNotFoundException naming one that does not exist.
  Result<std::vector<lake::CustomClassifier>> crawlerClassifiers(const Scope& scope,
                                                                 const Json& names);
  // Jobs (jobs.cpp).
  Result<Change> createJob(const Json& in, const CallContext& ctx);
  Result<Change> getJob(const Json& in, const CallContext& ctx);
  Result<Change> getJobs(const Json& in, const CallContext& ctx);
  Result<Change> listJobs(const Json& in, const CallContext& ctx);
  Result<Change> batchGetJobs(const Json& in, const CallContext& ctx);
  Result<Change> updateJob(const Json& in, const CallContext& ctx);
  Result<Change> deleteJob(const Json& in, const CallContext& ctx);
  // Job runs (job_runs.cpp).
  Result<Change> startJobRun(const Json& in, const CallContext& ctx);
  Result<Change> getJobRun(const Json& in, const CallContext& ctx);
  Result<Change> getJobRuns(const Json& in, const CallContext& ctx);
  Result<Change> batchStopJobRun(const Json& in, const CallContext& ctx);
  Result<Change> getJobBookmark(const Json& in, const CallContext& ctx);
  Result<Change> resetJobBookmark(const Json& in, const CallContext& ctx);
  // Data Quality (data_quality.cpp).
  Result<Change> createDataQualityRuleset(const Json& in, const CallContext& ctx);
  Result<Change> getDataQualityRuleset(const Json& in, const CallContext& ctx);
  Result<Change> updateDataQualityRuleset(const Json& in, const CallContext& ctx);
  Result<Change> deleteDataQualityRuleset(const Json& in, const CallContext& ctx);
  Result<Change> listDataQualityRulesets(const Json& in, const CallContext& ctx);
  Result<Change> startDataQualityRulesetEvaluationRun(const Json& in, const CallContext& ctx);
  Result<Change> getDataQualityRulesetEvaluationRun(const Json& in, const CallContext& ctx);
  Result<Change> cancelDataQualityRulesetEvaluationRun(const Json& in, const CallContext& ctx);
  Result<Change> listDataQualityRulesetEvaluationRuns(const Json& in, const CallContext& ctx);
  Result<Change> getDataQualityResult(const Json& in, const CallContext& ctx);
  Result<Change> batchGetDataQualityResult(const Json& in, const CallContext& ctx);
  Result<Change> listDataQualityResults(const Json& in, const CallContext& ctx);
  Result<Change> startDataQualityRuleRecommendationRun(const Json& in, const CallContext& ctx);
  Result<Change> getDataQualityRuleRecommendationRun(const Json& in, const CallContext& ctx);
  Result<Change> cancelDataQualityRuleRecommendationRun(const Json& in, const CallContext& ctx);
  Result<Change> listDataQualityRuleRecommendationRuns(const Json& in, const CallContext& ctx);
  void finishRecommendationRun(const Scope& scope, Json run, const std::string& error,
                               const std::string& ruleset);
  // What starting a Data Quality run (an evaluation or a recommendation)
  // reads — DataSource.GlueTable (which must exist), Role, NumberOfWorkers,
  // Timeout — and the new run's document.
  struct DqRunStart {
    std::string db, table;
    Json tableDoc;
    JsonObject run;
  };
  Result<DqRunStart> beginDqRun(const Input& input, const Scope& scope);
  // Cancel...Run of a run of `table` (`kind` names it in errors).
  Result<Change> cancelDqRun(const Json& in, const Scope& scope, const char* table,
                             const std::string& kind);

 private:
  // By scopeKey, then lower-cased name (Glue keeps names in lower case).
  std::map<std::string, std::map<std::string, Json>> databases_;
  // By scopeKey, then "database/table".
  std::map<std::string, std::map<std::string, Json>> tables_;
  // Partition index descriptors per table ("db/table"), in creation order
  // (partition_indexes.cpp).
  std::map<std::string, std::map<std::string, Json>> partitionIndexes_;
  Result<Json> partitionIndexDescriptor(const Json& table, const Json& index) const;
  Result<void> addPartitionIndexes(Change& change, const Scope& scope, const TableRef& ref,
                                   const Json& table, const JsonArray& indexes);
  // Drops the indexes of `table` of `db`, or of every table of `db`.
  void dropPartitionIndexes(Change& change, const Scope& scope, const std::string& db,
                            const std::string& table = "");
  // Tags by resource ARN (glue_tags documents).
  std::map<std::string, std::map<std::string, std::string>> tags_;

  // The ARN of a catalog resource, checked to exist ("database/db",
  // "table/db/name"); EntityNotFoundException or InvalidInputException.
  Result<std::string> taggable(const Scope& scope, const std::string& arn);
  // Adds `tags` (a JSON map) to `arn`, at most 50 in all.
  Result<void> addTags(Change& change, const Scope& scope, const std::string& arn,
                       const Json& tags);
  void dropTags(Change& change, const Scope& scope, const std::string& arn);

  Result<Json*> database(const Scope& scope, const std::string& name);
  Result<Json*> table(const Scope& scope, const std::string& db, const std::string& name);
  // The stored partition of `values` (null when absent); a store read.
  Result<std::optional<Json>> readPartition(const Scope& scope, const std::string& db,
                                            const std::string& table, const std::string& key);
  // The table's partition-key count, for checking Values.
  static size_t partitionKeyCount(const Json& table);
  // Keeps `table` as its VersionId in the catalog store.
  void archiveVersion(DocumentBatch& batch, const Scope& scope, const Json& table);
  Result<Json> partitionRecord(const Scope& scope, const std::string& db, const Json& table,
                               const Json& input) const;

  // Classifiers by scopeKey then name (glue_classifiers documents): one
  // member, GrokClassifier / XMLClassifier / JsonClassifier / CsvClassifier.
  std::map<std::string, std::map<std::string, Json>> classifiers_;
  // Jobs, by scopeKey then name (glue_jobs documents).
  std::map<std::string, std::map<std::string, Json>> jobs_;
  Result<Json*> job(const Scope& scope, const std::string& name);
  static Json jobView(const Json& doc);
  static std::string jobArn(const Scope& scope, const std::string& name);
  // Data Quality rulesets by scopeKey then name (glue_dq_rulesets).
  std::map<std::string, std::map<std::string, Json>> dqRulesets_;
  // Stores a Data Quality run's document: an evaluation run
  // (glue_dq_runs) or a recommendation run (glue_dq_recommendation_runs).
  static void putDqRun(DocumentBatch& batch, const Scope& scope, const Json& run,
                       const char* table = "glue_dq_runs");
  // Evaluation runs a crash cut short: FAILED (start-up).
  void recoverDqRuns();
  Result<std::optional<Json>> readDqRow(const char* table, const Scope& scope,
                                        const std::string& id);
  // One ruleset's outcome in a run: its rules' and its analyzers' results.
  struct DqRulesetOutcome {
    std::string name;
    std::vector<lake::DqRuleResult> rules, analyzers;
    std::optional<lake::DqRowCounts> rows;
  };
  void finishDqRun(const Scope& scope, Json run, const std::string& error,
                   std::vector<DqRulesetOutcome> results);
  // Stores one Data Quality result (a ruleset's in a run, or a job node's):
  // `result` holds what identifies it, this adds ResultId, Score,
  // RuleResults, AnalyzerResults and AggregatedMetrics (with the rows'
  // counts when `rows` has them); the event announcing it is added to
  // `events`, published once the batch is stored (publishDqEvents).
  std::string recordDqResult(DocumentBatch& batch, const Scope& scope, JsonObject result,
                             const std::vector<lake::DqRuleResult>& rules,
                             const std::vector<lake::DqRuleResult>& analyzers,
                             const std::optional<lake::DqRowCounts>& rows, JsonObject context,
                             JsonArray rulesetNames, std::vector<Json>& events);
  void publishDqEvents(const Scope& scope, const std::vector<Json>& events);
  // Rows of `table` (of this scope, and whose `filter` column has its value)
  // newest first by `time`, paged, each shown by `item` (newest_first.cpp).
  Result<Change> listNewestFirst(const Json& in, const Scope& scope, const char* table,
                                 const char* time,
                                 std::optional<std::pair<std::string, std::string>> filter,
                                 const char* member, const std::function<Json(const Json&)>& item);
  // The Timeout timer of each run in flight, and the runs it stopped.
  std::map<std::string, engine::EventLoop::TimerId> runTimers_;
  std::set<std::string> timedOut_;
  // Runs whose end is being stored, and who waits for runs to end.
  std::set<std::string> finishingRuns_;
  std::map<std::string, std::vector<std::function<void(Json)>>> runWaiters_;
  ScriptRuntime scriptRuntime_;
  // Job bookmarks by scopeKey then job (glue_job_bookmarks documents).
  std::map<std::string, std::map<std::string, Json>> jobBookmarks_;
  // Runs in flight, by runKey then run id: their cancel handles.
  std::map<std::string, std::map<std::string, std::shared_ptr<lake::LakeCancel>>> activeRuns_;
  static std::string runKey(const Scope& scope, const std::string& job);
  static void putJobRun(DocumentBatch& batch, const Scope& scope, const Json& run);
  Result<std::optional<Json>> readJobRun(const Scope& scope, const std::string& job,
                                         const std::string& id);
  void finishJobRun(const Scope& scope, Json run, const JobRunOutcome& outcome);
  // Starts a run of `name` (StartJobRun, and MaxRetries' next attempts); its
  // start goes into `batch`. Callers hold mu_.
  void launchJobRun(DocumentBatch& batch, const Scope& scope, const std::string& name,
                    const JsonObject& def, JobDag dag, bool shell, JsonObject args,
                    const JsonObject& overrides, int attempt, const std::string& previousRunId,
                    const std::string& id);
  void retryJobRun(DocumentBatch& batch, const Scope& scope, const Json& run);
  // The end of a run told to EventBridge and CloudWatch Logs.
  void jobRunTold(const Scope& scope, const Json& run, const JobRunOutcome& outcome);
  // Runs a crash cut short: FAILED (start-up).
  void recoverJobRuns();

  // Crawlers.
  struct CrawlCounts {
    int tablesCreated = 0, tablesUpdated = 0, tablesDeleted = 0;
    int partitionsCreated = 0, partitionsUpdated = 0, partitionsDeleted = 0;
  };
  Result<Json*> crawler(const Scope& scope, const std::string& name);
  // The crawler document as the API shows it (internal members dropped).
  static Json crawlerView(const Json& doc);
  // Checks a CreateCrawler / UpdateCrawler input onto `doc`.
  Result<void> applyCrawlerInput(const Scope& scope, JsonObject& doc, const Json& in,
                                 bool creating);
  // StartCrawler's work: the crawler RUNNING, its crawl launched.
  Result<Change> beginCrawl(const Scope& scope, const std::string& name);
  // Crawler schedules: a timer on the engine loop for the next firing of
  // each SCHEDULED crawler; `generation` outdates timers of older schedules.
  void armSchedule(const Scope& scope, const std::string& name);
  void fireSchedule(const Scope& scope, const std::string& name, uint64_t generation);
  // What a crawl reads, fixed when it starts.
  struct CrawlPlan {
    std::vector<lake::CrawlTarget> targets;
    std::vector<std::string> eventQueues;       // per target (event mode)
    std::vector<std::string> deadLetterQueues;  // per target: its DlqEventQueueArn, or ""
    lake::DiscoveryOptions options;
    std::string recrawl;
    bool crawledBefore = false;
    std::vector<KnownTable> known;
    // Catalog targets: each table's location and the table it updates.
    std::map<std::string, TableRef> fixed;
    std::vector<std::string> missing;  // catalog targets without a table
  };
  struct CrawlOutcome {
    Result<lake::Discovery> discovery = lake::Discovery{};
    std::vector<QueuedEvents> consumed;
    bool partial = false;  // only some folders were read
    std::map<std::string, TableRef> fixed;
  };
  // Starts a crawl of `doc` (State RUNNING already set) on the worker pool.
  void launchCrawl(const Scope& scope, const Json& doc);
  // The crawl itself (a worker thread).
  CrawlOutcome runCrawl(const Scope& scope, const CrawlPlan& plan, lake::LakeCancel& cancel);
  // Records the end of a crawl (loop thread).
  void finishCrawl(const Scope& scope, const std::string& name, const std::string& crawlId,
                   CrawlOutcome outcome);
  // The catalog writes a discovery makes under the crawler's policies.
  // `partial`: only some folders were read, so columns are merged and
  // nothing is deleted.
  Result<CrawlCounts> applyDiscovery(Change& change, const Scope& scope, const JsonObject& crawler,
                                     const lake::Discovery& discovery, bool partial,
                                     const std::map<std::string, TableRef>& fixed,
                                     std::vector<std::string>& log);
  void storePartition(DocumentBatch& batch, const Scope& scope, const std::string& db,
                      const std::string& table, const Json& record);
  void erasePartition(DocumentBatch& batch, const Scope& scope, const std::string& db,
                      const std::string& table, const std::string& key);
  // Every stored partition of a table by key (a store read).
  Result<std::map<std::string, Json>> readPartitions(const Scope& scope, const std::string& db,
                                                     const std::string& table);
  void crawlerEvent(const Scope& scope, const JsonObject& detail);
  void crawlerLog(const Scope& scope, const std::string& crawler, std::vector<std::string> lines);
  // Crawls cut by a crash: FAILED, the crawler READY again (start-up).
  void recoverCrawls();

  // By scopeKey, then crawler name (case kept).
  std::map<std::string, std::map<std::string, Json>> crawlers_;
  // Running crawls by "scopeKey/name".
  std::map<std::string, std::shared_ptr<lake::LakeCancel>> running_;
  int inFlight_ = 0;  // crawl jobs on the worker pool
  // Evaluation runs in flight, by run id: the run as stored and what stops it.
  struct DqRunInFlight {
    Scope scope;
    Json run;
    std::shared_ptr<lake::LakeCancel> cancel;
    const char* table;  // where the run is stored: which kind of run it is
  };
  std::map<std::string, DqRunInFlight> dqRunsInFlight_;
  // Schedule generations by "scopeKey/name".
  std::map<std::string, uint64_t> scheduleGenerations_;
  std::condition_variable crawlsDone_;

  const Clock& clock_;
  engine::EventLoop& loop_;
  IdGenerator& ids_;
  OperationRegistry& registry_;
  lake::LakeEngine& lake_;
  DocumentStore docs_;
  // Partitions and table versions (after docs_, whose store it reads).
  std::unique_ptr<CatalogStore> catalog_;
  std::mutex mu_;
};

// The key of a partition's values ("2024\x1f" "01"): its row key and sort order.
std::string partitionKey(const Json& values);

}  // namespace sluice::services::glue
