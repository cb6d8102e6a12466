#include "lake/trino_functions.hpp"

#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "lake/trino_zones.hpp"

namespace sluice::lake {

namespace {

using Format = TrinoRewrite::Format;

TrinoRewrite expr(std::string e) {
  return TrinoRewrite{.expression = std::move(e)};
}
TrinoRewrite renamed(std::string to) {
  return TrinoRewrite{.rename = std::move(to)};
}
// DuckDB's function of the same name answers as Trino's at this arity.
TrinoRewrite same() {
  return TrinoRewrite{};
}

// One Trino function at one arity (-1: any). Trino semantics noted where the
// DuckDB function of the same name differs.
struct Entry {
  std::string_view name;
  int arity;
  TrinoRewrite rewrite;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      // Arithmetic: integer division and modulo by zero fail in Trino.
      {"mod", 2, expr("trino_mod($1, $2)")},
      {"truncate", 1, renamed("trunc")},
      {"round", 1, same()},
      {"round", 2, expr("trino_round($1, $2)")},
      {"is_nan", 1, renamed("isnan")},
      {"e", 0, expr("exp(1)")},
      // Java's cube root is exact for perfect cubes; DuckDB's is 1 ulp off.
      {"cbrt", 1,
       expr("CASE WHEN round(cbrt($1)) * round(cbrt($1)) * round(cbrt($1)) = $1 THEN "
            "CAST(round(cbrt($1)) AS DOUBLE) ELSE cbrt($1) END")},
      {"nan", 0, expr("CAST('NaN' AS DOUBLE)")},
      {"infinity", 0, expr("CAST('Infinity' AS DOUBLE)")},
      {"rand", 0, renamed("random")},
      {"rand", 1, expr("CAST(floor(random() * $1) AS BIGINT)")},
      {"bitwise_and", 2, expr("($1 & $2)")},
      {"bitwise_or", 2, expr("($1 | $2)")},
      {"bitwise_xor", 2, expr("xor($1, $2)")},
      {"bitwise_not", 1, expr("(~$1)")},
      // Strings.
      {"replace", 2, expr("replace($1, $2, '')")},
      {"replace", 3, same()},
      {"split_part", 3,
       expr("CASE WHEN $3 <= 0 THEN error('Index must be greater than zero') "
            "WHEN $3 > len(string_split($1, $2)) THEN NULL ELSE split_part($1, $2, $3) END")},
      {"levenshtein_distance", 2, renamed("levenshtein")},
      {"hamming_distance", 2, renamed("hamming")},
      {"codepoint", 1, renamed("unicode")},
      {"format", -1, renamed("printf")},
      {"to_utf8", 1, renamed("encode")},
      {"from_utf8", 1, renamed("decode")},
      {"md5", 1, expr("unhex(md5($1))")},
      {"sha256", 1, expr("unhex(sha256($1))")},
      {"sha1", 1, expr("unhex(sha1($1))")},
      {"to_hex", 1, expr("upper(hex($1))")},
      {"from_hex", 1, expr("unhex($1)")},
      // Regular expressions: Trino's are searches, replace every match and
      // answer NULL where nothing matches.
      {"regexp_like", 2, renamed("regexp_matches")},
      {"regexp_extract", 2,
       expr("CASE WHEN regexp_matches($1, $2) THEN regexp_extract($1, $2) END")},
      {"regexp_extract", 3,
       expr("CASE WHEN regexp_matches($1, $2) THEN regexp_extract($1, $2, $3) END")},
      {"regexp_replace", 2, expr("regexp_replace($1, $2, '', 'g')")},
      // Java's `$1` back-references are RE2's `\1`.
      {"regexp_replace", 3,
       expr("regexp_replace($1, $2, regexp_replace($3, '\\$(\\d)', '\\\\\\1', 'g'), 'g')")},
      {"regexp_count", 2, expr("len(regexp_extract_all($1, $2))")},
      {"regexp_split", 2, renamed("regexp_split_to_array")},
      // JSON.
      {"json_parse", 1, renamed("json")},
      {"json_format", 1, expr("CAST(json($1) AS VARCHAR)")},
      {"json_extract_scalar", 2,
       expr("CASE WHEN json_type(json_extract($1, $2)) IN ('OBJECT', 'ARRAY') THEN NULL "
            "ELSE json_extract_string($1, $2) END")},
      {"json_size", 2,
       expr("CASE json_type(json_extract($1, $2)) WHEN 'ARRAY' THEN "
            "json_array_length(json_extract($1, $2)) WHEN 'OBJECT' THEN "
            "len(json_keys(json_extract($1, $2))) ELSE 0 END")},
      {"json_array_get", 2,
       expr("json_extract($1, CASE WHEN $2 < 0 THEN '$[#' || $2 || ']' ELSE '$[' || $2 || ']' "
            "END)")},
      {"is_json_scalar", 1, expr("json_type(json($1)) NOT IN ('OBJECT', 'ARRAY')")},
      // Arrays and maps.
      {"cardinality", 1,
       expr("CASE json_type(to_json($1)) WHEN 'ARRAY' THEN json_array_length(to_json($1)) "
            "ELSE len(json_keys(to_json($1))) END")},
      {"element_at", 2, expr("$1[$2]")},
      {"contains", 2, renamed("list_contains")},
      {"array_join", 2, expr("array_to_string($1, $2)")},
      {"array_join", 3,
       expr("array_to_string(list_transform($1, __e -> coalesce(CAST(__e AS VARCHAR), $3)), $2)")},
      {"array_max", 1,
       expr("CASE WHEN list_contains(list_transform($1, __e -> __e IS NULL), true) THEN NULL "
            "ELSE list_max($1) END")},
      {"array_min", 1,
       expr("CASE WHEN list_contains(list_transform($1, __e -> __e IS NULL), true) THEN NULL "
            "ELSE list_min($1) END")},
      // First occurrences, in order (DuckDB's list_distinct drops NULL and
      // does not keep the order).
      {"array_distinct", 1, expr("list_filter($1, (__e, __i) -> list_position($1, __e) = __i)")},
      {"array_sort", 1, expr("list_sort($1, 'ASC', 'NULLS LAST')")},
      {"array_position", 2, expr("coalesce(list_position($1, $2), 0)")},
      {"array_remove", 2, expr("list_filter($1, __e -> __e IS DISTINCT FROM $2)")},
      {"array_union", 2,
       expr("list_filter(list_concat($1, $2), (__e, __i) -> list_position(list_concat($1, $2), "
            "__e) = __i)")},
      {"array_except", 2,
       expr("list_filter(list_filter($1, (__e, __i) -> list_position($1, __e) = __i), __e -> NOT "
            "list_contains($2, __e))")},
      {"array_intersect", 2,
       expr("list_filter(list_filter($1, (__e, __i) -> list_position($1, __e) = __i), __e -> "
            "list_contains($2, __e))")},
      {"arrays_overlap", 2, renamed("list_has_any")},
      {"slice", 3, expr("list_slice($1, $2, $2 + $3 - 1)")},
      {"sequence", 2, expr("trino_sequence($1, $2)")},
      {"sequence", 3, expr("trino_sequence($1, $2, $3)")},
      {"transform", 2, renamed("list_transform")},
      {"reduce", 4, expr("list_transform([list_reduce($1, $3, $2)], $4)[1]")},
      {"any_match", 2, expr("coalesce(list_bool_or(list_transform($1, $2)), false)")},
      {"all_match", 2, expr("coalesce(list_bool_and(list_transform($1, $2)), true)")},
      {"none_match", 2, expr("NOT coalesce(list_bool_or(list_transform($1, $2)), false)")},
      {"zip", 2, renamed("list_zip")},
      // Aggregates. approx_distinct's answer is the exact count: within any
      // error bound Trino promises.
      {"approx_distinct", 1, TrinoRewrite{.rename = "count", .distinct = true}},
      {"approx_distinct", 2, expr("count(DISTINCT $1)")},
      {"approx_percentile", 2, renamed("quantile_disc")},
      {"arbitrary", 1, renamed("any_value")},
      {"every", 1, renamed("bool_and")},
      {"bitwise_and_agg", 1, renamed("bit_and")},
      {"bitwise_or_agg", 1, renamed("bit_or")},
      {"map_agg", 2, expr("map(list($1), list($2))")},
      // Dates and times.
      {"date_add", 3, expr("trino_date_add($1, $2, $3)")},
      // Trino counts whole units between the two (date_sub), not boundaries.
      {"date_diff", 3, expr("date_sub($1, $2, $3)")},
      {"date_trunc", 2, expr("trino_date_trunc($1, $2)")},
      {"day_of_week", 1, renamed("isodow")},
      {"dow", 1, renamed("isodow")},
      {"day_of_year", 1, renamed("dayofyear")},
      {"doy", 1, renamed("dayofyear")},
      {"day_of_month", 1, renamed("dayofmonth")},
      {"year_of_week", 1, renamed("isoyear")},
      {"yow", 1, renamed("isoyear")},
      {"week_of_year", 1, renamed("week")},
      {"last_day_of_month", 1, renamed("last_day")},
      {"millisecond", 1, expr("(millisecond($1) % 1000)")},
      // Zones (trino_zones; x AT TIME ZONE z parses as timezone(z, x)). A
      // timestamp with time zone that is not zoned is in UTC.
      {"at_timezone", 2, expr("trino_zoned($1, $2)")},
      {"timezone", 2, expr("trino_zoned($2, $1)")},
      {"with_timezone", 2, expr("trino_with_timezone($1, $2)")},
      {"timezone_hour", 1, expr("CAST(epoch($1) * 0 AS BIGINT)")},
      {"timezone_minute", 1, expr("CAST(epoch($1) * 0 AS BIGINT)")},
      {"from_unixtime", 2, expr("trino_zoned(to_timestamp($1), $2)")},
      {"from_unixtime", 1, expr("to_timestamp($1)")},
      {"to_unixtime", 1, expr("epoch($1)")},
      {"from_iso8601_timestamp", 1,
       expr("trino_zoned(CAST($1 AS TIMESTAMPTZ), trino_iso8601_zone($1))")},
      {"from_iso8601_date", 1, expr("CAST($1 AS DATE)")},
      {"to_iso8601", 1, expr("trino_to_iso8601($1)")},
      {"current_timezone", 0, expr("'UTC'")},
      {"date_format", 2,
       TrinoRewrite{.expression = "strftime($1, $2)", .constantFormat = Format::kMySql}},
      {"date_parse", 2,
       TrinoRewrite{.expression = "strptime($1, $2)", .constantFormat = Format::kMySql}},
      {"format_datetime", 2,
       TrinoRewrite{.expression = "strftime($1, $2)", .constantFormat = Format::kJoda}},
      {"parse_datetime", 2,
       TrinoRewrite{.expression = "CAST(strptime($1, $2) AS TIMESTAMPTZ)",
                    .constantFormat = Format::kJoda}},
  };
  return table;
}

// Trino functions whose DuckDB namesake answers differently and that
// Sluice does not translate yet: refused by name.
const std::vector<std::string_view>& refused() {
  static const std::vector<std::string_view> names = {
      "human_readable_seconds",
      "split_to_map",
      "regexp_position",
      "url_extract_host",
      "url_extract_parameter",
      "url_extract_path",
      "json_array_contains",
      "json_query",
      "json_value",
      "json_exists",
      "sha512",
      "xxhash64",
      "crc32",
      "checksum",
      "approx_most_frequent",
      "multimap_agg",
      "set_agg",
      "set_union",
      "map_filter",
      "transform_keys",
      "transform_values",
      "zip_with",
      "width_bucket",
      "from_base",
      "to_base",
      "typeof",
      "shuffle",
      "soundex",
      "luhn_check",
      "word_stem",
      "normalize",
      "to_milliseconds",
      "parse_duration",
      "to_big_endian_64",
      "from_big_endian_64",
      "spooky_hash_v2_32",
  };
  return names;
}

std::string lowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

AwsError notSupported(std::string what) {
  return AwsError{kNotSupported, std::move(what), 400};
}

}  // namespace

