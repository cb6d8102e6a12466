// GetPartitions' Expression: the SQL-like filter over partition keys that
// Glue documents, parsed once and matched against each partition's values.
//
//   year = '2024' AND month IN ('01', '02')
//   (hour BETWEEN 3 AND 7 OR hour > 20) AND NOT region LIKE 'eu-%'
//
// Comparisons =, <>, !=, <, <=, >, >=; [NOT] IN (...), [NOT] BETWEEN .. AND ..,
// [NOT] LIKE with % and _; AND, OR, NOT and parentheses. Keys are matched
// case-insensitively; values compare as the key's type says (integer types
// numerically, everything else as text, which orders ISO dates correctly).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sluice::services::glue {

struct PartitionKeyType {
  std::string name;
  std::string type;  // Glue/Hive type: string, int, bigint, date, ...
};

class PartitionExpression {
 public:
  // InvalidInputException naming what could not be read.
  static Result<PartitionExpression> parse(std::string_view text,
                                           const std::vector<PartitionKeyType>& keys);
  // `values` in the order of the keys given to parse().
  bool matches(const std::vector<std::string>& values) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace sluice::services::glue
