// DuckDB as the lake uses it: a database, connections and materialised
// query results, each owning its C handle (RAII), with failures as values.
//
//   auto db = DuckDatabase::open({.memoryLimit = "1GB", .tempDirectory = dir});
//   auto con = db->connect();
//   auto rows = con->query("SELECT 42 AS answer");
//   rows->value(0, 0) == "42"
//
// A connection runs one query at a time; interrupt() may be called from any
// other thread to cancel the one running (it then fails with "INTERRUPT
// Error"). Blocking calls: run them on the worker pool, never the event loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "lake/duckdb_library.hpp"

namespace sluice::lake {

struct DuckDbOptions {
  std::string path;           // empty: an in-memory database
  std::string memoryLimit;    // e.g. "2GB"; empty: DuckDB's default (80% of RAM)
  int threads = 0;            // 0: DuckDB's default (the cores)
  std::string tempDirectory;  // where queries spill; empty: DuckDB's default
  std::string homeDirectory;  // DuckDB needs one; empty: the temp directory or /tmp
};

// A query's result, materialised: column names and DuckDB type ids, and the
// values as DuckDB renders them as text (nullopt for NULL).
class QueryResult {
 public:
  size_t columnCount() const { return names_.size(); }
  size_t rowCount() const { return rows_.size(); }
  const std::string& columnName(size_t col) const { return names_[col]; }
  duckdb_type columnType(size_t col) const { return types_[col]; }
  const std::optional<std::string>& value(size_t row, size_t col) const { return rows_[row][col]; }

 private:
  friend class DuckConnection;
  std::vector<std::string> names_;
  std::vector<duckdb_type> types_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
};

class DuckConnection {
 public:
  ~DuckConnection();
  DuckConnection(const DuckConnection&) = delete;
  DuckConnection& operator=(const DuckConnection&) = delete;

  // Runs `sql` (one or more statements; the last one's rows are returned).
  // A failure DuckDB reports is an AwsError with code kDuckDbError and
  // DuckDB's message; callers map it to their service's error.
  Result<QueryResult> query(const std::string& sql);
  // Cancels the running query (thread-safe).
  void interrupt();

 private:
  friend class DuckDatabase;
  DuckConnection(const DuckDbApi& api, duckdb_connection con) : api_(api), con_(con) {}
  const DuckDbApi& api_;
  duckdb_connection con_;
};

class DuckDatabase {
 public:
  static Result<std::unique_ptr<DuckDatabase>> open(const DuckDbOptions& options);
  ~DuckDatabase();
  DuckDatabase(const DuckDatabase&) = delete;
  DuckDatabase& operator=(const DuckDatabase&) = delete;

  Result<std::unique_ptr<DuckConnection>> connect();
  // "v1.4.4" etc.
  std::string version() const;

 private:
  DuckDatabase(const DuckDbApi& api, duckdb_database db, std::string home)
      : api_(api), db_(db), home_(std::move(home)) {}
  const DuckDbApi& api_;
  duckdb_database db_;
  std::string home_;
};

// `text` as a single-quoted SQL string literal.
std::string sqlString(std::string_view text);
// `name` as a double-quoted SQL identifier.
std::string sqlIdent(std::string_view name);

// The error code of failures DuckDB reports (syntax, binder, I/O, ...).
inline constexpr const char* kDuckDbError = "DuckDbError";

}  // namespace sluice::lake
