// The Glue Data Catalog (signing name "glue", X-Amz-Target "AWSGlue"):
// databases, tables and partitions, the single source of table metadata for
// crawlers, Athena and jobs.
//
// Databases and tables are small configuration: one document each
// (glue_databases, glue_tables), held in memory under one lock and written
// through. Partitions grow with the data (a table partitioned by hour gains
// 8,760 a year), and so do table versions (one per UpdateTable), so they live
// in the store only: rows of glue_partitions and glue_table_versions, read by
// index and paginated from there, nothing per row in memory.
#pragma once

#include <map>
#include <mutex>
#include <span>
#include <string>

#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/operation.hpp"

namespace sluice::services::glue {

class GlueService {
 public:
  // Loads the databases and tables. Throws std::runtime_error when the store
  // cannot be read (start-up).
  explicit GlueService(const ServiceEnvironment& env);

  void registerOperations(OperationRegistry& registry);
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
  Result<Change> tagResource(const Json& in, const CallContext& ctx);
  Result<Change> untagResource(const Json& in, const CallContext& ctx);
  Result<Change> getTags(const Json& in, const CallContext& ctx);

 private:
  // By scopeKey, then lower-cased name (Glue keeps names in lower case).
  std::map<std::string, std::map<std::string, Json>> databases_;
  // By scopeKey, then "database/table".
  std::map<std::string, std::map<std::string, Json>> tables_;
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
  // Stores `table` (its VersionId) as a row of glue_table_versions.
  static void archiveVersion(DocumentBatch& batch, const Scope& scope, const Json& table);
  Result<Json> partitionRecord(const Scope& scope, const std::string& db, const Json& table,
                               const Json& input) const;

  const Clock& clock_;
  DocumentStore docs_;
  std::mutex mu_;
};

// The key of a partition's values ("2024\x1f" "01"): its row key and sort order.
std::string partitionKey(const Json& values);

}  // namespace sluice::services::glue
