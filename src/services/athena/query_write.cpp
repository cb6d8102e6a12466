#include "services/athena/query_write.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <variant>

#include "lake/glue_types.hpp"
#include "lake/hive_bucketing.hpp"
#include "lake/trino_zones.hpp"
#include "services/athena/athena_results.hpp"
#include "services/athena/statement_tokens.hpp"
#include "services/common/call_and_wait.hpp"
#include "services/common/lake_writes.hpp"

namespace sluice::services::athena {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxPartitions = 100;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

using Written = WrittenFiles;

// Writes the rows of `select` (columns `data` then `keys`) as a file per
// partition (and bucket). Partitions and buckets need the rows first, in a
// result table, to find their values; without either the query is copied
// straight to its one file.
std::variant<Written, QueryOutcome> writeRows(PreparedQuery& q, const QueryJob& job,
                                              const std::string& select,
                                              const std::vector<std::string>& data,
                                              const std::vector<std::string>& keys,
                                              const WriteFormat& format, const fs::path& scratch,
                                              lake::LakeCancel& cancel,
                                              const std::string& bucketExpression = "") {
  auto& con = *q.con;
  if (!cancel.attach(&*con)) {
    cancel.attach(nullptr);
    return cancelledOutcome();
  }
  // Each row's Hive bucket, when the table is bucketed, as a last column.
  std::string bucketColumn = bucketExpression.empty() ? "" : "$bucket";
  std::string rows = bucketExpression.empty()
                         ? select
                         : "SELECT *, " + bucketExpression + " AS " + sqlIdent(bucketColumn) +
                               " FROM (" + select + ")";
  std::string source = "(" + rows + ")";
  if (!keys.empty() || !bucketColumn.empty()) {
    source = sqlIdent(q.catalog) + ".main." + sqlIdent("_result");
    if (auto made = con->query("CREATE TABLE " + source + " AS " + rows); !made) {
      cancel.attach(nullptr);
      if (cancel.cancelled()) return cancelledOutcome();
      return duckFailure(job.sql, made.error().message);
    }
  }
  auto w = writePartitionFiles(*con, source, data, keys, format, scratch, job.id, kMaxPartitions,
                               bucketColumn);
  cancel.attach(nullptr);
  if (!w) {
    if (cancel.cancelled()) return cancelledOutcome();
    if (w.error().code == kTooManyPartitions) return queryFailure(1000, w.error().message);
    return duckFailure(job.sql, w.error().message);
  }
  return std::move(*w);
}

// Uploads the files under `location`; a failure removes what was put.
std::optional<QueryOutcome> upload(const OperationRegistry& registry, const QueryJob& job,
                                   const std::string& location, const Written& w,
                                   std::vector<std::string>& putKeys) {
  auto put = uploadFiles(registry, job.scope, location, w);
  if (!put) {
    QueryOutcome f = queryFailure(401, "HIVE_WRITER_CLOSE_ERROR: " + put.error().message);
    f.errorCategory = 1;
    return f;
  }
  putKeys = std::move(*put);
  return std::nullopt;
}

void removeUploads(const OperationRegistry& registry, const QueryJob& job,
                   const std::string& location, const std::vector<std::string>& keys) {
  services::removeUploads(registry, job.scope, location, keys);
}

Result<void> registerPartitions(const OperationRegistry& registry, const QueryJob& job,
                                const TableName& table, const JsonObject& sd,
                                const std::string& location, const Written& w) {
  return registerWrittenPartitions(registry, job.scope, table.db, table.name, sd, location, w);
}

// WITH's `(key = value, key = ARRAY['a', ...], ...)`: keys lower-cased, an
// array's items (lower-cased) in `arrays` under its key.
using PropertyArrays = std::map<std::string, std::vector<std::string>>;
std::optional<QueryOutcome> readProperties(Tokens& t, const std::string& sql,
                                           std::map<std::string, std::string>& props,
                                           PropertyArrays& arrays) {
  if (!t.symbol('(')) return syntaxError(sql, t.position(), "expected (");
  do {
    Token key = t.next();
    if (key.kind != Token::Word && key.kind != Token::Ident) {
      return syntaxError(sql, key.at, "expected a table property");
    }
    if (!t.symbol('=')) return syntaxError(sql, t.position(), "expected =");
    std::string k = lower(key.text);
    if (t.keyword("array")) {
      if (!t.symbol('[')) return syntaxError(sql, t.position(), "expected [");
      std::vector<std::string> items;
      while (!t.symbol(']')) {
        Token item = t.next();
        if (item.kind != Token::String) return syntaxError(sql, item.at, "expected a string");
        items.push_back(lower(item.text));
        t.symbol(',');
      }
      arrays[k] = std::move(items);
      props[k] = "array";
    } else {
      bool negative = t.symbol('-');
      Token v = t.next();
      if (v.kind == Token::End) return syntaxError(sql, v.at, "expected a value");
      props[k] = (negative ? "-" : "") + v.text;
    }
  } while (t.symbol(','));
  if (!t.symbol(')')) return syntaxError(sql, t.position(), "expected )");
  return std::nullopt;
}

// The query's columns as `SELECT #1 AS "a", ...` over it, their names and
// types; partition columns must come last, in partitioned_by's order.
struct Projection {
  std::string select;
  std::vector<std::string> names, types;
  size_t dataCount = 0;
};
std::variant<Projection, QueryOutcome> project(PreparedQuery& q, const QueryJob& job,
                                               const std::vector<std::string>& partitionedBy) {
  auto described = (*q.con)->query("DESCRIBE " + q.sql);
  if (!described) return duckFailure(job.sql, described.error().message);
  Projection p;
  p.select = "SELECT ";
  for (size_t r = 0; r < described->rowCount(); ++r) {
    p.names.push_back(lower(described->value(r, 0).value_or("")));
    p.types.push_back(described->value(r, 1).value_or("VARCHAR"));
    std::string column = "#" + std::to_string(r + 1);
    if (p.types.back() == lake::kTrinoZonedType) {
      // Hive tables have no zoned timestamps (Athena refuses them too).
      return queryFailure(1200,
                          "NOT_SUPPORTED: Unsupported Hive type: timestamp(3) with time zone");
    }
    if (p.types.back() == "HUGEINT") {
      // DuckDB's sum of integers; Trino's is a bigint (and fails past it).
      p.types.back() = "BIGINT";
      column = "CAST(" + column + " AS BIGINT)";
    }
    p.select += (r ? ", " : "") + column + " AS " + sqlIdent(p.names.back());
  }
  p.select += " FROM (" + q.sql + ")";
  p.dataCount = p.names.size() - std::min(p.names.size(), partitionedBy.size());
  for (size_t i = 0; i < partitionedBy.size(); ++i) {
    if (p.dataCount + i >= p.names.size() || p.names[p.dataCount + i] != partitionedBy[i]) {
      std::string list;
      for (const auto& k : partitionedBy) list += (list.empty() ? "" : ", ") + k;
      return queryFailure(1100,
                          "INVALID_TABLE_PROPERTY: Partition keys must be the last columns "
                          "in the table and in the same order as the table properties: [" +
                              list + "]");
    }
  }
  return p;
}

// The data manifest beside the results (`<id>-manifest.csv`): the files a
// statement wrote, one URI a line. Its location, for DataManifestLocation.
std::string writeManifest(const OperationRegistry& registry, const QueryJob& job,
                          const std::string& location, const Written& w) {
  std::string manifest;
  for (const auto& [_, rel] : w.files) manifest += location + rel + "\n";
  std::string uri = job.outputLocation + job.id + "-manifest.csv";
  auto out = lake::parseS3Uri(uri);
  if (!out) return "";
  (void)callAndWait(registry, job.scope, "s3", "PutObject",
                    JsonObject{{"Bucket", out->bucket}, {"Key", out->prefix}, {"Body", manifest}});
  return uri;
}

QueryOutcome succeeded(uint64_t rows, uint64_t scanned) {
  QueryOutcome o;
  o.updateCount = rows;
  o.scannedBytes = scanned;
  o.columns.push_back(columnInfo("rows", "BIGINT"));
  return o;
}

// The bucket of each row, from CTAS's bucketed_by columns: they must be
// data columns (not partition keys) of a type Hive's bucketing hashes.
std::variant<std::string, QueryOutcome> bucketRows(const std::vector<std::string>& bucketedBy,
                                                   int bucketCount,
                                                   const std::vector<std::string>& names,
                                                   const std::vector<std::string>& types,
                                                   size_t dataCount) {
  std::vector<lake::BucketColumn> columns;
  std::string missing;
  for (const auto& b : bucketedBy) {
    auto at = std::find(names.begin(), names.end(), b);
    if (at == names.end()) {
      missing += (missing.empty() ? "" : ", ") + b;
      continue;
    }
    size_t i = static_cast<size_t>(at - names.begin());
    if (i >= dataCount) {
      return queryFailure(1103, "INVALID_TABLE_PROPERTY: Bucketing columns [" + b +
                                    "] cannot be partition columns");
    }
    columns.push_back(lake::BucketColumn{b, types[i], false});
  }
  if (!missing.empty()) {
    return queryFailure(
        1103, "INVALID_TABLE_PROPERTY: Bucketing columns [" + missing + "] not present in schema");
  }
  auto expression = lake::hiveBucketExpression(columns, bucketCount);
  if (!expression) return queryFailure(1200, "NOT_SUPPORTED: " + expression.error().message);
  return *expression;
}

}  // namespace

