#include "lake/trino_zones.hpp"

#include <set>

namespace sluice::lake {

namespace {

std::string text(const Json* v) {
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

bool trinoZonedValue(const Json& node) {
  if (!node.is_object()) return false;
  const JsonObject& o = node.as_object();
  std::string cls = text(o.if_contains("class"));
  const Json* children = o.if_contains("children");
  auto anyChild = [&] {
    if (!children || !children->is_array()) return false;
    for (const Json& c : children->as_array()) {
      if (trinoZonedValue(c)) return true;
    }
    return false;
  };
  if (cls == "FUNCTION") {
    static const std::set<std::string> made = {"trino_zoned",         "trino_zoned_ref",
                                               "trino_with_timezone", "trino_zoned_trunc",
                                               "trino_zoned_add",     "trino_zoned_plus"};
    static const std::set<std::string> kept = {"max",   "min",  "any_value", "arbitrary",
                                               "first", "last", "max_by",    "min_by"};
    std::string fn = text(o.if_contains("function_name"));
    if (made.count(fn)) return true;
    if (kept.count(fn) && children && children->is_array() && !children->as_array().empty()) {
      return trinoZonedValue(children->as_array()[0]);
    }
    return false;
  }
  if (cls == "CASE") {
    if (trinoZonedValue(o.contains("else_expr") ? o.at("else_expr") : Json())) return true;
    if (const Json* checks = o.if_contains("case_checks"); checks && checks->is_array()) {
      for (const Json& c : checks->as_array()) {
        if (const Json* t = jsonAt(c, {"then_expr"}); t && trinoZonedValue(*t)) return true;
      }
    }
    return false;
  }
  if (cls == "OPERATOR" && text(o.if_contains("type")) == "OPERATOR_COALESCE") return anyChild();
  return false;
}

std::string trinoZoneSql() {
  return
      // Minutes east of UTC of an offset zone '+05:30'; NULL for a region.
      "CREATE OR REPLACE TEMP MACRO trino_zone_offset(z) AS CASE WHEN "
      "regexp_full_match(z, '[+-][0-9]{2}:[0-9]{2}') THEN (CASE WHEN starts_with(z, '-') THEN "
      "-1 ELSE 1 END) * (CAST(substr(z, 2, 2) AS INTEGER) * 60 + CAST(substr(z, 5, 2) AS "
      "INTEGER)) END;"
      "CREATE OR REPLACE TEMP MACRO trino_zone_name(z) AS CASE WHEN upper(z) IN ('Z', 'UTC', "
      "'UT', 'GMT', '+00:00', '-00:00', 'ETC/UTC', 'ETC/GMT', 'ZULU') THEN 'UTC' ELSE z END;"
      "CREATE OR REPLACE TEMP MACRO trino_zoned(i, z) AS {'trino_instant': CAST(i AS "
      "TIMESTAMPTZ), 'trino_zone': trino_zone_name(z)};"
      // The wall time of an instant in a zone, and the instant of a wall
      // time: timezone() knows regions, not offsets (those add minutes).
      "CREATE OR REPLACE TEMP MACRO trino_wall(i, z) AS CASE WHEN trino_zone_offset(z) IS NOT "
      "NULL THEN CAST(i AS TIMESTAMP) + to_minutes(trino_zone_offset(z)) ELSE timezone(CASE "
      "WHEN trino_zone_offset(z) IS NULL THEN z ELSE 'UTC' END, i) END;"
      "CREATE OR REPLACE TEMP MACRO trino_instant_of(w, z) AS CASE WHEN trino_zone_offset(z) IS "
      "NOT NULL THEN CAST(w - to_minutes(trino_zone_offset(z)) AS TIMESTAMPTZ) ELSE "
      "timezone(CASE WHEN trino_zone_offset(z) IS NULL THEN z ELSE 'UTC' END, w) END;"
      // A subquery's zoned column where the translation marks it (trino_scopes).
      "CREATE OR REPLACE TEMP MACRO trino_zoned_ref(x) AS x;"
      // from_iso8601_timestamp's zone: the text's offset, else the session's.
      "CREATE OR REPLACE TEMP MACRO trino_iso8601_zone(s) AS CASE WHEN regexp_matches(s, "
      "'[T ][0-9:.,]+[+-][0-9]{2}(:?[0-9]{2})?$') THEN regexp_extract(s, "
      "'([+-][0-9]{2}):?([0-9]{2})?$', 1) || ':' || coalesce(nullif(regexp_extract(s, "
      "'([+-][0-9]{2}):?([0-9]{2})?$', 2), ''), '00') ELSE 'UTC' END;"
      "CREATE OR REPLACE TEMP MACRO trino_zoned_instant(x) AS x.trino_instant;"
      "CREATE OR REPLACE TEMP MACRO trino_zoned_wall(x) AS trino_wall(x.trino_instant, "
      "x.trino_zone);"
      "CREATE OR REPLACE TEMP MACRO trino_with_timezone(w, z) AS "
      "trino_zoned(trino_instant_of(CAST(w AS TIMESTAMP), trino_zone_name(z)), z);"
      "CREATE OR REPLACE TEMP MACRO trino_zoned_minutes(x) AS date_diff('minute', "
      "CAST(x.trino_instant AS TIMESTAMP), trino_zoned_wall(x));"
      // Units of an hour or less move the instant; longer ones the wall time.
      "CREATE OR REPLACE TEMP MACRO trino_zoned_add(unit, n, x) AS trino_zoned(CASE WHEN "
      "lower(unit) IN ('millisecond', 'second', 'minute', 'hour') THEN x.trino_instant + "
      "trino_interval(unit, n) ELSE trino_instant_of(trino_zoned_wall(x) + trino_interval(unit, "
      "n), x.trino_zone) END, x.trino_zone);"
      "CREATE OR REPLACE TEMP MACRO trino_zoned_trunc(unit, x) AS "
      "trino_zoned(trino_instant_of(CAST(date_trunc(unit, trino_zoned_wall(x)) AS TIMESTAMP), "
      "x.trino_zone), x.trino_zone);"
      // Counted between wall times in the first value's zone, as Trino does.
      "CREATE OR REPLACE TEMP MACRO trino_zoned_diff(unit, a, b) AS date_sub(unit, "
      "trino_zoned_wall(a), trino_wall(b.trino_instant, a.trino_zone));"
      "CREATE OR REPLACE TEMP MACRO trino_zoned_plus(x, i) AS trino_zoned(x.trino_instant + i, "
      "x.trino_zone);"
      "CREATE OR REPLACE TEMP MACRO trino_zoned_iso8601(x) AS strftime(trino_zoned_wall(x), "
      "'%Y-%m-%dT%H:%M:%S.%g') || CASE WHEN trino_zoned_minutes(x) = 0 THEN 'Z' ELSE (CASE WHEN "
      "trino_zoned_minutes(x) < 0 THEN '-' ELSE '+' END) || "
      "lpad(CAST(abs(trino_zoned_minutes(x)) // 60 AS VARCHAR), 2, '0') || ':' || "
      "lpad(CAST(abs(trino_zoned_minutes(x)) % 60 AS VARCHAR), 2, '0') END;"
      // As Trino prints one: the wall time with milliseconds, then the zone.
      "CREATE OR REPLACE TEMP MACRO trino_render_zoned(x) AS strftime(trino_zoned_wall(x), "
      "'%Y-%m-%d %H:%M:%S.%g') || ' ' || x.trino_zone;";
}

}  // namespace sluice::lake
