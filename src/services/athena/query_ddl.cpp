#include "services/athena/query_ddl.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "services/athena/athena_results.hpp"
#include "services/athena/ddl_support.hpp"
#include "services/athena/statement_tokens.hpp"
#include "services/common/call_and_wait.hpp"

namespace sluice::services::athena {

namespace {

// Athena's name patterns: * any characters, | alternatives.
bool likePattern(const std::string& pattern, const std::string& name) {
  std::string re = namePatternRegex(pattern);
  try {
    return std::regex_match(name, std::regex(re, std::regex::icase));
  } catch (const std::regex_error&) {
    return false;
  }
}

QueryOutcome createExternalTable(const OperationRegistry& registry, const QueryJob& job,
                                 Tokens& t) {
  bool ifNotExists = t.keyword("if") && t.keyword("not") && t.keyword("exists");
  size_t at = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, at, "expected a table name");
  auto columns = readColumns(t);
  if (!columns) return syntaxError(job.sql, t.position(), "expected ( column type, ... )");
  JsonObject table{{"Name", name->name}, {"TableType", "EXTERNAL_TABLE"}};
  JsonObject parameters{{"EXTERNAL", "TRUE"}};
  JsonArray keys;
  std::string serde = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
  JsonObject serdeParameters;
  std::string input = "org.apache.hadoop.mapred.TextInputFormat";
  std::string output = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
  std::string location;
  bool serdeGiven = false;
  JsonArray bucketColumns, sortColumns;
  int bucketCount = -1;
  for (;;) {
    if (t.keyword("comment")) {
      table["Description"] = t.next().text;
    } else if (t.keyword("partitioned")) {
      if (!t.keyword("by")) return syntaxError(job.sql, t.position(), "expected BY");
      auto k = readColumns(t);
      if (!k) return syntaxError(job.sql, t.position(), "expected ( column type, ... )");
      keys = std::move(*k);
    } else if (t.keyword("clustered")) {
      // CLUSTERED BY (c, ...) [SORTED BY (c [ASC|DESC], ...)] INTO n BUCKETS
      if (!t.keyword("by") || !t.symbol('(')) {
        return syntaxError(job.sql, t.position(), "expected BY (");
      }
      bucketColumns.clear();
      do {
        bucketColumns.push_back(Json(lowerText(t.next().text)));
      } while (t.symbol(','));
      if (!t.symbol(')')) return syntaxError(job.sql, t.position(), "expected )");
      if (t.keyword("sorted")) {
        if (!t.keyword("by") || !t.symbol('(')) {
          return syntaxError(job.sql, t.position(), "expected BY (");
        }
        do {
          std::string column = lowerText(t.next().text);
          int order = t.keyword("desc") ? 0 : 1;
          if (order == 1) t.keyword("asc");
          sortColumns.push_back(JsonObject{{"Column", column}, {"SortOrder", order}});
        } while (t.symbol(','));
        if (!t.symbol(')')) return syntaxError(job.sql, t.position(), "expected )");
      }
      if (!t.keyword("into")) return syntaxError(job.sql, t.position(), "expected INTO");
      Token n = t.next();
      if (n.kind != Token::Word || n.text.find_first_not_of("0123456789") != std::string::npos ||
          n.text.size() > 7 || std::stoi(n.text) < 1) {
        return syntaxError(job.sql, n.at, "expected a number of buckets");
      }
      bucketCount = std::stoi(n.text);
      if (!t.keyword("buckets")) return syntaxError(job.sql, t.position(), "expected BUCKETS");
    } else if (t.keyword("row")) {
      if (!t.keyword("format")) return syntaxError(job.sql, t.position(), "expected FORMAT");
      if (t.keyword("serde")) {
        serde = t.next().text;
        serdeGiven = true;
        if (t.keyword("with")) {
          if (!t.keyword("serdeproperties")) {
            return syntaxError(job.sql, t.position(), "expected SERDEPROPERTIES");
          }
          auto p = readProperties(t);
          if (!p) return syntaxError(job.sql, t.position(), "expected ('key' = 'value', ...)");
          serdeParameters = std::move(*p);
        }
      } else if (t.keyword("delimited")) {
        for (;;) {
          if (t.keyword("fields") || t.keyword("collection") || t.keyword("map") ||
              t.keyword("lines")) {
            bool fields = true;
            (void)fields;
            t.keyword("items");
            t.keyword("keys");
            if (!t.keyword("terminated") || !t.keyword("by")) {
              return syntaxError(job.sql, t.position(), "expected TERMINATED BY");
            }
            Token d = t.next();
            if (!serdeParameters.contains("field.delim")) serdeParameters["field.delim"] = d.text;
          } else if (t.keyword("escaped")) {
            t.keyword("by");
            serdeParameters["escape.delim"] = t.next().text;
          } else {
            break;
          }
        }
      }
    } else if (t.keyword("stored")) {
      if (!t.keyword("as")) return syntaxError(job.sql, t.position(), "expected AS");
      if (t.keyword("inputformat")) {
        input = t.next().text;
        if (!t.keyword("outputformat"))
          return syntaxError(job.sql, t.position(), "expected OUTPUTFORMAT");
        output = t.next().text;
      } else {
        std::string f = lowerText(t.next().text);
        if (f == "parquet") {
          input = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
          output = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
          if (!serdeGiven) serde = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
          parameters["classification"] = "parquet";
        } else if (f == "orc") {
          input = "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat";
          output = "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat";
          if (!serdeGiven) serde = "org.apache.hadoop.hive.ql.io.orc.OrcSerde";
        } else if (f == "jsonfile") {
          if (!serdeGiven) serde = "org.openx.data.jsonserde.JsonSerDe";
        } else if (f != "textfile") {
          return queryFailure(1200, "NOT_SUPPORTED: STORED AS " + f + " is not built in Sluice");
        }
      }
    } else if (t.keyword("location")) {
      location = t.next().text;
    } else if (t.keyword("tblproperties")) {
      auto p = readProperties(t);
      if (!p) return syntaxError(job.sql, t.position(), "expected ('key' = 'value', ...)");
      for (const auto& kv : *p) parameters[kv.key()] = kv.value();
    } else {
      break;
    }
  }
  if (Token rest = t.peek();
      rest.kind != Token::End && !(rest.kind == Token::Symbol && rest.text == ";")) {
    return syntaxError(job.sql, rest.at, "mismatched input '" + rest.text + "'");
  }
  if (serde.find("Json") != std::string::npos && !parameters.contains("classification")) {
    parameters["classification"] = "json";
  }
  if (serde.find("LazySimple") != std::string::npos && !serdeParameters.contains("field.delim")) {
    serdeParameters["field.delim"] = "\x01";
  }
  if (serde.find("LazySimple") != std::string::npos && !parameters.contains("classification")) {
    parameters["classification"] = "csv";
  }
  if (location.empty())
    return syntaxError(job.sql, t.position(), "LOCATION is required for an EXTERNAL table");
  table["PartitionKeys"] = std::move(keys);
  table["Parameters"] = std::move(parameters);
  table["StorageDescriptor"] = JsonObject{
      {"Columns", std::move(*columns)},
      {"Location", location},
      {"InputFormat", input},
      {"OutputFormat", output},
      {"Compressed", false},
      {"NumberOfBuckets", bucketCount},
      {"SerdeInfo", JsonObject{{"SerializationLibrary", serde}, {"Parameters", serdeParameters}}},
      {"BucketColumns", std::move(bucketColumns)},
      {"SortColumns", std::move(sortColumns)},
      {"StoredAsSubDirectories", false}};
  if (name->db == "default") {
    // Athena's default database is there from the start.
    (void)glue(registry, job, "CreateDatabase",
               JsonObject{{"DatabaseInput", JsonObject{{"Name", "default"}}}});
  }
  auto made = glue(registry, job, "CreateTable",
                   JsonObject{{"DatabaseName", name->db}, {"TableInput", std::move(table)}});
  if (!made) {
    if (made.error().code == "AlreadyExistsException") {
      if (ifNotExists) return noResult();
      return ddlFailure("AlreadyExistsException(message:Table " + name->name + " already exists)");
    }
    if (made.error().code == "EntityNotFoundException") {
      return queryFailure(1301,
                          "SCHEMA_NOT_FOUND: line 1:1: Schema '" + name->db + "' does not exist");
    }
    return ddlFailure(made.error().message);
  }
  return noResult();
}

// MSCK REPAIR TABLE: the key=value folders under the location that are not
// partitions yet become partitions; none is removed.
QueryOutcome repairTable(const OperationRegistry& registry, lake::LakeEngine& lake,
                         const QueryJob& job, const TableName& name) {
  auto got =
      glue(registry, job, "GetTable", JsonObject{{"DatabaseName", name.db}, {"Name", name.name}});
  if (!got)
    return ddlFailure("SemanticException [Error 10001]: Table not found " + name.db + "." +
                      name.name);
  const JsonObject& table = got->as_object().at("Table").as_object();
  std::vector<std::string> keys;
  if (const Json* pk = table.if_contains("PartitionKeys"); pk && pk->is_array()) {
    for (const Json& k : pk->as_array())
      keys.push_back(lowerText(k.as_object().at("Name").as_string()));
  }
  JsonObject sd = table.at("StorageDescriptor").as_object();
  std::string location(sd.at("Location").as_string());
  if (!location.ends_with("/")) location += "/";
  auto loc = lake::parseS3Uri(location);
  if (!loc) return queryFailure(1100, loc.error().message);
  if (keys.empty()) return noResult();
  auto listed = lake.list(job.scope, loc->bucket, loc->prefix);
  if (!listed) return queryFailure(1109, "HIVE_PATH_NOT_FOUND: " + listed.error().message);
  std::map<std::string, std::vector<std::string>> found;  // "k=v/k2=v2" -> values
  for (const auto& o : *listed) {
    std::string_view rel = std::string_view(o.key).substr(loc->prefix.size());
    std::vector<std::string> values;
    std::string path;
    for (const auto& k : keys) {
      auto slash = rel.find('/');
      if (slash == std::string_view::npos) break;
      std::string segment(rel.substr(0, slash));
      if (lowerText(segment.substr(0, k.size() + 1)) != k + "=") break;
      values.push_back(segment.substr(k.size() + 1));
      path += segment + "/";
      rel.remove_prefix(slash + 1);
    }
    if (values.size() == keys.size()) found[path] = values;
  }
  auto existing =
      all(registry, job, "GetPartitions",
          JsonObject{{"DatabaseName", name.db}, {"TableName", name.name}}, "Partitions");
  if (!existing) return ddlFailure(existing.error().message);
  std::set<std::vector<std::string>> have;
  for (const Json& p : *existing) {
    std::vector<std::string> v;
    for (const Json& x : p.as_object().at("Values").as_array()) v.emplace_back(x.as_string());
    have.insert(v);
  }
  std::vector<std::string> lines, added;
  JsonArray inputs;
  for (const auto& [path, values] : found) {
    if (have.count(values)) continue;
    JsonArray vs;
    for (const auto& v : values) vs.push_back(Json(v));
    JsonObject psd = sd;
    psd["Location"] = location + path;
    inputs.push_back(JsonObject{{"Values", std::move(vs)}, {"StorageDescriptor", std::move(psd)}});
    std::string p = path.substr(0, path.size() - 1);
    added.push_back(name.name + ":" + p);
  }
  for (size_t i = 0; i < inputs.size(); i += 100) {
    JsonArray chunk(inputs.begin() + static_cast<long>(i),
                    inputs.begin() + static_cast<long>(std::min(inputs.size(), i + 100)));
    auto r = glue(registry, job, "BatchCreatePartition",
                  JsonObject{{"DatabaseName", name.db},
                             {"TableName", name.name},
                             {"PartitionInputList", std::move(chunk)}});
    if (!r) return ddlFailure(r.error().message);
  }
  if (!added.empty()) {
    std::string missing = "Partitions not in metastore:";
    for (const auto& a : added) missing += "\t" + a;
    lines.push_back(missing);
    for (const auto& a : added) lines.push_back("Repair: Added partition to metastore " + a);
  }
  return textResult("result", std::move(lines));
}

}  // namespace

