// The translation's walk over a statement, query by query. Expressions are
// rewritten children first (trino_sql.cpp rewriteNode), but a query's
// subqueries and CTEs are translated before the query that reads them, so
// their zoned timestamp columns (trino_zones) are known where the query uses
// them: `hour(t)` over `(SELECT from_iso8601_timestamp(x) AS t ...) s` reads
// t's wall time in its zone. Such a column reference is marked by the
// identity macro trino_zoned_ref, which zonedValue recognises.
//
// Scopes follow SQL's: a query's FROM relations (a subquery's alias, a CTE
// by its name or alias) for its select list, WHERE, GROUP BY, HAVING,
// ORDER BY and join conditions; a CTE for the queries after it in its WITH.
// Not followed (DuckDB then refuses the call a zoned value reaches: an error,
// never a UTC answer): columns renamed by `AS s(a, b)`, outer columns used
// in a correlated subquery, and views (translated on their own).
#include <algorithm>

#include "core/text.hpp"
#include "lake/trino_sql.hpp"
#include "lake/trino_zones.hpp"

namespace sluice::lake {

namespace {

std::string text(const Json* v) {
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Json* member(Json& node, std::string_view key) {
  return node.is_object() ? node.as_object().if_contains(key) : nullptr;
}

// Whether a column reference names a zoned column of one of the relations.
bool zonedReference(const Json& ref, const TrinoTranslator::Relations& from) {
  const Json* names = ref.as_object().if_contains("column_names");
  if (!names || !names->is_array()) return false;
  const JsonArray& parts = names->as_array();
  if (parts.size() == 1) {
    std::string column = asciiLower(text(&parts[0]));
    return std::any_of(from.begin(), from.end(),
                       [&](const auto& relation) { return relation.second.count(column) > 0; });
  }
  if (parts.size() == 2) {
    auto it = from.find(asciiLower(text(&parts[0])));
    return it != from.end() && it->second.count(asciiLower(text(&parts[1]))) > 0;
  }
  return false;
}

}  // namespace

std::optional<AwsError> TrinoTranslator::rewrite(Json& tree) {
  Json* statements = member(tree, "statements");
  if (!statements || !statements->is_array()) return rewriteExpressions(tree, {}, {});
  for (Json& statement : statements->as_array()) {
    Json* node = member(statement, "node");
    if (!node) continue;
    auto zoned = rewriteQuery(*node, {});
    if (!zoned) return zoned.error();
  }
  return std::nullopt;
}

Result<std::set<std::string>> TrinoTranslator::rewriteQuery(Json& node, const Relations& ctes) {
  Relations visible = ctes;
  if (Json* map = member(node, "cte_map")) {
    if (Json* entries = member(*map, "map"); entries && entries->is_array()) {
      for (Json& entry : entries->as_array()) {
        Json* query = member(entry, "value");
        query = query ? member(*query, "query") : nullptr;
        Json* inner = query ? member(*query, "node") : nullptr;
        if (!inner) continue;
        auto zoned = rewriteQuery(*inner, visible);
        if (!zoned) return zoned.error();
        visible[asciiLower(text(member(entry, "key")))] = std::move(*zoned);
      }
    }
  }
  std::string type = text(member(node, "type"));
  if (type == "SET_OPERATION_NODE") {
    // The columns (and their names) are the first query's.
    std::set<std::string> first;
    for (const char* side : {"left", "right"}) {
      Json* inner = member(node, side);
      if (!inner) continue;
      auto zoned = rewriteQuery(*inner, visible);
      if (!zoned) return zoned.error();
      if (std::string(side) == "left") first = std::move(*zoned);
    }
    return first;
  }
  if (type != "SELECT_NODE") {
    // A recursive CTE or another shape: its parts, without scopes.
    for (auto& kv : node.as_object()) {
      if (kv.key() == "cte_map") continue;
      if (auto e = rewriteExpressions(kv.value(), {}, visible)) return *e;
    }
    return std::set<std::string>{};
  }
  Relations from;
  if (Json* table = member(node, "from_table")) {
    if (auto e = rewriteFrom(*table, visible, from)) return *e;
  }
  Json* list = member(node, "select_list");
  if (list && list->is_array()) {
    // A zoned column selected as it is keeps its name once marked.
    for (Json& item : list->as_array()) {
      JsonObject& o = item.as_object();
      if (text(o.if_contains("class")) == "COLUMN_REF" && text(o.if_contains("alias")).empty() &&
          zonedReference(item, from)) {
        const JsonArray& parts = o.at("column_names").as_array();
        o["alias"] = parts.back();
      }
    }
  }
  for (auto& kv : node.as_object()) {
    if (kv.key() == "cte_map" || kv.key() == "from_table") continue;
    if (auto e = rewriteExpressions(kv.value(), from, visible)) return *e;
  }
  std::set<std::string> zoned;
  if (!list || !list->is_array()) return zoned;
  for (const Json& item : list->as_array()) {
    const JsonObject& o = item.as_object();
    std::string cls = text(o.if_contains("class"));
    if (cls == "STAR") {
      std::string relation = asciiLower(text(o.if_contains("relation_name")));
      for (const auto& [name, columns] : from) {
        if (relation.empty() || relation == name) zoned.insert(columns.begin(), columns.end());
      }
    } else if (trinoZonedValue(item)) {
      zoned.insert(asciiLower(text(o.if_contains("alias"))));
    }
  }
  return zoned;
}

std::optional<AwsError> TrinoTranslator::rewriteFrom(Json& ref, const Relations& ctes,
                                                     Relations& from) {
  std::string type = text(member(ref, "type"));
  std::string alias = asciiLower(text(member(ref, "alias")));
  bool renamed = [&] {
    const Json* names = member(ref, "column_name_alias");
    return names && names->is_array() && !names->as_array().empty();
  }();
  if (type == "BASE_TABLE") {
    std::string name = asciiLower(text(member(ref, "table_name")));
    auto cte = ctes.find(name);
    if (text(member(ref, "schema_name")).empty() && cte != ctes.end() && !renamed) {
      from[alias.empty() ? name : alias] = cte->second;
    }
    return std::nullopt;
  }
  if (type == "SUBQUERY") {
    Json* subquery = member(ref, "subquery");
    Json* inner = subquery ? member(*subquery, "node") : nullptr;
    if (!inner) return std::nullopt;
    auto zoned = rewriteQuery(*inner, ctes);
    if (!zoned) return zoned.error();
    if (!renamed) from[alias] = std::move(*zoned);
    return std::nullopt;
  }
  if (type == "JOIN") {
    for (const char* side : {"left", "right"}) {
      if (Json* inner = member(ref, side)) {
        if (auto e = rewriteFrom(*inner, ctes, from)) return e;
      }
    }
    if (Json* condition = member(ref, "condition")) {
      return rewriteExpressions(*condition, from, ctes);
    }
    return std::nullopt;
  }
  return rewriteExpressions(ref, from, ctes);
}

std::optional<AwsError> TrinoTranslator::rewriteExpressions(Json& node, const Relations& from,
                                                            const Relations& ctes) {
  if (node.is_array()) {
    for (Json& v : node.as_array()) {
      if (auto e = rewriteExpressions(v, from, ctes)) return e;
    }
    return std::nullopt;
  }
  if (!node.is_object()) return std::nullopt;
  std::string type = text(member(node, "type"));
  if (type == "SELECT_NODE" || type == "SET_OPERATION_NODE" || type == "RECURSIVE_CTE_NODE") {
    auto zoned = rewriteQuery(node, ctes);
    return zoned ? std::nullopt : std::optional<AwsError>(zoned.error());
  }
  std::string cls = text(member(node, "class"));
  if (cls == "COLUMN_REF") {
    if (!zonedReference(node, from)) return std::nullopt;
    Json column = node;
    column.as_object().erase("alias");  // kept by the call that replaces it
    return replaceWith(node, "trino_zoned_ref(__trino_arg1)", JsonArray{std::move(column)});
  }
  for (auto& kv : node.as_object()) {
    if (auto e = rewriteExpressions(kv.value(), from, ctes)) return e;
  }
  return rewriteNode(node);
}

}  // namespace sluice::lake
