// CloudWatch Logs filter patterns (FilterLogEvents, metric and subscription
// filters), compiled once and matched against event messages.
//
// Unstructured text:
//   ERROR            every term must occur (case-sensitive)
//   "disk full"      a quoted phrase is one term
//   ERROR -debug     a term after "-" must not occur
//   ?ERROR ?WARN     at least one "?" term must occur
// JSON (the message must be a JSON object):
//   { $.level = "error" }  { $.latency > 100 }  { $.user.id != 7 }
//   { $.tags[0] = prod* }  { ($.a = 1 && $.b = 2) || $.c IS TRUE }
//   { $.x IS NULL }  { $.x NOT EXISTS }  { $.x IS FALSE }
// with = != < > <= >=, "*" wildcards in string values, && binding tighter
// than ||, and parentheses.
// Space-delimited events: [ip, user, ..., status_code = 4*, bytes > 1000]
// (delimited_pattern.hpp). Regular expressions (regex_pattern.hpp): a whole
// pattern %ERROR|WARN%, or a JSON / space-delimited value { $.level = %ERR.*% }
// (= and != only; at most two per pattern). An empty pattern matches
// everything.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/text.hpp"

namespace sluice::services::logs {

// "*" matches any run of characters; everything else literally.
using sluice::wildcardMatch;

class FilterPattern {
 public:
  // InvalidParameterException "Invalid filter pattern" on a syntax error.
  static Result<FilterPattern> compile(std::string_view pattern);

  bool matches(std::string_view message) const;
  // On a match, the values the pattern extracts (TestMetricFilter's
  // extractedValues: "$field" of a space-delimited pattern; none for the
  // other kinds); nullopt when `message` does not match.
  std::optional<std::map<std::string, std::string>> extract(std::string_view message) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;  // null: matches everything
};

}  // namespace sluice::services::logs
