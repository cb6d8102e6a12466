#include "services/athena/query_run.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <set>

#include "core/encoding.hpp"
#include "lake/glue_types.hpp"
#include "lake/trino_functions.hpp"
#include "lake/trino_sql.hpp"
#include "services/athena/athena_results.hpp"
#include "services/athena/ddl_support.hpp"
#include "services/athena/prepared_sql.hpp"
#include "services/athena/query_ddl.hpp"
#include "services/athena/query_table_ddl.hpp"
#include "services/athena/query_views.hpp"
#include "services/athena/query_write.hpp"
#include "services/athena/statement_tokens.hpp"
#include "services/common/call_and_wait.hpp"
#include "services/common/catalog_reads.hpp"

namespace sluice::services::athena {

namespace {

using Clock = std::chrono::steady_clock;

int64_t msSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The statement without leading blanks and comments.
std::string_view body(std::string_view sql) {
  for (;;) {
    while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front())))
      sql.remove_prefix(1);
    if (sql.starts_with("--")) {
      auto nl = sql.find('\n');
      sql = nl == std::string_view::npos ? std::string_view() : sql.substr(nl + 1);
    } else if (sql.starts_with("/*")) {
      auto end = sql.find("*/");
      sql = end == std::string_view::npos ? std::string_view() : sql.substr(end + 2);
    } else {
      return sql;
    }
  }
}

std::string firstWord(std::string_view sql) {
  sql = body(sql);
  if (!sql.empty() && sql.front() == '(') return "SELECT";
  std::string w;
  for (char c : sql) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    w += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return w;
}

