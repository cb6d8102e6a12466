// RAII wrapper over the SQLite C API: a connection (Database), cached prepared
// statements (Statement), and transactions/savepoints that roll back unless
// committed. Every failure is an AwsError value ({"InternalFailure",
// "sqlite: <message>", 500}); nothing here throws.
//
// Threading: a Database is used by one thread at a time (it is opened with
// SQLITE_OPEN_NOMUTEX). Concurrency comes from several connections: one writer
// (see WriteQueue) and any number of readers (see ReadPool), which WAL lets run
// side by side.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/error.hpp"

namespace sluice::store::sqlite {

// How far a commit goes before it returns. Both are WAL mode.
//
//  - Normal (the default): the WAL is written (write(2), into the OS page
//    cache) at every commit and fsynced at checkpoints. A committed, so
//    acknowledged, transaction survives kill -9 of the process: the kernel
//    holds the pages and writes them out whether or not the process lives.
//    Only an OS crash or power loss can drop the last commits (never corrupt
//    the database). That meets the requirement "acknowledged writes survive
//    kill -9", at a commit cost of microseconds instead of an fsync
//    (bench/store_bench.cpp: ~4 ms per fsync on a VM disk, which would put a
//    floor of ~4 ms under every step of a single workflow).
//  - Full: the WAL is also fsynced at every commit, so a commit survives an
//    OS crash and power loss too. For deployments that need that; the
//    group-commit writer then pays one fsync per batch, not per write.
//  - Off: nothing is fsynced. Only for building a new database under a
//    temporary name, which is fsynced once before it is renamed into place
//    (SqliteStore::open).
enum class Sync { Full, Normal, Off };

struct OpenOptions {
  Sync sync = Sync::Normal;
  // How long a statement waits for another connection's lock before failing
  // with SQLITE_BUSY (only other processes or a checkpoint contend: in-process
  // writes are serialised by the WriteQueue).
  std::chrono::milliseconds busyTimeout{5000};
  // The connection refuses writes (PRAGMA query_only); used by read pools.
  bool readOnly = false;
  // Create the file when it does not exist.
  bool create = true;
};

// Bytes for a BLOB parameter or column.
using Bytes = std::span<const std::byte>;

class Statement;

class Database {
 public:
  // Opens (or creates) the database at `path` in WAL mode with foreign keys
  // on. ":memory:" opens a private in-memory database (no WAL), for tests.
  static Result<Database> open(const std::filesystem::path& path, const OpenOptions& options = {});

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more `;`-separated statements that return no rows of
  // interest (DDL, migrations, pragmas). Not cached.
  Result<void> exec(std::string_view sql);

