// What differs between Trino's functions (Athena's SQL) and DuckDB's, as
// data: for each Trino function the DuckDB expression that computes the
// same thing (a template over the call's arguments), the macros those
// templates call, and the date-format translations (MySQL and Joda
// patterns to strftime's).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "lake/duckdb.hpp"

namespace sluice::lake {

// How one Trino call becomes DuckDB: `expression` is DuckDB SQL where
// `$1`..`$9` stand for the call's arguments (and `$*` for all of them,
// comma-separated); `rename` keeps the call (its DISTINCT, FILTER and ORDER
// BY) under another name; `distinct` makes it an aggregate over distinct
// values. `constantFormat` marks date-format functions whose pattern
// (argument 2) must be a literal and is translated first.
struct TrinoRewrite {
  std::string expression = {};
  std::string rename = {};
  bool distinct = false;
  enum class Format { kNone, kMySql, kJoda } constantFormat = Format::kNone;
};

// The rewrite of `name` (lower-case) called with `arity` arguments: nullopt
// when DuckDB's function of that name is Trino's; an AwsError NOT_SUPPORTED
// when Sluice does not translate it (never a silently different answer).
std::optional<Result<TrinoRewrite>> trinoRewrite(std::string_view name, size_t arity);

// Starts the session every lake connection runs in: Trino's arithmetic
// (integer division, IEEE doubles), UTC, then the trino_* macros the
// rewrites call (trinoSessionSql).
Result<void> startTrinoSession(DuckConnection& con);
std::string trinoSessionSql();

// Whether a macro of trinoSessionSql() has typed overloads (DuckDB chooses
// among them by its arguments' types).
bool trinoTypedMacro(std::string_view name);

// strftime / strptime patterns for a MySQL-style date_format pattern and a
// Joda pattern (format_datetime); an error names what cannot be translated.
Result<std::string> strftimeOfMySql(std::string_view pattern);
Result<std::string> strftimeOfJoda(std::string_view pattern);

// Error codes the translation reports: Trino's error names.
inline constexpr const char* kNotSupported = "NOT_SUPPORTED";
inline constexpr const char* kSyntaxError = "SYNTAX_ERROR";
inline constexpr const char* kInvalidFunctionArgument = "INVALID_FUNCTION_ARGUMENT";
// What DuckDB's failure message holds when a translated division fails.
inline constexpr const char* kDivisionByZero = "Division by zero";

}  // namespace sluice::lake
