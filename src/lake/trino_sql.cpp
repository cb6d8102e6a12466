#include "lake/trino_sql.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "lake/trino_functions.hpp"
#include "lake/trino_zones.hpp"

namespace sluice::lake {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

size_t skipSpace(std::string_view s, size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// The end of the quoted run starting at `i` (a string, a quoted name or a
// comment), one past its last character.
size_t quotedEnd(std::string_view s, size_t i) {
  if (s.substr(i, 2) == "--") {
    auto nl = s.find('\n', i);
    return nl == std::string_view::npos ? s.size() : nl;
  }
  if (s.substr(i, 2) == "/*") {
    auto end = s.find("*/", i + 2);
    return end == std::string_view::npos ? s.size() : end + 2;
  }
  char q = s[i];
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] != q) continue;
    if (j + 1 < s.size() && s[j + 1] == q) {
      ++j;  // doubled quote
      continue;
    }
    return j + 1;
  }
  return s.size();
}

bool quoteStarts(std::string_view s, size_t i) {
  return s[i] == '\'' || s[i] == '"' || s.substr(i, 2) == "--" || s.substr(i, 2) == "/*";
}

// The index one past the parenthesis closing the one at `open`.
size_t closingParen(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size();) {
    if (quoteStarts(s, i)) {
      i = quotedEnd(s, i);
      continue;
    }
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i + 1;
    ++i;
  }
  return std::string_view::npos;
}

// The word at `i` (letters, digits, _), lower-cased.
std::string wordAt(std::string_view s, size_t i) {
  size_t end = i;
  while (end < s.size() && isWordChar(s[end])) ++end;
  return lower(s.substr(i, end - i));
}

bool isString(const Json& v) {
  return v.is_string();
}

std::string str(const Json* v) {
  return v && isString(*v) ? std::string(v->as_string()) : std::string();
}

// The argument placeholders of a rewrite: $1.. become column references
// the substitution recognises; $* all of them.
std::string placeholders(std::string_view expression, size_t arity) {
  std::string out;
  for (size_t i = 0; i < expression.size(); ++i) {
    if (expression[i] == '$' && i + 1 < expression.size()) {
      char n = expression[i + 1];
      if (n == '*') {
        for (size_t a = 1; a <= arity; ++a) {
          out += (a > 1 ? ", __trino_arg" : "__trino_arg") + std::to_string(a);
        }
        ++i;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(n)) && (i == 0 || expression[i - 1] != '\\')) {
        out += "__trino_arg";
        out += n;
        ++i;
        continue;
      }
    }
    out += expression[i];
  }
  return out;
}

// Replaces the placeholder column references in `node` by the arguments.
void substitute(Json& node, const JsonArray& args) {
  if (node.is_object()) {
    JsonObject& o = node.as_object();
    if (str(o.if_contains("class")) == "COLUMN_REF") {
      const Json* names = o.if_contains("column_names");
      if (names && names->is_array() && names->as_array().size() == 1) {
        std::string name = str(&names->as_array()[0]);
        if (name.starts_with("__trino_arg")) {
          size_t index = std::stoul(name.substr(11)) - 1;
          if (index < args.size()) node = args[index];
          return;
        }
      }
    }
    for (auto& kv : o) substitute(kv.value(), args);
  } else if (node.is_array()) {
    for (Json& v : node.as_array()) substitute(v, args);
  }
}

// Calls `visit` on every node of a parse tree, children first (a node's
// rewrite sees its arguments rewritten), stopping at the first error.
template <typename Visit>
std::optional<AwsError> postOrder(Json& node, const Visit& visit) {
  if (node.is_array()) {
    for (Json& v : node.as_array()) {
      if (auto e = postOrder(v, visit)) return e;
    }
    return std::nullopt;
  }
  if (!node.is_object()) return std::nullopt;
  for (auto& kv : node.as_object()) {
    if (auto e = postOrder(kv.value(), visit)) return e;
  }
  return visit(node);
}