// "line L:C: " for a character offset in the statement.
std::string lineCol(std::string_view sql, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < sql.size(); ++i) {
    if (sql[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ":" + std::to_string(col) + ": ";
}

// Where `word` first appears in the statement (ignoring case), for messages.
size_t find(std::string_view sql, std::string_view word) {
  std::string l = lower(sql), w = lower(word);
  auto at = l.find(w);
  return at == std::string::npos ? 0 : at;
}

QueryOutcome failed(int type, std::string reason) {
  QueryOutcome o;
  o.state = "FAILED";
  o.errorCategory = 2;
  o.errorType = type;
  o.reason = std::move(reason);
  return o;
}

struct TableRef {
  std::string db, name;
  size_t position = 0;  // in the statement, for messages
};

// The catalog tables a SELECT reads, from DuckDB's own parse of it.
void collectRefs(const Json& node, std::vector<std::pair<std::string, std::string>>& refs,
                 std::set<std::string>& ctes) {
  if (node.is_object()) {
    const JsonObject& o = node.as_object();
    if (o.contains("type") && o.at("type") == "BASE_TABLE") {
      refs.emplace_back(jsonString(o.if_contains("schema_name")),
                        jsonString(o.if_contains("table_name")));
      if (auto c = jsonString(o.if_contains("catalog_name")); !c.empty())
        refs.back().first = c + "." + refs.back().first;
    }
    if (const Json* map = jsonAt(node, {"cte_map", "map"}); map && map->is_array()) {
      for (const Json& e : map->as_array()) {
        if (e.is_object()) ctes.insert(lower(jsonString(e.as_object().if_contains("key"))));
      }
    }
    for (const auto& kv : o) collectRefs(kv.value(), refs, ctes);
  } else if (node.is_array()) {
    for (const Json& v : node.as_array()) collectRefs(v, refs, ctes);
  }
}

// A view's SQL and default schema from its Glue table: Athena stores them
// as "/* Presto View: <base64 of {originalSql, catalog, schema, ...}> */".
std::optional<std::pair<std::string, std::string>> viewSql(const Json& table) {
  std::string text = jsonString(jsonAt(table, {"ViewOriginalText"}));
  const std::string prefix = "/* Presto View: ";
  if (!text.starts_with(prefix) || !text.ends_with(" */")) return std::nullopt;
  auto decoded = base64Decode(text.substr(prefix.size(), text.size() - prefix.size() - 3));
  if (!decoded) return std::nullopt;
  auto doc = parseJson(*decoded);
  if (!doc) return std::nullopt;
  const Json* sql = jsonAt(*doc, {"originalSql"});
  if (!sql || !sql->is_string()) return std::nullopt;
  return std::pair{std::string(sql->as_string()), jsonString(jsonAt(*doc, {"schema"}))};
}

// A view's tables named in full: its schema for unqualified names (not its
// CTEs), the query's private catalog.
void qualifyTables(Json& node, const std::string& schema, const std::string& catalog,
                   const std::set<std::string>& ctes) {
  if (node.is_object()) {
    JsonObject& o = node.as_object();
    if (o.contains("type") && o.at("type") == "BASE_TABLE") {
      std::string s = jsonString(o.if_contains("schema_name"));
      std::string n = lower(jsonString(o.if_contains("table_name")));
      bool cte = s.empty() && ctes.count(n);
      if (!cte) {
        if (s.empty()) o["schema_name"] = schema;
        o["catalog_name"] = catalog;
      }
    }
    for (auto& kv : o) qualifyTables(kv.value(), schema, catalog, ctes);
  } else if (node.is_array()) {
    for (Json& v : node.as_array()) qualifyTables(v, schema, catalog, ctes);
  }
}

// Tables named in the Glue catalog (AwsDataCatalog) read from the query's
// private catalog of views.
void retarget(Json& node, const std::string& catalog) {
  if (node.is_object()) {
    JsonObject& o = node.as_object();
    if (o.contains("type") && o.at("type") == "BASE_TABLE" &&
        lower(jsonString(o.if_contains("catalog_name"))) == "awsdatacatalog") {
      o["catalog_name"] = catalog;
    }
    for (auto& kv : o) retarget(kv.value(), catalog);
  } else if (node.is_array()) {
    for (Json& v : node.as_array()) retarget(v, catalog);
  }
}

// Athena's name for a DuckDB failure, with its error type.
QueryOutcome duckFailureOf(std::string_view sql, const std::string& full) {
  // DuckDB appends hints and the statement on further lines: Athena's
  // messages are one line.
  std::string message = lake::withS3Uris(full.substr(0, full.find('\n')));
  if (message.find("sniffing file") != std::string::npos ||
      message.find("CSV Error") != std::string::npos) {
    return failed(1001, "HIVE_BAD_DATA: " + message.substr(message.find(": ") + 2));
  }
  auto after = [&](std::string_view prefix) {
    auto at = message.find(prefix);
    return at == std::string::npos ? std::string() : message.substr(at + prefix.size());
  };
  auto quotedName = [&](std::string_view prefix) {
    std::string rest = after(prefix);
    auto end = rest.find('"');
    return end == std::string::npos ? rest : rest.substr(0, end);
  };
  if (message.find("Referenced column \"") != std::string::npos) {
    std::string col = quotedName("Referenced column \"");
    return failed(1006, "COLUMN_NOT_FOUND: " + lineCol(sql, find(sql, col)) + "Column '" + col +
                            "' cannot be resolved or requester is not authorized to access "
                            "requested resources");
  }
  if (message.find("Function with name ") != std::string::npos) {
    std::string rest = after("Function with name ");
    std::string fn = rest.substr(0, rest.find(' '));
    return failed(1303, "FUNCTION_NOT_FOUND: " + lineCol(sql, find(sql, fn)) + "Function '" + fn +
                            "' not registered");
  }
  if (message.find(lake::kDivisionByZero) != std::string::npos) {
    return failed(1001, "DIVISION_BY_ZERO: Division by zero");
  }
  if (auto at = message.find("Unknown TimeZone '"); at != std::string::npos) {
    std::string zone = message.substr(at + 18);
    return failed(1200,
                  "NOT_SUPPORTED: Time zone not supported: " + zone.substr(0, zone.find('\'')));
  }
  if (message.find("Could not parse string") != std::string::npos) {
    // date_parse / parse_datetime of a value the pattern does not match.
    std::string m = message.substr(message.find(": ") + 2);
    return failed(1106, "INVALID_FUNCTION_ARGUMENT: " + m.substr(0, m.find('\n')));
  }
  if (message.find("Overflow in ") != std::string::npos ||
      message.find("out of range") != std::string::npos) {
    return failed(1001, "NUMERIC_VALUE_OUT_OF_RANGE: " + message.substr(message.find(": ") + 2));
  }
  if (message.find("invalid perl operator") != std::string::npos ||
      message.find("invalid escape sequence") != std::string::npos) {
    // Java's regular expressions have lookaround and more; RE2 does not.
    return failed(1200,
                  "NOT_SUPPORTED: the regular expression is not supported by Sluice's "
                  "engine (RE2 syntax: no lookaround or backreferences): " +
                      message.substr(message.find(": ") + 2));
  }
  if (message.starts_with("Invalid Input Error: ")) {
    // The translation's own checks (error()) report Trino's argument errors.
    return failed(1106, "INVALID_FUNCTION_ARGUMENT: " + after("Invalid Input Error: "));
  }
  if (message.starts_with("Parser Error")) {
    return failed(1006, "SYNTAX_ERROR: line 1:1: " + after("Parser Error: "));
  }
  if (message.starts_with("Conversion Error")) {
    return failed(1100, "INVALID_CAST_ARGUMENT: " + after("Conversion Error: "));
  }
  if (message.starts_with("Binder Error")) {
    return failed(1002, "TYPE_MISMATCH: line 1:1: " + after("Binder Error: "));
  }
  return failed(1000, "GENERIC_USER_ERROR: " + message);
}

// Writes the rows (and the header of `names`) as `<id>.csv` with its
// `.metadata` at the output location: the result GetQueryResults reads.
QueryOutcome storeCsvResult(const OperationRegistry& registry, const QueryJob& job,
                            QueryOutcome out, const std::vector<std::string>& names,
                            const std::vector<Row>& rows) {
  std::string csv;
  Row header;
  for (const auto& n : names) header.emplace_back(n);
  csv += csvLine(header);
  for (const Row& row : rows) csv += csvLine(row);
  out.rows = rows.size();
  auto target = lake::parseS3Uri(job.outputLocation + job.id + ".csv");
  if (!target) return failed(1100, target.error().message);
  auto put =
      callAndWait(registry, job.scope, "s3", "PutObject",
                  JsonObject{{"Bucket", target->bucket}, {"Key", target->prefix}, {"Body", csv}});
  if (!put) {
    QueryOutcome f = failed(401, "Unable to write the query result to " + job.outputLocation +
                                     ": " + put.error().message);
    f.errorCategory = 1;
    return f;
  }
  JsonObject metadata{{"QueryExecutionId", job.id}, {"ColumnInfo", out.columns}};
  (void)callAndWait(registry, job.scope, "s3", "PutObject",
                    JsonObject{{"Bucket", target->bucket},
                               {"Key", target->prefix + ".metadata"},
                               {"Body", toJsonText(metadata)}});
  out.resultFile = job.outputLocation + job.id + ".csv";
  return out;
}

// EXPLAIN [ANALYZE] [(options)] <query>: DuckDB's plan of the translated
// query, one row a line under the column "Query Plan" as Athena returns it.
// ANALYZE runs the query and shows what each operator did.
QueryOutcome runExplain(const OperationRegistry& registry, lake::LakeEngine& lake,
                        const QueryJob& job, lake::LakeCancel& cancel) {
  Tokens t(job.sql);
  t.keyword("explain");
  bool analyze = t.keyword("analyze");
  if (t.symbol('(')) {
    // FORMAT TEXT | GRAPHVIZ | JSON, TYPE LOGICAL | DISTRIBUTED | VALIDATE | IO
    for (int depth = 1; depth > 0;) {
      Token k = t.next();
      if (k.kind == Token::End) return syntaxError(job.sql, k.at, "expected )");
      if (k.kind == Token::Word) {
        std::string w = lower(k.text);
        if (w == "graphviz" || w == "json" || w == "io") {
          return failed(1200, "NOT_SUPPORTED: " + lineCol(job.sql, k.at) + "EXPLAIN " + k.text +
                                  " is not supported by Sluice (TEXT plans only)");
        }
      }
      depth += k.kind == Token::Symbol && k.text == "(" ? 1 : 0;
      depth -= k.kind == Token::Symbol && k.text == ")" ? 1 : 0;
    }
  }
  std::string inner(std::string_view(job.sql).substr(t.position()));
  std::string innerWord = firstWord(inner);
  if (innerWord != "SELECT" && innerWord != "WITH" && innerWord != "VALUES") {
    return failed(1200, "NOT_SUPPORTED: " + lineCol(job.sql, t.position()) +
                            "Sluice explains queries (SELECT, WITH, VALUES); not " + innerWord);
  }
  QueryOutcome failure;
  auto prepared = prepareSelect(registry, lake, job, inner, failure);
  if (!prepared) return failure;
  auto& con = prepared->con;
  if (!cancel.attach(&**con)) {
    cancel.attach(nullptr);
    return cancelledOutcome();
  }
  auto plan = (*con)->query(std::string(analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") + prepared->sql);
  cancel.attach(nullptr);
  if (!plan) {
    if (cancel.cancelled()) return cancelledOutcome();
    return duckFailureOf(job.sql, plan.error().message);
  }
  std::vector<Row> lines;
  for (size_t r = 0; r < plan->rowCount(); ++r) {
    std::string text = plan->value(r, plan->columnCount() - 1).value_or("");
    size_t start = 0;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(start, nl - start);
      if (!line.empty()) lines.push_back(Row{line});
      start = nl + 1;
    }
  }
  QueryOutcome out;
  // EXPLAIN reads no data; EXPLAIN ANALYZE runs the query.
  out.scannedBytes = analyze ? prepared->scannedBytes : 0;
  out.columns.push_back(columnInfo("Query Plan", "VARCHAR"));
  return storeCsvResult(registry, job, std::move(out), {"Query Plan"}, lines);
}

}  // namespace

QueryOutcome translationFailure(std::string_view sql, const AwsError& e) {
  if (e.code == lake::kDuckDbError) return duckFailureOf(sql, e.message);
  if (e.code == lake::kSyntaxError) return failed(1006, e.code + ": " + e.message);
  if (e.code == lake::kNotSupported) return failed(1200, e.code + ": " + e.message);
  if (e.code == lake::kInvalidFunctionArgument) return failed(1106, e.code + ": " + e.message);
  return failed(1000, "INTERNAL_ERROR: " + e.message);
}

QueryOutcome cancelledOutcome() {
  QueryOutcome c;
  c.state = "CANCELLED";
  c.reason = "Query cancelled by user";
  return c;
}

QueryOutcome queryFailure(int type, std::string reason) {
  return failed(type, std::move(reason));
}

QueryOutcome duckFailure(std::string_view sql, const std::string& message) {
  return duckFailureOf(sql, message);
}

std::string sqlIdent(std::string_view name) {
  return lake::sqlIdent(name);
}

PreparedQuery::~PreparedQuery() {
  if (!con) return;
  (void)(*con)->query("USE memory");
  (void)(*con)->query("DETACH " + lake::sqlIdent(catalog));
}

std::unique_ptr<PreparedQuery> prepareSelect(const OperationRegistry& registry,
                                             lake::LakeEngine& lake, const QueryJob& job,
                                             const std::string& selectSql, QueryOutcome& failure) {
  auto fail = [&failure](QueryOutcome o) {
    failure = std::move(o);
    return std::unique_ptr<PreparedQuery>();
  };
  auto prepared = std::make_unique<PreparedQuery>();
  auto con = lake.connection();
  if (!con) return fail(failed(1000, "INTERNAL_ERROR: " + con.error().message));
  // The statement in DuckDB's terms; its parse names its tables.
  lake::TrinoTranslator translator(**con, &lake.trinoExpressions());
  auto tree = translator.translate(selectSql);
  if (!tree) return fail(translationFailure(job.sql, tree.error()));
  std::vector<std::pair<std::string, std::string>> raw;
  std::set<std::string> ctes;
  collectRefs(*tree, raw, ctes);
  // Resolve each table through the catalog; a view's own tables too.
  std::map<std::pair<std::string, std::string>, Json> tables;
  std::map<std::pair<std::string, std::string>, std::string> views;  // DuckDB SQL
  std::string catalog = "q_" + job.id;
  for (char& c : catalog) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  struct Pending {
    std::string schema, name, defaultDb;
  };
  std::vector<Pending> work;
  for (auto& [schema, name] : raw) {
    if (schema.empty() && ctes.count(lower(name))) continue;
    work.push_back({schema, name, lower(job.database)});
  }
  while (!work.empty()) {
    Pending next = std::move(work.back());
    work.pop_back();
    std::string s = lower(next.schema), n = lower(next.name);
    auto dot = s.find('.');
    if (dot != std::string::npos) {
      std::string named = s.substr(0, dot);
      if (named != "awsdatacatalog") {
        return fail(failed(1301, "CATALOG_NOT_FOUND: " + lineCol(job.sql, find(job.sql, named)) +
                                     "Catalog '" + named + "' does not exist"));
      }
      s = s.substr(dot + 1);
    }
    if (s.empty()) s = next.defaultDb;
    if (tables.count({s, n}) || views.count({s, n})) continue;
    auto got = callAndWait(registry, job.scope, "glue", "GetTable",
                           JsonObject{{"DatabaseName", s}, {"Name", n}});
    if (!got) {
      auto db = callAndWait(registry, job.scope, "glue", "GetDatabase", JsonObject{{"Name", s}});
      if (!db) {
        return fail(failed(1301, "SCHEMA_NOT_FOUND: " + lineCol(job.sql, find(job.sql, next.name)) +
                                     "Schema '" + s + "' does not exist"));
      }
      return fail(failed(1301, "TABLE_NOT_FOUND: " + lineCol(job.sql, find(job.sql, next.name)) +
                                   "Table 'awsdatacatalog." + s + "." + n + "' does not exist"));
    }
    const Json& table = got->as_object().at("Table");
    if (jsonString(jsonAt(table, {"TableType"})) != "VIRTUAL_VIEW") {
      tables[{s, n}] = table;
      continue;
    }
    // A view: its SQL, translated, reads its own tables (resolved in the
    // view's schema).
    auto original = viewSql(table);
    if (!original) {
      return fail(failed(1000, "HIVE_VIEW_TRANSLATION_ERROR: view '" + s + "." + n +
                                   "' has no Presto view text Sluice can read"));
    }
    auto viewTree = translator.translate(original->first);
    if (!viewTree) return fail(translationFailure(original->first, viewTree.error()));
    std::vector<std::pair<std::string, std::string>> inner;
    std::set<std::string> innerCtes;
    collectRefs(*viewTree, inner, innerCtes);
    std::string viewDb = original->second.empty() ? s : lower(original->second);
    for (auto& [schema, name] : inner) {
      if (schema.empty() && innerCtes.count(lower(name))) continue;
      work.push_back({schema, name, viewDb});
    }
    qualifyTables(*viewTree, viewDb, catalog, innerCtes);
    auto rendered = translator.render(*viewTree);
    if (!rendered) return fail(translationFailure(original->first, rendered.error()));
    views[{s, n}] = std::move(*rendered);
  }
  // Each table's reader over one snapshot of its files.
  auto reads = readCatalogTables(registry, lake, job.scope, tables, job.now);
  if (!reads) {
    return fail(failed(reads.error().code == kPathNotFound ? 1109 : 1000,
                       reads.error().code + ": " + reads.error().message));
  }
  // The views read the snapshot's files: it lives as long as the query.
  prepared->snapshot.emplace(std::move(*reads->snapshot));
  prepared->scannedBytes = reads->scannedBytes;
  // A private catalog per query: views over this query's snapshot.
  std::vector<std::string> setup = {"ATTACH ':memory:' AS " + lake::sqlIdent(catalog)};
  std::set<std::string> schemas = {lower(job.database)};
  for (const auto& [key, _] : tables) schemas.insert(key.first);
  for (const auto& [key, _] : views) schemas.insert(key.first);
  for (const auto& s : schemas)
    setup.push_back("CREATE SCHEMA " + lake::sqlIdent(catalog) + "." + lake::sqlIdent(s));
  for (const auto& [key, reader] : reads->readers) {
    setup.push_back("CREATE VIEW " + lake::sqlIdent(catalog) + "." + lake::sqlIdent(key.first) +
                    "." + lake::sqlIdent(key.second) + " AS " + reader);
  }
  if (job.bytesScannedCutoff && prepared->scannedBytes > *job.bytesScannedCutoff) {
    // The workgroup's per-query data usage control cancels the query.
    QueryOutcome c = cancelledOutcome();
    c.reason = "Bytes scanned limit was exceeded";
    return fail(std::move(c));
  }
  for (const auto& [key, sql] : views) {
    setup.push_back("CREATE VIEW " + lake::sqlIdent(catalog) + "." + lake::sqlIdent(key.first) +
                    "." + lake::sqlIdent(key.second) + " AS " + sql);
  }
  setup.push_back("USE " + lake::sqlIdent(catalog) + "." + lake::sqlIdent(lower(job.database)));
  prepared->catalog = catalog;
  prepared->con.emplace(std::move(*con));
  auto& lease = *prepared->con;
  for (const auto& s : setup) {
    if (auto r = lease->query(s); !r) return fail(duckFailureOf(job.sql, r.error().message));
  }
  // The catalog qualifier names this query's private catalog.
  retarget(*tree, catalog);
  auto sql = translator.render(*tree);
  if (!sql) return fail(translationFailure(job.sql, sql.error()));
  prepared->sql = std::move(*sql);
  return prepared;
}

std::pair<std::string, std::string> statementType(std::string_view sql) {
  std::string w = firstWord(sql);
  if (w == "SELECT" || w == "WITH" || w == "VALUES" || w == "TABLE") return {"DML", "SELECT"};
  if (w == "EXPLAIN") return {"DML", "EXPLAIN"};
  if (w == "INSERT") return {"DML", "INSERT"};
  if (w == "UNLOAD") return {"DML", "UNLOAD"};
  if (w == "EXECUTE") return {"DML", "EXECUTE"};
  if (w == "PREPARE" || w == "DEALLOCATE") return {"UTILITY", w};
  // The next word names the statement as Athena does (SHOW_TABLES, ...).
  std::string second;
  {
    std::string_view rest = body(sql).substr(w.size());
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())))
      rest.remove_prefix(1);
    for (char c : rest) {
      if (!std::isalpha(static_cast<unsigned char>(c))) break;
      second += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (w == "SHOW") return {"UTILITY", "SHOW_" + second};
  if (w == "MSCK") return {"DDL", "MSCK_REPAIR_TABLE"};
  if ((w == "CREATE" || w == "DROP") && (second == "DATABASE" || second == "SCHEMA")) {
    return {"DDL", w + "_DATABASE"};
  }
  if (w == "DROP" && second == "TABLE") return {"DDL", "DROP_TABLE"};
  if ((w == "CREATE" && (second == "VIEW" || second == "OR")) ||
      (w == "DROP" && second == "VIEW")) {
    return {"DDL", w + "_VIEW"};
  }
  if (w == "DESCRIBE" || w == "DESC") return {"UTILITY", "DESCRIBE"};
  if (w == "CREATE" && second == "TABLE") {
    // CREATE TABLE name [WITH (...)] AS <query> is Athena's CTAS; a column
    // list after the name is a table definition (Iceberg DDL).
    Tokens t(sql);
    t.keyword("create");
    t.keyword("table");
    if (t.keyword("if")) {
      t.keyword("not");
      t.keyword("exists");
    }
    readTableName(t, "default");
    return {"DDL", t.symbol('(') ? "CREATE_TABLE" : "CREATE_TABLE_AS_SELECT"};
  }
  if (w == "CREATE" && second == "EXTERNAL") return {"DDL", "CREATE_TABLE"};
  if (w == "CREATE" || w == "DROP" || w == "ALTER") return {"DDL", w};
  return {"DML", w};
}

QueryOutcome runQuery(const OperationRegistry& registry, lake::LakeEngine& lake,
                      const QueryJob& job, lake::LakeCancel& cancel) {
  auto started = Clock::now();
  auto [type, subtype] = statementType(job.sql);
  static const std::set<std::string> kStatements = {
      "CREATE", "DROP",   "ALTER",    "MSCK",    "SHOW",    "DESCRIBE",   "DESC",
      "INSERT", "UNLOAD", "EXPLAIN",  "PREPARE", "EXECUTE", "DEALLOCATE", "DELETE",
      "UPDATE", "MERGE",  "OPTIMIZE", "VACUUM",  "USE"};
  if (subtype != "SELECT" && !kStatements.count(firstWord(job.sql))) {
    std::string_view rest = body(job.sql);
    std::string word(rest.substr(0, rest.find_first_of(" \t\r\n(;")));
    return failed(1006,
                  "SYNTAX_ERROR: " + lineCol(job.sql, job.sql.size() - rest.size()) +
                      "mismatched input '" + word +
                      "'. Expecting: 'ALTER', 'ANALYZE', "
                      "'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', "
                      "'EXECUTE', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', "
                      "'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'SHOW', 'START', 'TRUNCATE', "
                      "'UPDATE', 'USE', 'WITH', <query>");
  }
  if (auto done = runPreparedStatementSql(registry, lake, job, cancel)) return std::move(*done);
  // ExecutionParameters fill the `?`s; the statement runs with them bound.
  auto bound = bindParameters(job.sql, job.parameters);
  if (auto* f = std::get_if<QueryOutcome>(&bound)) return *f;
  if (!job.parameters.empty()) {
    QueryJob inner = job;
    inner.sql = std::get<std::string>(std::move(bound));
    inner.parameters.clear();
    return runQuery(registry, lake, inner, cancel);
  }
  if (subtype == "CREATE_TABLE_AS_SELECT") return runCreateTableAs(registry, lake, job, cancel);
  if (type == "DDL" || type == "UTILITY") {
    auto done = runViewStatement(registry, lake, job);
    if (!done) done = runTableStatement(registry, job);
    if (!done) done = runCatalogStatement(registry, lake, job);
    if (done) {
      if (done->textLines && done->state == "SUCCEEDED") {
        // The result is text: one row a line, as Athena writes DDL results.
        std::string text;
        for (const auto& l : *done->textLines) text += l + "\n";
        auto target = lake::parseS3Uri(job.outputLocation + job.id + ".txt");
        if (target) {
          (void)callAndWait(
              registry, job.scope, "s3", "PutObject",
              JsonObject{{"Bucket", target->bucket}, {"Key", target->prefix}, {"Body", text}});
        }
      }
      return std::move(*done);
    }
  }
  if (subtype == "INSERT") return runInsertInto(registry, lake, job, cancel);
  if (subtype == "UNLOAD") return runUnload(registry, lake, job, cancel);
  if (subtype == "EXPLAIN") return runExplain(registry, lake, job, cancel);
  if (subtype != "SELECT") {
    return failed(1200,
                  "NOT_SUPPORTED: " + lineCol(job.sql, job.sql.size() - body(job.sql).size()) +
                      "Sluice's Athena runs SELECT, WITH, VALUES, CREATE TABLE AS, INSERT INTO and "
                      "UNLOAD so far; " +
                      firstWord(job.sql) + " statements are not built yet");
  }
  QueryOutcome out;
  QueryOutcome failure;
  auto prepared = prepareSelect(registry, lake, job, job.sql, failure);
  if (!prepared) return failure;
  out.scannedBytes = prepared->scannedBytes;
  auto& con = prepared->con;
  const std::string& sql = prepared->sql;
  auto described = (*con)->query("DESCRIBE " + sql);
  if (!described) return duckFailureOf(job.sql, described.error().message);
  out.planningMs = msSince(started);
  std::vector<std::string> names, types;
  std::string select = "SELECT ";
  for (size_t r = 0; r < described->rowCount(); ++r) {
    names.push_back(lower(described->value(r, 0).value_or("")));
    types.push_back(described->value(r, 1).value_or("VARCHAR"));
    out.columns.push_back(columnInfo(names.back(), types.back()));
    select += (r ? ", " : "") + athenaFetch(types.back(), "#" + std::to_string(r + 1));
  }
  auto engineStart = Clock::now();
  if (!cancel.attach(&**con)) {
    cancel.attach(nullptr);
    return cancelledOutcome();
  }
  auto rows = (*con)->query(select + " FROM (" + sql + ")");
  cancel.attach(nullptr);
  if (!rows) {
    if (cancel.cancelled()) return cancelledOutcome();
    return duckFailureOf(job.sql, rows.error().message);
  }
  out.engineMs = msSince(engineStart);
  std::vector<Row> lines;
  for (size_t r = 0; r < rows->rowCount(); ++r) {
    Row row;
    for (size_t c = 0; c < rows->columnCount(); ++c) {
      const auto& v = rows->value(r, c);
      row.push_back(v ? std::optional<std::string>(athenaValue(types[c], *v)) : std::nullopt);
    }
    lines.push_back(std::move(row));
  }
  return storeCsvResult(registry, job, std::move(out), names, lines);
}

}  // namespace sluice::services::athena
