// The statements that write: CREATE TABLE ... AS (CTAS), INSERT INTO and
// UNLOAD.
// The SELECT runs once into a result table; its rows are written per
// partition (at most 100, as Athena allows) as files in a scratch directory,
// uploaded under the table's location, and registered in the Glue catalog
// (the table, its partitions). A failure part-way deletes what was uploaded
// and registers nothing.
#pragma once

#include "services/athena/query_run.hpp"

namespace sluice::services::athena {

QueryOutcome runCreateTableAs(const OperationRegistry& registry, lake::LakeEngine& lake,
                              const QueryJob& job, lake::LakeCancel& cancel);
// UNLOAD (SELECT ...) TO 's3://...' WITH (format = ..., compression = ...,
// field_delimiter = ..., partitioned_by = ARRAY[...]): files only, into an
// empty location, and a manifest of them beside the results.
QueryOutcome runUnload(const OperationRegistry& registry, lake::LakeEngine& lake,
                       const QueryJob& job, lake::LakeCancel& cancel);
QueryOutcome runInsertInto(const OperationRegistry& registry, lake::LakeEngine& lake,
                           const QueryJob& job, lake::LakeCancel& cancel);

}  // namespace sluice::services::athena
