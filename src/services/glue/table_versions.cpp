// Table versions: every CreateTable and UpdateTable (unless SkipArchive)
// leaves the table as it then was in the catalog store.
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

}  // namespace

void GlueService::archiveVersion(DocumentBatch& batch, const Scope& scope, const Json& table) {
  const JsonObject& t = table.as_object();
  TableRef ref{std::string(t.at("DatabaseName").as_string()),
               std::string(t.at("Name").as_string())};
  catalog_->putVersion(batch, scope, ref, std::stoll(std::string(t.at("VersionId").as_string())),
                       table);
}

Result<Change> GlueService::getTableVersions(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  auto page = readPage(in, 100);
  if (!page) return page.error();
  // Newest first; the token is the last version returned.
  int64_t below = page->after.empty() ? INT64_MAX : std::stoll(page->after);
  auto rows = catalog_->versions(ctx.scope, *ref, below, page->limit + 1);
  if (!rows) return rows.error();
  bool more = rows->size() > page->limit;
  if (more) rows->pop_back();
  JsonArray out;
  for (auto& [version, doc] : *rows) {
    out.push_back(JsonObject{{"Table", std::move(doc)}, {"VersionId", std::to_string(version)}});
  }
  int64_t last = rows->empty() ? 0 : rows->back().first;
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
  auto doc = catalog_->version(ctx.scope, *ref, *number);
  if (!doc) return doc.error();
  if (!*doc) return entityNotFound("Version " + id + " of table " + ref->table + " not found.");
  return Change(
      JsonObject{{"TableVersion", JsonObject{{"Table", std::move(**doc)}, {"VersionId", id}}}});
}

Result<Change> GlueService::deleteTableVersion(const Json& in, const CallContext& ctx) {
  auto got = getTableVersion(in, ctx);  // exists?
  if (!got) return got.error();
  auto ref = readTableRef(in);
  Change change;
  catalog_->eraseVersion(change.batch, ctx.scope, *ref,
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
