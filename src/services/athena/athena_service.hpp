// Amazon Athena (signing name "athena", X-Amz-Target "AmazonAthena"): query
// executions over the Glue catalog, run by DuckDB through the lake.
//
// Query executions grow with use, so they live in the store only: rows of
// athena_queries (state, workgroup, submission time, the QueryExecution
// document), read and paged from there; the only thing in memory is the
// cancel handle of each running query. A query cut by a crash is FAILED at
// start-up. Results are files in S3 at the output location, read back for
// GetQueryResults.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <vector>

#include "engine/integration.hpp"
#include "lake/lake_engine.hpp"
#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/operation.hpp"

namespace sluice::services {
class Input;
}

namespace sluice::services::athena {

struct QueryOutcome;

class AthenaService {
 public:
  AthenaService(const ServiceEnvironment& env, OperationRegistry& registry, lake::LakeEngine& lake);
  // Cancels running queries and waits for them.
  ~AthenaService();

  void registerOperations(OperationRegistry& registry);
  // arn:aws:states:::athena:startQueryExecution[.sync] and the
  // request-response tasks over the other query operations.
  void registerIntegrations(engine::IntegrationRegistry& integrations, IdGenerator& ids);
  // Calls `then` (on the loop thread) with the QueryExecution once query `id`
  // has finished and its end is stored: at once if it already has. A query
  // that does not exist gives null.
  void whenFinished(const Scope& scope, const std::string& id, std::function<void(Json)> then);
  static std::span<const store::sqlite::Migration> migrations();

  Result<Change> startQueryExecution(const Json& in, const CallContext& ctx);
  Result<Change> getQueryExecution(const Json& in, const CallContext& ctx);
  Result<Change> batchGetQueryExecution(const Json& in, const CallContext& ctx);
  Result<Change> listQueryExecutions(const Json& in, const CallContext& ctx);
  Result<Change> stopQueryExecution(const Json& in, const CallContext& ctx);
  Result<Change> getQueryResults(const Json& in, const CallContext& ctx);
  Result<Change> getQueryRuntimeStatistics(const Json& in, const CallContext& ctx);
  // Workgroups (workgroups.cpp).
  Result<Change> createWorkGroup(const Json& in, const CallContext& ctx);
  Result<Change> getWorkGroup(const Json& in, const CallContext& ctx);
  Result<Change> updateWorkGroup(const Json& in, const CallContext& ctx);
  Result<Change> deleteWorkGroup(const Json& in, const CallContext& ctx);
  Result<Change> listWorkGroups(const Json& in, const CallContext& ctx);
  // Prepared statements (prepared_statements.cpp).
  Result<Change> createPreparedStatement(const Json& in, const CallContext& ctx);
  Result<Change> getPreparedStatement(const Json& in, const CallContext& ctx);
  Result<Change> updatePreparedStatement(const Json& in, const CallContext& ctx);
  Result<Change> deletePreparedStatement(const Json& in, const CallContext& ctx);
  Result<Change> listPreparedStatements(const Json& in, const CallContext& ctx);
  Result<Change> batchGetPreparedStatement(const Json& in, const CallContext& ctx);
  // Named queries (named_queries.cpp).
  Result<Change> createNamedQuery(const Json& in, const CallContext& ctx);
  Result<Change> getNamedQuery(const Json& in, const CallContext& ctx);
  Result<Change> batchGetNamedQuery(const Json& in, const CallContext& ctx);
  Result<Change> listNamedQueries(const Json& in, const CallContext& ctx);
  Result<Change> updateNamedQuery(const Json& in, const CallContext& ctx);
  Result<Change> deleteNamedQuery(const Json& in, const CallContext& ctx);
  // Tags (tags.cpp).
  Result<Change> tagResource(const Json& in, const CallContext& ctx);
  Result<Change> untagResource(const Json& in, const CallContext& ctx);
  Result<Change> listTagsForResource(const Json& in, const CallContext& ctx);

