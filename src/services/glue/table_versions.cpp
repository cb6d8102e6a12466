// Table versions: every CreateTable and UpdateTable (unless SkipArchive)
// leaves the table as it then was in glue_table_versions, read by index.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

Result<int64_t> versionNumber(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return invalidInput("VersionId must be a number: " + text);
  }
  return std::stoll(text);
}

void eraseVersion(DocumentBatch& batch, const Scope& scope, const TableRef& t, int64_t version) {
  batch.sql([scope, t, version](store::sqlite::Database& db) {
    return store::sqlite::runStatement(
        db,
        "DELETE FROM glue_table_versions WHERE account = ? AND region = ? AND db = ? AND tbl = ? "
        "AND version = ?",
        scope.account, scope.region, t.db, t.table, version);
  });
}

}  // namespace

void GlueService::archiveVersion(DocumentBatch& batch, const Scope& scope, const Json& table) {
  const JsonObject& t = table.as_object();
  std::string db(t.at("DatabaseName").as_string()), name(t.at("Name").as_string());
  int64_t version = std::stoll(std::string(t.at("VersionId").as_string()));
  batch.sql([scope, db, name, version, text = toJsonText(table)](store::sqlite::Database& sql) {
    return store::sqlite::runStatement(
        sql,
        "INSERT OR REPLACE INTO glue_table_versions(account, region, db, tbl, version, doc) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        scope.account, scope.region, db, name, version, text);
  });
}

Result<Change> GlueService::getTableVersions(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  auto page = readPage(in, 100);
  if (!page) return page.error();
  if (!docs_.store()) return AwsError::internal("the Glue catalog needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  // Newest first; the token is the last version returned.
  int64_t below = page->after.empty() ? INT64_MAX : std::stoll(page->after);
  auto st = lease->db().prepare(
      "SELECT version, doc FROM glue_table_versions WHERE account = ? AND region = ? AND db = ? "
      "AND tbl = ? AND version < ? ORDER BY version DESC LIMIT ?");
  if (!st) return st.takeError();
  st->bindAll(ctx.scope.account, ctx.scope.region, ref->db, ref->table, below,
              static_cast<int64_t>(page->limit + 1));
  JsonArray out;
  int64_t last = 0;
  bool more = false;
  while (true) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    last = st->columnInt(0);
    auto doc = parseJson(st->columnText(1));
    if (!doc) return AwsError::internal("corrupt table version in glue_table_versions");
    out.push_back(JsonObject{{"Table", std::move(*doc)}, {"VersionId", std::to_string(last)}});
  }
  JsonObject r{{"TableVersions", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(std::to_string(last));
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::getTableVersion(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  auto t = table(ctx.scope, ref->db, ref->table);
  if (!t) return t.error();
  auto wanted = Input(in).optionalString("VersionId");
  if (!wanted) return wanted.error();
  std::string id = wanted->value_or(std::string((*t)->as_object().at("VersionId").as_string()));
  auto number = versionNumber(id);
  if (!number) return number.error();
  if (!docs_.store()) return AwsError::internal("the Glue catalog needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT doc FROM glue_table_versions WHERE account = ? AND region = ? AND db = ? AND "
      "tbl = ? AND version = ?");
  if (!st) return st.takeError();
  st->bindAll(ctx.scope.account, ctx.scope.region, ref->db, ref->table, *number);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return entityNotFound("Version " + id + " of table " + ref->table + " not found.");
  auto doc = parseJson(st->columnText(0));
  if (!doc) return AwsError::internal("corrupt table version in glue_table_versions");
  return Change(
      JsonObject{{"TableVersion", JsonObject{{"Table", std::move(*doc)}, {"VersionId", id}}}});
}

Result<Change> GlueService::deleteTableVersion(const Json& in, const CallContext& ctx) {
  auto got = getTableVersion(in, ctx);  // exists?
  if (!got) return got.error();
  auto ref = readTableRef(in);
  Change change;
  eraseVersion(change.batch, ctx.scope, *ref,
               *versionNumber(*Input(in).requiredString("VersionId")));
  return change;
}

Result<Change> GlueService::batchDeleteTableVersion(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  const Json* ids = Input(in).get("VersionIds");
  if (!ids || !ids->is_array()) return invalidInput("VersionIds is required.");
  Change change;
  JsonArray errors;
  for (const Json& id : ids->as_array()) {
    std::string text = id.is_string() ? std::string(id.get_string()) : std::string();
    JsonObject one{{"DatabaseName", ref->db}, {"TableName", ref->table}, {"VersionId", text}};
    auto done = deleteTableVersion(Json(std::move(one)), ctx);
    if (!done) {
      errors.push_back(JsonObject{
          {"TableName", ref->table},
          {"VersionId", text},
          {"ErrorDetail",
           JsonObject{{"ErrorCode", done.error().code}, {"ErrorMessage", done.error().message}}}});
      continue;
    }
    change.batch.append(std::move(done->batch));
  }
  change.response = JsonObject{{"Errors", std::move(errors)}};
  return change;
}

}  // namespace sluice::services::glue
