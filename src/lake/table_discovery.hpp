// What a Glue crawler finds under its S3 include paths: the tables, their
// schemas and partitions, inferred with DuckDB from a snapshot of the
// current objects. Nothing here touches the catalog: the crawler (glue/)
// compares the discovery with its tables and applies its policies.
//
// Grouping follows Glue's documented rules. Starting at the include path, a
// folder is one table when everything below it is compatible (same format,
// compression and CSV layout) and, unless CombineCompatibleSchemas is set,
// the schemas of its sub-folders are similar; its sub-folders then become
// partitions (`key=value` folders give the key its name, others are
// partition_0, partition_1, ...). Otherwise each sub-folder is examined in
// turn, and becomes a table named after it ("year=2017" -> year_2017).
// TableLevelConfiguration fixes the level instead (the bucket is level 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lake/file_format.hpp"
#include "lake/glue_types.hpp"
#include "lake/lake_engine.hpp"

namespace sluice::lake {

struct CrawlTarget {
  std::string path;                     // s3://bucket/prefix
  std::vector<std::string> exclusions;  // globs (lake/exclusion_glob.hpp)
  size_t sampleSize = 0;                // files read per leaf folder; 0: all
  // When set, only these folders (key prefixes ending in "/", relative to
  // the bucket) are read: event-mode and new-folders-only crawls.
  std::vector<std::string> onlyFolders;
  // When > 0, overrides DiscoveryOptions::tableLevel for this target.
  int tableLevel = 0;
};

struct DiscoveryOptions {
  // The crawler's custom classifiers, tried before the built-in ones.
  std::vector<CustomClassifier> classifiers;
  bool combineCompatibleSchemas = false;
  int tableLevel = 0;  // absolute folder level of every table; 0: by schema
};

struct DiscoveredPartition {
  std::vector<std::string> values;
  std::string location;  // s3://bucket/.../
  uint64_t objects = 0, bytes = 0, records = 0;
};

struct DiscoveredTable {
  std::string name;      // from the folder name, lower case, not yet prefixed
  std::string location;  // s3://bucket/prefix/
  FileFormat format;
  std::vector<GlueColumn> columns;       // names lower-cased, as Glue keeps them
  std::vector<std::string> sourceNames;  // the same columns as named in the data
  std::vector<std::string> partitionKeys;
  std::vector<DiscoveredPartition> partitions;
  uint64_t objects = 0, bytes = 0, records = 0;
};

struct Discovery {
  std::vector<DiscoveredTable> tables;
  std::vector<std::string> messages;  // what was skipped and why, for the crawl log
  size_t objectsRead = 0;
};

// Discovers the tables under `targets`. Blocking; checks `cancel` between
// steps (an interrupted query fails with DuckDB's INTERRUPT error).
Result<Discovery> discoverTables(LakeEngine& lake, const Scope& scope,
                                 const std::vector<CrawlTarget>& targets,
                                 const DiscoveryOptions& options, LakeCancel& cancel);

// A folder name as a Glue table name: lower case, characters other than
// letters, digits and "_" replaced by "_".
std::string tableNameOf(std::string_view folder);

}  // namespace sluice::lake
