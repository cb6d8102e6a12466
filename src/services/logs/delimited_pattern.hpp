// Space-delimited filter patterns (FilterLogEvents, TestMetricFilter):
//
//   [ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes > 1000]
//   [..., status_code = 404, bytes]        "..." stands for any number of fields
//   [ip, ..., code = 5* || code = 429, size]
//
// The event is split into fields at spaces; text between double quotes or
// square brackets is one field (without its quotes or brackets). Without an
// ellipsis the event must have exactly as many fields as the pattern. A
// field's conditions use = != (strings with "*" wildcards, or numbers when
// both sides are numeric) and < <= > >= (numbers only), joined by && (binds
// tighter) and ||; a condition may name any field of the pattern.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sluice::services::logs {

// The fields of a space-delimited event.
std::vector<std::string> splitDelimitedFields(std::string_view message);

class DelimitedPattern {
 public:
  // `pattern` includes its brackets. InvalidParameterException on a syntax
  // error.
  static Result<DelimitedPattern> compile(std::string_view pattern);

  // On a match, every named field's value by name ("$name" in
  // TestMetricFilter's extractedValues); nullopt otherwise.
  std::optional<std::map<std::string, std::string>> match(std::string_view message) const;

  struct Program;

 private:
  std::shared_ptr<const Program> program_;
};

}  // namespace sluice::services::logs
