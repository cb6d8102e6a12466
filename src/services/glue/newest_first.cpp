// Listing rows that grow with use (job runs, Data Quality runs and
// results) newest first, paged straight from the store: the NextToken is the
// last row's "<ms>/<id>", so a page reads only the rows it shows.
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

Result<Change> GlueService::listNewestFirst(
    const Json& in, const Scope& scope, const char* table, const char* time,
    std::optional<std::pair<std::string, std::string>> filter, const char* member,
    const std::function<Json(const Json&)>& item) {
  auto page = readPage(in, 200);
  if (!page) return page.error();
  if (!docs_.store()) return AwsError::internal(std::string(table) + " needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  int64_t beforeMs = INT64_MAX;
  std::string beforeId = "\x7f";
  if (!page->after.empty()) {
    auto slash = page->after.find('/');
    try {
      beforeMs = std::stoll(page->after.substr(0, slash));
    } catch (const std::exception&) {
      return invalidInput("Invalid NextToken.");
    }
    beforeId = page->after.substr(slash + 1);
  }
  std::string t(time);
  // `table`, `time` and the filter's column are compile-time names.
  auto st = lease->db().prepare(
      "SELECT " + t + ", id, doc FROM " + table + " WHERE account = ? AND region = ?" +
      (filter ? " AND " + filter->first + " = ?" : std::string()) + " AND (" + t + " < ? OR (" + t +
      " = ? AND id < ?)) ORDER BY " + t + " DESC, id DESC LIMIT ?");
  if (!st) return st.takeError();
  auto limit = static_cast<int64_t>(page->limit + 1);
  if (filter) {
    st->bindAll(scope.account, scope.region, filter->second, beforeMs, beforeMs, beforeId, limit);
  } else {
    st->bindAll(scope.account, scope.region, beforeMs, beforeMs, beforeId, limit);
  }
  JsonArray out;
  std::string last;
  bool more = false;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    auto doc = parseJson(st->columnText(2));
    if (!doc) return AwsError::internal(std::string("corrupt row in ") + table);
    out.push_back(item(*doc));
    last = std::to_string(st->columnInt(0)) + "/" + std::string(st->columnText(1));
  }
  JsonObject r{{member, std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

}  // namespace sluice::services::glue
