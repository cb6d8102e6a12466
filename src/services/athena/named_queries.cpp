// Named queries: CreateNamedQuery, GetNamedQuery, BatchGetNamedQuery,
// ListNamedQueries, UpdateNamedQuery, DeleteNamedQuery. Documents of
// athena_named_queries keyed by NamedQueryId; a ClientRequestToken makes
// CreateNamedQuery idempotent (the same token answers the same id).
#include "services/athena/athena_errors.hpp"
#include "services/athena/athena_service.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::athena {

namespace {

constexpr const char* kTable = "athena_named_queries";

AwsError notFound(const std::string& id) {
  return invalidRequest("NamedQuery " + id + " was not found.");
}

Result<void> checkLength(const std::string& what, const std::string& value, size_t min,
                         size_t max) {
  if (value.size() < min || value.size() > max) {
    return invalidRequest(what + " must be " + std::to_string(min) + " to " + std::to_string(max) +
                          " characters long.");
  }
  return {};
}

}  // namespace

Result<void> AthenaService::loadNamedQueries() {
  return docs_.scan(kTable, [this](const Scope& scope, const std::string& key, Json doc) {
    namedQueries_[scopeKey(scope)][key] = std::move(doc);
  });
}

Result<Change> AthenaService::createNamedQuery(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto database = input.requiredString("Database");
  if (!database) return database.error();
  auto sql = input.requiredString("QueryString");
  if (!sql) return sql.error();
  auto description = input.optionalString("Description");
  if (!description) return description.error();
  auto token = input.optionalString("ClientRequestToken");
  if (!token) return token.error();
  auto wg = requestWorkGroup(input, ctx.scope, false);
  if (!wg) return wg.error();
  if (auto r = checkLength("Name", *name, 1, 128); !r) return r.error();
  if (auto r = checkLength("Database", *database, 1, 255); !r) return r.error();
  if (auto r = checkLength("QueryString", *sql, 1, 262144); !r) return r.error();
  if (*description) {
    if (auto r = checkLength("Description", **description, 0, 1024); !r) return r.error();
  }
  auto& mine = namedQueries_[scopeKey(ctx.scope)];
  if (*token) {
    for (const auto& [id, doc] : mine) {
      const Json* t = doc.as_object().if_contains("_Token");
      if (t && t->is_string() && t->as_string() == **token) {
        return Change(JsonObject{{"NamedQueryId", id}});
      }
    }
  }
  std::string id = ids_.uuid();
  JsonObject doc{{"Name", *name},
                 {"Database", *database},
                 {"QueryString", *sql},
                 {"NamedQueryId", id},
                 {"WorkGroup", *wg}};
  if (*description) doc["Description"] = **description;
  if (*token) doc["_Token"] = **token;
  Change change(JsonObject{{"NamedQueryId", id}});
  change.batch.put(kTable, ctx.scope, id, doc);
  mine[id] = std::move(doc);
  return change;
}

Result<Change> AthenaService::getNamedQuery(const Json& in, const CallContext& ctx) {
  auto id = Input(in).requiredString("NamedQueryId");
  if (!id) return id.error();
  auto& mine = namedQueries_[scopeKey(ctx.scope)];
  auto it = mine.find(*id);
  if (it == mine.end()) return notFound(*id);
  return Change(JsonObject{{"NamedQuery", view(it->second)}});
}

Result<Change> AthenaService::batchGetNamedQuery(const Json& in, const CallContext& ctx) {
  const Json* ids = Input(in).get("NamedQueryIds");
  if (!ids || !ids->is_array() || ids->as_array().empty() || ids->as_array().size() > 50) {
    return invalidRequest("NamedQueryIds must list 1 to 50 ids.");
  }
  auto& mine = namedQueries_[scopeKey(ctx.scope)];
  JsonArray found, missing;
  for (const Json& v : ids->as_array()) {
    std::string id = v.is_string() ? std::string(v.as_string()) : "";
    if (auto it = mine.find(id); it != mine.end()) {
      found.push_back(view(it->second));
    } else {
      missing.push_back(JsonObject{{"NamedQueryId", id},
                                   {"ErrorCode", "NAMED_QUERY_NOT_FOUND"},
                                   {"ErrorMessage", notFound(id).message}});
    }
  }
  return Change(JsonObject{{"NamedQueries", std::move(found)},
                           {"UnprocessedNamedQueryIds", std::move(missing)}});
}