QueryOutcome runCreateTableAs(const OperationRegistry& registry, lake::LakeEngine& lake,
                              const QueryJob& job, lake::LakeCancel& cancel) {
  Tokens t(job.sql);
  t.keyword("create");
  bool external = t.keyword("external");
  if (!t.keyword("table")) return syntaxError(job.sql, t.position(), "expected TABLE");
  bool ifNotExists = false;
  if (t.keyword("if")) {
    if (!t.keyword("not") || !t.keyword("exists")) {
      return syntaxError(job.sql, t.position(), "expected IF NOT EXISTS");
    }
    ifNotExists = true;
  }
  size_t nameAt = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, nameAt, "expected a table name");
  (void)external;
  std::map<std::string, std::string> props;
  PropertyArrays arrays;
  if (t.keyword("with")) {
    if (auto bad = readProperties(t, job.sql, props, arrays)) return *bad;
  }
  const std::vector<std::string>& partitionedBy = arrays["partitioned_by"];
  const std::vector<std::string>& bucketedBy = arrays["bucketed_by"];
  if (!t.keyword("as")) return syntaxError(job.sql, t.position(), "expected AS");
  std::string query(std::string_view(job.sql).substr(t.position()));
  // WITH [NO] DATA at the end.
  bool noData = false;
  {
    std::string l = lower(query);
    while (!l.empty() && (std::isspace(static_cast<unsigned char>(l.back())) || l.back() == ';')) {
      l.pop_back();
    }
    query.resize(l.size());
    for (auto [tail, none] : {std::pair{"with no data", true}, std::pair{"with data", false}}) {
      if (l.ends_with(tail)) {
        noData = none;
        query.resize(l.size() - std::string_view(tail).size());
        break;
      }
    }
  }
  for (const auto& [k, _] : props) {
    static const std::set<std::string> known = {"format",
                                                "external_location",
                                                "partitioned_by",
                                                "write_compression",
                                                "parquet_compression",
                                                "field_delimiter",
                                                "table_type",
                                                "is_external",
                                                "bucketed_by",
                                                "bucket_count"};
    if (!known.count(k)) {
      return queryFailure(1103,
                          "INVALID_TABLE_PROPERTY: line 1:1: Sluice does not know (or "
                          "build) the table property '" +
                              k + "'");
    }
  }
  if (props.count("table_type") && lower(props["table_type"]) != "hive") {
    return queryFailure(1200, "NOT_SUPPORTED: table_type '" + props["table_type"] +
                                  "' (Sluice writes HIVE tables)");
  }
  auto format = writeFormat(props.count("format") ? props["format"] : "PARQUET",
                            props.count("write_compression")     ? props["write_compression"]
                            : props.count("parquet_compression") ? props["parquet_compression"]
                                                                 : "",
                            props.count("field_delimiter") ? props["field_delimiter"] : "");
  if (!format) {
    return queryFailure(format.error().code == "NOT_SUPPORTED" ? 1200 : 1103,
                        format.error().code + ": " + format.error().message);
  }
  // bucketed_by and bucket_count come together (Hive bucketing, version 1).
  int bucketCount = 0;
  if (props.count("bucket_count")) {
    const std::string& v = props["bucket_count"];
    bool digits = !v.empty() && std::all_of(v.begin() + (v[0] == '-' ? 1 : 0), v.end(),
                                            [](char c) { return std::isdigit(c); });
    if (!digits || v.size() > 8) {
      return queryFailure(1103,
                          "INVALID_TABLE_PROPERTY: Invalid value for table property "
                          "'bucket_count': Cannot convert [" +
                              v + "] to integer");
    }
    bucketCount = std::stoi(v);
    if (bucketCount < 0) {
      return queryFailure(1103, "INVALID_TABLE_PROPERTY: bucket_count must be greater than zero");
    }
    if (bucketCount > 1000000) {
      return queryFailure(1103,
                          "INVALID_TABLE_PROPERTY: bucket_count should be no more than "
                          "1000000");
    }
  }
  if (bucketedBy.empty() != (bucketCount == 0)) {
    return queryFailure(1103,
                        "INVALID_TABLE_PROPERTY: bucketed_by and bucket_count must be "
                        "specified together");
  }
  // The table must not exist, its location must be empty.
  if (auto existing = callAndWait(registry, job.scope, "glue", "GetTable",
                                  JsonObject{{"DatabaseName", name->db}, {"Name", name->name}})) {
    if (ifNotExists) return succeeded(0, 0);
    return queryFailure(1003, "ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog." + name->db + "." +
                                  name->name + "' already exists");
  }
  if (name->db == "default") {
    // Athena's default database is there from the start.
    (void)callAndWait(registry, job.scope, "glue", "CreateDatabase",
                      JsonObject{{"DatabaseInput", JsonObject{{"Name", "default"}}}});
  }
  if (!callAndWait(registry, job.scope, "glue", "GetDatabase", JsonObject{{"Name", name->db}})) {
    return queryFailure(1301,
                        "SCHEMA_NOT_FOUND: line 1:1: Schema '" + name->db + "' does not exist");
  }
  std::string location = props.count("external_location")
                             ? props["external_location"]
                             : job.outputLocation + "tables/" + job.id + "/";
  if (!location.ends_with("/")) location += "/";
  auto loc = lake::parseS3Uri(location);
  if (!loc) return queryFailure(1100, "INVALID_ARGUMENT: " + loc.error().message);
  if (auto there = lake.list(job.scope, loc->bucket, loc->prefix); there && !there->empty()) {
    return queryFailure(1109, "HIVE_PATH_ALREADY_EXISTS: Target directory for table '" + name->db +
                                  "." + name->name + "' already exists: " + location);
  }
  QueryOutcome failure;
  auto q = prepareSelect(registry, lake, job, query, failure);
  if (!q) return failure;
  auto projected = project(*q, job, partitionedBy);
  if (auto* f = std::get_if<QueryOutcome>(&projected)) return *f;
  auto& [select, names, types, dataCount] = std::get<Projection>(projected);
  std::vector<std::string> data(names.begin(), names.begin() + static_cast<long>(dataCount));
  JsonArray columns, keys;
  for (size_t i = 0; i < names.size(); ++i) {
    JsonObject c{{"Name", names[i]}, {"Type", lake::glueType(types[i])}};
    (i < dataCount ? columns : keys).push_back(std::move(c));
  }
  std::string bucketExpression;
  if (bucketCount > 0) {
    auto expression = bucketRows(bucketedBy, bucketCount, names, types, dataCount);
    if (auto* f = std::get_if<QueryOutcome>(&expression)) return *f;
    bucketExpression = std::get<std::string>(expression);
  }
  auto scratch = lake.scratch();
  if (!scratch) return queryFailure(1000, "INTERNAL_ERROR: " + scratch.error().message);
  Written w;
  if (!noData) {
    auto written = writeRows(*q, job, select, data, partitionedBy, *format, scratch->path(), cancel,
                             bucketExpression);
    if (auto* f = std::get_if<QueryOutcome>(&written)) return *f;
    w = std::get<Written>(std::move(written));
  }
  std::vector<std::string> put;
  if (auto f = upload(registry, job, location, w, put)) {
    removeUploads(registry, job, location, put);
    return *f;
  }
  JsonObject sd = storageDescriptorFor(*format, columns, location);
  if (bucketCount > 0) {
    JsonArray bucketColumns;
    for (const auto& b : bucketedBy) bucketColumns.push_back(Json(b));
    sd["BucketColumns"] = std::move(bucketColumns);
    sd["NumberOfBuckets"] = bucketCount;
  }
  JsonObject input{{"Name", name->name},
                   {"TableType", "EXTERNAL_TABLE"},
                   {"PartitionKeys", std::move(keys)},
                   {"Parameters", JsonObject{{"classification", format->classification},
                                             {"has_encrypted_data", "false"}}},
                   {"StorageDescriptor", sd}};
  auto created =
      callAndWait(registry, job.scope, "glue", "CreateTable",
                  JsonObject{{"DatabaseName", name->db}, {"TableInput", std::move(input)}});
  if (!created) {
    removeUploads(registry, job, location, put);
    return queryFailure(1003, "HIVE_METASTORE_ERROR: " + created.error().message);
  }
  if (auto r = registerPartitions(registry, job, *name, sd, location, w); !r) {
    removeUploads(registry, job, location, put);
    (void)callAndWait(registry, job.scope, "glue", "DeleteTable",
                      JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
    return queryFailure(1003, "HIVE_METASTORE_ERROR: " + r.error().message);
  }
  QueryOutcome done = succeeded(w.rows, q->scannedBytes);
  done.manifest = writeManifest(registry, job, location, w);
  return done;
}

