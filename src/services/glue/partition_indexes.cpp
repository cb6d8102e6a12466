// Partition indexes: CreatePartitionIndex, GetPartitionIndexes,
// DeletePartitionIndex, and CreateTable's PartitionIndexes. Kept per table
// (at most three, over the table's partition keys) in glue_partition_indexes.
// Every partition lookup here is already an index read (glue_partitions'
// primary key), so an index is ACTIVE as soon as it exists: it changes what
// the catalogue reports, not how fast it answers.
#include <set>

#include "services/common/input.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr size_t kMaxIndexesPerTable = 3;
// The partition key types an index may cover.
constexpr std::string_view kIndexableTypes[] = {"string",  "int",      "bigint", "long",
                                                "tinyint", "smallint", "date"};

std::string indexTableKey(const TableRef& t) {
  return t.db + "/" + t.table;
}

}  // namespace

Result<Json> GlueService::partitionIndexDescriptor(const Json& table, const Json& index) const {
  if (!index.is_object()) return invalidInput("PartitionIndex is required.");
  const JsonObject& o = index.as_object();
  const Json* name = o.if_contains("IndexName");
  if (!name || !name->is_string() || name->get_string().empty()) {
    return invalidInput("IndexName is required.");
  }
  if (name->get_string().size() > 255) {
    return invalidInput("IndexName must be at most 255 characters long.");
  }
  const Json* keys = o.if_contains("Keys");
  if (!keys || !keys->is_array() || keys->as_array().empty()) {
    return invalidInput("Keys is required: the partition keys the index covers.");
  }
  std::map<std::string, std::string> partitionTypes;
  if (const Json* pk = table.as_object().if_contains("PartitionKeys"); pk && pk->is_array()) {
    for (const Json& k : pk->as_array()) {
      if (!k.is_object()) continue;
      const JsonObject& ko = k.as_object();
      const Json* n = ko.if_contains("Name");
      const Json* t = ko.if_contains("Type");
      if (n && n->is_string()) {
        partitionTypes[lowerName(n->get_string())] =
            t && t->is_string() ? lowerName(t->get_string()) : "string";
      }
    }
  }
  JsonArray described;
  std::set<std::string> seen;
  for (const Json& k : keys->as_array()) {
    std::string key = k.is_string() ? lowerName(k.get_string()) : "";
    auto it = partitionTypes.find(key);
    if (it == partitionTypes.end()) {
      return invalidInput("Partition index key " + (k.is_string() ? toJsonText(k) : "null") +
                          " is not a partition key of table " +
                          std::string(table.as_object().at("Name").as_string()) + ".");
    }
    if (!seen.insert(key).second) {
      return invalidInput("Partition index keys must not repeat: " + key + ".");
    }
    bool indexable = false;
    for (auto type : kIndexableTypes) indexable = indexable || it->second == type;
    if (!indexable) {
      return invalidInput("Partition index key " + key + " has type " + it->second +
                          "; an index covers keys of type string, int, bigint, long, tinyint, "
                          "smallint or date.");
    }
    described.push_back(JsonObject{{"Name", key}, {"Type", it->second}});
  }
  return Json(
      JsonObject{{"IndexName", *name}, {"Keys", std::move(described)}, {"IndexStatus", "ACTIVE"}});
}

Result<void> GlueService::addPartitionIndexes(Change& change, const Scope& scope,
                                              const TableRef& ref, const Json& table,
                                              const JsonArray& indexes) {
  Json& slot = partitionIndexes_[scopeKey(scope)][indexTableKey(ref)];
  JsonArray updated = slot.is_array() ? slot.as_array() : JsonArray{};
  for (const Json& index : indexes) {
    auto descriptor = partitionIndexDescriptor(table, index);
    if (!descriptor) return descriptor.error();
    const Json& name = descriptor->as_object().at("IndexName");
    for (const Json& existing : updated) {
      if (existing.as_object().at("IndexName") == name) {
        return alreadyExists("Partition index " + std::string(name.as_string()) +
                             " already exists on table " + ref.table + ".");
      }
    }
    if (updated.size() >= kMaxIndexesPerTable) {
      return AwsError{
          "ResourceNumberLimitExceededException",
          "A table can have at most " + std::to_string(kMaxIndexesPerTable) + " partition indexes.",
          400};
    }
    updated.push_back(std::move(*descriptor));
  }
  change.batch.put("glue_partition_indexes", scope, indexTableKey(ref), updated);
  slot = std::move(updated);
  return {};
}

void GlueService::dropPartitionIndexes(Change& change, const Scope& scope, const std::string& db,
                                       const std::string& table) {
  auto& indexes = partitionIndexes_[scopeKey(scope)];
  std::string prefix = db + "/" + table;
  for (auto it = indexes.lower_bound(prefix);
       it != indexes.end() && it->first.starts_with(prefix);) {
    if (!table.empty() && it->first != prefix) break;
    change.batch.erase("glue_partition_indexes", scope, it->first);
    it = indexes.erase(it);
  }
}

Result<Change> GlueService::createPartitionIndex(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  auto t = table(ctx.scope, ref->db, ref->table);
  if (!t) return t.error();
  const Json* index = Input(in).get("PartitionIndex");
  if (!index) return invalidInput("PartitionIndex is required.");
  Change change;
  if (auto added = addPartitionIndexes(change, ctx.scope, *ref, **t, JsonArray{*index}); !added) {
    return added.error();
  }
  return change;
}

Result<Change> GlueService::getPartitionIndexes(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  auto& byTable = partitionIndexes_[scopeKey(ctx.scope)];
  auto it = byTable.find(indexTableKey(*ref));
  JsonArray list =
      it != byTable.end() && it->second.is_array() ? it->second.as_array() : JsonArray{};
  return Change(JsonObject{{"PartitionIndexDescriptorList", std::move(list)}});
}

Result<Change> GlueService::deletePartitionIndex(const Json& in, const CallContext& ctx) {
  auto ref = readTableRef(in);
  if (!ref) return ref.error();
  auto name = Input(in).requiredString("IndexName");
  if (!name) return name.error();
  if (auto t = table(ctx.scope, ref->db, ref->table); !t) return t.error();
  auto& byTable = partitionIndexes_[scopeKey(ctx.scope)];
  auto it = byTable.find(indexTableKey(*ref));
  if (it != byTable.end() && it->second.is_array()) {
    JsonArray& list = it->second.as_array();
    for (auto e = list.begin(); e != list.end(); ++e) {
      if (e->as_object().at("IndexName") != Json(*name)) continue;
      list.erase(e);
      Change change;
      if (list.empty()) {
        change.batch.erase("glue_partition_indexes", ctx.scope, it->first);
        byTable.erase(it);
      } else {
        change.batch.put("glue_partition_indexes", ctx.scope, it->first, list);
      }
      return change;
    }
  }
  return entityNotFound("Partition index " + *name + " not found on table " + ref->table + ".");
}

}  // namespace sluice::services::glue