// Trino's names for a query's output columns that are neither aliased nor
// a column: `_col<position>`. (Trino also lower-cases every output name;
// the names are read from DuckDB's result, so that is the reader's part.)
void nameOutputs(Json& node) {
  if (node.is_object()) {
    JsonObject& o = node.as_object();
    if (str(o.if_contains("type")) == "SELECT_NODE") {
      if (Json* list = o.if_contains("select_list"); list && list->is_array()) {
        bool star = false;
        for (const Json& e : list->as_array()) {
          star = star || str(jsonAt(e, {"class"})) == "STAR";
        }
        size_t position = 0;
        for (Json& e : list->as_array()) {
          JsonObject& item = e.as_object();
          std::string cls = str(item.if_contains("class"));
          std::string alias = str(item.if_contains("alias"));
          if (alias.empty() && cls != "COLUMN_REF" && cls != "STAR" && !star) {
            item["alias"] = "_col" + std::to_string(position);
          }
          ++position;
        }
      }
    }
    for (auto& kv : o) nameOutputs(kv.value());
  } else if (node.is_array()) {
    for (Json& v : node.as_array()) nameOutputs(v);
  }
}

AwsError errorAt(const std::string& text, const Json& node, const AwsError& e) {
  size_t at = 0;
  if (const Json* loc = jsonAt(node, {"query_location"}); loc && loc->is_number()) {
    auto v = toInteger(*loc);
    if (v && *v >= 0 && static_cast<size_t>(*v) < text.size()) at = static_cast<size_t>(*v);
  }
  return AwsError{e.code, trinoLineCol(text, at) + e.message, e.httpStatus};
}

}  // namespace

