// Query result reuse (ResultReuseConfiguration.ResultReuseByAgeConfiguration):
// a SELECT or EXECUTE asking for it is answered by the newest earlier
// execution in the same workgroup with the same query string, parameters,
// database, catalog and output location that succeeded within the maximum
// age and whose result file is still in S3 — without running again.
#include "services/athena/athena_service.hpp"

namespace sluice::services::athena {

Result<std::optional<Json>> AthenaService::reusableResult(const Scope& scope, const Json& wanted,
                                                          int64_t maxAgeMinutes) {
  if (!docs_.store()) return std::optional<Json>();
  const JsonObject& w = wanted.as_object();
  int64_t now = w.at("_SubmittedMs").to_number<int64_t>();
  int64_t oldest = now - maxAgeMinutes * 60'000;
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  // A result is as old as its query's end; queries that ended in the window
  // were submitted in it too, but for ones that ran across its start (their
  // submission is older: not reused).
  auto st = lease->db().prepare(
      "SELECT doc FROM athena_queries WHERE account = ? AND region = ? AND workgroup = ? AND "
      "submitted_ms >= ? AND state = 'SUCCEEDED' ORDER BY submitted_ms DESC");
  if (!st) return st.takeError();
  st->bindAll(scope.account, scope.region, std::string(w.at("WorkGroup").as_string()), oldest);
  auto same = [&](const JsonObject& o, const char* member) {
    const Json* a = o.if_contains(member);
    const Json* b = w.if_contains(member);
    return (a == nullptr) == (b == nullptr) && (!a || *a == *b);
  };
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<Json>();
    auto doc = parseJson(st->columnText(0));
    if (!doc) return AwsError::internal("corrupt query in athena_queries");
    const JsonObject& o = doc->as_object();
    if (!same(o, "Query") || !same(o, "QueryExecutionContext") || !same(o, "_OutputDir") ||
        !same(o, "ExecutionParameters") || o.contains("_UpdateCount") || o.contains("_Text") ||
        !o.contains("_Columns")) {
      continue;
    }
    // The result must still be where that query left it.
    std::string file(o.at("ResultConfiguration").as_object().at("OutputLocation").as_string());
    auto loc = lake::parseS3Uri(file);
    if (!loc) continue;
    auto listed = lake_.list(scope, loc->bucket, loc->prefix);
    if (!listed) return listed.error();
    for (const auto& obj : *listed) {
      if (obj.key == loc->prefix) return std::optional<Json>(std::move(*doc));
    }
  }
}

void AthenaService::reuseResult(Json& doc, const Json& previous) {
  JsonObject& o = doc.as_object();
  const JsonObject& p = previous.as_object();
  o["ResultConfiguration"].as_object()["OutputLocation"] =
      p.at("ResultConfiguration").as_object().at("OutputLocation");
  o["_Columns"] = p.at("_Columns");
  if (const Json* rows = p.if_contains("_Rows")) o["_Rows"] = *rows;
  JsonObject& st = o["Status"].as_object();
  st["State"] = "SUCCEEDED";
  st["CompletionDateTime"] = st.at("SubmissionDateTime");
  o["Statistics"].as_object()["ResultReuseInformation"] =
      JsonObject{{"ReusedPreviousResult", true}};
}

}  // namespace sluice::services::athena
