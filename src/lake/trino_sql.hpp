// Athena's SQL (Trino's dialect) made DuckDB's. DuckDB's own parser reads
// most Trino queries; what it cannot read (ARRAY(T) types, TIMESTAMP(p),
// TABLESAMPLE BERNOULLI (p), listagg ... WITHIN GROUP) is rewritten in the
// text first. The parse (json_serialize_sql) is then a tree the translation
// walks: every call whose DuckDB namesake answers differently becomes the
// DuckDB expression that answers as Trino does (trino_functions.hpp), and
// every output column gets Trino's name. json_deserialize_sql turns the
// tree back into the SQL DuckDB runs.
//
//   TrinoTranslator t(con);           // a connection in trinoSessionSql()
//   auto tree = t.translate("SELECT concat(a, b) FROM t");
//   auto sql = t.render(*tree);       // SELECT (a || b) AS _col0 FROM t
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"
#include "lake/duckdb.hpp"

namespace sluice::lake {

// The parsed rewrite expressions, the same for every query: parsed once and
// shared by the translators of a LakeEngine (thread-safe).
class TrinoExpressionCache {
 public:
  std::optional<Json> find(const std::string& text) const {
    std::lock_guard lock(mu_);
    auto it = parsed_.find(text);
    return it == parsed_.end() ? std::nullopt : std::optional<Json>(it->second);
  }
  void add(const std::string& text, const Json& tree) {
    std::lock_guard lock(mu_);
    parsed_.emplace(text, tree);
  }
  // DuckDB's aggregate function names, once read.
  std::optional<std::set<std::string>> aggregates() const {
    std::lock_guard lock(mu_);
    return aggregates_;
  }
  void setAggregates(const std::set<std::string>& names) {
    std::lock_guard lock(mu_);
    aggregates_ = names;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Json> parsed_;
  std::optional<std::set<std::string>> aggregates_;
};

class TrinoTranslator {
 public:
  // The zoned columns of the relations a query reads, by relation name
  // (trino_scopes.cpp).
  using Relations = std::map<std::string, std::set<std::string>>;

  // `cache` (optional) keeps the rewrite expressions parsed across queries.
  explicit TrinoTranslator(DuckConnection& con, TrinoExpressionCache* cache = nullptr)
      : con_(con), shared_(cache) {}

  // The translated tree of a query (SELECT, WITH or VALUES). Errors carry
  // Trino's error name as the code (SYNTAX_ERROR, NOT_SUPPORTED,
  // INVALID_FUNCTION_ARGUMENT) and "line L:C: " before the message.
  Result<Json> translate(std::string_view sql);
  // The DuckDB SQL of a tree.
  Result<std::string> render(const Json& tree);

 private:
  Result<Json> parse(const std::string& sql);
  Result<Json> expression(const std::string& text);
  std::optional<AwsError> rewrite(Json& tree);
  // Translates a query node and says which of its output columns are zoned.
  Result<std::set<std::string>> rewriteQuery(Json& node, const Relations& ctes);
  std::optional<AwsError> rewriteFrom(Json& ref, const Relations& ctes, Relations& from);
  std::optional<AwsError> rewriteExpressions(Json& node, const Relations& from,
                                             const Relations& ctes);
  std::optional<AwsError> rewriteNode(Json& node);
  std::optional<AwsError> rewriteCall(Json& node);
  Result<bool> zonedCall(Json& node, const std::string& name);
  // Replaces node by the expression `text` over `args` (its placeholders
  // __trino_arg1.. are the arguments), keeping node's alias.
  std::optional<AwsError> replaceWith(Json& node, const std::string& text, const JsonArray& args);
  // Replaces node by `text` over node itself (__trino_arg1).
  std::optional<AwsError> wrapIn(Json& node, const std::string& text);
  // Calls of the typed-overload macros given an aggregate or a window
  // call: run on the computed arguments (see the definition).
  std::optional<AwsError> guardTypedMacros(Json& tree);
  std::optional<AwsError> guardTypedCall(Json& node);
  bool computedLater(const Json& node);

  DuckConnection& con_;
  std::string text_;                   // the statement being translated
  std::map<std::string, Json> cache_;  // parsed rewrite expressions
  std::optional<std::set<std::string>> aggregates_;
  TrinoExpressionCache* shared_;
};

// The statement with what DuckDB's parser cannot read in Trino's syntax
// rewritten (strings, quoted names and comments untouched).
std::string prelexTrino(std::string_view sql);

// Spark SQL's `quoted` names as SQL's "quoted" ones (strings untouched), for
// Glue jobs' SparkSQL nodes.
std::string backtickNamesQuoted(std::string_view sql);

// "line L:C: " for a character offset in `sql`, as Trino's messages start.
std::string trinoLineCol(std::string_view sql, size_t offset);

}  // namespace sluice::lake
