// What the DDL statements share: their results (text, one row a line),
// the Glue calls they make through the registry, and the readers of Hive
// DDL's column lists and properties.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/athena/query_run.hpp"
#include "services/athena/statement_tokens.hpp"

namespace sluice::services::athena {

// A failed DDL statement, as Athena reports Hive's failures ("FAILED: ...").
QueryOutcome ddlFailure(std::string reason);
// A text result of one column, one row a line.
QueryOutcome textResult(const std::string& column, std::vector<std::string> lines);
// A statement that answers nothing (an empty `<id>.txt`).
QueryOutcome noResult();
// A Glue operation called for the query's account and region.
Result<Json> glue(const OperationRegistry& registry, const QueryJob& job, std::string_view op,
                  Json in);
// Every page of a Glue listing: the `member` arrays of all pages.
Result<JsonArray> all(const OperationRegistry& registry, const QueryJob& job, std::string_view op,
                      JsonObject in, const char* member);
// A column type: tokens up to "," or ")" at depth 0, joined ("array<struct<a:int>>").
std::string readType(Tokens& t);
// ( name type [COMMENT 'c'], ... ) as Glue columns.
std::optional<JsonArray> readColumns(Tokens& t);
// ('k' = 'v', ...)
std::optional<JsonObject> readProperties(Tokens& t);

}  // namespace sluice::services::athena