  // A prepared statement for `sql`, taken from this connection's cache
  // (keyed by the SQL text) or prepared now. The same SQL may be prepared
  // again while a first Statement for it is still alive: each gets its own
  // handle. The Statement must not outlive this Database.
  Result<Statement> prepare(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const;
  int64_t lastInsertRowid() const;
  // True while a transaction (BEGIN or SAVEPOINT) is open on this connection.
  bool inTransaction() const;
  // The extended result code of the last failed call made through this
  // wrapper (e.g. SQLITE_CONSTRAINT_UNIQUE), for callers that map a specific
  // failure to a service error such as ResourceAlreadyExists.
  int lastErrorCode() const;
  static bool isConstraintViolation(int code) { return (code & 0xff) == SQLITE_CONSTRAINT; }

  const std::filesystem::path& path() const;
  sqlite3* handle() const;

 private:
  friend class Statement;
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A prepared statement on loan from its Database's cache. Binding errors are
// remembered and reported by the next step()/run(), so binds chain:
//
//   auto st = db.prepare("INSERT INTO t(k, v) VALUES (?, ?)");
//   if (!st) return st.takeError();
//   if (auto r = st->bind(1, key).bind(2, value).run(); !r) return r;
//
// Parameters are numbered from 1, as in SQLite; names include their prefix
// (":name"). On destruction the statement is reset, its bindings cleared and
// it goes back to the cache.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding by index. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& bindInt(int index, int64_t value);
  Statement& bindDouble(int index, double value);
  Statement& bindText(int index, std::string_view value);
  Statement& bindBlob(int index, Bytes value);
  Statement& bindNull(int index);
  // Binding by name (":name", "@name" or "$name").
  Statement& bindInt(std::string_view name, int64_t value);
  Statement& bindDouble(std::string_view name, double value);
  Statement& bindText(std::string_view name, std::string_view value);
  Statement& bindBlob(std::string_view name, Bytes value);
  Statement& bindNull(std::string_view name);

  // Generic binding by index or name: integers and bool as INTEGER,
  // floating point as REAL, strings as TEXT, Bytes as BLOB, nullptr and an
  // empty optional as NULL.
  template <typename Key, typename T>
  Statement& bind(Key key, const T& value);
  // Binds `values` to parameters 1..N.
  template <typename... T>
  Statement& bindAll(const T&... values) {
    int index = 0;
    (bind(++index, values), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done.
  Result<bool> step();
  // Steps until done (rows, if any, are ignored).
  Result<void> run();
  // Resets to before the first step and clears bindings, to run again.
  void reset();

  int columnCount() const;
  bool columnIsNull(int column) const;
  int64_t columnInt(int column) const;
  double columnDouble(int column) const;
  // Valid until the next step()/reset() or destruction.
  std::string_view columnText(int column) const;
  Bytes columnBlob(int column) const;
  std::optional<int64_t> columnOptionalInt(int column) const;
  std::optional<std::string> columnOptionalText(int column) const;

  sqlite3_stmt* handle() const { return stmt_; }
  std::string_view sql() const { return sql_; }

 private:
  friend class Database;
  Statement(Database::Impl* owner, sqlite3_stmt* stmt, std::string sql)
      : owner_(owner), stmt_(stmt), sql_(std::move(sql)) {}
  void release();
  void noteBind(int rc, int index);
  int indexOf(std::string_view name);

  Database::Impl* owner_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  std::optional<AwsError> bindError_;
};

template <typename Key, typename T>
Statement& Statement::bind(Key key, const T& value) {
  using V = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<V, std::nullptr_t>) {
    return bindNull(key);
  } else if constexpr (std::is_same_v<V, bool> || std::is_integral_v<V>) {
    return bindInt(key, static_cast<int64_t>(value));
  } else if constexpr (std::is_floating_point_v<V>) {
    return bindDouble(key, static_cast<double>(value));
  } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    return bindText(key, std::string_view(value));
  } else if constexpr (std::is_convertible_v<const V&, Bytes>) {
    return bindBlob(key, Bytes(value));
  } else {
    // std::optional<X>: NULL when empty.
    if (!value.has_value()) return bindNull(key);
    return bind(key, *value);
  }
}

// BEGIN ... COMMIT on one connection; rolls back on destruction unless
// committed. Transactions do not nest: use a Savepoint inside one.
class Transaction {
 public:
  // Immediate takes the write lock at BEGIN, so a write transaction never
  // fails half-way with SQLITE_BUSY on lock upgrade; Deferred is for
  // read-only snapshots (several statements seeing one consistent state).
  enum class Mode { Deferred, Immediate };

  static Result<Transaction> begin(Database& db, Mode mode = Mode::Immediate);

  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // After a failed commit the transaction is still open and is rolled back
  // on destruction.
  Result<void> commit();
  Result<void> rollback();
  bool active() const { return db_ != nullptr; }

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// SAVEPOINT ... RELEASE inside a transaction; on destruction, unless released,
// rolls back to the savepoint (undoing only what was done since) and releases
// it. Used by the WriteQueue so one failing item leaves the rest of its batch.
class Savepoint {
 public:
  static Result<Savepoint> begin(Database& db);

  Savepoint(Savepoint&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  ~Savepoint();

  Result<void> release();
  Result<void> rollback();

 private:
  explicit Savepoint(Database* db) : db_(db) {}
  Database* db_;
};

// {"InternalFailure", "sqlite: <message>", 500}.
AwsError sqliteError(std::string_view message);

// Prepares `sql`, binds `values` to its parameters in order and runs it.
template <typename... T>
Result<void> runStatement(Database& db, std::string_view sql, const T&... values) {
  auto st = db.prepare(sql);
  if (!st) return st.takeError();
  return st->bindAll(values...).run();
}

}  // namespace sluice::store::sqlite
