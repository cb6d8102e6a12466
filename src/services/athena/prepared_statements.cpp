// Prepared statements, per workgroup: CreatePreparedStatement,
// GetPreparedStatement, UpdatePreparedStatement, DeletePreparedStatement,
// ListPreparedStatements, BatchGetPreparedStatement. The SQL statements
// PREPARE, EXECUTE and DEALLOCATE PREPARE call these operations (query_run).
// Documents of athena_prepared_statements keyed "<workgroup>/<name>".
#include <regex>

#include "services/athena/athena_errors.hpp"
#include "services/athena/athena_service.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::athena {

namespace {

constexpr const char* kTable = "athena_prepared_statements";
constexpr size_t kMaxPerWorkGroup = 1000;

AwsError notFound(const std::string& name, const std::string& wg) {
  return AwsError{"ResourceNotFoundException",
                  "PreparedStatement " + name + " was not found in workGroup " + wg, 400};
}

std::string keyOf(const std::string& wg, const std::string& name) {
  return wg + "/" + name;
}

bool validName(const std::string& name) {
  static const std::regex pattern("[a-zA-Z_][a-zA-Z0-9_@:]{1,256}");
  return std::regex_match(name, pattern);
}

}  // namespace

Result<void> AthenaService::loadPreparedStatements() {
  return docs_.scan(kTable, [this](const Scope& scope, const std::string& key, Json doc) {
    prepared_[scopeKey(scope)][key] = std::move(doc);
  });
}

Result<Change> AthenaService::createPreparedStatement(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("StatementName");
  if (!name) return name.error();
  auto wg = requestWorkGroup(input, ctx.scope, true);
  if (!wg) return wg.error();
  auto sql = input.requiredString("QueryStatement");
  if (!sql) return sql.error();
  if (!validName(*name)) {
    return invalidRequest(
        "StatementName must start with a letter or '_' and hold only letters, digits, "
        "'_', '@' and ':' (at most 256).");
  }
  auto& mine = prepared_[scopeKey(ctx.scope)];
  if (mine.count(keyOf(*wg, *name))) {
    return invalidRequest("Prepared statement " + *name + " already exists in workGroup " + *wg);
  }
  size_t inGroup = 0;
  for (auto it = mine.lower_bound(*wg + "/"); it != mine.end() && it->first.starts_with(*wg + "/");
       ++it) {
    ++inGroup;
  }
  if (inGroup >= kMaxPerWorkGroup) {
    return invalidRequest("WorkGroup " + *wg + " already has " + std::to_string(kMaxPerWorkGroup) +
                          " prepared statements, the most Athena allows.");
  }
  JsonObject doc{{"StatementName", *name},
                 {"QueryStatement", *sql},
                 {"WorkGroupName", *wg},
                 {"LastModifiedTime", epochSeconds(clock_.now())}};
  if (auto d = input.optionalString("Description"); d && *d) doc["Description"] = **d;
  Change change;
  change.batch.put(kTable, ctx.scope, keyOf(*wg, *name), doc);
  mine[keyOf(*wg, *name)] = std::move(doc);
  return change;
}

Result<Change> AthenaService::getPreparedStatement(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("StatementName");
  if (!name) return name.error();
  auto wg = requestWorkGroup(input, ctx.scope, true);
  if (!wg) return wg.error();
  auto& mine = prepared_[scopeKey(ctx.scope)];
  auto it = mine.find(keyOf(*wg, *name));
  if (it == mine.end()) return notFound(*name, *wg);
  return Change(JsonObject{{"PreparedStatement", it->second}});
}

Result<Change> AthenaService::updatePreparedStatement(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("StatementName");
  if (!name) return name.error();
  auto wg = requestWorkGroup(input, ctx.scope, true);
  if (!wg) return wg.error();
  auto sql = input.requiredString("QueryStatement");
  if (!sql) return sql.error();
  auto& mine = prepared_[scopeKey(ctx.scope)];
  auto it = mine.find(keyOf(*wg, *name));
  if (it == mine.end()) return notFound(*name, *wg);
  JsonObject doc = it->second.as_object();
  doc["QueryStatement"] = *sql;
  doc["LastModifiedTime"] = epochSeconds(clock_.now());
  if (auto d = input.optionalString("Description"); d && *d) doc["Description"] = **d;
  Change change;
  change.batch.put(kTable, ctx.scope, it->first, doc);
  it->second = std::move(doc);
  return change;
}

Result<Change> AthenaService::deletePreparedStatement(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("StatementName");
  if (!name) return name.error();
  auto wg = requestWorkGroup(input, ctx.scope, true);
  if (!wg) return wg.error();
  auto& mine = prepared_[scopeKey(ctx.scope)];
  auto it = mine.find(keyOf(*wg, *name));
  if (it == mine.end()) return notFound(*name, *wg);
  Change change;
  change.batch.erase(kTable, ctx.scope, it->first);
  mine.erase(it);
  return change;
}

Result<Change> AthenaService::listPreparedStatements(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto wg = requestWorkGroup(input, ctx.scope, true);
  if (!wg) return wg.error();
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  std::string after = *wg + "/";
  if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    if (!key || !key->starts_with(*wg + "/")) return invalidRequest("Invalid NextToken.");
    after = *key;
  }
  size_t limit = static_cast<size_t>(std::clamp<int64_t>(max->value_or(50), 1, 50));
  auto& mine = prepared_[scopeKey(ctx.scope)];
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = mine.upper_bound(after); it != mine.end() && it->first.starts_with(*wg + "/");
       ++it) {
    if (out.size() == limit) {
      more = true;
      break;
    }
    const JsonObject& p = it->second.as_object();
    out.push_back(JsonObject{{"StatementName", p.at("StatementName")},
                             {"LastModifiedTime", p.at("LastModifiedTime")}});
    last = it->first;
  }
  JsonObject result{{"PreparedStatements", std::move(out)}};
  if (more) result["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(result)));
}

Result<Change> AthenaService::batchGetPreparedStatement(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto wg = requestWorkGroup(input, ctx.scope, true);
  if (!wg) return wg.error();
  const Json* names = input.get("PreparedStatementNames");
  if (!names || !names->is_array() || names->as_array().empty() || names->as_array().size() > 50) {
    return invalidRequest("PreparedStatementNames must list 1 to 50 names.");
  }
  auto& mine = prepared_[scopeKey(ctx.scope)];
  JsonArray found, missing;
  for (const Json& n : names->as_array()) {
    std::string name = n.is_string() ? std::string(n.as_string()) : "";
    auto it = mine.find(keyOf(*wg, name));
    if (it != mine.end()) {
      found.push_back(it->second);
    } else {
      missing.push_back(JsonObject{{"StatementName", name},
                                   {"ErrorCode", "PREPARED_STATEMENT_NOT_FOUND"},
                                   {"ErrorMessage", notFound(name, *wg).message}});
    }
  }
  return Change(JsonObject{{"PreparedStatements", std::move(found)},
                           {"UnprocessedPreparedStatementNames", std::move(missing)}});
}

}  // namespace sluice::services::athena
