// Views: CREATE [OR REPLACE] VIEW, DROP VIEW [IF EXISTS], SHOW VIEWS, kept in
// the Glue catalog as Athena keeps them (query_views.cpp).
#pragma once

#include "services/athena/query_run.hpp"

namespace sluice::services::athena {

// nullopt when the statement is none of these.
std::optional<QueryOutcome> runViewStatement(const OperationRegistry& registry,
                                             lake::LakeEngine& lake, const QueryJob& job);

}  // namespace sluice::services::athena
