// DESCRIBE, SHOW CREATE TABLE / VIEW, SHOW TBLPROPERTIES and ALTER TABLE
// over the Glue catalog (query_table_ddl.cpp). Their result is text.
#pragma once

#include "services/athena/query_run.hpp"

namespace sluice::services::athena {

// nullopt when the statement is none of these.
std::optional<QueryOutcome> runTableStatement(const OperationRegistry& registry,
                                              const QueryJob& job);

}  // namespace sluice::services::athena
