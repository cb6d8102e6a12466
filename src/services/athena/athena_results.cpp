#include "services/athena/athena_results.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

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
  std::string u = upper(t);
  if (u.ends_with("]")) return "array";
  if (u.starts_with("STRUCT")) return "row";
  if (u.starts_with("MAP")) return "map";
  if (u.starts_with("DECIMAL") || u == "HUGEINT") return "decimal";
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

std::string athenaValue(std::string_view duckType, const std::string& text) {
  std::string type = athenaType(duckType);
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
