// Reading Glue catalog tables through the lake, as Athena queries and Glue
// jobs read them: each table's files — its location, or for a partitioned
// table the catalog's partitions at their own locations — taken in one
// snapshot, and a DuckDB reader (lake/table_reader.hpp) per table over them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "lake/lake_engine.hpp"
#include "services/operation.hpp"

namespace sluice::services {

struct CatalogReads {
  // The files the readers read: keep it as long as they run.
  std::optional<lake::ObjectSnapshot> snapshot;
  // A `SELECT ...` per table, by {database, name}.
  std::map<std::pair<std::string, std::string>, std::string> readers;
  uint64_t scannedBytes = 0;  // the bytes of the files read
};

inline constexpr const char* kMetastoreError = "HIVE_METASTORE_ERROR";
inline constexpr const char* kPathNotFound = "HIVE_PATH_NOT_FOUND";

// The readers of `tables` (Glue Table documents by {database, name}). A
// table with partition projection (lake/partition_projection.hpp) has its
// partitions projected, NOW meaning `now`, instead of read from the catalog.
// Errors: kMetastoreError (the partitions cannot be read, or a projection is
// misconfigured), kPathNotFound (a location cannot be snapshotted).
// `keep`, when given, chooses the objects read (a job bookmark's new ones):
// it sees each object's s3:// URI and its listing.
using ObjectFilter = std::function<bool(const std::string& uri, const lake::LakeObject& object)>;
Result<CatalogReads> readCatalogTables(
    const OperationRegistry& registry, lake::LakeEngine& lake, const Scope& scope,
    const std::map<std::pair<std::string, std::string>, Json>& tables, TimePoint now,
    const ObjectFilter& keep = {});

}  // namespace sluice::services
