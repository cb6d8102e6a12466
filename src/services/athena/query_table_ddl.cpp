// DESCRIBE, SHOW CREATE TABLE / VIEW, SHOW TBLPROPERTIES and ALTER TABLE
// (ADD / DROP PARTITION, PARTITION ... SET LOCATION, SET LOCATION, SET
// TBLPROPERTIES, ADD / REPLACE COLUMNS), against the Glue catalog through its
// operations, with Hive's text layouts for what they print.
#include <algorithm>
#include <ctime>
#include <map>
#include <variant>

#include "core/encoding.hpp"
#include "lake/lake_engine.hpp"
#include "services/athena/ddl_support.hpp"
#include "services/athena/query_table_ddl.hpp"

namespace sluice::services::athena {

namespace {

// Hive pads DESCRIBE's fields to 20 characters, tab-separated.
std::string padded(std::string_view s) {
  std::string out(s);
  if (out.size() < 20) out.resize(20, ' ');
  return out;
}

std::string describeLine(std::string_view name, std::string_view type, std::string_view comment) {
  return padded(name) + "\t" + padded(type) + "\t" + padded(comment);
}

// DESCRIBE FORMATTED's sections after the columns: the table's and its
// storage's details, as Hive prints them ("Name:" and value padded, the
// parameters indented a tab).
void detailedInformation(const JsonObject& table, const std::string& db,
                         std::vector<std::string>& lines) {
  Json t(table);
  auto field = [&](std::string_view name, const std::string& value) {
    lines.push_back(padded(std::string(name) + ":") + "\t" + padded(value) + "\t ");
  };
  auto parameters = [&](const Json* p) {
    if (!p || !p->is_object()) return;
    std::map<std::string, std::string> sorted;  // Hive lists them by name
    for (const auto& kv : p->as_object()) sorted[std::string(kv.key())] = jsonString(&kv.value());
    for (const auto& [k, v] : sorted) lines.push_back("\t" + padded(k) + "\t" + padded(v));
  };
  auto list = [](const Json* items, const char* member) {
    std::string out = "[";
    if (items && items->is_array()) {
      for (const Json& i : items->as_array()) {
        if (out.size() > 1) out += ", ";
        out += member ? jsonString(jsonAt(i, {member})) : jsonString(&i);
      }
    }
    return out + "]";
  };
  std::string created = "UNKNOWN";
  if (const Json* c = jsonAt(t, {"CreateTime"}); c && c->is_number()) {
    std::time_t when = static_cast<std::time_t>(c->to_number<double>());
    std::tm tm{};
    gmtime_r(&when, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
    created = buf;
  }
  lines.push_back("\t \t ");
  lines.push_back("# Detailed Table Information\t \t ");
  field("Database", db);
  field("Owner", jsonAt(t, {"Owner"}) ? jsonString(jsonAt(t, {"Owner"})) : "hadoop");
  field("CreateTime", created);
  field("LastAccessTime", "UNKNOWN");
  field("Retention", "0");
  field("Location", jsonString(jsonAt(t, {"StorageDescriptor", "Location"})));
  field("Table Type", jsonString(jsonAt(t, {"TableType"})));
  lines.push_back("Table Parameters:\t \t ");
  parameters(jsonAt(t, {"Parameters"}));
  lines.push_back("\t \t ");
  lines.push_back("# Storage Information\t \t ");
  field("SerDe Library",
        jsonString(jsonAt(t, {"StorageDescriptor", "SerdeInfo", "SerializationLibrary"})));
  field("InputFormat", jsonString(jsonAt(t, {"StorageDescriptor", "InputFormat"})));
  field("OutputFormat", jsonString(jsonAt(t, {"StorageDescriptor", "OutputFormat"})));
  const Json* compressed = jsonAt(t, {"StorageDescriptor", "Compressed"});
  field("Compressed", compressed && compressed->is_bool() && compressed->as_bool() ? "Yes" : "No");
  const Json* buckets = jsonAt(t, {"StorageDescriptor", "NumberOfBuckets"});
  field("Num Buckets",
        buckets && buckets->is_int64() ? std::to_string(buckets->as_int64()) : std::string("-1"));
  field("Bucket Columns", list(jsonAt(t, {"StorageDescriptor", "BucketColumns"}), nullptr));
  field("Sort Columns", list(jsonAt(t, {"StorageDescriptor", "SortColumns"}), "Column"));
  lines.push_back("Storage Desc Params:\t \t ");
  parameters(jsonAt(t, {"StorageDescriptor", "SerdeInfo", "Parameters"}));
}

QueryOutcome tableNotFound(const TableName& name) {
  return ddlFailure("SemanticException [Error 10001]: Table not found " + name.db + "." +
                    name.name);
}

// The Glue table, or the failure the statement reports.
std::variant<JsonObject, QueryOutcome> tableOf(const OperationRegistry& registry,
                                               const QueryJob& job, const TableName& name) {
  auto got =
      glue(registry, job, "GetTable", JsonObject{{"DatabaseName", name.db}, {"Name", name.name}});
  if (!got) return tableNotFound(name);
  return got->as_object().at("Table").as_object();
}

const JsonArray& arrayAt(const JsonObject& o, std::initializer_list<std::string_view> path) {
  static const JsonArray empty;
  const JsonObject* at = &o;
  const Json* found = nullptr;
  size_t i = 0;
  for (std::string_view key : path) {
    found = at->if_contains(key);
    if (!found) return empty;
    if (++i < path.size()) {
      if (!found->is_object()) return empty;
      at = &found->as_object();
    }
  }
  return found && found->is_array() ? found->as_array() : empty;
}

// The TableInput that writes `table` back (Glue's read-only members left out).
JsonObject tableInput(const JsonObject& table) {
  JsonObject input;
  for (const char* key : {"Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime",
                          "Retention", "StorageDescriptor", "PartitionKeys", "ViewOriginalText",
                          "ViewExpandedText", "TableType", "Parameters", "TargetTable"}) {
    if (const Json* v = table.if_contains(key)) input[key] = *v;
  }
  return input;
}

QueryOutcome updateTable(const OperationRegistry& registry, const QueryJob& job,
                         const TableName& name, JsonObject input) {
  auto r = glue(registry, job, "UpdateTable",
                JsonObject{{"DatabaseName", name.db}, {"TableInput", std::move(input)}});
  if (!r) return ddlFailure(r.error().message);
  return noResult();
}

QueryOutcome describe(const OperationRegistry& registry, const QueryJob& job, Tokens& t) {
  bool formatted = t.keyword("formatted");
  t.keyword("extended");
  size_t at = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, at, "expected a table name");
  auto found = tableOf(registry, job, *name);
  if (auto* f = std::get_if<QueryOutcome>(&found)) return *f;
  const JsonObject& table = std::get<JsonObject>(found);
  std::string only;
  if (Token c = t.peek(); c.kind == Token::Word || c.kind == Token::Ident) {
    only = lowerText(t.next().text);
  }
  std::vector<std::string> lines;
  auto add = [&](const JsonArray& columns) {
    for (const Json& c : columns) {
      std::string n = jsonString(jsonAt(c, {"Name"}));
      if (!only.empty() && lowerText(n) != only) continue;
      lines.push_back(
          describeLine(n, jsonString(jsonAt(c, {"Type"})), jsonString(jsonAt(c, {"Comment"}))));
    }
  };
  formatted = formatted && only.empty();
  if (formatted) {
    lines.push_back(describeLine("# col_name", "data_type", "comment"));
    lines.push_back("\t \t ");
  }
  add(arrayAt(table, {"StorageDescriptor", "Columns"}));
  const JsonArray& keys = arrayAt(table, {"PartitionKeys"});
  if (!formatted) add(keys);
  if (!only.empty() && lines.empty()) {
    return ddlFailure("SemanticException [Error 10002]: Invalid column reference " + only);
  }
  if (only.empty() && !keys.empty()) {
    lines.push_back("\t \t ");
    lines.push_back("# Partition Information\t \t ");
    lines.push_back(describeLine("# col_name", "data_type", "comment"));
    lines.push_back("\t \t ");
    add(keys);
  }
  if (formatted) detailedInformation(table, name->db, lines);
  return textResult("col_name", std::move(lines));
}

QueryOutcome showCreate(const OperationRegistry& registry, const QueryJob& job, Tokens& t,
                        bool view) {
  size_t at = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, at, "expected a table name");
  auto found = tableOf(registry, job, *name);
  if (auto* f = std::get_if<QueryOutcome>(&found)) return *f;
  const JsonObject& table = std::get<JsonObject>(found);
  bool isView = jsonString(jsonAt(Json(table), {"TableType"})) == "VIRTUAL_VIEW";
  if (view != isView) {
    return queryFailure(1003, std::string("NOT_SUPPORTED: line 1:1: Relation 'awsdatacatalog.") +
                                  name->db + "." + name->name + "' is " +
                                  (isView ? "a view, not a table" : "a table, not a view"));
  }
  std::vector<std::string> lines;
  if (isView) {
    std::string text = jsonString(jsonAt(Json(table), {"ViewOriginalText"}));
    const std::string prefix = "/* Presto View: ";
    std::string sql;
    if (text.starts_with(prefix) && text.ends_with(" */")) {
      auto decoded = base64Decode(text.substr(prefix.size(), text.size() - prefix.size() - 3));
      if (auto doc = decoded ? parseJson(*decoded) : std::nullopt) {
        sql = jsonString(jsonAt(*doc, {"originalSql"}));
      }
    }
    lines.push_back("CREATE VIEW \"awsdatacatalog\".\"" + name->db + "\".\"" + name->name +
                    "\" SECURITY DEFINER AS");
    size_t start = 0;
    while (start <= sql.size()) {
      size_t nl = sql.find('\n', start);
      if (nl == std::string::npos) nl = sql.size();
      lines.push_back(sql.substr(start, nl - start));
      start = nl + 1;
    }
    return textResult("createtab_stmt", std::move(lines));
  }
  auto columnList = [&](const JsonArray& columns) {
    for (size_t i = 0; i < columns.size(); ++i) {
      lines.push_back("  `" + jsonString(jsonAt(columns[i], {"Name"})) + "` " +
                      jsonString(jsonAt(columns[i], {"Type"})) +
                      (i + 1 < columns.size() ? ", " : ")"));
    }
  };
  lines.push_back("CREATE EXTERNAL TABLE `" + name->db + "`.`" + name->name + "`(");
  columnList(arrayAt(table, {"StorageDescriptor", "Columns"}));
  if (const JsonArray& keys = arrayAt(table, {"PartitionKeys"}); !keys.empty()) {
    lines.push_back("PARTITIONED BY ( ");
    columnList(keys);
  }
  Json sd =
      table.contains("StorageDescriptor") ? table.at("StorageDescriptor") : Json(JsonObject{});
  if (const Json* n = jsonAt(sd, {"NumberOfBuckets"}); n && n->is_int64() && n->as_int64() > 0) {
    // Hive's bucketing clause, one name a line as Hive prints it.
    auto nameList = [&](const JsonArray& items, auto text) {
      for (size_t i = 0; i < items.size(); ++i) {
        lines.push_back("  " + text(items[i]) + (i + 1 < items.size() ? ", " : ") "));
      }
    };
    lines.push_back("CLUSTERED BY ( ");
    nameList(arrayAt(sd.as_object(), {"BucketColumns"}),
             [](const Json& c) { return "`" + jsonString(&c) + "`"; });
    if (const JsonArray& sorted = arrayAt(sd.as_object(), {"SortColumns"}); !sorted.empty()) {
      lines.push_back("SORTED BY ( ");
      nameList(sorted, [](const Json& c) {
        const Json* order = jsonAt(c, {"SortOrder"});
        bool desc = order && order->is_int64() && order->as_int64() == 0;
        return "`" + jsonString(jsonAt(c, {"Column"})) + "` " + (desc ? "DESC" : "ASC");
      });
    }
    lines.push_back("INTO " + std::to_string(n->as_int64()) + " BUCKETS");
  }
  lines.push_back("ROW FORMAT SERDE ");
  lines.push_back("  '" + jsonString(jsonAt(sd, {"SerdeInfo", "SerializationLibrary"})) + "' ");
  if (const Json* p = jsonAt(sd, {"SerdeInfo", "Parameters"});
      p && p->is_object() && !p->as_object().empty()) {
    lines.push_back("WITH SERDEPROPERTIES ( ");
    size_t i = 0, n = p->as_object().size();
    for (const auto& kv : p->as_object()) {
      lines.push_back("  '" + std::string(kv.key()) + "'='" + jsonString(&kv.value()) + "'" +
                      (++i < n ? ", " : ") "));
    }
  }
  lines.push_back("STORED AS INPUTFORMAT ");
  lines.push_back("  '" + jsonString(jsonAt(sd, {"InputFormat"})) + "' ");
  lines.push_back("OUTPUTFORMAT ");
  lines.push_back("  '" + jsonString(jsonAt(sd, {"OutputFormat"})) + "'");
  lines.push_back("LOCATION");
  lines.push_back("  '" + jsonString(jsonAt(sd, {"Location"})) + "'");
  if (const Json* p = table.if_contains("Parameters");
      p && p->is_object() && !p->as_object().empty()) {
    lines.push_back("TBLPROPERTIES (");
    size_t i = 0, n = p->as_object().size();
    for (const auto& kv : p->as_object()) {
      lines.push_back("  '" + std::string(kv.key()) + "'='" + jsonString(&kv.value()) + "'" +
                      (++i < n ? ", " : ")"));
    }
  }
  return textResult("createtab_stmt", std::move(lines));
}

QueryOutcome showProperties(const OperationRegistry& registry, const QueryJob& job, Tokens& t) {
  size_t at = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, at, "expected a table name");
  auto found = tableOf(registry, job, *name);
  if (auto* f = std::get_if<QueryOutcome>(&found)) return *f;
  const JsonObject& table = std::get<JsonObject>(found);
  std::optional<std::string> only;
  if (t.symbol('(')) {
    only = t.next().text;
    if (!t.symbol(')')) return syntaxError(job.sql, t.position(), "expected )");
  }
  std::vector<std::pair<std::string, std::string>> props;
  if (const Json* p = table.if_contains("Parameters"); p && p->is_object()) {
    for (const auto& kv : p->as_object()) props.emplace_back(kv.key(), jsonString(&kv.value()));
  }
  std::sort(props.begin(), props.end());
  std::vector<std::string> lines;
  for (const auto& [k, v] : props) {
    if (!only) lines.push_back(k + "\t" + v);
    if (only && *only == k) lines.push_back(v);
  }
  if (only && lines.empty()) {
    lines.push_back("Table " + name->db + "." + name->name + " does not have property: " + *only);
  }
  return textResult("prpt_name", std::move(lines));
}