QueryOutcome runInsertInto(const OperationRegistry& registry, lake::LakeEngine& lake,
                           const QueryJob& job, lake::LakeCancel& cancel) {
  Tokens t(job.sql);
  t.keyword("insert");
  if (!t.keyword("into")) return syntaxError(job.sql, t.position(), "expected INTO");
  size_t nameAt = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, nameAt, "expected a table name");
  std::vector<std::string> listed;
  // "(" then a name is a column list; "(" then SELECT is the query.
  if (t.peek().kind == Token::Symbol && t.peek().text == "(") {
    Tokens look = t;
    look.symbol('(');
    Token first = look.peek();
    if (!(first.kind == Token::Word &&
          (lower(first.text) == "select" || lower(first.text) == "with" ||
           lower(first.text) == "values"))) {
      t.symbol('(');
      do {
        Token c = t.next();
        if (c.kind != Token::Word && c.kind != Token::Ident) {
          return syntaxError(job.sql, c.at, "expected a column name");
        }
        listed.push_back(lower(c.text));
      } while (t.symbol(','));
      if (!t.symbol(')')) return syntaxError(job.sql, t.position(), "expected )");
    }
  }
  std::string query(std::string_view(job.sql).substr(t.position()));
  auto got = callAndWait(registry, job.scope, "glue", "GetTable",
                         JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
  if (!got) {
    return queryFailure(1301, "TABLE_NOT_FOUND: line 1:" + std::to_string(nameAt + 1) +
                                  ": Table 'awsdatacatalog." + name->db + "." + name->name +
                                  "' does not exist");
  }
  const Json& table = got->as_object().at("Table");
  const JsonObject& sd = table.as_object().at("StorageDescriptor").as_object();
  if (const Json* n = sd.if_contains("NumberOfBuckets"); n && n->is_int64() && n->as_int64() > 0) {
    // Athena adds no rows to a bucketed table: its files would no longer
    // be the buckets.
    return queryFailure(1200, "NOT_SUPPORTED: Cannot insert into bucketed table '" + name->db +
                                  "." + name->name +
                                  "': Athena does not support INSERT INTO "
                                  "bucketed tables");
  }
  std::string location(sd.at("Location").as_string());
  if (!location.ends_with("/")) location += "/";
  std::vector<std::pair<std::string, std::string>> dataCols, keyCols;  // name, glue type
  for (const Json& c : sd.at("Columns").as_array()) {
    dataCols.emplace_back(lower(c.as_object().at("Name").as_string()),
                          std::string(c.as_object().at("Type").as_string()));
  }
  if (const Json* pk = table.as_object().if_contains("PartitionKeys"); pk && pk->is_array()) {
    for (const Json& k : pk->as_array()) {
      keyCols.emplace_back(lower(k.as_object().at("Name").as_string()),
                           std::string(k.as_object().at("Type").as_string()));
    }
  }
  std::string serde = lower(
      sd.contains("SerdeInfo") && sd.at("SerdeInfo").as_object().contains("SerializationLibrary")
          ? sd.at("SerdeInfo").as_object().at("SerializationLibrary").as_string()
          : "");
  std::string delimiter;
  if (const Json* p = sd.contains("SerdeInfo")
                          ? sd.at("SerdeInfo").as_object().if_contains("Parameters")
                          : nullptr;
      p && p->is_object() && p->as_object().contains("field.delim")) {
    delimiter = std::string(p->as_object().at("field.delim").as_string());
  }
  std::string formatName = serde.find("parquet") != std::string::npos ? "PARQUET"
                           : serde.find("json") != std::string::npos  ? "JSON"
                                                                      : "TEXTFILE";
  auto format = writeFormat(formatName, "", delimiter.empty() ? std::string("\x01") : delimiter);
  if (!format) return queryFailure(1200, format.error().code + ": " + format.error().message);
  QueryOutcome failure;
  auto q = prepareSelect(registry, lake, job, query, failure);
  if (!q) return failure;
  auto described = (*q->con)->query("DESCRIBE " + q->sql);
  if (!described) return duckFailure(job.sql, described.error().message);
  std::vector<std::pair<std::string, std::string>> all = dataCols;
  all.insert(all.end(), keyCols.begin(), keyCols.end());
  std::vector<std::string> targets;
  for (const auto& [n, _] : all) targets.push_back(n);
  if (!listed.empty()) targets = listed;
  if (described->rowCount() != targets.size()) {
    std::string tableTypes, queryTypes;
    for (const auto& target : targets) {
      for (const auto& [n, type] : all) {
        if (n == target) {
          tableTypes += (tableTypes.empty() ? "" : ", ") + athenaType(lake::duckdbType(type));
        }
      }
    }
    for (size_t r = 0; r < described->rowCount(); ++r) {
      queryTypes += (r ? ", " : "") + athenaType(described->value(r, 1).value_or(""));
    }
    return queryFailure(1002, "TYPE_MISMATCH: Insert query has mismatched column types: Table: [" +
                                  tableTypes + "], Query: [" + queryTypes + "]");
  }
  std::string select = "SELECT ";
  bool first = true;
  for (const auto& [n, type] : all) {
    auto at = std::find(targets.begin(), targets.end(), n);
    std::string expr =
        at == targets.end() ? "NULL" : "#" + std::to_string(at - targets.begin() + 1);
    select += (first ? "" : ", ") + std::string("CAST(") + expr + " AS " + lake::duckdbType(type) +
              ") AS " + sqlIdent(n);
    first = false;
  }
  for (const auto& target : targets) {
    bool known =
        std::any_of(all.begin(), all.end(), [&](const auto& c) { return c.first == target; });
    if (!known) {
      return queryFailure(1006,
                          "COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist in "
                          "target table: " +
                              target);
    }
  }
  select += " FROM (" + q->sql + ")";
  std::vector<std::string> data, keys;
  for (const auto& [n, _] : dataCols) data.push_back(n);
  for (const auto& [n, _] : keyCols) keys.push_back(n);
  auto scratch = lake.scratch();
  if (!scratch) return queryFailure(1000, "INTERNAL_ERROR: " + scratch.error().message);
  auto written = writeRows(*q, job, select, data, keys, *format, scratch->path(), cancel);
  if (auto* f = std::get_if<QueryOutcome>(&written)) return *f;
  Written w = std::get<Written>(std::move(written));
  std::vector<std::string> put;
  if (auto f = upload(registry, job, location, w, put)) {
    removeUploads(registry, job, location, put);
    return *f;
  }
  if (auto r = registerPartitions(registry, job, *name, sd, location, w); !r) {
    removeUploads(registry, job, location, put);
    return queryFailure(1003, "HIVE_METASTORE_ERROR: " + r.error().message);
  }
  QueryOutcome done = succeeded(w.rows, q->scannedBytes);
  done.manifest = writeManifest(registry, job, location, w);
  return done;
}

