// Athena's partition projection: a table whose parameters say
// `projection.enabled = true` has its partitions computed from its
// configuration instead of read from the catalog. Each partition key has a
// projection type — `integer` (range "lo,hi", digits, interval), `enum`
// (values "a,b,c"), `date` (format as a Java date pattern, range "start,end"
// with NOW and NOW±N<UNIT>), `injected` (any value) — and
// `storage.location.template` (with ${key} for every key; by default the
// Hive layout key=value/ under the table's location) says where each
// partition's files are.
//
// Here a projected table is read by listing the template's fixed prefix once
// and giving each object to the partition whose location holds it, when that
// partition's values lie in the projected domain: the same rows Athena reads
// by listing every projected location, without enumerating the domain.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::lake {

class PartitionProjection {
 public:
  // Nullopt for a table without projection; an error (its text says which
  // parameter) for a configuration Athena refuses.
  static Result<std::optional<PartitionProjection>> of(const Json& table, TimePoint now);

  // The folder every projected location lies under: "s3://bucket/prefix/".
  const std::string& listPrefix() const { return listPrefix_; }

  struct Match {
    std::vector<std::string> values;  // in partition key order
    std::string location;             // the partition's folder, "s3://.../"
  };
  // The partition holding the object "s3://bucket/key", if it is projected.
  std::optional<Match> partitionOf(std::string_view objectUri) const;

  struct Key {
    std::string name;
    std::string type;  // integer, enum, date, injected
    int64_t low = 0, high = 0, interval = 1;
    int digits = 0;
    std::vector<std::string> values;  // enum
    std::string format;               // date: a Java date pattern
    int64_t start = 0, end = 0;       // date: the range, epoch seconds
  };

 private:
  bool inDomain(const Key& key, const std::string& value) const;

  std::vector<Key> keys_;
  std::string template_;  // ends with '/'
  std::string listPrefix_;
  std::regex pattern_;             // the template, each ${key} a group
  std::vector<size_t> groupKeys_;  // the key of each group
};

// A value written with a Java date pattern (yyyy, yy, MM, M, dd, d, HH, H,
// mm, ss, 'quoted' text) as epoch seconds in UTC; nullopt when it does not
// fit the pattern. Exposed for tests.
std::optional<int64_t> parseProjectedDate(std::string_view value, std::string_view pattern);

}  // namespace sluice::lake
