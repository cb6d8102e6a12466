// Trino's `timestamp with time zone` on DuckDB. A Trino value keeps its zone
// (`2024-03-05 09:07:09.000 America/New_York`, `... +02:00`); DuckDB's
// TIMESTAMPTZ is an instant shown in the session's zone (UTC here). A value
// given a zone by at_timezone, AT TIME ZONE, with_timezone,
// from_unixtime(t, zone) or from_iso8601_timestamp (the text's offset) is
// kept as a struct of its instant and zone name; the translation (trino_sql,
// trino_scopes) sends such a value, wherever it is used in the expression
// that makes it or in a query over the subquery or CTE that selects it, to
// the macros below, which each take only that struct: no overloads for
// DuckDB to choose among. (current_timestamp and the like stay TIMESTAMPTZ:
// UTC is the session's zone.)
//
// Zones are region ids (ICU's, as DuckDB's timezone() knows them) or
// offsets `+HH:MM`; `Z`, `UTC`, `+00:00` and the like are `UTC`.
#pragma once

#include <string>
#include <string_view>

#include "core/json.hpp"

namespace sluice::lake {

// The DuckDB type of a zoned timestamp, as DESCRIBE prints it.
inline constexpr std::string_view kTrinoZonedType =
    "STRUCT(trino_instant TIMESTAMP WITH TIME ZONE, trino_zone VARCHAR)";

// The macros (CREATE OR REPLACE TEMP MACRO ...;) for zoned timestamps:
//   trino_zoned(instant, zone)         a zoned value
//   trino_zoned_ref(x)                 x (marks a zoned column)
//   trino_iso8601_zone(text)           an ISO 8601 text's offset, or UTC
//   trino_zoned_wall(x)                its wall time (TIMESTAMP)
//   trino_zoned_instant(x)             its instant (TIMESTAMPTZ)
//   trino_zoned_minutes(x)             its zone's offset from UTC, minutes
//   trino_with_timezone(timestamp, z)  a wall time read in zone z
//   trino_zoned_trunc(unit, x), trino_zoned_add(unit, n, x),
//   trino_zoned_diff(unit, a, b), trino_zoned_plus(x, interval),
//   trino_zoned_iso8601(x), trino_render_zoned(x)   as Trino's functions
std::string trinoZoneSql();

// Whether an expression (already translated) is a zoned timestamp: made by
// a zoned macro (or marked as a zoned column by trino_zoned_ref), or passed
// through by an aggregate, CASE or COALESCE that keeps its argument's type.
bool trinoZonedValue(const Json& node);

}  // namespace sluice::lake