std::optional<Result<TrinoRewrite>> trinoRewrite(std::string_view name, size_t arity) {
  // Variadic ones: concat and greatest / least are NULL when any argument
  // is (DuckDB's namesakes skip NULLs).
  if (name == "concat") {
    if (arity < 2) {
      return Result<TrinoRewrite>(AwsError{
          kInvalidFunctionArgument, "There must be two or more concatenation arguments", 400});
    }
    // DuckDB's concat, NULL when any argument is (its `||` types a NULL
    // literal's result as an integer).
    std::string any;
    for (size_t i = 1; i <= arity; ++i) {
      any += (i > 1 ? " OR $" : "$") + std::to_string(i) + " IS NULL";
    }
    return Result<TrinoRewrite>(expr("CASE WHEN " + any + " THEN NULL ELSE concat($*) END"));
  }
  if ((name == "greatest" || name == "least") && arity >= 1) {
    std::string any, all;
    for (size_t i = 1; i <= arity; ++i) {
      std::string a = "$" + std::to_string(i);
      any += (i > 1 ? " OR " : "") + a + " IS NULL";
      all += (i > 1 ? ", " : "") + a;
    }
    return Result<TrinoRewrite>(
        expr("CASE WHEN " + any + " THEN NULL ELSE " + std::string(name) + "(" + all + ") END"));
  }
  bool known = false;
  for (const Entry& e : entries()) {
    if (e.name != name) continue;
    known = true;
    if (e.arity >= 0 && static_cast<size_t>(e.arity) != arity) continue;
    if (e.rewrite.expression.empty() && e.rewrite.rename.empty()) return std::nullopt;
    return Result<TrinoRewrite>(e.rewrite);
  }
  if (known) {
    return Result<TrinoRewrite>(notSupported("Function '" + std::string(name) + "' with " +
                                             std::to_string(arity) +
                                             " arguments is not supported by Sluice"));
  }
  for (std::string_view r : refused()) {
    if (r == name) {
      return Result<TrinoRewrite>(
          notSupported("Function '" + std::string(name) + "' is not supported by Sluice"));
    }
  }
  return std::nullopt;
}