// PARTITION (k = 'v', ...): the values in the order of the table's keys.
std::variant<std::vector<std::string>, QueryOutcome> readSpec(Tokens& t, const QueryJob& job,
                                                              const JsonArray& keys) {
  if (!t.symbol('(')) return syntaxError(job.sql, t.position(), "expected (");
  std::map<std::string, std::string> given;
  do {
    Token k = t.next();
    if (k.kind != Token::Word && k.kind != Token::Ident) {
      return syntaxError(job.sql, k.at, "expected a partition column");
    }
    if (!t.symbol('=')) return syntaxError(job.sql, t.position(), "expected =");
    std::string sign = t.symbol('-') ? "-" : "";
    Token v = t.next();
    if (v.kind != Token::String && v.kind != Token::Word) {
      return syntaxError(job.sql, v.at, "expected a partition value");
    }
    given[lowerText(k.text)] = sign + v.text;
  } while (t.symbol(','));
  if (!t.symbol(')')) return syntaxError(job.sql, t.position(), "expected )");
  std::vector<std::string> values;
  for (const Json& key : keys) {
    std::string n = lowerText(jsonString(jsonAt(key, {"Name"})));
    auto it = given.find(n);
    if (it == given.end()) {
      return ddlFailure(
          "SemanticException [Error 10006]: Partition spec is incomplete: no value "
          "for partition column " +
          n);
    }
    values.push_back(it->second);
    given.erase(it);
  }
  if (!given.empty()) {
    return ddlFailure(
        "SemanticException [Error 10098]: Non-Partition column appears in the "
        "partition specification: " +
        given.begin()->first);
  }
  return values;
}