Result<Change> AthenaService::listNamedQueries(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto wg = requestWorkGroup(input, ctx.scope, false);
  if (!wg) return wg.error();
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  std::string after;
  if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    if (!key) return invalidRequest("Invalid NextToken.");
    after = *key;
  }
  size_t limit = static_cast<size_t>(std::clamp<int64_t>(max->value_or(50), 0, 50));
  auto& mine = namedQueries_[scopeKey(ctx.scope)];
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = mine.upper_bound(after); it != mine.end(); ++it) {
    if (it->second.as_object().at("WorkGroup").as_string() != *wg) continue;
    if (out.size() == limit) {
      more = true;
      break;
    }
    out.push_back(Json(it->first));
    last = it->first;
  }
  JsonObject result{{"NamedQueryIds", std::move(out)}};
  if (more) result["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(result)));
}

Result<Change> AthenaService::updateNamedQuery(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto id = input.requiredString("NamedQueryId");
  if (!id) return id.error();
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto sql = input.requiredString("QueryString");
  if (!sql) return sql.error();
  auto description = input.optionalString("Description");
  if (!description) return description.error();
  if (auto r = checkLength("Name", *name, 1, 128); !r) return r.error();
  if (auto r = checkLength("QueryString", *sql, 1, 262144); !r) return r.error();
  auto& mine = namedQueries_[scopeKey(ctx.scope)];
  auto it = mine.find(*id);
  if (it == mine.end()) return notFound(*id);
  JsonObject doc = it->second.as_object();
  doc["Name"] = *name;
  doc["QueryString"] = *sql;
  if (*description) doc["Description"] = **description;
  Change change;
  change.batch.put(kTable, ctx.scope, *id, doc);
  it->second = std::move(doc);
  return change;
}

Result<Change> AthenaService::deleteNamedQuery(const Json& in, const CallContext& ctx) {
  auto id = Input(in).requiredString("NamedQueryId");
  if (!id) return id.error();
  auto& mine = namedQueries_[scopeKey(ctx.scope)];
  auto it = mine.find(*id);
  if (it == mine.end()) return notFound(*id);
  Change change;
  change.batch.erase(kTable, ctx.scope, *id);
  mine.erase(it);
  return change;
}

Result<void> AthenaService::removeWorkGroupContents(DocumentBatch& batch, const Scope& scope,
                                                    const std::string& wg, bool refuseIfAny) {
  auto& queries = namedQueries_[scopeKey(scope)];
  auto& statements = prepared_[scopeKey(scope)];
  std::vector<std::string> named, prepared;
  for (const auto& [id, doc] : queries) {
    if (doc.as_object().at("WorkGroup").as_string() == wg) named.push_back(id);
  }
  for (auto it = statements.lower_bound(wg + "/");
       it != statements.end() && it->first.starts_with(wg + "/"); ++it) {
    prepared.push_back(it->first);
  }
  bool executions = false;
  if (docs_.store()) {
    auto lease = docs_.store()->readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(
        "SELECT 1 FROM athena_queries WHERE account = ? AND region = ? AND workgroup = ? LIMIT 1");
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, wg);
    auto row = st->step();
    if (!row) return row.error();
    executions = *row;
  }
  if (refuseIfAny && (!named.empty() || !prepared.empty() || executions)) {
    return invalidRequest("WorkGroup " + wg +
                          " is not empty: delete it with RecursiveDeleteOption.");
  }
  for (const auto& id : named) {
    batch.erase(kTable, scope, id);
    queries.erase(id);
  }
  for (const auto& key : prepared) {
    batch.erase("athena_prepared_statements", scope, key);
    statements.erase(key);
  }
  batch.sql([scope, wg](store::sqlite::Database& db) {
    return store::sqlite::runStatement(
        db, "DELETE FROM athena_queries WHERE account = ? AND region = ? AND workgroup = ?",
        scope.account, scope.region, wg);
  });
  return {};
}

}  // namespace sluice::services::athena
