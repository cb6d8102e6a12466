#include "lake/dq_recommend.hpp"

#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

namespace sluice::lake {

namespace {

bool isInteger(const std::string& t) {
  return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "HUGEINT" ||
         t == "UTINYINT" || t == "USMALLINT" || t == "UINTEGER" || t == "UBIGINT";
}

bool isFractional(const std::string& t) {
  return t == "DOUBLE" || t == "FLOAT" || t.starts_with("DECIMAL");
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A number as DQDL reads it, to two places at most, rounded outward (`up`)
// so the bound keeps the data inside.
std::string bound(double v, bool up) {
  double r = up ? std::ceil(v * 100) / 100 : std::floor(v * 100) / 100;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", r);
  std::string out = buf;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out == "-0" ? "0" : out;
}

double number(const std::optional<std::string>& v) {
  if (!v) return NAN;
  try {
    return std::stod(*v);
  } catch (const std::exception&) {
    return NAN;
  }
}

}  // namespace

Result<std::string> recommendDqdl(DuckConnection& con, const std::string& relation) {
  auto described = con.query("DESCRIBE SELECT * FROM " + relation);
  if (!described) return described.error();
  struct Column {
    std::string name, type;
  };
  std::vector<Column> columns;
  for (size_t i = 0; i < described->rowCount(); ++i) {
    columns.push_back({described->value(i, 0).value_or(""), described->value(i, 1).value_or("")});
  }
  // One pass for the profile: per column its non-NULL and distinct counts,
  // and its range (numbers) or lengths (text).
  std::string sql = "SELECT count(*)";
  for (const auto& c : columns) {
    std::string v = sqlIdent(c.name);
    sql += ", count(" + v + "), count(DISTINCT " + v + ")";
    if (isInteger(c.type) || isFractional(c.type)) {
      sql += ", min(" + v + ")::DOUBLE, max(" + v + ")::DOUBLE, stddev_pop(" + v + "::DOUBLE)";
    } else if (c.type == "VARCHAR") {
      sql += ", min(length(" + v + ")), max(length(" + v + ")), NULL";
    } else {
      sql += ", NULL, NULL, NULL";
    }
  }
  auto profile = con.query(sql + " FROM " + relation);
  if (!profile) return profile.error();
  double rows = number(profile->value(0, 0));
  std::vector<std::string> rules;
  if (rows == 0) {
    rules.push_back("RowCount = 0");
  } else {
    rules.push_back("RowCount between " + bound(std::floor(rows / 2), false) + " and " +
                    bound(rows * 2, true));
  }
  for (size_t i = 0; i < columns.size() && rows > 0; ++i) {
    const auto& c = columns[i];
    size_t at = 1 + i * 5;
    double present = number(profile->value(0, at)), distinct = number(profile->value(0, at + 1));
    double lo = number(profile->value(0, at + 2)), hi = number(profile->value(0, at + 3));
    double deviation = number(profile->value(0, at + 4));
    std::string name = quoted(c.name);
    if (present == rows) {
      rules.push_back("IsComplete " + name);
    } else if (present > 0) {
      rules.push_back("Completeness " + name + " >= " + bound(present / rows, false));
    }
    if (present == 0) continue;
    if (present == rows && distinct == rows && rows > 1) {
      rules.push_back("Uniqueness " + name + " > 0.95");
    }
    if (c.type == "VARCHAR") {
      if (distinct <= 10 && distinct < present) {
        auto values = con.query("SELECT DISTINCT " + sqlIdent(c.name) + " FROM " + relation +
                                " WHERE " + sqlIdent(c.name) + " IS NOT NULL ORDER BY 1");
        if (!values) return values.error();
        std::string list;
        for (size_t r = 0; r < values->rowCount(); ++r) {
          list += (r ? ", " : "") + quoted(values->value(r, 0).value_or(""));
        }
        rules.push_back("ColumnValues " + name + " in [" + list + "]");
      } else {
        rules.push_back("ColumnLength " + name + " between " + bound(lo - 1, false) + " and " +
                        bound(hi + 1, true));
      }
    } else if (isInteger(c.type) || isFractional(c.type)) {
      rules.push_back("ColumnValues " + name + " between " + bound(std::floor(lo) - 1, false) +
                      " and " + bound(std::ceil(hi) + 1, true));
      if (isFractional(c.type) && deviation > 0) {
        rules.push_back("StandardDeviation " + name + " between " + bound(deviation * 0.95, false) +
                        " and " + bound(deviation * 1.05, true));
      }
    }
  }
  std::string out = "Rules = [\n";
  for (size_t i = 0; i < rules.size(); ++i) {
    out += "    " + rules[i] + (i + 1 < rules.size() ? ",\n" : "\n");
  }
  return out + "]";
}

}  // namespace sluice::lake
