// One Athena query, run on a worker thread: the statement's tables resolved
// through the Glue catalog (GetTable), a snapshot of their current objects,
// a private DuckDB catalog of views over them (each view reads the table's
// files as its SerDe says and derives the partition columns from the
// folders), the query run there, and the result file written to S3 at the
// output location. SELECT (and WITH / VALUES) statements so far.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "lake/lake_engine.hpp"
#include "services/operation.hpp"

namespace sluice::services::athena {

struct QueryJob {
  Scope scope;
  std::string id;
  std::string sql;
  std::string database;        // QueryExecutionContext.Database ("default")
  std::string outputLocation;  // s3://bucket/prefix/ (ends in "/")
  std::string workgroup = "primary";
  std::vector<std::string> parameters = {};         // ExecutionParameters, for the `?`s in order
  std::optional<uint64_t> bytesScannedCutoff = {};  // the workgroup's BytesScannedCutoffPerQuery
  TimePoint now = {};  // the server's clock when the query runs (partition projection's NOW)
};

struct QueryOutcome {
  std::string state = "SUCCEEDED";  // SUCCEEDED, FAILED or CANCELLED
  std::string reason;               // StateChangeReason
  int errorCategory = 0;            // AthenaError when FAILED
  int errorType = 0;
  JsonArray columns;  // ResultSetMetadata.ColumnInfo
  uint64_t rows = 0;
  uint64_t scannedBytes = 0;
  int64_t planningMs = 0, engineMs = 0;
  std::string resultFile;               // s3://.../<id>.csv
  std::optional<uint64_t> updateCount;  // rows written (CTAS, INSERT INTO, UNLOAD)
  std::string manifest;                 // DataManifestLocation (UNLOAD)
  // DDL and SHOW: the lines of the `<id>.txt` result (columns tab-joined).
  std::optional<std::vector<std::string>> textLines;
};

// A SELECT made ready to run: a connection with the query's private catalog
// of views over a snapshot of its tables current, and the statement as it
// runs there. Going, it detaches the catalog and hands the connection back.
struct PreparedQuery {
  std::optional<lake::ObjectSnapshot> snapshot;
  std::optional<lake::LakeEngine::Lease> con;
  std::string catalog;
  std::string sql;
  uint64_t scannedBytes = 0;
  PreparedQuery() = default;
  PreparedQuery(const PreparedQuery&) = delete;
  PreparedQuery& operator=(const PreparedQuery&) = delete;
  ~PreparedQuery();
};

// Resolves `selectSql`'s tables for `job` and prepares it; null with
// `failure` set when it cannot run.
std::unique_ptr<PreparedQuery> prepareSelect(const OperationRegistry& registry,
                                             lake::LakeEngine& lake, const QueryJob& job,
                                             const std::string& selectSql, QueryOutcome& failure);

// The outcome of a query StopQueryExecution ended.
QueryOutcome cancelledOutcome();
// A FAILED outcome (ErrorCategory 2, USER) of Athena's error `type`.
QueryOutcome queryFailure(int type, std::string reason);
// The FAILED outcome of a DuckDB failure, named as Athena names it.
QueryOutcome duckFailure(std::string_view sql, const std::string& message);
// The FAILED outcome of a translation or DuckDB failure (lake::TrinoTranslator's
// error codes are Trino's error names).
QueryOutcome translationFailure(std::string_view sql, const AwsError& e);
// `name` as a quoted SQL identifier.
std::string sqlIdent(std::string_view name);

// The statement's kind as Athena reports it: {StatementType, SubstatementType}.
std::pair<std::string, std::string> statementType(std::string_view sql);

QueryOutcome runQuery(const OperationRegistry& registry, lake::LakeEngine& lake,
                      const QueryJob& job, lake::LakeCancel& cancel);

}  // namespace sluice::services::athena
