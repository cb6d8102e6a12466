// CreateDatabase, GetDatabase(s), UpdateDatabase, DeleteDatabase.
#include <algorithm>
#include <cctype>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

Result<Json*> GlueService::database(const Scope& scope, const std::string& name) {
  auto& dbs = databases_[scopeKey(scope)];
  auto it = dbs.find(lowerName(name));
  if (it == dbs.end()) return entityNotFound("Database " + name + " not found.");
  return &it->second;
}

Result<Change> GlueService::createDatabase(const Json& in, const CallContext& ctx) {
  const Json* input = Input(in).get("DatabaseInput");
  if (!input || !input->is_object()) return invalidInput("DatabaseInput is required.");
  auto name = checkedName(*input, "Name");
  if (!name) return name.error();
  auto& dbs = databases_[scopeKey(ctx.scope)];
  if (dbs.count(*name)) return alreadyExists("Database already exists.");
  JsonObject db{
      {"Name", *name},
      {"CreateTime", epochSeconds(clock_.now())},
      {"CatalogId", ctx.scope.account},
      {"CreateTableDefaultPermissions",
       JsonArray{JsonObject{
           {"Principal", JsonObject{{"DataLakePrincipalIdentifier", "IAM_ALLOWED_PRINCIPALS"}}},
           {"Permissions", JsonArray{"ALL"}}}}}};
  for (const char* m : {"Description", "LocationUri", "Parameters"}) {
    if (const Json* v = input->as_object().if_contains(m); v && !v->is_null()) db[m] = *v;
  }
  Change change;
  change.batch.put("glue_databases", ctx.scope, *name, db);
  dbs[*name] = std::move(db);
  if (const Json* tags = Input(in).get("Tags"); tags && !tags->is_null()) {
    std::string arn =
        "arn:aws:glue:" + ctx.scope.region + ":" + ctx.scope.account + ":database/" + *name;
    if (auto r = addTags(change, ctx.scope, arn, *tags); !r) {
      dbs.erase(*name);
      return r.error();
    }
  }
  return change;
}

Result<Change> GlueService::getDatabase(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto db = database(ctx.scope, *name);
  if (!db) return db.error();
  return Change(JsonObject{{"Database", **db}});
}

Result<Change> GlueService::getDatabases(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 100);
  if (!page) return page.error();
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& [name, db] : databases_[scopeKey(ctx.scope)]) {
    if (!page->after.empty() && name <= page->after) continue;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(db);
    last = name;
  }
  JsonObject r{{"DatabaseList", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::updateDatabase(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto db = database(ctx.scope, *name);
  if (!db) return db.error();
  const Json* input = Input(in).get("DatabaseInput");
  if (!input || !input->is_object()) return invalidInput("DatabaseInput is required.");
  auto newName = checkedName(*input, "Name");
  if (!newName) return newName.error();
  if (*newName != lowerName(*name)) {
    return invalidInput(
        "Database name in the DatabaseInput must match the Name (renaming a "
        "database is not supported).");
  }
  JsonObject& d = (*db)->as_object();
  for (const char* m : {"Description", "LocationUri", "Parameters"}) {
    const Json* v = input->as_object().if_contains(m);
    if (v && !v->is_null()) {
      d[m] = *v;
    } else {
      d.erase(m);
    }
  }
  Change change;
  change.batch.put("glue_databases", ctx.scope, *newName, **db);
  return change;
}

Result<Change> GlueService::deleteDatabase(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  if (auto db = database(ctx.scope, *name); !db) return db.error();
  std::string key = lowerName(*name);
  Change change;
  // Its tables and their partitions go with it.
  auto& tables = tables_[scopeKey(ctx.scope)];
  std::string arnPrefix = "arn:aws:glue:" + ctx.scope.region + ":" + ctx.scope.account + ":";
  dropTags(change, ctx.scope, arnPrefix + "database/" + key);
  for (auto it = tables.lower_bound(key + "/");
       it != tables.end() && it->first.starts_with(key + "/");) {
    change.batch.erase("glue_tables", ctx.scope, it->first);
    dropTags(change, ctx.scope, arnPrefix + "table/" + it->first);
    it = tables.erase(it);
  }
  catalog_->dropTable(change.batch, ctx.scope, TableRef{key, ""});
  dropPartitionIndexes(change, ctx.scope, key);
  change.batch.erase("glue_databases", ctx.scope, key);
  databases_[scopeKey(ctx.scope)].erase(key);
  return change;
}

}  // namespace sluice::services::glue
