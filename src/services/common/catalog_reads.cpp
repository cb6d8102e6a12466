#include "services/common/catalog_reads.hpp"

#include <algorithm>
#include <vector>

#include "lake/partition_projection.hpp"
#include "lake/table_reader.hpp"
#include "services/common/call_and_wait.hpp"

namespace sluice::services {

namespace {

// Every partition of a table, all pages.
Result<JsonArray> partitionsOf(const OperationRegistry& registry, const Scope& scope,
                               const std::string& db, const std::string& table) {
  JsonArray out;
  JsonObject in{{"DatabaseName", db}, {"TableName", table}};
  for (;;) {
    auto page = callAndWait(registry, scope, "glue", "GetPartitions", in);
    if (!page) return page.error();
    if (const Json* p = jsonAt(*page, {"Partitions"}); p && p->is_array()) {
      for (const Json& v : p->as_array()) out.push_back(v);
    }
    const Json* token = jsonAt(*page, {"NextToken"});
    if (!token || !token->is_string()) return out;
    in["NextToken"] = *token;
  }
}

}  // namespace

Result<CatalogReads> readCatalogTables(
    const OperationRegistry& registry, lake::LakeEngine& lake, const Scope& scope,
    const std::map<std::pair<std::string, std::string>, Json>& tables, TimePoint now,
    const ObjectFilter& keep) {
  // What each table reads: its location, or the catalog's partitions.
  std::vector<std::string> locations;  // to snapshot, each once
  auto locationIndex = [&locations](std::string l) {
    if (!l.empty() && !l.ends_with("/")) l += "/";
    auto it = std::find(locations.begin(), locations.end(), l);
    if (it != locations.end()) return static_cast<size_t>(it - locations.begin());
    locations.push_back(l);
    return locations.size() - 1;
  };
  struct Reading {
    std::string table;                                               // the table's location
    std::vector<std::pair<std::vector<std::string>, size_t>> parts;  // values, location index
    std::optional<lake::PartitionProjection> projection;  // its parts found in one listing
    size_t listed = 0;                                    // the location index of that listing
  };
  std::map<std::pair<std::string, std::string>, Reading> reading;
  for (const auto& [key, table] : tables) {
    Reading r;
    r.table = jsonString(jsonAt(table, {"StorageDescriptor", "Location"}));
    const Json* pk = jsonAt(table, {"PartitionKeys"});
    auto projection = lake::PartitionProjection::of(table, now);
    if (!projection) return projection.error();
    if (*projection) {
      r.listed = locationIndex((*projection)->listPrefix());
      r.projection = std::move(*projection);
    } else if (!pk || !pk->is_array() || pk->as_array().empty()) {
      r.parts.emplace_back(std::vector<std::string>{}, locationIndex(r.table));
    } else {
      auto parts = partitionsOf(registry, scope, key.first, key.second);
      if (!parts) return AwsError{kMetastoreError, parts.error().message, 400};
      for (const Json& p : *parts) {
        std::vector<std::string> values;
        if (const Json* v = jsonAt(p, {"Values"}); v && v->is_array()) {
          for (const Json& x : v->as_array()) values.push_back(jsonString(&x));
        }
        r.parts.emplace_back(
            std::move(values),
            locationIndex(jsonString(jsonAt(p, {"StorageDescriptor", "Location"}))));
      }
    }
    reading[key] = std::move(r);
  }
  // One snapshot of every location's objects.
  auto taken = lake.snapshot(scope, locations);
  if (!taken) return AwsError{kPathNotFound, taken.error().message, 400};
  CatalogReads out;
  out.snapshot.emplace(std::move(*taken));
  lake::ObjectSnapshot* snap = &*out.snapshot;
  auto folder = [&](const std::string& location) {
    auto dir = snap->localPath(location);
    std::string d = dir ? dir->string() : std::string();
    while (d.ends_with("/")) d.pop_back();
    return d;
  };
  for (const auto& [key, table] : tables) {
    const Reading& r = reading[key];
    lake::TableFiles data;
    data.dir = folder(r.table);
    if (r.projection && r.listed < snap->objects().size()) {
      // Each listed object to the projected partition holding it.
      auto loc = lake::parseS3Uri(locations[r.listed]);
      std::map<std::vector<std::string>, lake::TableFiles::Part> parts;
      for (const auto& o : snap->objects()[r.listed]) {
        std::string_view base = std::string_view(o.key).substr(o.key.rfind('/') + 1);
        if (base.empty() || base[0] == '_' || base[0] == '.') continue;  // hidden files
        std::string uri = "s3://" + loc->bucket + "/" + o.key;
        auto match = r.projection->partitionOf(uri);
        if (!match || (keep && !keep(uri, o))) continue;
        auto& part = parts[match->values];
        if (part.dir.empty()) {
          part.values = match->values;
          part.dir =
              (snap->root() / loc->bucket / lake::parseS3Uri(match->location)->prefix).string();
          while (part.dir.ends_with("/")) part.dir.pop_back();
        }
        part.files.push_back((snap->root() / loc->bucket / o.key).string());
        out.scannedBytes += o.size;
      }
      for (auto& [values, part] : parts) data.parts.push_back(std::move(part));
    }
    for (const auto& [values, index] : r.parts) {
      lake::TableFiles::Part part{values, folder(locations[index]), {}};
      if (index < snap->objects().size()) {
        auto loc = lake::parseS3Uri(locations[index]);
        for (const auto& o : snap->objects()[index]) {
          std::string_view base = std::string_view(o.key).substr(o.key.rfind('/') + 1);
          if (base.empty() || base[0] == '_' || base[0] == '.') continue;  // hidden files
          if (keep && !keep("s3://" + loc->bucket + "/" + o.key, o)) continue;
          part.files.push_back((snap->root() / loc->bucket / o.key).string());
          out.scannedBytes += o.size;
        }
      }
      data.parts.push_back(std::move(part));
    }
    out.readers[key] = lake::tableReader(table, data);
  }
  return out;
}

}  // namespace sluice::services
