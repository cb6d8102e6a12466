// Where the catalog's growing collections live: partitions (a table
// partitioned by hour gains 8,760 a year) and table versions (one per
// UpdateTable). They are not the service's memory: with a data directory
// they are rows of glue_partitions and glue_table_versions, read by index
// (SqlCatalogStore); without one they are kept in memory
// (MemoryCatalogStore). Databases, tables and crawlers are small
// configuration, kept by GlueService.
//
// Partitions are keyed by partitionKey(Values) and read in key order;
// versions by number, newest first. Writes join the operation's batch, so
// they commit with its other writes (the memory home applies them at once:
// without a store nothing is committed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "services/common/documents.hpp"
#include "services/glue/glue_names.hpp"

namespace sluice::services::glue {

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // Adds the partition `key` of a table; callers check it is absent, and a
  // store refuses a duplicate at commit (two creates racing fail the second).
  virtual void addPartition(DocumentBatch& batch, const Scope& scope, const TableRef& table,
                            const std::string& key, const Json& partition) = 0;
  // Adds or replaces the partition `key` of a table.
  virtual void putPartition(DocumentBatch& batch, const Scope& scope, const TableRef& table,
                            const std::string& key, const Json& partition) = 0;
  virtual void erasePartition(DocumentBatch& batch, const Scope& scope, const TableRef& table,
                              const std::string& key) = 0;
  virtual Result<std::optional<Json>> partition(const Scope& scope, const TableRef& table,
                                                const std::string& key) = 0;
  // The table's partitions with keys after `after`, in key order, each handed
  // to `visit` until it returns false. Rows are read as they are visited, so
  // a caller stopping after a page reads no more than that.
  virtual Result<void> scanPartitions(
      const Scope& scope, const TableRef& table, const std::string& after,
      const std::function<bool(const std::string& key, Json partition)>& visit) = 0;

  // Keeps `table` as version `version` (replacing one of that number).
  virtual void putVersion(DocumentBatch& batch, const Scope& scope, const TableRef& table,
                          int64_t version, const Json& doc) = 0;
  virtual void eraseVersion(DocumentBatch& batch, const Scope& scope, const TableRef& table,
                            int64_t version) = 0;
  virtual Result<std::optional<Json>> version(const Scope& scope, const TableRef& table,
                                              int64_t version) = 0;
  // Up to `limit` versions numbered below `below`, newest first.
  virtual Result<std::vector<std::pair<int64_t, Json>>> versions(const Scope& scope,
                                                                 const TableRef& table,
                                                                 int64_t below, size_t limit) = 0;

  // Drops the partitions and versions of a table, or with an empty
  // `table.table` those of every table of `table.db`.
  virtual void dropTable(DocumentBatch& batch, const Scope& scope, const TableRef& table) = 0;
};

std::unique_ptr<CatalogStore> makeSqlCatalogStore(store::sqlite::SqliteStore& store);
std::unique_ptr<CatalogStore> makeMemoryCatalogStore();

}  // namespace sluice::services::glue
