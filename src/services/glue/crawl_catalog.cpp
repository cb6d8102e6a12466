// What a crawl writes to the catalog: tables and partitions as a Glue
// crawler writes them (StorageDescriptor, SerDe and the crawler's table
// parameters per format), under the crawler's SchemaChangePolicy and
// Configuration. Everything goes into one Change, committed with the end of
// the crawl.
#include <algorithm>
#include <functional>
#include <set>

#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

struct Formats {
  const char* input;
  const char* output;
  const char* serde;
};

Formats formatsOf(const std::string& classification) {
  if (classification == "parquet") {
    return {"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"};
  }
  return {"org.apache.hadoop.mapred.TextInputFormat",
          "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
          classification == "json" ? "org.openx.data.jsonserde.JsonSerDe"
                                   : "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"};
}

// The parameters a crawler writes on tables and their storage descriptors
// (all strings, as Glue keeps them).
JsonObject crawlerParameters(const lake::DiscoveredTable& t, uint64_t objects, uint64_t bytes,
                             uint64_t records, const std::string& crawler,
                             const std::string& crawlId) {
  JsonObject p{{"classification", t.format.classification},
               {"compressionType", t.format.compression},
               {"typeOfData", "file"},
               {"objectCount", std::to_string(objects)},
               {"recordCount", std::to_string(records)},
               {"averageRecordSize", std::to_string(records ? bytes / records : 0)},
               {"sizeKey", std::to_string(bytes)},
               {"UPDATED_BY_CRAWLER", crawler},
               {"CrawlerSchemaDeserializerVersion", "1.0"},
               {"CrawlerSchemaSerializerVersion", "1.0"},
               {"CRAWL_RUN_ID", crawlId}};
  // Where a custom JSON classifier found the records: Glue keeps its path
  // on the table, and readers of the table (Glue jobs, Athena here) use it.
  if (!t.format.jsonPath.empty()) p["jsonPath"] = t.format.jsonPath;
  if (t.format.classification == "csv") {
    if (t.format.header) p["skip.header.line.count"] = "1";
    p["columnsOrdered"] = "true";
    p["areColumnsQuoted"] = "false";
    p["delimiter"] = std::string(1, t.format.delimiter);
  }
  return p;
}

JsonArray columnsJson(const std::vector<lake::GlueColumn>& columns) {
  JsonArray out;
  for (const auto& c : columns) out.push_back(JsonObject{{"Name", c.name}, {"Type", c.type}});
  return out;
}

JsonObject storageDescriptor(const lake::DiscoveredTable& t, JsonArray columns,
                             const std::string& location, JsonObject parameters) {
  Formats f = formatsOf(t.format.classification);
  JsonObject serdeParameters;
  if (t.format.classification == "parquet") {
    serdeParameters["serialization.format"] = "1";
  } else if (t.format.classification == "json") {
    std::string paths;
    for (const auto& n : t.sourceNames) paths += (paths.empty() ? "" : ",") + n;
    serdeParameters["paths"] = paths;
  } else {
    serdeParameters["field.delim"] = std::string(1, t.format.delimiter);
  }
  return JsonObject{{"Columns", std::move(columns)},
                    {"Location", location},
                    {"InputFormat", f.input},
                    {"OutputFormat", f.output},
                    {"Compressed", false},
                    {"NumberOfBuckets", -1},
                    {"SerdeInfo", JsonObject{{"SerializationLibrary", f.serde},
                                             {"Parameters", std::move(serdeParameters)}}},
                    {"BucketColumns", JsonArray{}},
                    {"SortColumns", JsonArray{}},
                    {"Parameters", std::move(parameters)},
                    {"StoredAsSubDirectories", false}};
}

}  // namespace

