// CreateTable, GetTable(s), UpdateTable, DeleteTable, BatchDeleteTable.
#include <regex>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

// The TableInput members a table keeps as given.
constexpr const char* kTableMembers[] = {
    "Description",       "Owner",         "LastAccessTime",   "LastAnalyzedTime", "Retention",
    "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText", "TableType",
    "Parameters",        "TargetTable"};

std::string tableKey(const std::string& db, const std::string& table) {
  return db + "/" + table;
}

void applyTableInput(JsonObject& table, const JsonObject& input) {
  for (const char* m : kTableMembers) {
    const Json* v = input.if_contains(m);
    if (v && !v->is_null()) {
      table[m] = *v;
    } else {
      table.erase(m);
    }
  }
  if (!table.contains("PartitionKeys")) table["PartitionKeys"] = JsonArray{};
}

}  // namespace

Result<Json*> GlueService::table(const Scope& scope, const std::string& db,
                                 const std::string& name) {
  if (auto d = database(scope, db); !d) return d.error();
  auto& tables = tables_[scopeKey(scope)];
  auto it = tables.find(tableKey(lowerName(db), lowerName(name)));
  if (it == tables.end()) return entityNotFound("Table " + name + " not found.");
  return &it->second;
}

Result<Change> GlueService::createTable(const Json& in, const CallContext& ctx) {
  auto dbName = Input(in).requiredString("DatabaseName");
  if (!dbName) return dbName.error();
  if (auto d = database(ctx.scope, *dbName); !d) return d.error();
  const Json* input = Input(in).get("TableInput");
  if (!input || !input->is_object()) return invalidInput("TableInput is required.");
  auto name = checkedName(*input, "Name");
  if (!name) return name.error();
  std::string db = lowerName(*dbName);
  auto& tables = tables_[scopeKey(ctx.scope)];
  std::string key = tableKey(db, *name);
  if (tables.count(key)) return alreadyExists("Table already exists.");
  Json now = epochSeconds(clock_.now());
  JsonObject t{{"Name", *name},
               {"DatabaseName", db},
               {"CreateTime", now},
               {"UpdateTime", now},
               {"Retention", 0},
               {"CreatedBy", "arn:aws:iam::" + ctx.scope.account + ":root"},
               {"IsRegisteredWithLakeFormation", false},
               {"CatalogId", ctx.scope.account},
               {"VersionId", "0"}};
  applyTableInput(t, input->as_object());
  Change change;
  if (const Json* indexes = Input(in).get("PartitionIndexes"); indexes && !indexes->is_null()) {
    if (!indexes->is_array()) return invalidInput("PartitionIndexes must be a list.");
    if (auto added =
            addPartitionIndexes(change, ctx.scope, TableRef{db, *name}, t, indexes->as_array());
        !added) {
      partitionIndexes_[scopeKey(ctx.scope)].erase(key);
      return added.error();
    }
  }
  change.batch.put("glue_tables", ctx.scope, key, t);
  archiveVersion(change.batch, ctx.scope, t);
  tables[key] = std::move(t);
  return change;
}

Result<Change> GlueService::getTable(const Json& in, const CallContext& ctx) {
  auto db = Input(in).requiredString("DatabaseName");
  if (!db) return db.error();
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto t = table(ctx.scope, *db, *name);
  if (!t) return t.error();
  return Change(JsonObject{{"Table", **t}});
}

