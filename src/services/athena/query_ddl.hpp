// Hive DDL and the SHOW statements, run against the Glue catalog through its
// operations: CREATE / DROP DATABASE (SCHEMA), CREATE EXTERNAL TABLE, DROP
// TABLE, MSCK REPAIR TABLE, SHOW DATABASES / TABLES / PARTITIONS / COLUMNS.
// Their result is text (`<id>.txt`), one row a line.
#pragma once

#include "services/athena/query_run.hpp"

namespace sluice::services::athena {

// nullopt when the statement is none of these.
std::optional<QueryOutcome> runCatalogStatement(const OperationRegistry& registry,
                                                lake::LakeEngine& lake, const QueryJob& job);

}  // namespace sluice::services::athena
