// Where a JSON classifier's JsonPath finds the records of a file: "$[*]" (the
// elements of a top-level array), "$.data.items[*]" (the elements of a nested
// array), "$.meta" (one nested object per file), "$[*].rows[*]", ...: names
// (`.name` or `['name']`) and `[*]` wildcards, the subset of JsonPath Glue's
// classifiers document. Read as SQL over what read_json gives.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake {

struct JsonRecordPath {
  // Each step a member name, or nullopt for [*].
  std::vector<std::optional<std::string>> steps;
  bool startsWithArray() const { return !steps.empty() && !steps.front(); }
};

// Nullopt for what is not such a path (filters, slices, recursive descent).
std::optional<JsonRecordPath> parseJsonRecordPath(std::string_view path);

// A SELECT giving the fields of the records `path` finds in the rows of
// `reader` (a read_json call with format 'auto'), one column per field, then
// the `carried` columns of the reader (filename, partition keys).
std::string jsonRecordsSelect(const JsonRecordPath& path, const std::string& reader,
                              const std::vector<std::string>& carried);

}  // namespace sluice::lake
