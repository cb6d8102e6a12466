#include "lake/json_records.hpp"

#include "lake/duckdb.hpp"

namespace sluice::lake {

std::optional<JsonRecordPath> parseJsonRecordPath(std::string_view path) {
  if (path.empty() || path[0] != '$') return std::nullopt;
  JsonRecordPath out;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t start = ++i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      if (i == start) return std::nullopt;  // ".." or a trailing dot
      out.steps.emplace_back(std::string(path.substr(start, i - start)));
    } else if (path.substr(i).starts_with("[*]")) {
      out.steps.emplace_back(std::nullopt);
      i += 3;
    } else if (path.substr(i).starts_with("['")) {
      size_t end = path.find("']", i + 2);
      if (end == std::string_view::npos || end == i + 2) return std::nullopt;
      out.steps.emplace_back(std::string(path.substr(i + 2, end - i - 2)));
      i = end + 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string jsonRecordsSelect(const JsonRecordPath& path, const std::string& reader,
                              const std::vector<std::string>& carried) {
  std::string carry;
  for (const auto& c : carried) carry += ", " + sqlIdent(c);
  // read_json already makes the elements of a top-level array its rows.
  size_t first = path.startsWithArray() ? 1 : 0;
  std::string from = reader + " AS __t";
  std::string expr = "__t";
  bool atRow = true;  // expr is still the reader's row
  for (size_t s = first; s < path.steps.size(); ++s) {
    if (path.steps[s]) {
      expr += "." + sqlIdent(*path.steps[s]);
      atRow = false;
      continue;
    }
    from = "(SELECT unnest(" + expr + ") AS __v" + carry + " FROM " + from + ")";
    expr = "__v";
    atRow = false;
  }
  if (atRow) return "SELECT * FROM " + from;
  return "SELECT unnest(" + expr + ")" + carry + " FROM " + from;
}

}  // namespace sluice::lake
