#include "services/athena/athena_results.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "lake/trino_zones.hpp"

namespace sluice::services::athena {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Java's Double.toString: plain between 1e-3 and 1e7, else d.dddE±n; the
// shortest digits that read back as the same double.
std::string javaDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e7) {
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    std::string s(buf, r.ptr);
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, r.ptr);  // "1e+10", "1.5e-05"
  auto e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  int exponent = std::stoi(s.substr(e + 1));
  return mantissa + "E" + std::to_string(exponent);
}

}  // namespace

std::string athenaType(std::string_view t) {
  if (t == lake::kTrinoZonedType) return "timestamp with time zone";
  std::string u = upper(t);
  if (u.ends_with("]")) return "array";
  if (u.starts_with("STRUCT")) return "row";
  if (u.starts_with("MAP")) return "map";
  if (u.starts_with("DECIMAL")) return "decimal";
  // DuckDB's sum of integers is a HUGEINT; Trino's is a bigint.
  if (u == "HUGEINT") return "bigint";
  if (u == "VARCHAR") return "varchar";
  if (u == "INTEGER") return "integer";
  if (u == "BIGINT") return "bigint";
  if (u == "SMALLINT") return "smallint";
  if (u == "TINYINT") return "tinyint";
  if (u == "DOUBLE") return "double";
  if (u == "FLOAT") return "float";
  if (u == "BOOLEAN") return "boolean";
  if (u == "DATE") return "date";
  if (u.starts_with("TIMESTAMP WITH TIME ZONE")) return "timestamp with time zone";
  if (u.starts_with("TIMESTAMP")) return "timestamp";
  if (u == "TIME") return "time";
  if (u == "BLOB") return "varbinary";
  if (u == "JSON") return "json";
  if (u == "UUID") return "uuid";
  if (u == "INTERVAL") return "interval day to second";
  return "varchar";
}

Json columnInfo(const std::string& name, std::string_view duckType) {
  std::string type = athenaType(duckType);
  int64_t precision = 0, scale = 0;
  if (type == "varchar") precision = 2147483647;
  if (type == "integer") precision = 10;
  if (type == "bigint") precision = 19;
  if (type == "smallint") precision = 5;
  if (type == "tinyint") precision = 3;
  if (type == "double") precision = 17;
  if (type == "float") precision = 17;
  if (type == "timestamp") precision = 3;
  if (type == "decimal") {
    auto open = duckType.find('(');
    if (open != std::string_view::npos) {
      int p = 0, s = 0;
      if (std::sscanf(std::string(duckType.substr(open)).c_str(), "(%d,%d)", &p, &s) == 2) {
        precision = p;
        scale = s;
      }
    } else {
      precision = 38;
    }
  }
  return JsonObject{{"CatalogName", "hive"},  {"SchemaName", ""},
                    {"TableName", ""},        {"Name", name},
                    {"Label", name},          {"Type", type},
                    {"Precision", precision}, {"Scale", scale},
                    {"Nullable", "UNKNOWN"},  {"CaseSensitive", type == "varchar"}};
}

namespace {

// The parts of a composite type's parameter list ("x INTEGER, y VARCHAR[]"),
// split at the top-level commas.
std::vector<std::string_view> typeParts(std::string_view list) {
  std::vector<std::string_view> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    char c = i < list.size() ? list[i] : ',';
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      std::string_view part = list.substr(start, i - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      parts.push_back(part);
      start = i + 1;
    }
  }
  return parts;
}

std::string_view inside(std::string_view type) {
  auto open = type.find('(');
  if (open == std::string_view::npos || !type.ends_with(")")) return {};
  return type.substr(open + 1, type.size() - open - 2);
}

// A scalar inside a composite value, from its JSON (to_json's rendering).
std::string nestedScalar(std::string_view duckType, const Json& v) {
  if (v.is_string()) return athenaValue(duckType, std::string(v.as_string()));
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return athenaValue(duckType, toJsonText(v));
}

