// The DuckDB reader of one catalog table: its files read as its SerDe says
// (Parquet; JSON with the SerDe's paths; delimited text as Hive reads it),
// every catalog column cast to its type, and — for a partitioned table —
// only the partitions the catalog has, each file's partition values the
// catalog's. Folders no partition points at are not read, as on Athena.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"

namespace sluice::lake {

struct TableFiles {
  std::string dir;  // the table location's folder in the snapshot
  struct Part {
    std::vector<std::string> values;  // the partition's values, in key order
    std::string dir;                  // its location's folder in the snapshot
    std::vector<std::string> files;   // local paths of its files
  };
  // Unpartitioned: one part with no values. Partitioned: the catalog's
  // partitions (none: the table has no rows).
  std::vector<Part> parts;
};

// `SELECT ... FROM read_...(...)`: the view of `table` (a Glue Table) over
// the snapshot's files.
std::string tableReader(const Json& table, const TableFiles& files);

}  // namespace sluice::lake