std::optional<QueryOutcome> runCatalogStatement(const OperationRegistry& registry,
                                                lake::LakeEngine& lake, const QueryJob& job) {
  Tokens t(job.sql);
  if (t.keyword("show")) {
    if (t.keyword("databases") || t.keyword("schemas")) {
      std::string pattern;
      if (t.keyword("like") || t.peek().kind == Token::String) pattern = t.next().text;
      auto dbs = all(registry, job, "GetDatabases", JsonObject{}, "DatabaseList");
      if (!dbs) return ddlFailure(dbs.error().message);
      std::vector<std::string> names;
      for (const Json& d : *dbs) {
        std::string n(d.as_object().at("Name").as_string());
        if (pattern.empty() || likePattern(pattern, n)) names.push_back(n);
      }
      std::sort(names.begin(), names.end());
      return textResult("database_name", std::move(names));
    }
    if (t.keyword("tables")) {
      std::string db = lowerText(job.database);
      if (t.keyword("in") || t.keyword("from")) db = lowerText(t.next().text);
      std::string pattern;
      if (t.peek().kind == Token::String) pattern = t.next().text;
      auto tables = all(registry, job, "GetTables", JsonObject{{"DatabaseName", db}}, "TableList");
      if (!tables) {
        return queryFailure(1301, "SCHEMA_NOT_FOUND: line 1:1: Schema '" + db + "' does not exist");
      }
      std::vector<std::string> names;
      for (const Json& d : *tables) {
        std::string n(d.as_object().at("Name").as_string());
        if (pattern.empty() || likePattern(pattern, n)) names.push_back(n);
      }
      std::sort(names.begin(), names.end());
      return textResult("tab_name", std::move(names));
    }
    if (t.keyword("partitions")) {
      size_t at = t.position();
      auto name = readTableName(t, job.database);
      if (!name) return syntaxError(job.sql, at, "expected a table name");
      auto table = glue(registry, job, "GetTable",
                        JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
      if (!table)
        return ddlFailure("SemanticException [Error 10001]: Table not found " + name->name);
      std::vector<std::string> keys;
      for (const Json& k :
           table->as_object().at("Table").as_object().at("PartitionKeys").as_array()) {
        keys.emplace_back(k.as_object().at("Name").as_string());
      }
      auto parts =
          all(registry, job, "GetPartitions",
              JsonObject{{"DatabaseName", name->db}, {"TableName", name->name}}, "Partitions");
      if (!parts) return ddlFailure(parts.error().message);
      std::vector<std::string> lines;
      for (const Json& p : *parts) {
        std::string line;
        const JsonArray& values = p.as_object().at("Values").as_array();
        for (size_t i = 0; i < values.size() && i < keys.size(); ++i) {
          line += (i ? "/" : "") + keys[i] + "=" + std::string(values[i].as_string());
        }
        lines.push_back(line);
      }
      return textResult("partition", std::move(lines));
    }
    if (t.keyword("columns")) {
      if (!t.keyword("in") && !t.keyword("from"))
        return syntaxError(job.sql, t.position(), "expected IN");
      size_t at = t.position();
      auto name = readTableName(t, job.database);
      if (!name) return syntaxError(job.sql, at, "expected a table name");
      if (t.keyword("in") || t.keyword("from")) name->db = lowerText(t.next().text);
      auto table = glue(registry, job, "GetTable",
                        JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
      if (!table)
        return ddlFailure("SemanticException [Error 10001]: Table not found " + name->name);
      std::vector<std::string> lines;
      const JsonObject& o = table->as_object().at("Table").as_object();
      for (const Json& c : o.at("StorageDescriptor").as_object().at("Columns").as_array()) {
        lines.emplace_back(c.as_object().at("Name").as_string());
      }
      for (const Json& k : o.at("PartitionKeys").as_array())
        lines.emplace_back(k.as_object().at("Name").as_string());
      return textResult("field", std::move(lines));
    }
    return std::nullopt;
  }
  if (t.keyword("msck")) {
    if (!t.keyword("repair") || !t.keyword("table"))
      return syntaxError(job.sql, t.position(), "expected REPAIR TABLE");
    size_t at = t.position();
    auto name = readTableName(t, job.database);
    if (!name) return syntaxError(job.sql, at, "expected a table name");
    return repairTable(registry, lake, job, *name);
  }
  if (t.keyword("create")) {
    if (t.keyword("database") || t.keyword("schema")) {
      bool ifNotExists = t.keyword("if") && t.keyword("not") && t.keyword("exists");
      Token name = t.next();
      if (name.kind != Token::Word && name.kind != Token::Ident) {
        return syntaxError(job.sql, name.at, "expected a database name");
      }
      JsonObject input{{"Name", lowerText(name.text)}};
      for (;;) {
        if (t.keyword("comment")) {
          input["Description"] = t.next().text;
        } else if (t.keyword("location")) {
          input["LocationUri"] = t.next().text;
        } else if (t.keyword("with")) {
          t.keyword("dbproperties");
          auto p = readProperties(t);
          if (!p) return syntaxError(job.sql, t.position(), "expected ('key' = 'value', ...)");
          input["Parameters"] = std::move(*p);
        } else {
          break;
        }
      }
      auto r =
          glue(registry, job, "CreateDatabase", JsonObject{{"DatabaseInput", std::move(input)}});
      if (!r && !(ifNotExists && r.error().code == "AlreadyExistsException")) {
        return ddlFailure(r.error().code == "AlreadyExistsException"
                              ? "AlreadyExistsException(message:Database " + lowerText(name.text) +
                                    " already exists)"
                              : r.error().message);
      }
      return noResult();
    }
    if (t.keyword("external")) {
      if (!t.keyword("table")) return syntaxError(job.sql, t.position(), "expected TABLE");
      return createExternalTable(registry, job, t);
    }
    return std::nullopt;
  }
  if (t.keyword("drop")) {
    if (t.keyword("database") || t.keyword("schema")) {
      bool ifExists = t.keyword("if") && t.keyword("exists");
      std::string db = lowerText(t.next().text);
      bool cascade = t.keyword("cascade");
      auto tables =
          glue(registry, job, "GetTables", JsonObject{{"DatabaseName", db}, {"MaxResults", 1}});
      if (!tables) {
        if (ifExists) return noResult();
        return ddlFailure("SemanticException [Error 10072]: Database does not exist: " + db);
      }
      if (!cascade && !tables->as_object().at("TableList").as_array().empty()) {
        return ddlFailure("InvalidOperationException(message:Database " + db +
                          " is not empty. One or more tables exist.)");
      }
      auto r = glue(registry, job, "DeleteDatabase", JsonObject{{"Name", db}});
      if (!r) return ddlFailure(r.error().message);
      return noResult();
    }
    if (t.keyword("table")) {
      bool ifExists = t.keyword("if") && t.keyword("exists");
      size_t at = t.position();
      auto name = readTableName(t, job.database);
      if (!name) return syntaxError(job.sql, at, "expected a table name");
      auto r = glue(registry, job, "DeleteTable",
                    JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
      if (!r && !ifExists) {
        return ddlFailure("SemanticException [Error 10001]: Table not found " + name->db + "." +
                          name->name);
      }
      return noResult();
    }
  }
  return std::nullopt;
}

}  // namespace sluice::services::athena