Result<Change> GlueService::getTables(const Json& in, const CallContext& ctx) {
  auto dbName = Input(in).requiredString("DatabaseName");
  if (!dbName) return dbName.error();
  if (auto d = database(ctx.scope, *dbName); !d) return d.error();
  auto page = readPage(in, 100);
  if (!page) return page.error();
  auto expression = Input(in).optionalString("Expression");
  if (!expression) return expression.error();
  std::optional<std::regex> pattern;
  if (*expression && !(*expression)->empty()) {
    // Glue's Expression is a regular expression over table names.
    try {
      pattern.emplace(**expression, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error&) {
      return invalidInput("Expression is not a valid regular expression: " + **expression);
    }
  }
  std::string prefix = lowerName(*dbName) + "/";
  JsonArray out;
  std::string last;
  bool more = false;
  auto& tables = tables_[scopeKey(ctx.scope)];
  for (auto it = tables.lower_bound(prefix); it != tables.end() && it->first.starts_with(prefix);
       ++it) {
    if (!page->after.empty() && it->first <= page->after) continue;
    const std::string name(it->second.at("Name").as_string());
    if (pattern && !std::regex_match(name, *pattern)) continue;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(it->second);
    last = it->first;
  }
  JsonObject r{{"TableList", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::updateTable(const Json& in, const CallContext& ctx) {
  auto db = Input(in).requiredString("DatabaseName");
  if (!db) return db.error();
  const Json* input = Input(in).get("TableInput");
  if (!input || !input->is_object()) return invalidInput("TableInput is required.");
  auto name = checkedName(*input, "Name");
  if (!name) return name.error();
  auto t = table(ctx.scope, *db, *name);
  if (!t) return t.error();
  auto skip = Input(in).optionalBool("SkipArchive");
  if (!skip) return skip.error();
  JsonObject& obj = (*t)->as_object();
  applyTableInput(obj, input->as_object());
  obj["UpdateTime"] = epochSeconds(clock_.now());
  std::string previous(obj.at("VersionId").as_string());
  obj["VersionId"] = std::to_string(std::stoll(previous) + 1);
  Change change;
  change.batch.put("glue_tables", ctx.scope, tableKey(lowerName(*db), *name), **t);
  if (skip->value_or(false)) {
    // The version it replaces is not kept.
    catalog_->eraseVersion(change.batch, ctx.scope, TableRef{lowerName(*db), lowerName(*name)},
                           std::stoll(previous));
  }
  archiveVersion(change.batch, ctx.scope, **t);
  return change;
}

Result<Change> GlueService::deleteTable(const Json& in, const CallContext& ctx) {
  auto db = Input(in).requiredString("DatabaseName");
  if (!db) return db.error();
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  if (auto t = table(ctx.scope, *db, *name); !t) return t.error();
  Change change;
  std::string d = lowerName(*db), n = lowerName(*name);
  change.batch.erase("glue_tables", ctx.scope, tableKey(d, n));
  dropTags(
      change, ctx.scope,
      "arn:aws:glue:" + ctx.scope.region + ":" + ctx.scope.account + ":table/" + tableKey(d, n));
  catalog_->dropTable(change.batch, ctx.scope, TableRef{d, n});
  dropPartitionIndexes(change, ctx.scope, d, n);
  tables_[scopeKey(ctx.scope)].erase(tableKey(d, n));
  return change;
}

Result<Change> GlueService::batchDeleteTable(const Json& in, const CallContext& ctx) {
  auto db = Input(in).requiredString("DatabaseName");
  if (!db) return db.error();
  if (auto d = database(ctx.scope, *db); !d) return d.error();
  const Json* names = Input(in).get("TablesToDelete");
  if (!names || !names->is_array()) return invalidInput("TablesToDelete is required.");
  Change change;
  JsonArray errors;
  for (const Json& n : names->as_array()) {
    std::string name = n.is_string() ? std::string(n.get_string()) : std::string();
    auto one = deleteTable(JsonObject{{"DatabaseName", *db}, {"Name", name}}, ctx);
    if (!one) {
      errors.push_back(JsonObject{
          {"TableName", name},
          {"ErrorDetail",
           JsonObject{{"ErrorCode", one.error().code}, {"ErrorMessage", one.error().message}}}});
      continue;
    }
    change.batch.append(std::move(one->batch));
  }
  change.response = JsonObject{{"Errors", std::move(errors)}};
  return change;
}

}  // namespace sluice::services::glue
