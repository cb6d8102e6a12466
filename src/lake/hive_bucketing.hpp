// Hive's bucketing (version 1, the one Athena's CTAS writes by default) as a
// DuckDB expression: the bucket a row goes to, from its bucket columns.
//
//   hash   = fold over the columns of 31 * hash + field hash (0 for NULL)
//   bucket = (hash & 0x7fffffff) % bucket_count
//
// with Java's int arithmetic (kept to 32 bits) and Hive's field hashes:
// booleans 1/0, integers their value, bigint the XOR of its halves, a date
// its days since 1970, a string 31-folded over its UTF-8 bytes taken as
// signed (starting from 0 for `string`, 1 for `varchar(n)`). Other types
// have no bucket hash here.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace sluice::lake {

struct BucketColumn {
  std::string name;          // a column of the rows the expression is evaluated on
  std::string duckType;      // its DuckDB type (DESCRIBE's text)
  bool hiveVarchar = false;  // declared varchar(n) in the catalog, not string
};

// The BIGINT expression of the bucket, in [0, bucketCount). An error
// (code NOT_SUPPORTED) names a column whose type has no bucket hash.
Result<std::string> hiveBucketExpression(const std::vector<BucketColumn>& columns, int bucketCount);

// Hive's name for the file of a bucket: its number zero-padded to six
// digits, then `_0_` and a stem unique to the writer.
std::string hiveBucketFileName(int bucket, const std::string& stem);

}  // namespace sluice::lake
