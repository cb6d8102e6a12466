// Data Quality rule recommendations: a DQDL ruleset from a profile of the
// data, as StartDataQualityRuleRecommendationRun gives one. Glue's
// recommender (Deequ's constraint suggestion) is not public in detail; this
// one suggests the same kinds of rule from the same kind of profile, each
// with a margin so the data profiled passes it:
//
//   RowCount between n/2 and 2n
//   IsComplete "c"                 no NULLs (else Completeness "c" >= share,
//                                  rounded down to hundredths)
//   Uniqueness "c" > 0.95          every value present and different
//   ColumnValues "c" in [...]      a text column of at most 10 values that repeat
//   ColumnLength "c" between a b   other text columns: lengths, one either side
//   ColumnValues "c" between a b   numbers: their range, one either side
//   StandardDeviation "c" between  fractional numbers: the deviation, 5% either side
#pragma once

#include <string>

#include "core/error.hpp"
#include "lake/duckdb.hpp"

namespace sluice::lake {

// The recommended ruleset (`Rules = [ ... ]`, one rule a line) for the rows
// of `relation` (a table or view name, or a parenthesised query).
Result<std::string> recommendDqdl(DuckConnection& con, const std::string& relation);

}  // namespace sluice::lake
