// Writing a lake table's files, shared by what writes tables (Athena's
// CTAS, INSERT INTO and UNLOAD; Glue jobs' targets): a DuckDB table's rows as
// one file per partition in a scratch directory, uploaded under the table's
// S3 location through S3's own operations (removed again if the upload fails
// part-way), the storage descriptor a table of that format is catalogued
// with, and the partitions registered in the Glue catalog.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "lake/duckdb.hpp"
#include "services/operation.hpp"

namespace sluice::services {

struct WriteFormat {
  std::string classification;  // parquet, json, csv
  std::string duckFormat;      // PARQUET, JSON, CSV
  std::string extension;       // of the files, with the compression's
  std::string options;         // extra COPY options
  char delimiter = '\x01';     // text files
};

// PARQUET (compression gzip by default; snappy, zstd, none), JSON and
// TEXTFILE (gzip or none); errors are Athena's names: NOT_SUPPORTED for
// another format, INVALID_TABLE_PROPERTY for a compression it does not take.
Result<WriteFormat> writeFormat(const std::string& name, const std::string& compression,
                                const std::string& delimiter);
// The StorageDescriptor (serde, input and output formats) a table of this
// format is catalogued with.
JsonObject storageDescriptorFor(const WriteFormat& f, JsonArray columns,
                                const std::string& location);
// A partition value as a folder name, escaped as Hive escapes it (NULL is
// __HIVE_DEFAULT_PARTITION__).
std::string hiveFolderValue(const std::optional<std::string>& v);

struct WrittenFiles {
  uint64_t rows = 0;
  // Files (path in the scratch dir, path relative to the table location) and
  // the partitions (values, relative folder) they fill.
  std::vector<std::pair<std::filesystem::path, std::string>> files;
  std::vector<std::pair<std::vector<std::optional<std::string>>, std::string>> partitions;
};

// The error code when a write would open more partitions than allowed.
inline constexpr const char* kTooManyPartitions = "HIVE_TOO_MANY_OPEN_PARTITIONS";

// Writes the rows of DuckDB table `table` (its columns `data`; `keys` the
// partition columns) as one file per partition under `scratch`, in folders
// `key=value/`, named `<stem>_<n><extension>`. With a `bucketColumn` (a
// column of `table` holding each row's Hive bucket) a partition is one file
// per bucket it has rows in, named as Hive names buckets. More than
// `maxPartitions` files (writers: partitions times buckets) is
// kTooManyPartitions; DuckDB's failures are lake::kDuckDbError.
Result<WrittenFiles> writePartitionFiles(lake::DuckConnection& con, const std::string& table,
                                         const std::vector<std::string>& data,
                                         const std::vector<std::string>& keys,
                                         const WriteFormat& format,
                                         const std::filesystem::path& scratch,
                                         const std::string& stem, size_t maxPartitions,
                                         const std::string& bucketColumn = "");

// Uploads the written files under `location` (s3://bucket/prefix/); the keys
// put. A failure removes what it had put and is the failed PutObject's error.
Result<std::vector<std::string>> uploadFiles(const OperationRegistry& registry, const Scope& scope,
                                             const std::string& location, const WrittenFiles& w);
void removeUploads(const OperationRegistry& registry, const Scope& scope,
                   const std::string& location, const std::vector<std::string>& keys);

// Registers the partitions written in table db.name (those already there
// stay), each with `sd` at its folder below `location`.
Result<void> registerWrittenPartitions(const OperationRegistry& registry, const Scope& scope,
                                       const std::string& db, const std::string& name,
                                       const JsonObject& sd, const std::string& location,
                                       const WrittenFiles& w);

}  // namespace sluice::services
