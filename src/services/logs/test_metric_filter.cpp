// TestMetricFilter: which of the given messages a filter pattern matches,
// with the values a space-delimited pattern extracts ("$field").
#include "services/common/input.hpp"
#include "services/logs/filter_pattern.hpp"
#include "services/logs/logs_service.hpp"

namespace sluice::services::logs {

Result<Change> LogsService::testMetricFilter(const Json& in, const CallContext&) {
  Input input(in);
  auto patternText = input.requiredString("filterPattern");
  if (!patternText) return patternText.error();
  auto pattern = FilterPattern::compile(*patternText);
  if (!pattern) return pattern.error();
  const Json* messages = input.get("logEventMessages");
  JsonArray matches;
  if (messages && messages->is_array()) {
    int64_t number = 0;
    for (const Json& m : messages->as_array()) {
      ++number;  // event numbers count from 1
      if (!m.is_string()) continue;
      auto values = pattern->extract(m.get_string());
      if (!values) continue;
      JsonObject extracted;
      for (auto& [token, value] : *values) extracted[token] = value;
      JsonObject record;
      record["eventNumber"] = number;
      record["eventMessage"] = m;
      record["extractedValues"] = std::move(extracted);
      matches.emplace_back(std::move(record));
    }
  }
  JsonObject out;
  out["matches"] = std::move(matches);
  return Change(Json(std::move(out)));
}

}  // namespace sluice::services::logs
