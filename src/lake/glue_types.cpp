#include "lake/glue_types.hpp"

#include <cctype>

namespace sluice::lake {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits "a BIGINT, b STRUCT(x INT, y INT)" at the top-level commas.
std::vector<std::string_view> topLevel(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(s.substr(start)));
  return parts;
}

// "name TYPE" or "\"na me\" TYPE" inside a STRUCT.
std::pair<std::string, std::string_view> field(std::string_view f) {
  if (!f.empty() && f.front() == '"') {
    std::string name;
    size_t i = 1;
    for (; i < f.size(); ++i) {
      if (f[i] == '"' && i + 1 < f.size() && f[i + 1] == '"') {
        name += '"';
        ++i;
      } else if (f[i] == '"') {
        break;
      } else {
        name += f[i];
      }
    }
    return {name, trim(f.substr(i + 1))};
  }
  auto space = f.find(' ');
  return {std::string(f.substr(0, space)),
          space == std::string_view::npos ? std::string_view() : trim(f.substr(space + 1))};
}

}  // namespace

std::string glueType(std::string_view t) {
  t = trim(t);
  if (t.ends_with("[]")) return "array<" + glueType(t.substr(0, t.size() - 2)) + ">";
  if (t.ends_with("]")) {  // fixed-size ARRAY: VARCHAR[3]
    auto open = t.rfind('[');
    if (open != std::string_view::npos) return "array<" + glueType(t.substr(0, open)) + ">";
  }
  auto paren = t.find('(');
  std::string head = lower(trim(t.substr(0, paren)));
  std::string_view args = paren == std::string_view::npos
                              ? std::string_view()
                              : t.substr(paren + 1, t.size() - paren - 2);
  if (head == "struct") {
    std::string out = "struct<";
    bool first = true;
    for (auto f : topLevel(args)) {
      auto [name, type] = field(f);
      out += (first ? "" : ",") + name + ":" + glueType(type);
      first = false;
    }
    return out + ">";
  }
  if (head == "map") {
    auto kv = topLevel(args);
    if (kv.size() == 2) return "map<" + glueType(kv[0]) + "," + glueType(kv[1]) + ">";
    return "map<string,string>";
  }
  if (head == "decimal" || head == "numeric") {
    std::string a;
    for (char c : args) {
      if (c != ' ') a += c;
    }
    return a.empty() ? "decimal(18,3)" : "decimal(" + a + ")";
  }
  if (head == "bigint" || head == "int8" || head == "long" || head == "ubigint" ||
      head == "uinteger") {
    return "bigint";
  }
  if (head == "integer" || head == "int" || head == "int4" || head == "usmallint") return "int";
  if (head == "smallint" || head == "int2" || head == "utinyint") return "smallint";
  if (head == "tinyint" || head == "int1") return "tinyint";
  if (head == "hugeint" || head == "uhugeint") return "decimal(38,0)";
  if (head == "double" || head == "float8") return "double";
  if (head == "float" || head == "real" || head == "float4") return "float";
  if (head == "boolean" || head == "bool") return "boolean";
  if (head == "date") return "date";
  if (head.starts_with("timestamp")) return "timestamp";
  if (head == "blob" || head == "bytea" || head == "varbinary") return "binary";
  return "string";  // VARCHAR, JSON, UUID, TIME, INTERVAL, ENUM, UNION, BIT, ...
}

namespace {

// Splits "a:int,b:struct<c:int,d:string>" at the top-level commas.
std::vector<std::string_view> topLevelAngles(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' || s[i] == '(') ++depth;
    if (s[i] == '>' || s[i] == ')') --depth;
    if (s[i] == ',' && depth == 0) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(s.substr(start)));
  return parts;
}

}  // namespace

std::string duckdbType(std::string_view t) {
  t = trim(t);
  std::string l = lower(t);
  auto inner = [&](size_t open) { return t.substr(open + 1, t.size() - open - 2); };
  if (l.starts_with("array<")) return duckdbType(inner(5)) + "[]";
  if (l.starts_with("map<")) {
    auto kv = topLevelAngles(inner(3));
    if (kv.size() == 2) return "MAP(" + duckdbType(kv[0]) + ", " + duckdbType(kv[1]) + ")";
    return "MAP(VARCHAR, VARCHAR)";
  }
  if (l.starts_with("struct<")) {
    std::string out = "STRUCT(";
    bool first = true;
    for (auto f : topLevelAngles(inner(6))) {
      auto colon = f.find(':');
      std::string name(trim(f.substr(0, colon)));
      std::string quoted = "\"";
      for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += (first ? "" : ", ") + quoted + "\" " +
             duckdbType(colon == std::string_view::npos ? "string" : f.substr(colon + 1));
      first = false;
    }
    return out + ")";
  }
  if (l.starts_with("decimal")) {
    auto open = t.find('(');
    return open == std::string_view::npos ? "DECIMAL(10,0)"
                                          : "DECIMAL" + std::string(t.substr(open));
  }
  if (l == "bigint" || l == "long") return "BIGINT";
  if (l == "int" || l == "integer") return "INTEGER";
  if (l == "smallint") return "SMALLINT";
  if (l == "tinyint") return "TINYINT";
  if (l == "double") return "DOUBLE";
  if (l == "float" || l == "real") return "FLOAT";
  if (l == "boolean") return "BOOLEAN";
  if (l == "date") return "DATE";
  if (l.starts_with("timestamp")) return "TIMESTAMP";
  if (l == "binary") return "BLOB";
  return "VARCHAR";  // string, varchar(n), char(n), anything else
}

Result<std::vector<GlueColumn>> describeColumns(DuckConnection& con, const std::string& relation) {
  auto r = con.query("DESCRIBE SELECT * FROM " + relation);
  if (!r) return r.error();
  std::vector<GlueColumn> out;
  for (size_t row = 0; row < r->rowCount(); ++row) {
    out.push_back({r->value(row, 0).value_or(""), glueType(r->value(row, 1).value_or(""))});
  }
  return out;
}

}  // namespace sluice::lake