QueryOutcome runUnload(const OperationRegistry& registry, lake::LakeEngine& lake,
                       const QueryJob& job, lake::LakeCancel& cancel) {
  Tokens t(job.sql);
  t.keyword("unload");
  if (!t.symbol('(')) return syntaxError(job.sql, t.position(), "expected (");
  // The query runs to the parenthesis that closes the one after UNLOAD.
  size_t start = t.position(), end = start;
  for (int depth = 1; depth > 0;) {
    Token k = t.next();
    if (k.kind == Token::End) return syntaxError(job.sql, k.at, "expected )");
    if (k.kind == Token::Symbol && k.text == "(") ++depth;
    if (k.kind == Token::Symbol && k.text == ")") --depth;
    end = k.at;
  }
  std::string query = job.sql.substr(start, end - start);
  if (!t.keyword("to")) return syntaxError(job.sql, t.position(), "expected TO");
  Token target = t.next();
  if (target.kind != Token::String) {
    return syntaxError(job.sql, target.at, "expected the target location as a string");
  }
  std::map<std::string, std::string> props;
  PropertyArrays arrays;
  if (!t.keyword("with")) return syntaxError(job.sql, t.position(), "expected WITH");
  if (auto bad = readProperties(t, job.sql, props, arrays)) return *bad;
  const std::vector<std::string>& partitionedBy = arrays["partitioned_by"];
  for (const auto& [k, _] : props) {
    static const std::set<std::string> known = {"format", "compression", "field_delimiter",
                                                "partitioned_by"};
    if (!known.count(k)) {
      return queryFailure(1103,
                          "INVALID_TABLE_PROPERTY: line 1:1: Sluice does not know (or "
                          "build) the UNLOAD property '" +
                              k + "'");
    }
  }
  if (!props.count("format")) {
    return queryFailure(1103,
                        "INVALID_TABLE_PROPERTY: line 1:1: UNLOAD requires the format "
                        "property");
  }
  // Text and JSON are always compressed (gzip) unless told otherwise;
  // Parquet defaults to gzip too.
  std::string compression = props.count("compression") ? props["compression"] : "gzip";
  auto format = writeFormat(props["format"], compression,
                            props.count("field_delimiter") ? props["field_delimiter"] : "");
  if (!format) {
    return queryFailure(format.error().code == "NOT_SUPPORTED" ? 1200 : 1103,
                        format.error().code + ": " + format.error().message);
  }
  std::string location = target.text;
  if (!location.ends_with("/")) location += "/";
  auto loc = lake::parseS3Uri(location);
  if (!loc) return queryFailure(1100, "INVALID_ARGUMENT: " + loc.error().message);
  // UNLOAD never overwrites: the target must be empty.
  if (auto there = lake.list(job.scope, loc->bucket, loc->prefix); there && !there->empty()) {
    return queryFailure(1109,
                        "HIVE_PATH_ALREADY_EXISTS: Target directory for UNLOAD already "
                        "exists: " +
                            location);
  }
  QueryOutcome failure;
  auto q = prepareSelect(registry, lake, job, query, failure);
  if (!q) return failure;
  auto projected = project(*q, job, partitionedBy);
  if (auto* f = std::get_if<QueryOutcome>(&projected)) return *f;
  auto& [select, names, types, dataCount] = std::get<Projection>(projected);
  std::vector<std::string> data(names.begin(), names.begin() + static_cast<long>(dataCount));
  auto scratch = lake.scratch();
  if (!scratch) return queryFailure(1000, "INTERNAL_ERROR: " + scratch.error().message);
  auto written = writeRows(*q, job, select, data, partitionedBy, *format, scratch->path(), cancel);
  if (auto* f = std::get_if<QueryOutcome>(&written)) return *f;
  Written w = std::get<Written>(std::move(written));
  std::vector<std::string> put;
  if (auto f = upload(registry, job, location, w, put)) {
    removeUploads(registry, job, location, put);
    return *f;
  }
  QueryOutcome done = succeeded(w.rows, q->scannedBytes);
  done.manifest = writeManifest(registry, job, location, w);
  return done;
}

}  // namespace sluice::services::athena
