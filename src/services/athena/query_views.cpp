// Views, stored in the Glue catalog as Athena stores them: a table of type
// VIRTUAL_VIEW whose ViewOriginalText is "/* Presto View: <base64 JSON> */"
// (originalSql, catalog, schema, columns with Trino's type names), so that a
// catalogue written here reads the same to other Athena-compatible tools.
// CREATE [OR REPLACE] VIEW, DROP VIEW [IF EXISTS], SHOW VIEWS; queries read a
// view through its SQL (query_run.cpp).
#include <algorithm>
#include <regex>

#include "core/encoding.hpp"
#include "lake/glue_types.hpp"
#include "services/athena/athena_results.hpp"
#include "services/athena/ddl_support.hpp"
#include "services/athena/query_views.hpp"
#include "services/athena/statement_tokens.hpp"

namespace sluice::services::athena {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Trino's type signature of a DuckDB type, as a view's columns carry it.
std::string trinoType(std::string_view duck) {
  std::string u = upper(duck);
  if (u.ends_with("[]")) return "array(" + trinoType(duck.substr(0, duck.size() - 2)) + ")";
  if (u.starts_with("DECIMAL")) return "decimal" + std::string(duck.substr(7));
  if (u.starts_with("STRUCT(") || u.starts_with("MAP(")) {
    // STRUCT(a INTEGER, b VARCHAR) -> row(a integer, b varchar); MAP(K, V) -> map(k, v).
    std::string out = u.starts_with("MAP(") ? "map(" : "row(";
    std::string_view inner = duck.substr(duck.find('(') + 1, duck.size() - duck.find('(') - 2);
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= inner.size(); ++i) {
      char c = i < inner.size() ? inner[i] : ',';
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c != ',' || depth != 0) continue;
      std::string_view part = inner.substr(start, i - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (!u.starts_with("MAP(")) {
        auto space = part.find(' ');
        out += std::string(start ? ", " : "") + std::string(part.substr(0, space)) + " " +
               trinoType(part.substr(space + 1));
      } else {
        out += std::string(start ? ", " : "") + trinoType(part);
      }
      start = i + 1;
    }
    return out + ")";
  }
  if (u == "FLOAT") return "real";
  if (u == "BLOB") return "varbinary";
  if (u == "TIMESTAMP") return "timestamp(3)";
  if (u == "TIMESTAMP WITH TIME ZONE") return "timestamp(3) with time zone";
  return athenaType(duck);
}

QueryOutcome createView(const OperationRegistry& registry, lake::LakeEngine& lake,
                        const QueryJob& job, Tokens& t, bool orReplace) {
  size_t at = t.position();
  auto name = readTableName(t, job.database);
  if (!name) return syntaxError(job.sql, at, "expected a view name");
  if (t.keyword("comment")) t.next();
  if (t.keyword("security")) t.next();  // DEFINER / INVOKER
  if (!t.keyword("as")) return syntaxError(job.sql, t.position(), "expected AS");
  std::string query(std::string_view(job.sql).substr(t.position()));
  while (!query.empty() &&
         (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';')) {
    query.pop_back();
  }
  auto existing =
      glue(registry, job, "GetTable", JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
  std::string qualified = "'awsdatacatalog." + name->db + "." + name->name + "'";
  bool isView = existing && jsonString(jsonAt(*existing, {"Table", "TableType"})) == "VIRTUAL_VIEW";
  if (existing && !isView) {
    return queryFailure(1003, "ALREADY_EXISTS: line 1:1: Table " + qualified + " already exists");
  }
  if (existing && !orReplace) {
    return queryFailure(1003, "ALREADY_EXISTS: line 1:1: View " + qualified + " already exists");
  }
  if (!glue(registry, job, "GetDatabase", JsonObject{{"Name", name->db}})) {
    return queryFailure(1301,
                        "SCHEMA_NOT_FOUND: line 1:1: Schema '" + name->db + "' does not exist");
  }
  // The view's columns: its query's, as DuckDB describes the translation.
  QueryJob inView = job;
  inView.database = name->db;
  QueryOutcome failure;
  auto q = prepareSelect(registry, lake, inView, query, failure);
  if (!q) return failure;
  auto described = (*q->con)->query("DESCRIBE " + q->sql);
  if (!described) return duckFailure(job.sql, described.error().message);
  JsonArray trinoColumns, glueColumns;
  for (size_t r = 0; r < described->rowCount(); ++r) {
    std::string column = lowerText(described->value(r, 0).value_or(""));
    std::string type = described->value(r, 1).value_or("VARCHAR");
    trinoColumns.push_back(JsonObject{{"name", column}, {"type", trinoType(type)}});
    glueColumns.push_back(JsonObject{{"Name", column}, {"Type", lake::glueType(type)}});
  }
  JsonObject presto{{"originalSql", query},
                    {"catalog", "awsdatacatalog"},
                    {"schema", name->db},
                    {"columns", std::move(trinoColumns)},
                    {"owner", "arn:aws:iam::" + job.scope.account + ":root"},
                    {"runAsInvoker", false},
                    {"properties", JsonObject{}}};
  JsonObject input{
      {"Name", name->name},
      {"TableType", "VIRTUAL_VIEW"},
      {"Parameters", JsonObject{{"presto_view", "true"}, {"comment", "Presto View"}}},
      {"ViewOriginalText", "/* Presto View: " + base64Encode(toJsonText(presto)) + " */"},
      {"ViewExpandedText", "/* Presto View */"},
      {"PartitionKeys", JsonArray{}},
      {"StorageDescriptor", JsonObject{{"Columns", std::move(glueColumns)},
                                       {"SerdeInfo", JsonObject{}},
                                       {"Location", ""},
                                       {"Compressed", false},
                                       {"NumberOfBuckets", 0},
                                       {"StoredAsSubDirectories", false}}}};
  auto r = existing ? glue(registry, job, "UpdateTable",
                           JsonObject{{"DatabaseName", name->db}, {"TableInput", input}})
                    : glue(registry, job, "CreateTable",
                           JsonObject{{"DatabaseName", name->db}, {"TableInput", input}});
  if (!r) return queryFailure(1003, "HIVE_METASTORE_ERROR: " + r.error().message);
  return noResult();
}

}  // namespace