Result<void> startTrinoSession(DuckConnection& con) {
  // The macros first: integer_division applies to a `/` as it is parsed,
  // and the macros' `/` is IEEE division (their integer cases use `//`).
  auto made = con.query(trinoSessionSql());
  if (!made) return made.error();
  auto set = con.query(
      "SET integer_division = true; SET ieee_floating_point_ops = true; SET TimeZone = 'UTC';");
  if (!set) return set.error();
  return {};
}

bool trinoTypedMacro(std::string_view name) {
  static const std::set<std::string_view> typed = {
      "trino_div",          "trino_mod",           "trino_date_add",     "trino_date_trunc",
      "trino_plus",         "trino_minus",         "trino_to_iso8601",   "trino_sequence",
      "trino_cast_tinyint", "trino_cast_smallint", "trino_cast_integer", "trino_cast_bigint"};
  return typed.count(name) > 0;
}

std::string trinoSessionSql() {
  std::string sql;
  // Integer division and modulo: an error on zero, as Trino (DuckDB gives
  // NULL); the typed overloads keep the operands' type, and cover every
  // pair of integer types by widening (an aggregate's sum is a HUGEINT).
  // The failure is a cast that cannot succeed, not error(): TRY(...) takes
  // no volatile function, and Trino's TRY catches a division by zero.
  for (std::string_view op : {"div", "mod"}) {
    std::string symbol = op == "div" ? "//" : "%";
    std::string generic = op == "div" ? "/" : "%";
    sql += "CREATE OR REPLACE TEMP MACRO trino_" + std::string(op);
    const char* sep = "";
    for (std::string_view type : {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}) {
      std::string t(type);
      sql += std::string(sep) + "(a " + t + ", b " + t + ") AS CASE WHEN b = 0 THEN CAST('" +
             kDivisionByZero + "' AS " + t + ") ELSE a " + symbol + " b END";
      sep = ", ";
    }
    // Decimals fail on zero too; doubles give Infinity or NaN (IEEE `/`:
    // the macros are parsed before integer_division is set).
    sql +=
        ", (a, b) AS CASE WHEN b = 0 AND typeof(a) NOT IN ('DOUBLE', 'FLOAT') AND "
        "typeof(b) NOT IN ('DOUBLE', 'FLOAT') THEN CAST('" +
        std::string(kDivisionByZero) + "' AS INTEGER) ELSE a " + generic + " b END;";
  }
  // round(x, d) of a decimal keeps x's scale in Trino (round(1.2345, 2) is
  // 1.2300); DuckDB's narrows it to d. Adding x - x (zero, of x's type)
  // brings the scale back; other types add a plain zero (x - x would be NaN
  // for an infinite double). One macro: a DOUBLE overload would catch
  // decimals too.
  sql +=
      "CREATE OR REPLACE TEMP MACRO trino_round(x, d) AS round(x, d) + CASE WHEN typeof(x) "
      "LIKE 'DECIMAL%' THEN x - x ELSE 0 END;";
  sql += trinoZoneSql();
  sql +=
      "CREATE OR REPLACE TEMP MACRO trino_interval(unit, n) AS CASE lower(unit) "
      "WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n) "
      "WHEN 'minute' THEN to_minutes(n) WHEN 'hour' THEN to_hours(n) "
      "WHEN 'day' THEN to_days(CAST(n AS INTEGER)) WHEN 'week' THEN to_weeks(CAST(n AS INTEGER)) "
      "WHEN 'month' THEN to_months(CAST(n AS INTEGER)) "
      "WHEN 'quarter' THEN to_months(CAST(n * 3 AS INTEGER)) "
      "WHEN 'year' THEN to_years(CAST(n AS INTEGER)) "
      "ELSE error('''' || unit || ''' is not a valid TIMESTAMP field') END;"
      "CREATE OR REPLACE TEMP MACRO trino_date_add(unit, n, d DATE) AS CASE WHEN lower(unit) IN "
      "('millisecond', 'second', 'minute', 'hour') THEN error('''' || unit || ''' is not a "
      "valid DATE field') ELSE CAST(d + trino_interval(unit, n) AS DATE) END, "
      "(unit, n, t) AS t + trino_interval(unit, n);"
      // date_trunc keeps its argument's type (DuckDB's gives a date for
      // units of a day or more).
      "CREATE OR REPLACE TEMP MACRO trino_date_trunc(unit, d DATE) AS "
      "CAST(date_trunc(unit, d) AS DATE), (unit, t TIMESTAMP) AS "
      "CAST(date_trunc(unit, t) AS TIMESTAMP), (unit, t TIMESTAMPTZ) AS "
      "CAST(date_trunc(unit, t) AS TIMESTAMPTZ);"
      "CREATE OR REPLACE TEMP MACRO trino_plus(a DATE, b INTERVAL) AS CAST(a + b AS DATE), "
      "(a INTERVAL, b DATE) AS CAST(a + b AS DATE), (a, b) AS a + b;"
      "CREATE OR REPLACE TEMP MACRO trino_minus(a DATE, b INTERVAL) AS CAST(a - b AS DATE), "
      "(a, b) AS a - b;"
      "CREATE OR REPLACE TEMP MACRO trino_to_iso8601(d DATE) AS strftime(d, '%Y-%m-%d'), "
      "(t TIMESTAMP) AS strftime(t, '%Y-%m-%dT%H:%M:%S.%g'), "
      "(t TIMESTAMPTZ) AS strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ');"
      // sequence(a, b) counts down when b < a; dates step by days.
      "CREATE OR REPLACE TEMP MACRO trino_sequence(a DATE, b DATE) AS "
      "CAST(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), CASE WHEN a <= b THEN "
      "INTERVAL '1 day' ELSE INTERVAL '-1 day' END) AS DATE[]), "
      "(a DATE, b DATE, s) AS CAST(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), "
      "s) AS DATE[]), "
      "(a, b) AS generate_series(a, b, CASE WHEN a <= b THEN 1 ELSE -1 END), "
      "(a, b, s) AS generate_series(a, b, s);";
  // A double (or real) cast to varchar is Java's scientific notation in
  // Trino (1.5E0, 1.0E-3), built from DuckDB's shortest digits; other types
  // cast as DuckDB does.
  sql +=
      "CREATE OR REPLACE TEMP MACRO trino_mantissa(d) AS substr(rtrim(d, '0'), 1, 1) || '.' || "
      "CASE WHEN length(rtrim(d, '0')) > 1 THEN substr(rtrim(d, '0'), 2) ELSE '0' END;"
      "CREATE OR REPLACE TEMP MACRO trino_sci_abs(a) AS CASE "
      "WHEN contains(a, 'e') THEN trino_mantissa(replace(split_part(a, 'e', 1), '.', '')) || 'E' "
      "|| CAST(CAST(split_part(a, 'e', 2) AS INTEGER) AS VARCHAR) "
      "WHEN split_part(a, '.', 1) <> '0' THEN trino_mantissa(split_part(a, '.', 1) || "
      "split_part(a, '.', 2)) || 'E' || CAST(length(split_part(a, '.', 1)) - 1 AS VARCHAR) "
      "WHEN rtrim(split_part(a, '.', 2), '0') = '' THEN '0.0E0' "
      "ELSE trino_mantissa(ltrim(split_part(a, '.', 2), '0')) || 'E' || "
      "CAST(length(ltrim(split_part(a, '.', 2), '0')) - length(split_part(a, '.', 2)) - 1 AS "
      "VARCHAR) END;"
      "CREATE OR REPLACE TEMP MACRO trino_sci(s) AS CASE WHEN s = 'nan' THEN 'NaN' "
      "WHEN s = 'inf' THEN 'Infinity' WHEN s = '-inf' THEN '-Infinity' "
      "ELSE (CASE WHEN starts_with(s, '-') THEN '-' ELSE '' END) || trino_sci_abs(ltrim(s, '-')) "
      "END;"
      "CREATE OR REPLACE TEMP MACRO trino_cast_varchar(x) AS CASE WHEN typeof(x) IN ('DOUBLE', "
      "'FLOAT') THEN trino_sci(CAST(x AS VARCHAR)) ELSE CAST(x AS VARCHAR) END;";
  // A double cast to an integer type rounds half away from zero in Trino
  // (DuckDB rounds half to even); integers and text cast as they are.
  for (std::string_view t : {"TINYINT", "SMALLINT", "INTEGER", "BIGINT"}) {
    std::string type(t);
    std::string name = "trino_cast_" + std::string(lowerAscii(type));
    sql += "CREATE OR REPLACE TEMP MACRO " + name + "(x DOUBLE) AS CAST(round(x) AS " + type +
           "), (x FLOAT) AS CAST(round(x) AS " + type + ")";
    for (std::string_view exact : {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}) {
      sql += ", (x " + std::string(exact) + ") AS CAST(x AS " + type + ")";
    }
    sql += ", (x) AS CAST(x AS " + type + ");";
  }
  return sql;
}