std::string specPath(const JsonArray& keys, const std::vector<std::string>& values) {
  std::string path;
  for (size_t i = 0; i < keys.size(); ++i) {
    path += lowerText(jsonString(jsonAt(keys[i], {"Name"}))) + "=" + values[i] + "/";
  }
  return path;
}

QueryOutcome alterTable(const OperationRegistry& registry, const QueryJob& job, Tokens& t) {
  size_t at = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, at, "expected a table name");
  auto found = tableOf(registry, job, *name);
  if (auto* f = std::get_if<QueryOutcome>(&found)) return *f;
  const JsonObject& table = std::get<JsonObject>(found);
  const JsonArray& keys = arrayAt(table, {"PartitionKeys"});
  JsonObject sd = table.contains("StorageDescriptor") ? table.at("StorageDescriptor").as_object()
                                                      : JsonObject{};
  std::string location = jsonString(jsonAt(Json(sd), {"Location"}));
  if (!location.empty() && !location.ends_with("/")) location += "/";
  JsonObject partitionKey{{"DatabaseName", name->db}, {"TableName", name->name}};

  if (t.keyword("add")) {
    if (t.keyword("columns")) {
      auto columns = readColumns(t);
      if (!columns) return syntaxError(job.sql, t.position(), "expected a column list");
      JsonObject input = tableInput(table);
      JsonArray all = arrayAt(table, {"StorageDescriptor", "Columns"});
      for (const Json& c : *columns) all.push_back(c);
      input["StorageDescriptor"].as_object()["Columns"] = std::move(all);
      return updateTable(registry, job, *name, std::move(input));
    }
    bool ifNotExists = t.keyword("if") && t.keyword("not") && t.keyword("exists");
    if (keys.empty()) {
      return ddlFailure("SemanticException table is not partitioned but partition spec exists");
    }
    JsonArray inputs;
    while (t.keyword("partition")) {
      auto spec = readSpec(t, job, keys);
      if (auto* f = std::get_if<QueryOutcome>(&spec)) return *f;
      auto& values = std::get<std::vector<std::string>>(spec);
      std::string where = location + specPath(keys, values);
      if (t.keyword("location")) {
        Token l = t.next();
        if (l.kind != Token::String) return syntaxError(job.sql, l.at, "expected a location");
        where = l.text;
      }
      JsonArray vs;
      for (const auto& v : values) vs.push_back(Json(v));
      auto existing =
          glue(registry, job, "GetPartition",
               JsonObject{
                   {"DatabaseName", name->db}, {"TableName", name->name}, {"PartitionValues", vs}});
      if (existing) {
        if (ifNotExists) continue;
        return ddlFailure("AlreadyExistsException: Partition already exists.");
      }
      JsonObject psd = sd;
      psd["Location"] = where;
      inputs.push_back(
          JsonObject{{"Values", std::move(vs)}, {"StorageDescriptor", std::move(psd)}});
    }
    if (inputs.empty() && !ifNotExists) {
      return syntaxError(job.sql, t.position(), "expected PARTITION or COLUMNS");
    }
    for (size_t i = 0; i < inputs.size(); i += 100) {
      JsonArray chunk(inputs.begin() + static_cast<long>(i),
                      inputs.begin() + static_cast<long>(std::min(inputs.size(), i + 100)));
      JsonObject request = partitionKey;
      request["PartitionInputList"] = std::move(chunk);
      auto r = glue(registry, job, "BatchCreatePartition", std::move(request));
      if (!r) return ddlFailure(r.error().message);
    }
    return noResult();
  }
  if (t.keyword("drop")) {
    bool ifExists = t.keyword("if") && t.keyword("exists");
    JsonArray drop;
    do {
      if (!t.keyword("partition")) return syntaxError(job.sql, t.position(), "expected PARTITION");
      auto spec = readSpec(t, job, keys);
      if (auto* f = std::get_if<QueryOutcome>(&spec)) return *f;
      JsonArray vs;
      for (const auto& v : std::get<std::vector<std::string>>(spec)) vs.push_back(Json(v));
      JsonObject get = partitionKey;
      get["PartitionValues"] = vs;
      if (!glue(registry, job, "GetPartition", get)) {
        if (ifExists) continue;
        return ddlFailure("SemanticException [Error 10006]: Partition not found " +
                          specPath(keys, std::get<std::vector<std::string>>(spec)));
      }
      drop.push_back(JsonObject{{"Values", std::move(vs)}});
    } while (t.symbol(','));
    if (!drop.empty()) {
      JsonObject request = partitionKey;
      request["PartitionsToDelete"] = std::move(drop);
      auto r = glue(registry, job, "BatchDeletePartition", std::move(request));
      if (!r) return ddlFailure(r.error().message);
    }
    return noResult();
  }
  if (t.keyword("partition")) {
    // ALTER TABLE t PARTITION (spec) SET LOCATION 's3://...'
    auto spec = readSpec(t, job, keys);
    if (auto* f = std::get_if<QueryOutcome>(&spec)) return *f;
    if (!t.keyword("set") || !t.keyword("location")) {
      return syntaxError(job.sql, t.position(), "expected SET LOCATION");
    }
    Token l = t.next();
    if (l.kind != Token::String) return syntaxError(job.sql, l.at, "expected a location");
    JsonArray vs;
    for (const auto& v : std::get<std::vector<std::string>>(spec)) vs.push_back(Json(v));
    JsonObject get = partitionKey;
    get["PartitionValues"] = vs;
    auto existing = glue(registry, job, "GetPartition", get);
    if (!existing) return ddlFailure("SemanticException [Error 10006]: Partition not found");
    JsonObject psd = jsonAt(*existing, {"Partition", "StorageDescriptor"})
                         ? jsonAt(*existing, {"Partition", "StorageDescriptor"})->as_object()
                         : sd;
    psd["Location"] = l.text;
    JsonObject request = partitionKey;
    request["PartitionValueList"] = vs;
    request["PartitionInput"] = JsonObject{{"Values", vs}, {"StorageDescriptor", std::move(psd)}};
    auto r = glue(registry, job, "UpdatePartition", std::move(request));
    if (!r) return ddlFailure(r.error().message);
    return noResult();
  }
  if (t.keyword("replace")) {
    if (!t.keyword("columns")) return syntaxError(job.sql, t.position(), "expected COLUMNS");
    auto columns = readColumns(t);
    if (!columns) return syntaxError(job.sql, t.position(), "expected a column list");
    JsonObject input = tableInput(table);
    input["StorageDescriptor"].as_object()["Columns"] = std::move(*columns);
    return updateTable(registry, job, *name, std::move(input));
  }
  if (t.keyword("set")) {
    JsonObject input = tableInput(table);
    if (t.keyword("location")) {
      Token l = t.next();
      if (l.kind != Token::String) return syntaxError(job.sql, l.at, "expected a location");
      input["StorageDescriptor"].as_object()["Location"] = l.text;
      return updateTable(registry, job, *name, std::move(input));
    }
    if (t.keyword("tblproperties")) {
      auto props = readProperties(t);
      if (!props) return syntaxError(job.sql, t.position(), "expected ('key' = 'value', ...)");
      JsonObject& params = input["Parameters"].is_object() ? input["Parameters"].as_object()
                                                           : input["Parameters"].emplace_object();
      for (const auto& kv : *props) params[kv.key()] = kv.value();
      return updateTable(registry, job, *name, std::move(input));
    }
    return syntaxError(job.sql, t.position(), "expected LOCATION or TBLPROPERTIES");
  }
  Token what = t.peek();
  return queryFailure(1200, "NOT_SUPPORTED: line 1:" + std::to_string(what.at + 1) +
                                ": ALTER TABLE ... " + what.text +
                                " is not supported by Sluice (ADD / DROP PARTITION, PARTITION ... "
                                "SET LOCATION, SET LOCATION, SET TBLPROPERTIES, ADD / REPLACE "
                                "COLUMNS are)");
}

}  // namespace

std::optional<QueryOutcome> runTableStatement(const OperationRegistry& registry,
                                              const QueryJob& job) {
  Tokens t(job.sql);
  if (t.keyword("describe") || t.keyword("desc")) return describe(registry, job, t);
  if (t.keyword("alter")) {
    if (!t.keyword("table")) return std::nullopt;
    return alterTable(registry, job, t);
  }
  if (t.keyword("show")) {
    if (t.keyword("create")) {
      if (t.keyword("table")) return showCreate(registry, job, t, false);
      if (t.keyword("view")) return showCreate(registry, job, t, true);
      return syntaxError(job.sql, t.position(), "expected TABLE or VIEW");
    }
    if (t.keyword("tblproperties")) return showProperties(registry, job, t);
  }
  return std::nullopt;
}

}  // namespace sluice::services::athena