std::optional<QueryOutcome> runViewStatement(const OperationRegistry& registry,
                                             lake::LakeEngine& lake, const QueryJob& job) {
  Tokens t(job.sql);
  if (t.keyword("create")) {
    bool orReplace = false;
    if (t.keyword("or")) {
      if (!t.keyword("replace")) return syntaxError(job.sql, t.position(), "expected REPLACE");
      orReplace = true;
    }
    if (!t.keyword("view")) return std::nullopt;
    return createView(registry, lake, job, t, orReplace);
  }
  if (t.keyword("drop")) {
    if (!t.keyword("view")) return std::nullopt;
    bool ifExists = t.keyword("if") && t.keyword("exists");
    size_t at = t.position();
    auto name = readTableName(t, job.database);
    if (!name) return syntaxError(job.sql, at, "expected a view name");
    auto existing = glue(registry, job, "GetTable",
                         JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
    if (!existing || jsonString(jsonAt(*existing, {"Table", "TableType"})) != "VIRTUAL_VIEW") {
      if (ifExists && !existing) return noResult();
      return queryFailure(1301, "TABLE_NOT_FOUND: line 1:" + std::to_string(at + 1) +
                                    ": View 'awsdatacatalog." + name->db + "." + name->name +
                                    "' does not exist");
    }
    auto r = glue(registry, job, "DeleteTable",
                  JsonObject{{"DatabaseName", name->db}, {"Name", name->name}});
    if (!r) return queryFailure(1003, "HIVE_METASTORE_ERROR: " + r.error().message);
    return noResult();
  }
  if (t.keyword("show") && t.keyword("views")) {
    std::string db = lowerText(job.database);
    if (t.keyword("in") || t.keyword("from")) db = lowerText(t.next().text);
    std::string pattern;
    if (t.keyword("like") || t.peek().kind == Token::String) pattern = t.next().text;
    std::regex re(pattern.empty() ? ".*" : namePatternRegex(pattern), std::regex::icase);
    std::vector<std::string> names;
    JsonObject in{{"DatabaseName", db}};
    for (;;) {
      auto page = glue(registry, job, "GetTables", in);
      if (!page) {
        return queryFailure(1301, "SCHEMA_NOT_FOUND: line 1:1: Schema '" + db + "' does not exist");
      }
      for (const Json& table : page->as_object().at("TableList").as_array()) {
        std::string n = jsonString(jsonAt(table, {"Name"}));
        if (jsonString(jsonAt(table, {"TableType"})) == "VIRTUAL_VIEW" && std::regex_match(n, re)) {
          names.push_back(n);
        }
      }
      const Json* token = page->as_object().if_contains("NextToken");
      if (!token || !token->is_string()) break;
      in["NextToken"] = *token;
    }
    std::sort(names.begin(), names.end());
    QueryOutcome o;
    o.columns.push_back(columnInfo("views", "VARCHAR"));
    o.textLines = std::move(names);
    return o;
  }
  return std::nullopt;
}

}  // namespace sluice::services::athena