 private:
  // The stored QueryExecution (with its internal members); nullopt if none.
  Result<std::optional<Json>> readQuery(const Scope& scope, const std::string& id);
  Result<Json> requireQuery(const Scope& scope, const std::string& id);
  void storeQuery(DocumentBatch& batch, const Scope& scope, const Json& doc);
  // The newest stored execution whose result `wanted` (a QUEUED
  // QueryExecution) may reuse, if any (result_reuse.cpp).
  Result<std::optional<Json>> reusableResult(const Scope& scope, const Json& wanted,
                                             int64_t maxAgeMinutes);
  // Makes `doc` a SUCCEEDED execution answered by `previous`'s result.
  static void reuseResult(Json& doc, const Json& previous);
  // Runs a QUEUED query on the worker pool, or keeps it QUEUED until one of
  // the queries running ends.
  void launch(const Scope& scope, Json doc);
  void start(const Scope& scope, Json doc, std::shared_ptr<lake::LakeCancel> cancel);
  void startNextQueued();
  // Records a query's end; `ran`: it held a running slot.
  void finish(const Scope& scope, Json doc, const QueryOutcome& outcome, bool ran);
  // The EventBridge "Athena Query State Change" event of the state `doc`
  // is in now, coming from `previous` (empty for the first).
  void stateEvent(const Scope& scope, const Json& doc, const std::string& previous);
  // Queries a crash cut short: FAILED (start-up).
  void recover();
  static Json view(const Json& doc);
  // ListDataCatalogs, GetDataCatalog, ListDatabases, GetDatabase,
  // ListTableMetadata, GetTableMetadata over Glue (data_catalogs.cpp).
  static void registerCatalogOperations(OperationRegistry& registry);
  // The stored workgroups, prepared statements and named queries (start-up).
  Result<void> loadWorkGroups();
  Result<void> loadPreparedStatements();
  Result<void> loadNamedQueries();
  // Workgroup `name` as GetWorkGroup describes it; InvalidRequestException
  // when there is none.
  Result<Json> effectiveWorkGroup(const Scope& scope, const std::string& name);
  // The request's WorkGroup member (primary when optional and absent),
  // which must exist.
  Result<std::string> requestWorkGroup(const Input& input, const Scope& scope, bool required);
  // Removes a workgroup's named queries, prepared statements and query
  // executions, or refuses when it has any and `refuseIfAny`.
  Result<void> removeWorkGroupContents(DocumentBatch& batch, const Scope& scope,
                                       const std::string& wg, bool refuseIfAny);

  // Tags by resource ARN (tags.cpp).
  std::map<std::string, std::map<std::string, std::string>> tags_;
  Result<void> loadTags();
  static std::string workGroupArn(const Scope& scope, const std::string& name);
  // The request's ResourceARN, a workgroup or data catalog that exists;
  // ResourceNotFoundException otherwise.
  Result<std::string> taggable(const Scope& scope, const Input& input);
  // Merges `tags` (a TagList) into the resource's, at most 50 in all.
  Result<void> addTags(DocumentBatch& batch, const Scope& scope, const std::string& arn,
                       const Json& tags);
  void storeTags(DocumentBatch& batch, const Scope& scope, const std::string& arn,
                 std::map<std::string, std::string> tags);

  const Clock& clock_;
  engine::EventLoop& loop_;
  IdGenerator& ids_;
  OperationRegistry& registry_;
  lake::LakeEngine& lake_;
  DocumentStore docs_;
  std::mutex mu_;
  // Cancel handles of started and waiting queries, by query id.
  std::map<std::string, std::shared_ptr<lake::LakeCancel>> running_;
  // Queries running at once: DuckDB spreads each over every core, and the
  // worker pool is shared with the other services, so more would only
  // compete; the rest wait QUEUED, in order of submission.
  static constexpr int kMaxRunningQueries = 4;
  int runningCount_ = 0;
  struct QueuedQuery {
    Scope scope;
    Json doc;
    std::shared_ptr<lake::LakeCancel> cancel;
  };
  std::deque<QueuedQuery> waiting_;
  int inFlight_ = 0;  // started or waiting
  std::condition_variable done_;
  // Queries whose end is being committed, and who waits for queries to end.
  std::set<std::string> finishing_;
  std::map<std::string, std::vector<std::function<void(Json)>>> waiters_;
  // Configuration, by scopeKey then name (workgroups), "<workgroup>/<name>"
  // (prepared statements) or id (named queries); written through.
  std::map<std::string, std::map<std::string, Json>> workgroups_, prepared_, namedQueries_;
};

}  // namespace sluice::services::athena