// A value of a composite type as Trino prints it: [a, b], {k=v}, {f=v}.
std::string nestedValue(std::string_view duckType, const Json& v) {
  if (v.is_null()) return "null";
  std::string kind = athenaType(duckType);
  if (kind == "array" && v.is_array()) {
    std::string_view element = duckType.substr(0, duckType.size() - 2);
    std::string out = "[";
    for (size_t i = 0; i < v.as_array().size(); ++i) {
      out += (i ? ", " : "") + nestedValue(element, v.as_array()[i]);
    }
    return out + "]";
  }
  if (kind == "map" && v.is_object()) {
    auto parts = typeParts(inside(duckType));
    std::string_view key = parts.size() == 2 ? parts[0] : "VARCHAR";
    std::string_view value = parts.size() == 2 ? parts[1] : "VARCHAR";
    std::string out = "{";
    bool first = true;
    for (const auto& kv : v.as_object()) {
      out += (first ? "" : ", ") + athenaValue(key, std::string(kv.key())) + "=" +
             nestedValue(value, kv.value());
      first = false;
    }
    return out + "}";
  }
  if (kind == "row" && v.is_object()) {
    // STRUCT(name TYPE, ...): the fields in order, by name.
    std::string out = "{";
    bool first = true;
    for (std::string_view field : typeParts(inside(duckType))) {
      std::string name;
      std::string_view type;
      if (field.starts_with("\"")) {
        auto end = field.find('"', 1);
        name = std::string(field.substr(1, end - 1));
        type = field.substr(std::min(field.size(), end + 2));
      } else {
        auto space = field.find(' ');
        name = std::string(field.substr(0, space));
        type = space == std::string_view::npos ? "VARCHAR" : field.substr(space + 1);
      }
      const Json* fv = v.as_object().if_contains(name);
      out += (first ? "" : ", ") + name + "=" + (fv ? nestedValue(type, *fv) : "null");
      first = false;
    }
    return out + "}";
  }
  return nestedScalar(duckType, v);
}

}  // namespace

std::string athenaFetch(std::string_view duckType, const std::string& column) {
  std::string kind = athenaType(duckType);
  if (kind == "array" || kind == "map" || kind == "row") {
    return "CAST(to_json(" + column + ") AS VARCHAR)";
  }
  if (kind == "varbinary") return "hex(" + column + ")";
  // A zoned timestamp prints its wall time and zone (trino_zones).
  // (The cast: a macro takes no bare positional reference such as #1.)
  if (duckType == lake::kTrinoZonedType) {
    return "trino_render_zoned(CAST(" + column + " AS " + std::string(lake::kTrinoZonedType) + "))";
  }
  // The C API's text of a TIMESTAMPTZ is not the value: cast it.
  if (kind == "timestamp with time zone") return "CAST(" + column + " AS VARCHAR)";
  return column;
}

std::string athenaValue(std::string_view duckType, const std::string& text) {
  std::string type = athenaType(duckType);
  if (type == "array" || type == "map" || type == "row") {
    auto v = parseJson(text);
    return v ? nestedValue(duckType, *v) : text;
  }
  if (type == "varbinary") {
    // Hex digits (athenaFetch) as Trino prints bytes: "61 62".
    std::string out;
    for (size_t i = 0; i + 1 < text.size(); i += 2) {
      if (i) out += ' ';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i + 1])));
    }
    return out;
  }
  if (duckType == lake::kTrinoZonedType) return text;  // printed by trino_render_zoned
  if (type == "timestamp with time zone") {
    // The session is UTC: "2024-01-02 03:04:05[.ffffff]+00".
    auto zone = text.find_last_of("+-");
    std::string base = zone != std::string::npos && zone > 10 ? text.substr(0, zone) : text;
    return athenaValue("TIMESTAMP", base) + " UTC";
  }
  if (type == "float") {
    float f = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), f);
    if (r.ec == std::errc() && std::isfinite(f) && std::fabs(f) >= 1e-3 && std::fabs(f) < 1e7) {
      char buf[32];
      auto w = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed);
      std::string out(buf, w.ptr);
      return out.find('.') == std::string::npos ? out + ".0" : out;
    }
  }
  if (type == "double" || type == "float") {
    double v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec == std::errc()) return javaDouble(v);
    if (text == "inf") return "Infinity";
    if (text == "-inf") return "-Infinity";
    if (text == "nan") return "NaN";
    return text;
  }
  if (type == "timestamp") {
    // "2024-01-02 03:04:05[.ffffff]" -> milliseconds, always three digits.
    auto dot = text.find('.');
    std::string base = text.substr(0, dot);
    std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    fraction.resize(3, '0');
    return base + "." + fraction;
  }
  return text;
}

std::string csvLine(const Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    if (!row[i]) continue;
    out += '"';
    for (char c : *row[i]) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out + "\n";
}

std::vector<Row> parseCsv(std::string_view text) {
  std::vector<Row> rows;
  size_t i = 0;
  while (i < text.size()) {
    Row row;
    for (;;) {
      if (i < text.size() && text[i] == '"') {
        std::string v;
        ++i;
        while (i < text.size()) {
          if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
            v += '"';
            i += 2;
          } else if (text[i] == '"') {
            ++i;
            break;
          } else {
            v += text[i++];
          }
        }
        row.emplace_back(std::move(v));
      } else {
        row.emplace_back(std::nullopt);  // an empty unquoted field: NULL
      }
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\n') ++i;
      break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace sluice::services::athena