Result<GlueService::CrawlCounts> GlueService::applyDiscovery(
    Change& change, const Scope& scope, const JsonObject& crawler, const lake::Discovery& discovery,
    bool partial, const std::map<std::string, TableRef>& fixed, std::vector<std::string>& log) {
  CrawlCounts counts;
  CallContext ctx;
  ctx.scope = scope;
  std::string crawlerName(crawler.at("Name").as_string());
  std::string crawlId(crawler.at("_CrawlId").as_string());
  std::string db = lowerName(jsonString(crawler.if_contains("DatabaseName")));
  bool ownTables = std::any_of(discovery.tables.begin(), discovery.tables.end(),
                               [&](const auto& t) { return !fixed.count(t.location); });
  if (db.empty() && ownTables) {
    return invalidInput("The crawler has no DatabaseName to write its tables to.");
  }
  if (ownTables && !database(scope, db)) {
    auto created = createDatabase(JsonObject{{"DatabaseInput", JsonObject{{"Name", db}}}}, ctx);
    if (!created) return created.error();
    change.batch.append(std::move(created->batch));
    log.push_back("INFO : Created database " + db);
  }
  Json config = JsonObject{};
  if (const Json* c = crawler.if_contains("Configuration"); c && c->is_string()) {
    if (auto parsed = parseJson(c->get_string()); parsed && parsed->is_object()) config = *parsed;
  }
  bool mergeColumns =
      partial || jsonString(jsonAt(config, {"CrawlerOutput", "Tables", "AddOrUpdateBehavior"})) ==
                     "MergeNewColumns";
  const JsonObject& policy = crawler.at("SchemaChangePolicy").as_object();
  bool update = policy.at("UpdateBehavior") == "UPDATE_IN_DATABASE";
  std::string deleteBehavior(policy.at("DeleteBehavior").as_string());
  std::string recrawl(crawler.at("RecrawlPolicy").as_object().at("RecrawlBehavior").as_string());
  std::string prefix = lowerName(jsonString(crawler.if_contains("TablePrefix")));
  auto& tables = tables_[scopeKey(scope)];

  // Names first: a table of the same name elsewhere keeps its name, the
  // newcomer gets a suffix from its location.
  std::vector<std::string> names, dbs;
  size_t newTables = 0;
  for (const auto& t : discovery.tables) {
    if (auto f = fixed.find(t.location); f != fixed.end()) {
      // A catalog target: the table it names, wherever the crawl found it.
      if (!tables.count(f->second.db + "/" + f->second.table)) {
        return entityNotFound("Table " + f->second.table +
                              " of the crawler's catalog target no "
                              "longer exists in database " +
                              f->second.db + ".");
      }
      dbs.push_back(f->second.db);
      names.push_back(f->second.table);
      continue;
    }
    dbs.push_back(db);
    std::string name = (prefix + t.name).substr(0, 255);
    auto it = tables.find(db + "/" + name);
    if (it != tables.end()) {
      std::string location = jsonString(jsonAt(it->second, {"StorageDescriptor", "Location"}));
      if (location != t.location) {
        char suffix[20];
        std::snprintf(suffix, sizeof suffix, "_%08zx",
                      std::hash<std::string>{}(t.location) & 0xffffffffu);
        name = name.substr(0, 255 - 9) + suffix;
        it = tables.find(db + "/" + name);
      }
    }
    if (it == tables.end()) ++newTables;
    names.push_back(name);
  }
  if (const Json* threshold = jsonAt(config, {"CrawlerOutput", "Tables", "TableThreshold"});
      threshold && threshold->is_int64() &&
      static_cast<int64_t>(newTables) > threshold->get_int64()) {
    return invalidInput("The number of tables detected by crawler: " + std::to_string(newTables) +
                        " is greater than the table threshold value provided: " +
                        std::to_string(threshold->get_int64()));
  }

  for (size_t i = 0; i < discovery.tables.size(); ++i) {
    const auto& t = discovery.tables[i];
    const std::string& name = names[i];
    const std::string& db = dbs[i];
    JsonArray partitionKeys;
    for (const auto& k : t.partitionKeys) {
      partitionKeys.push_back(JsonObject{{"Name", k}, {"Type", "string"}});
    }
    JsonObject parameters =
        crawlerParameters(t, t.objects, t.bytes, t.records, crawlerName, crawlId);
    if (!t.partitionKeys.empty()) parameters["partition_filtering.enabled"] = "true";
    JsonArray columns = columnsJson(t.columns);
    // The TableInput of the table as the crawler writes it.
    auto tableInput = [&] {
      return JsonObject{
          {"Name", name},
          {"Owner", "owner"},
          {"Retention", 0},
          {"TableType", "EXTERNAL_TABLE"},
          {"PartitionKeys", partitionKeys},
          {"Parameters", parameters},
          {"StorageDescriptor", storageDescriptor(t, columns, t.location, parameters)}};
    };
    auto existing = tables.find(db + "/" + name);
    if (existing != tables.end()) {
      const Json& old = existing->second;
      const Json* oldColumns = jsonAt(old, {"StorageDescriptor", "Columns"});
      if (mergeColumns && oldColumns && oldColumns->is_array()) {
        JsonArray merged = oldColumns->as_array();
        for (const Json& c : columns) {
          bool known = false;
          for (const Json& o : merged)
            known = known || o.as_object().at("Name") == c.as_object().at("Name");
          if (!known) merged.push_back(c);
        }
        columns = std::move(merged);
      }
      bool changed =
          !oldColumns || *oldColumns != Json(columns) ||
          old.as_object().at("PartitionKeys") != Json(partitionKeys) ||
          jsonString(jsonAt(old, {"Parameters", "classification"})) != t.format.classification;
      if (changed && update) {
        if (partial) {
          // The statistics describe the folders read, not the table: keep the
          // table's own.
          if (const Json* p = old.as_object().if_contains("Parameters"); p && p->is_object()) {
            JsonObject kept = p->as_object();
            kept["CRAWL_RUN_ID"] = crawlId;
            parameters = std::move(kept);
          }
        }
        auto updated =
            updateTable(JsonObject{{"DatabaseName", db}, {"TableInput", tableInput()}}, ctx);
        if (!updated) return updated.error();
        change.batch.append(std::move(updated->batch));
        ++counts.tablesUpdated;
        log.push_back("INFO : Updated the schema of table " + name + " in database " + db);
      } else if (changed) {
        log.push_back("INFO : The schema of table " + name +
                      " changed; not updated (UpdateBehavior LOG)");
      }
    } else {
      auto created =
          createTable(JsonObject{{"DatabaseName", db}, {"TableInput", tableInput()}}, ctx);
      if (!created) return created.error();
      Json& stored = tables[db + "/" + name];
      stored.as_object()["CreatedBy"] =
          "arn:aws:sts::" + scope.account + ":assumed-role/" +
          jsonString(crawler.if_contains("Role"))
              .substr(jsonString(crawler.if_contains("Role")).rfind('/') + 1) +
          "/AWS-Crawler";
      change.batch.append(std::move(created->batch));
      change.batch.put("glue_tables", scope, db + "/" + name, stored);
      ++counts.tablesCreated;
      log.push_back("INFO : Created table " + name + " in database " + db);
    }
    if (t.partitionKeys.empty()) continue;
    auto stored = readPartitions(scope, db, name);
    if (!stored) return stored.error();
    const Json& table = tables[db + "/" + name];
    JsonArray tableColumns = jsonAt(table, {"StorageDescriptor", "Columns"})->as_array();
    std::set<std::string> found;
    for (const auto& p : t.partitions) {
      JsonArray values;
      for (const auto& v : p.values) values.push_back(Json(v));
      std::string key = partitionKey(values);
      found.insert(key);
      if (stored->count(key)) continue;
      JsonObject sd = storageDescriptor(
          t, tableColumns, p.location,
          crawlerParameters(t, p.objects, p.bytes, p.records, crawlerName, crawlId));
      auto record = partitionRecord(
          scope, db, table,
          JsonObject{{"Values", values}, {"StorageDescriptor", sd}, {"Parameters", JsonObject{}}});
      if (!record) return record.error();
      storePartition(change.batch, scope, db, name, *record);
      ++counts.partitionsCreated;
    }
    if (partial || recrawl != "CRAWL_EVERYTHING") continue;  // only part of the data was read
    for (const auto& [key, doc] : *stored) {
      if (found.count(key)) continue;
      if (deleteBehavior == "DELETE_FROM_DATABASE") {
        erasePartition(change.batch, scope, db, name, key);
        ++counts.partitionsDeleted;
      } else {
        log.push_back("INFO : A partition of " + name + " is gone from S3: " +
                      jsonString(jsonAt(doc, {"StorageDescriptor", "Location"})));
      }
    }
  }
  if (counts.partitionsCreated > 0) {
    log.push_back("INFO : Created " + std::to_string(counts.partitionsCreated) + " partitions");
  }

  // Tables this crawler made whose data is gone.
  if (partial || recrawl != "CRAWL_EVERYTHING" || db.empty()) return counts;
  std::vector<std::string> targets;
  if (const Json* s3 = jsonAt(crawler.at("Targets"), {"S3Targets"}); s3 && s3->is_array()) {
    for (const Json& t : s3->as_array()) {
      std::string path = jsonString(t.as_object().if_contains("Path"));
      targets.push_back(path.ends_with("/") ? path : path + "/");
    }
  }
  std::set<std::string> kept(names.begin(), names.end());
  std::vector<std::string> gone;
  for (const auto& [key, doc] : tables) {
    if (!key.starts_with(db + "/")) continue;
    if (jsonString(jsonAt(doc, {"Parameters", "UPDATED_BY_CRAWLER"})) != crawlerName) continue;
    std::string name(doc.as_object().at("Name").as_string());
    if (kept.count(name)) continue;
    std::string location = jsonString(jsonAt(doc, {"StorageDescriptor", "Location"}));
    bool underTarget = false;
    for (const auto& t : targets)
      underTarget = underTarget || location.starts_with(t) || t.starts_with(location);
    if (underTarget) gone.push_back(name);
  }
  for (const auto& name : gone) {
    if (deleteBehavior == "DELETE_FROM_DATABASE") {
      auto deleted = deleteTable(JsonObject{{"DatabaseName", db}, {"Name", name}}, ctx);
      if (!deleted) return deleted.error();
      change.batch.append(std::move(deleted->batch));
      ++counts.tablesDeleted;
      log.push_back("INFO : Deleted table " + name + " from database " + db);
    } else if (deleteBehavior == "DEPRECATE_IN_DATABASE") {
      Json& doc = tables[db + "/" + name];
      auto& params = doc.as_object()["Parameters"];
      if (!params.is_object()) params = JsonObject{};
      if (params.as_object().contains("DEPRECATED_BY_CRAWLER")) continue;
      params.as_object()["DEPRECATED_BY_CRAWLER"] = crawlerName;
      change.batch.put("glue_tables", scope, db + "/" + name, doc);
      log.push_back("INFO : Marked table " + name + " deprecated: its data is gone");
    } else {
      log.push_back("INFO : The data of table " + name +
                    " is gone; table kept (DeleteBehavior LOG)");
    }
  }
  return counts;
}

}  // namespace sluice::services::glue
