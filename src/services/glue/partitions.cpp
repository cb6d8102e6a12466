// Partitions, kept in the catalog store (catalog_store.hpp) keyed by their
// values and paginated there.
#include <set>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"
#include "services/glue/partition_expression.hpp"

namespace sluice::services::glue {

namespace {

constexpr size_t kBatchLimit = 100;

AwsError partitionNotFound() {
  return entityNotFound("Partition not found.");
}

JsonObject errorEntry(const Json& values, const AwsError& e) {
  return JsonObject{
      {"PartitionValues", values},
      {"ErrorDetail", JsonObject{{"ErrorCode", e.code}, {"ErrorMessage", e.message}}}};
}

}  // namespace

std::string partitionKey(const Json& values) {
  std::string key;
  for (const Json& v : values.as_array()) {
    key += v.is_string() ? std::string(v.get_string()) : toJsonText(v);
    key += '\x1f';
  }
  return key;
}

size_t GlueService::partitionKeyCount(const Json& table) {
  const Json* keys = table.as_object().if_contains("PartitionKeys");
  return keys && keys->is_array() ? keys->as_array().size() : 0;
}

Result<Json> GlueService::partitionRecord(const Scope& scope, const std::string& db,
                                          const Json& table, const Json& input) const {
  if (!input.is_object()) return invalidInput("PartitionInput is required.");
  const Json* values = input.as_object().if_contains("Values");
  if (!values || !values->is_array()) return invalidInput("Values is required.");
  for (const Json& v : values->as_array()) {
    if (!v.is_string()) return invalidInput("Partition values must be strings.");
  }
  if (values->as_array().size() != partitionKeyCount(table)) {
    return invalidInput(
        "The number of partition keys do not match the number of partition "
        "values");
  }
  JsonObject p{{"Values", *values},
               {"DatabaseName", db},
               {"TableName", table.as_object().at("Name")},
               {"CreationTime", epochSeconds(clock_.now())},
               {"CatalogId", scope.account}};
  for (const char* m : {"StorageDescriptor", "Parameters", "LastAccessTime", "LastAnalyzedTime"}) {
    if (const Json* v = input.as_object().if_contains(m); v && !v->is_null()) p[m] = *v;
  }
  return Json(std::move(p));
}

Result<std::optional<Json>> GlueService::readPartition(const Scope& scope, const std::string& db,
                                                       const std::string& table,
                                                       const std::string& key) {
  return catalog_->partition(scope, TableRef{db, table}, key);
}

void GlueService::storePartition(DocumentBatch& batch, const Scope& scope, const std::string& db,
                                 const std::string& table, const Json& record) {
  catalog_->addPartition(batch, scope, TableRef{db, table},
                         partitionKey(record.as_object().at("Values")), record);
}

void GlueService::erasePartition(DocumentBatch& batch, const Scope& scope, const std::string& db,
                                 const std::string& table, const std::string& key) {
  catalog_->erasePartition(batch, scope, TableRef{db, table}, key);
}

Result<std::map<std::string, Json>> GlueService::readPartitions(const Scope& scope,
                                                                const std::string& db,
                                                                const std::string& table) {
  std::map<std::string, Json> out;
  auto scanned = catalog_->scanPartitions(scope, TableRef{db, table}, "",
                                          [&out](const std::string& key, Json doc) {
                                            out.emplace(key, std::move(doc));
                                            return true;
                                          });
  if (!scanned) return scanned.error();
  return out;
}

Result<Change> GlueService::createPartition(const Json& in, const CallContext& ctx) {
  auto batch = batchCreatePartition(
      JsonObject{
          {"DatabaseName",
           Input(in).get("DatabaseName") ? *Input(in).get("DatabaseName") : Json(nullptr)},
          {"TableName", Input(in).get("TableName") ? *Input(in).get("TableName") : Json(nullptr)},
          {"PartitionInputList",
           JsonArray{Input(in).get("PartitionInput") ? *Input(in).get("PartitionInput")
                                                     : Json(nullptr)}}},
      ctx);
  if (!batch) return batch.error();
  const JsonArray& errors = batch->response.as_object().at("Errors").as_array();
  if (!errors.empty()) {
    const JsonObject& d = errors[0].as_object().at("ErrorDetail").as_object();
    std::string code(d.at("ErrorCode").as_string());
    return AwsError{code, std::string(d.at("ErrorMessage").as_string()), 400};
  }
  batch->response = JsonObject{};
  return batch;
}

Result<Change> GlueService::batchCreatePartition(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  auto t = table(ctx.scope, ref->db, ref->table);
  if (!t) return t.error();
  const Json* list = Input(in).get("PartitionInputList");
  if (!list || !list->is_array()) return invalidInput("PartitionInputList is required.");
  if (list->as_array().size() > kBatchLimit) {
    return invalidInput("PartitionInputList must have at most 100 partitions.");
  }
  Change change;
  JsonArray errors;
  std::set<std::string> seen;
  for (const Json& input : list->as_array()) {
    auto record = partitionRecord(ctx.scope, ref->db, **t, input);
    Json values = input.is_object() && input.as_object().contains("Values")
                      ? input.as_object().at("Values")
                      : Json(JsonArray{});
    if (!record) {
      // A malformed input fails the whole call, as Glue's validation does.
      return record.error();
    }
    std::string key = partitionKey(values);
    auto existing = readPartition(ctx.scope, ref->db, ref->table, key);
    if (!existing) return existing.error();
    if (*existing || !seen.insert(key).second) {
      errors.push_back(errorEntry(values, alreadyExists("Partition already exists.")));
      continue;
    }
    catalog_->addPartition(change.batch, ctx.scope, *ref, key, *record);
  }
  change.response = JsonObject{{"Errors", std::move(errors)}};
  return change;
}

Result<Change> GlueService::getPartition(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  const Json* values = Input(in).get("PartitionValues");
  if (!values || !values->is_array()) return invalidInput("PartitionValues is required.");
  auto p = readPartition(ctx.scope, ref->db, ref->table, partitionKey(*values));
  if (!p) return p.error();
  if (!*p) return partitionNotFound();
  return Change(JsonObject{{"Partition", std::move(**p)}});
}

Result<Change> GlueService::getPartitions(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  auto t = table(ctx.scope, ref->db, ref->table);
  if (!t) return t.error();
  std::optional<PartitionExpression> filter;
  if (auto e = Input(in).optionalString("Expression"); !e) {
    return e.error();
  } else if (*e && !(*e)->empty()) {
    std::vector<PartitionKeyType> keys;
    if (const Json* pk = (*t)->as_object().if_contains("PartitionKeys"); pk && pk->is_array()) {
      for (const Json& k : pk->as_array()) {
        const JsonObject& o = k.as_object();
        keys.push_back({std::string(o.at("Name").as_string()),
                        o.contains("Type") ? std::string(o.at("Type").as_string()) : "string"});
      }
    }
    auto parsed = PartitionExpression::parse(**e, keys);
    if (!parsed) return parsed.error();
    filter = std::move(*parsed);
  }
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  // Rows are read in key order until a page of matches (and one more, for
  // NextToken) is found.
  JsonArray out;
  std::string last;
  bool more = false;
  auto scanned =
      catalog_->scanPartitions(ctx.scope, *ref, page->after, [&](const std::string& key, Json doc) {
        if (filter) {
          std::vector<std::string> values;
          for (const Json& v : doc.as_object().at("Values").as_array()) {
            values.emplace_back(v.is_string() ? std::string(v.get_string()) : toJsonText(v));
          }
          if (!filter->matches(values)) return true;
        }
        if (out.size() == page->limit) {
          more = true;
          return false;
        }
        last = key;
        out.push_back(std::move(doc));
        return true;
      });
  if (!scanned) return scanned.error();
  JsonObject r{{"Partitions", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::batchGetPartition(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  const Json* wanted = Input(in).get("PartitionsToGet");
  if (!wanted || !wanted->is_array()) return invalidInput("PartitionsToGet is required.");
  if (wanted->as_array().size() > 1000) {
    return invalidInput("PartitionsToGet must have at most 1000 entries.");
  }
  JsonArray found, unprocessed;
  for (const Json& w : wanted->as_array()) {
    const Json* values = w.is_object() ? w.as_object().if_contains("Values") : nullptr;
    if (!values || !values->is_array()) return invalidInput("Each entry needs Values.");
    auto p = readPartition(ctx.scope, ref->db, ref->table, partitionKey(*values));
    if (!p) return p.error();
    if (*p) found.push_back(std::move(**p));
  }
  return Change(
      JsonObject{{"Partitions", std::move(found)}, {"UnprocessedKeys", std::move(unprocessed)}});
}

Result<Change> GlueService::updatePartition(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  auto t = table(ctx.scope, ref->db, ref->table);
  if (!t) return t.error();
  const Json* values = Input(in).get("PartitionValueList");
  if (!values || !values->is_array()) return invalidInput("PartitionValueList is required.");
  std::string oldKey = partitionKey(*values);
  auto existing = readPartition(ctx.scope, ref->db, ref->table, oldKey);
  if (!existing) return existing.error();
  if (!*existing) return partitionNotFound();
  const Json* input = Input(in).get("PartitionInput");
  auto record = partitionRecord(ctx.scope, ref->db, **t, input ? *input : Json(nullptr));
  if (!record) return record.error();
  record->as_object()["CreationTime"] = (*existing)->as_object().at("CreationTime");
  std::string newKey = partitionKey(record->as_object().at("Values"));
  Change change;
  if (newKey != oldKey) {
    auto clash = readPartition(ctx.scope, ref->db, ref->table, newKey);
    if (!clash) return clash.error();
    if (*clash) return alreadyExists("Partition already exists.");
    catalog_->erasePartition(change.batch, ctx.scope, *ref, oldKey);
  }
  catalog_->putPartition(change.batch, ctx.scope, *ref, newKey, *record);
  return change;
}

Result<Change> GlueService::deletePartition(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  const Json* values = Input(in).get("PartitionValues");
  if (!values || !values->is_array()) return invalidInput("PartitionValues is required.");
  std::string key = partitionKey(*values);
  auto existing = readPartition(ctx.scope, ref->db, ref->table, key);
  if (!existing) return existing.error();
  if (!*existing) return partitionNotFound();
  Change change;
  catalog_->erasePartition(change.batch, ctx.scope, *ref, key);
  return change;
}

Result<Change> GlueService::batchDeletePartition(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  const Json* list = Input(in).get("PartitionsToDelete");
  if (!list || !list->is_array()) return invalidInput("PartitionsToDelete is required.");
  if (list->as_array().size() > 25) {
    return invalidInput("PartitionsToDelete must have at most 25 entries.");
  }
  Change change;
  JsonArray errors;
  for (const Json& entry : list->as_array()) {
    const Json* values = entry.is_object() ? entry.as_object().if_contains("Values") : nullptr;
    if (!values || !values->is_array()) return invalidInput("Each entry needs Values.");
    std::string key = partitionKey(*values);
    auto existing = readPartition(ctx.scope, ref->db, ref->table, key);
    if (!existing) return existing.error();
    if (!*existing) {
      errors.push_back(errorEntry(*values, partitionNotFound()));
      continue;
    }
    catalog_->erasePartition(change.batch, ctx.scope, *ref, key);
  }
  change.response = JsonObject{{"Errors", std::move(errors)}};
  return change;
}

}  // namespace sluice::services::glue
