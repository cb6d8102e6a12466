// Query results as Athena gives them: column metadata with Athena's type
// names, values formatted as Athena (Trino) prints them, and the result file
// `<OutputLocation>/<QueryExecutionId>.csv` in Athena's CSV dialect (every
// value double-quoted, quotes doubled, NULL an empty unquoted field, a header
// row of the column names first).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace sluice::services::athena {

// Athena's type name for a DuckDB type as DESCRIBE prints it: VARCHAR ->
// varchar, INTEGER -> integer, DOUBLE -> double, FLOAT -> float, DECIMAL(p,s)
// -> decimal, INTEGER[] -> array, STRUCT(...) -> row, MAP(...) -> map, ...
std::string athenaType(std::string_view duckType);
// ResultSetMetadata.ColumnInfo of one column.
Json columnInfo(const std::string& name, std::string_view duckType);
// The projection that fetches `column` (e.g. "#1") of a DuckDB type as the
// text athenaValue reads: composite values as JSON, bytes as hex.
std::string athenaFetch(std::string_view duckType, const std::string& column);
// A value as Athena prints it, from DuckDB's text of it (athenaFetch's):
// timestamps with milliseconds, doubles as Java prints them (1.0E10, 2.5),
// arrays [1, 2], maps {k=v}, rows {field=v}, bytes "61 62", ...
std::string athenaValue(std::string_view duckType, const std::string& text);

using Row = std::vector<std::optional<std::string>>;
// One CSV line (with its "\n").
std::string csvLine(const Row& row);
// The rows of an Athena CSV file.
std::vector<Row> parseCsv(std::string_view text);

}  // namespace sluice::services::athena