std::string trinoLineCol(std::string_view sql, size_t offset) {
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

std::string backtickNamesQuoted(std::string_view sql) {
  std::string out;
  for (size_t i = 0; i < sql.size();) {
    if (sql[i] == '`') {
      size_t end = sql.find('`', i + 1);
      if (end == std::string_view::npos) end = sql.size();
      out += '"';
      for (char c : sql.substr(i + 1, end - i - 1))
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
      i = std::min(sql.size(), end + 1);
      continue;
    }
    if (quoteStarts(sql, i)) {
      size_t end = quotedEnd(sql, i);
      out.append(sql.substr(i, end - i));
      i = end;
      continue;
    }
    out += sql[i++];
  }
  return out;
}

std::string prelexTrino(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (size_t i = 0; i < sql.size();) {
    if (quoteStarts(sql, i)) {
      size_t end = quotedEnd(sql, i);
      out.append(sql.substr(i, end - i));
      i = end;
      continue;
    }
    if (!isWordChar(sql[i]) || (i > 0 && isWordChar(sql[i - 1]))) {
      out += sql[i++];
      continue;
    }
    std::string word = wordAt(sql, i);
    size_t after = i + word.size();
    size_t next = skipSpace(sql, after);
    bool paren = next < sql.size() && sql[next] == '(';
    size_t close = paren ? closingParen(sql, next) : std::string_view::npos;
    if (word == "x" && after < sql.size() && sql[after] == '\'') {
      // X'48656C' is a binary literal.
      size_t end = quotedEnd(sql, after);
      out += "from_hex(" + std::string(sql.substr(after, end - after)) + ")";
      i = end;
      continue;
    }
    if (word == "decimal" && next < sql.size() && sql[next] == '\'') {
      // DECIMAL '1.50' has the literal's own precision and scale.
      size_t end = quotedEnd(sql, next);
      std::string_view literal = sql.substr(next + 1, end - next - 2);
      size_t digits = 0, scale = 0;
      bool point = false;
      for (char c : literal) {
        if (c == '.') point = true;
        if (!std::isdigit(static_cast<unsigned char>(c))) continue;
        ++digits;
        scale += point;
      }
      out += "CAST(" + std::string(sql.substr(next, end - next)) + " AS DECIMAL(" +
             std::to_string(std::max<size_t>(digits, 1)) + ", " + std::to_string(scale) + "))";
      i = end;
      continue;
    }
    if (word == "array" && close != std::string_view::npos) {
      // ARRAY(T) is the type T[].
      out += prelexTrino(sql.substr(next + 1, close - next - 2)) + "[]";
      i = close;
      continue;
    }
    if ((word == "timestamp" || word == "time") && close != std::string_view::npos) {
      // TIMESTAMP(p): DuckDB's timestamps have one precision.
      std::string_view inner = sql.substr(next + 1, close - next - 2);
      bool digits = !inner.empty();
      for (char c : inner)
        digits = digits && (std::isdigit(static_cast<unsigned char>(c)) || c == ' ');
      if (digits) {
        out += word;
        i = close;
        continue;
      }
    }
    if (word == "values") {
      // VALUES 1, 2: each bare expression is a row of one column.
      out += sql.substr(i, word.size());
      size_t at = after;
      for (;;) {
        size_t start = skipSpace(sql, at);
        size_t end = start;
        int depth = 0;
        while (end < sql.size()) {
          if (quoteStarts(sql, end)) {
            end = quotedEnd(sql, end);
            continue;
          }
          char c = sql[end];
          if (depth == 0 && (c == ',' || c == ')' || c == ';')) break;
          if (depth == 0 && isWordChar(c) && (end == 0 || !isWordChar(sql[end - 1]))) {
            static const char* stops[] = {"order",     "limit",  "union", "except",
                                          "intersect", "offset", "fetch"};
            std::string w = wordAt(sql, end);
            bool stop = false;
            for (const char* s : stops) stop = stop || w == s;
            if (stop) break;
          }
          depth += c == '(' || c == '[' ? 1 : c == ')' || c == ']' ? -1 : 0;
          ++end;
        }
        std::string_view item = sql.substr(start, end - start);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
          item.remove_suffix(1);
        std::string_view trailing = sql.substr(start + item.size(), end - start - item.size());
        bool row = !item.empty() && item.front() == '(' && closingParen(item, 0) == item.size();
        // ROW(1, 'a') is the row (1, 'a').
        size_t rowOpen = skipSpace(item, 3);
        if (wordAt(item, 0) == "row" && rowOpen < item.size() && item[rowOpen] == '(' &&
            closingParen(item, rowOpen) == item.size()) {
          item.remove_prefix(rowOpen);
          row = true;
        }
        out += " ";
        out += row || item.empty() ? prelexTrino(item) : "(" + prelexTrino(item) + ")";
        out += trailing;
        at = end;
        if (at < sql.size() && sql[at] == ',') {
          out += ',';
          ++at;
          continue;
        }
        break;
      }
      i = at;
      continue;
    }
    if (word == "if" && close != std::string_view::npos) {
      // if(c, v) is if(c, v, NULL); DuckDB's parser takes only the three.
      std::string_view inner = sql.substr(next + 1, close - next - 2);
      int depth = 0, commas = 0;
      for (size_t j = 0; j < inner.size();) {
        if (quoteStarts(inner, j)) {
          j = quotedEnd(inner, j);
          continue;
        }
        depth += inner[j] == '(' || inner[j] == '['   ? 1
                 : inner[j] == ')' || inner[j] == ']' ? -1
                                                      : 0;
        commas += depth == 0 && inner[j] == ',';
        ++j;
      }
      if (commas == 1) {
        out += "if(" + prelexTrino(inner) + ", NULL)";
        i = close;
        continue;
      }
    }
    if (word == "tablesample") {
      std::string method = wordAt(sql, next);
      size_t open = skipSpace(sql, next + method.size());
      if ((method == "bernoulli" || method == "system") && open < sql.size() && sql[open] == '(') {
        size_t end = closingParen(sql, open);
        if (end != std::string_view::npos) {
          out += "TABLESAMPLE " + prelexTrino(sql.substr(open + 1, end - open - 2)) + "% (" +
                 method + ")";
          i = end;
          continue;
        }
      }
    }
    if (word == "listagg" && close != std::string_view::npos) {
      // listagg(x, sep) WITHIN GROUP (ORDER BY ...) is string_agg(x, sep ORDER BY ...).
      size_t w = skipSpace(sql, close);
      if (wordAt(sql, w) == "within") {
        size_t g = skipSpace(sql, w + 6);
        size_t open = skipSpace(sql, g + 5);
        if (wordAt(sql, g) == "group" && open < sql.size() && sql[open] == '(') {
          size_t end = closingParen(sql, open);
          if (end != std::string_view::npos) {
            out += "string_agg(" + prelexTrino(sql.substr(next + 1, close - next - 2)) + " " +
                   prelexTrino(sql.substr(open + 1, end - open - 2)) + ")";
            i = end;
            continue;
          }
        }
      }
    }
    out.append(sql.substr(i, word.size()));
    i = after;
  }
  return out;
}

Result<Json> TrinoTranslator::parse(const std::string& sql) {
  auto parsed = con_.query("SELECT json_serialize_sql(" + sqlString(sql) + ")");
  if (!parsed) return parsed.error();
  auto tree = parseJson(parsed->value(0, 0).value_or("{}"));
  if (!tree) return AwsError::internal("unreadable parse of the statement");
  if (const Json* e = jsonAt(*tree, {"error"}); e && e->is_bool() && e->as_bool()) {
    size_t pos = 0;
    try {
      pos = std::stoul(str(jsonAt(*tree, {"position"})));
    } catch (const std::exception&) {
    }
    std::string message = str(jsonAt(*tree, {"error_message"}));
    // DuckDB appends the statement with a caret; Trino's messages are one line.
    message = message.substr(0, message.find("\n"));
    return AwsError{kSyntaxError, trinoLineCol(sql, pos) + message, 400};
  }
  return std::move(*tree);
}

Result<Json> TrinoTranslator::expression(const std::string& text) {
  if (auto it = cache_.find(text); it != cache_.end()) return it->second;
  if (shared_) {
    if (auto known = shared_->find(text)) return cache_.emplace(text, *known).first->second;
  }
  auto tree = parse("SELECT " + text);
  if (!tree) return AwsError::internal("rewrite " + text + ": " + tree.error().message);
  const Json* e = jsonAt(*tree, {"statements"});
  if (!e || !e->is_array() || e->as_array().empty()) return AwsError::internal("rewrite " + text);
  const Json* list = jsonAt(e->as_array()[0], {"node", "select_list"});
  if (!list || !list->is_array() || list->as_array().size() != 1) {
    return AwsError::internal("rewrite " + text);
  }
  if (shared_) shared_->add(text, list->as_array()[0]);
  return cache_.emplace(text, list->as_array()[0]).first->second;
}

Result<Json> TrinoTranslator::translate(std::string_view sql) {
  text_ = prelexTrino(sql);
  auto tree = parse(text_);
  if (!tree) return tree;
  if (auto e = rewrite(*tree)) return *e;
  if (auto e = guardTypedMacros(*tree)) return *e;
  nameOutputs(*tree);
  return tree;
}

// Whether DuckDB computes `node` after binding its enclosing expression: it
// is, or holds, an aggregate or a window call.
bool TrinoTranslator::computedLater(const Json& node) {
  if (node.is_array()) {
    for (const Json& v : node.as_array()) {
      if (computedLater(v)) return true;
    }
    return false;
  }
  if (!node.is_object()) return false;
  const JsonObject& o = node.as_object();
  std::string cls = str(o.if_contains("class"));
  if (cls == "WINDOW") return true;
  if (cls == "SUBQUERY") return false;  // bound on its own
  if (cls == "FUNCTION") {
    if (!aggregates_) {
      if (shared_) aggregates_ = shared_->aggregates();
      if (!aggregates_) {
        std::set<std::string> names;
        auto r = con_.query(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = "
            "'aggregate'");
        if (r) {
          for (size_t i = 0; i < r->rowCount(); ++i) names.insert(r->value(i, 0).value_or(""));
        }
        if (shared_ && r) shared_->setAggregates(names);
        aggregates_ = std::move(names);
      }
    }
    if (aggregates_->count(lower(str(o.if_contains("function_name"))))) return true;
  }
  for (const auto& kv : o) {
    if (computedLater(kv.value())) return true;
  }
  return false;
}

// DuckDB picks a macro's typed overload from its arguments' types, and an
// aggregate's or a window's type is not known yet when it does: it refuses
// ("multiple overloads match") or takes the first typed one. So each such
// argument is computed first, as the parameter of a lambda over a
// one-element list (nested, one per argument), and the call made inside.
std::optional<AwsError> TrinoTranslator::guardTypedMacros(Json& tree) {
  return postOrder(tree, [this](Json& node) { return guardTypedCall(node); });
}

std::optional<AwsError> TrinoTranslator::guardTypedCall(Json& node) {
  JsonObject& call = node.as_object();
  if (str(call.if_contains("class")) != "FUNCTION") return std::nullopt;
  std::string name = str(call.if_contains("function_name"));
  if (!trinoTypedMacro(name)) return std::nullopt;
  const Json* children = call.if_contains("children");
  if (!children || !children->is_array()) return std::nullopt;
  const JsonArray& args = children->as_array();
  std::string inner = name + "(", outer;
  size_t wrapped = 0;
  for (size_t i = 1; i <= args.size(); ++i) {
    std::string n = std::to_string(i);
    if (computedLater(args[i - 1])) {
      outer += "list_transform([__trino_arg" + n + "], trino_e" + n + " -> ";
      inner += (i > 1 ? ", trino_e" : "trino_e") + n;
      ++wrapped;
    } else {
      inner += (i > 1 ? ", __trino_arg" : "__trino_arg") + n;
    }
  }
  if (wrapped == 0) return std::nullopt;
  std::string text = outer + inner + ")";
  for (size_t w = 0; w < wrapped; ++w) text += ")[1]";
  return replaceWith(node, text, args);
}

Result<std::string> TrinoTranslator::render(const Json& tree) {
  auto r = con_.query("SELECT json_deserialize_sql(" + sqlString(toJsonText(tree)) + ")");
  if (!r) return r.error();
  return r->value(0, 0).value_or("");
}

std::optional<AwsError> TrinoTranslator::rewriteNode(Json& node) {
  std::string cls = str(node.as_object().if_contains("class"));
  if (cls == "FUNCTION" || cls == "WINDOW") return rewriteCall(node);
  if (cls == "CAST" && trinoZonedValue(node.as_object()["child"])) {
    // A zoned timestamp is text as Trino prints it, a date or timestamp
    // from its wall time, and already a timestamp with time zone.
    std::string target = str(jsonAt(node, {"cast_type", "id"}));
    if (target == "VARCHAR") {
      return replaceWith(node, "trino_render_zoned(__trino_arg1)",
                         JsonArray{node.as_object()["child"]});
    }
    if (target == "DATE" || target == "TIMESTAMP") {
      return wrapIn(node.as_object()["child"], "trino_zoned_wall(__trino_arg1)");
    }
    if (target == "TIMESTAMP WITH TIME ZONE") {
      Json child = node.as_object()["child"];
      child.as_object()["alias"] = node.as_object()["alias"];
      node = std::move(child);
    }
    return std::nullopt;
  }
  if (cls == "COMPARISON" || cls == "BETWEEN") {
    // Trino compares zoned timestamps by their instants.
    for (const char* side : {"left", "right", "input", "lower", "upper"}) {
      JsonObject& o = node.as_object();
      if (o.contains(side) && trinoZonedValue(o[side])) {
        if (auto e = wrapIn(o[side], "trino_zoned_instant(__trino_arg1)")) return e;
      }
    }
    return std::nullopt;
  }
  if (cls == "CAST") {
    // To an integer type Trino rounds a double half away from zero; to
    // varchar it writes a double in scientific notation (trino_functions).
    std::string target = str(jsonAt(node, {"cast_type", "id"}));
    if (target == "INTEGER" || target == "BIGINT" || target == "SMALLINT" || target == "TINYINT" ||
        target == "VARCHAR") {
      const Json* tryCast = jsonAt(node, {"try_cast"});
      bool isTry = tryCast && tryCast->is_bool() && tryCast->as_bool();
      std::string call = "trino_cast_" + lower(target) + "(__trino_arg1)";
      return replaceWith(node, isTry ? "TRY(" + call + ")" : call,
                         JsonArray{node.as_object()["child"]});
    }
    return std::nullopt;
  }
  if (cls == "CONSTANT" && str(jsonAt(node, {"value", "type", "id"})) == "DOUBLE") {
    // SQL text loses a double literal's type (1E10 reads back as a decimal).
    return wrapIn(node, "CAST(__trino_arg1 AS DOUBLE)");
  }
  return std::nullopt;
}

std::optional<AwsError> TrinoTranslator::replaceWith(Json& node, const std::string& text,
                                                     const JsonArray& args) {
  auto parsed = expression(text);
  if (!parsed) return parsed.error();
  Json replaced = *parsed;
  substitute(replaced, args);
  const Json* alias = node.is_object() ? node.as_object().if_contains("alias") : nullptr;
  replaced.as_object()["alias"] = alias ? *alias : Json("");
  node = std::move(replaced);
  return std::nullopt;
}

std::optional<AwsError> TrinoTranslator::wrapIn(Json& node, const std::string& text) {
  Json inner = node;  // the alias moves to the wrapping expression
  if (inner.is_object()) inner.as_object()["alias"] = "";
  return replaceWith(node, text, JsonArray{std::move(inner)});
}

// A call given a zoned timestamp (trino_zones): functions of the wall time
// read it, functions of the instant its instant; the date functions have
// zoned versions. True when the call was rewritten here.
Result<bool> TrinoTranslator::zonedCall(Json& node, const std::string& name) {
  JsonObject& call = node.as_object();
  Json* children = call.if_contains("children");
  if (!children || !children->is_array()) return false;
  JsonArray& args = children->as_array();
  bool any = false;
  for (const Json& a : args) any = any || trinoZonedValue(a);
  if (!any) return false;
  static const std::set<std::string> wall = {"year",         "quarter",
                                             "month",        "week",
                                             "week_of_year", "day",
                                             "day_of_month", "day_of_week",
                                             "dow",          "day_of_year",
                                             "doy",          "year_of_week",
                                             "yow",          "hour",
                                             "minute",       "second",
                                             "millisecond",  "last_day_of_month",
                                             "date",         "date_part",
                                             "date_format",  "format_datetime"};
  static const std::set<std::string> instant = {"to_unixtime", "at_timezone", "timezone"};
  auto each = [&](const std::string& macro) -> std::optional<AwsError> {
    for (Json& a : args) {
      if (trinoZonedValue(a)) {
        if (auto e = wrapIn(a, macro + "(__trino_arg1)")) return e;
      }
    }
    return std::nullopt;
  };
  if (wall.count(name)) {
    if (auto e = each("trino_zoned_wall")) return *e;
    return false;  // then translated as for a timestamp
  }
  if (instant.count(name)) {
    if (auto e = each("trino_zoned_instant")) return *e;
    return false;
  }
  std::string zoned = name == "date_trunc" && args.size() == 2   ? "trino_zoned_trunc"
                      : name == "date_add" && args.size() == 3   ? "trino_zoned_add"
                      : name == "date_diff" && args.size() == 3  ? "trino_zoned_diff"
                      : name == "to_iso8601" && args.size() == 1 ? "trino_zoned_iso8601"
                                                                 : "";
  if (name == "timezone_hour" || name == "timezone_minute") {
    if (auto e = replaceWith(node,
                             name == "timezone_hour" ? "(trino_zoned_minutes(__trino_arg1) // 60)"
                                                     : "(trino_zoned_minutes(__trino_arg1) % 60)",
                             JsonArray(args))) {
      return *e;
    }
    return true;
  }
  if (zoned.empty()) return false;
  if (zoned == "trino_zoned_diff") {
    // Both sides zoned: a timestamp with time zone is in UTC.
    for (size_t i = 1; i < 3; ++i) {
      if (!trinoZonedValue(args[i])) {
        if (auto e = wrapIn(args[i], "trino_zoned(__trino_arg1, 'UTC')")) return *e;
      }
    }
  }
  call["function_name"] = zoned;
  return true;
}

std::optional<AwsError> TrinoTranslator::rewriteCall(Json& node) {
  JsonObject& call = node.as_object();
  // EXTRACT(f FROM x) and x AT TIME ZONE z come as main.date_part and
  // main.timezone; any other qualified name is the user's own.
  std::string schema = str(call.if_contains("schema"));
  std::string called = lower(str(call.if_contains("function_name")));
  bool desugared = schema == "main" && (called == "date_part" || called == "timezone");
  if ((!schema.empty() && !desugared) || !str(call.if_contains("catalog")).empty()) {
    return std::nullopt;
  }
  std::string name = lower(str(call.if_contains("function_name")));
  bool window = str(call.if_contains("class")) == "WINDOW";
  const Json* children = call.if_contains("children");
  JsonArray args = children && children->is_array() ? children->as_array() : JsonArray();
  if (auto zoned = zonedCall(node, name); !zoned) {
    return zoned.error();
  } else if (*zoned) {
    return std::nullopt;
  } else {
    const Json* c = call.if_contains("children");
    args = c && c->is_array() ? c->as_array() : JsonArray();
  }
  // Division and modulo are calls of the operators / and %.
  if (name == "/" || name == "%") {
    if (args.size() != 2) return std::nullopt;
    name = name == "/" ? "trino_div" : "trino_mod";
    call["function_name"] = name;
    call["is_operator"] = false;
    return std::nullopt;
  }
  // A date plus or minus an interval is a date in Trino (a timestamp in
  // DuckDB): interval literals are calls of to_days, to_months, ...
  if ((name == "+" || name == "-") && args.size() == 2) {
    auto interval = [](const Json& e) {
      std::string fn = str(jsonAt(e, {"function_name"}));
      return (fn.starts_with("to_") &&
              (fn.ends_with("years") || fn.ends_with("months") || fn.ends_with("weeks") ||
               fn.ends_with("days") || fn.ends_with("hours") || fn.ends_with("minutes") ||
               fn.ends_with("seconds"))) ||
             str(jsonAt(e, {"cast_type", "id"})) == "INTERVAL";
    };
    if (interval(args[0]) || interval(args[1])) {
      if (trinoZonedValue(args[0]) || trinoZonedValue(args[1])) {
        // A zoned timestamp moves its instant (trino_zones).
        bool first = trinoZonedValue(args[0]);
        return replaceWith(node,
                           name == "+" ? "trino_zoned_plus(__trino_arg1, __trino_arg2)"
                                       : "trino_zoned_plus(__trino_arg1, -(__trino_arg2))",
                           first ? JsonArray{args[0], args[1]} : JsonArray{args[1], args[0]});
      }
      call["function_name"] = name == "+" ? "trino_plus" : "trino_minus";
      call["is_operator"] = false;
    }
    return std::nullopt;
  }
  auto found = trinoRewrite(name, args.size());
  if (!found) return std::nullopt;
  if (!*found) return errorAt(text_, node, found->error());
  TrinoRewrite rw = found->value();
  if (!rw.rename.empty()) {
    call["function_name"] = rw.rename;
    if (rw.distinct) call["distinct"] = true;
    return std::nullopt;
  }
  if (window) {
    return errorAt(text_, node,
                   AwsError{kNotSupported,
                            "Function '" + name + "' is not supported as a window function", 400});
  }
  if (rw.constantFormat != TrinoRewrite::Format::kNone) {
    const Json* value = args.size() == 2 ? jsonAt(args[1], {"value", "value"}) : nullptr;
    if (!value || !value->is_string() || str(jsonAt(args[1], {"class"})) != "CONSTANT") {
      return errorAt(text_, node,
                     AwsError{kNotSupported,
                              "Function '" + name + "': the format must be a string literal", 400});
    }
    auto pattern = rw.constantFormat == TrinoRewrite::Format::kMySql
                       ? strftimeOfMySql(value->as_string())
                       : strftimeOfJoda(value->as_string());
    if (!pattern) return errorAt(text_, node, pattern.error());
    args[1].as_object()["value"].as_object()["value"] = *pattern;
  }
  return replaceWith(node, placeholders(rw.expression, args.size()), args);
}

}  // namespace sluice::lake