namespace {

Result<std::string> unsupportedPattern(std::string_view pattern, std::string_view spec) {
  return AwsError{kNotSupported,
                  "Date format pattern '" + std::string(pattern) + "': '" + std::string(spec) +
                      "' is not supported",
                  400};
}

}  // namespace

Result<std::string> strftimeOfMySql(std::string_view pattern) {
  static const std::map<char, std::string_view> specs = {
      {'a', "%a"}, {'b', "%b"},          {'c', "%-m"}, {'d', "%d"}, {'e', "%-d"},
      {'f', "%f"}, {'H', "%H"},          {'h', "%I"},  {'I', "%I"}, {'i', "%M"},
      {'j', "%j"}, {'k', "%-H"},         {'l', "%-I"}, {'M', "%B"}, {'m', "%m"},
      {'p', "%p"}, {'r', "%I:%M:%S %p"}, {'S', "%S"},  {'s', "%S"}, {'T', "%H:%M:%S"},
      {'v', "%V"}, {'W', "%A"},          {'x', "%G"},  {'Y', "%Y"}, {'y', "%y"},
      {'%', "%%"},
  };
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    if (i + 1 == pattern.size()) break;  // a trailing % prints nothing
    char c = pattern[++i];
    auto it = specs.find(c);
    if (it != specs.end()) {
      out += it->second;
    } else if (std::string_view("DUuVwXw").find(c) != std::string_view::npos) {
      return unsupportedPattern(pattern, pattern.substr(i - 1, 2));
    } else {
      out += c == '%' ? std::string("%%") : std::string(1, c);  // %<other> is the character
    }
  }
  return out;
}

