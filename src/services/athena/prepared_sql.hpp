// The SQL side of prepared statements and parameters: PREPARE name FROM
// <statement>, EXECUTE name [USING v, ...], DEALLOCATE PREPARE name (which
// call the prepared-statement operations of the query's workgroup), and
// the binding of `?` placeholders to ExecutionParameters or USING values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/athena/query_run.hpp"

namespace sluice::services::athena {

// `sql` with its `?` placeholders (outside strings, quoted names and
// comments) replaced by `values` in order; a failure when the counts differ.
std::variant<std::string, QueryOutcome> bindParameters(std::string_view sql,
                                                       const std::vector<std::string>& values);

// Runs PREPARE, EXECUTE or DEALLOCATE PREPARE; nullopt for other statements.
std::optional<QueryOutcome> runPreparedStatementSql(const OperationRegistry& registry,
                                                    lake::LakeEngine& lake, const QueryJob& job,
                                                    lake::LakeCancel& cancel);

}  // namespace sluice::services::athena