Result<std::string> strftimeOfJoda(std::string_view pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      // 'literal text'; '' is a quote.
      size_t end = i + 1;
      if (end < pattern.size() && pattern[end] == '\'') {
        out += '\'';
        i += 2;
        continue;
      }
      for (; end < pattern.size(); ++end) {
        if (pattern[end] != '\'') {
          out += pattern[end] == '%' ? std::string("%%") : std::string(1, pattern[end]);
        } else if (end + 1 < pattern.size() && pattern[end + 1] == '\'') {
          out += '\'';
          ++end;
        } else {
          break;
        }
      }
      i = end + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      out += c == '%' ? std::string("%%") : std::string(1, c);
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    std::string_view run = pattern.substr(i, n);
    i += n;
    switch (c) {
      case 'y':
      case 'Y':
      case 'x':
        out += n == 2 ? "%y" : "%Y";
        break;
      case 'M':
        out += n >= 4 ? "%B" : n == 3 ? "%b" : n == 2 ? "%m" : "%-m";
        break;
      case 'd':
        out += n >= 2 ? "%d" : "%-d";
        break;
      case 'D':
        out += n >= 3 ? "%j" : "%-j";
        break;
      case 'H':
        out += n >= 2 ? "%H" : "%-H";
        break;
      case 'h':
        out += n >= 2 ? "%I" : "%-I";
        break;
      case 'm':
        out += n >= 2 ? "%M" : "%-M";
        break;
      case 's':
        out += n >= 2 ? "%S" : "%-S";
        break;
      case 'S':
        if (n == 3) {
          out += "%g";
        } else if (n == 6) {
          out += "%f";
        } else {
          return unsupportedPattern(pattern, run);
        }
        break;
      case 'a':
        out += "%p";
        break;
      case 'E':
        out += n >= 4 ? "%A" : "%a";
        break;
      case 'Z':
        out += "%z";
        break;
      default:
        return unsupportedPattern(pattern, run);
    }
  }
  return out;
}

}  // namespace sluice::lake
