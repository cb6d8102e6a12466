#include "store/sqlite/database.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace sluice::store::sqlite {

namespace {

// Idle statements kept per connection. Services use a fixed set of SQL texts,
// so this is only a guard against SQL built on the fly filling the cache.
constexpr std::size_t kMaxIdleStatements = 256;

}  // namespace

AwsError sqliteError(std::string_view message) {
  return AwsError::internal("sqlite: " + std::string(message));
}

struct Database::Impl {
  sqlite3* db = nullptr;
  std::filesystem::path path;
  int lastError = SQLITE_OK;
  std::size_t idleCount = 0;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle;

  ~Impl() {
    for (auto& [sql, stmts] : idle) {
      for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
    }
    // close_v2 defers the close if a Statement outlived its Database (a bug),
    // rather than failing with SQLITE_BUSY and leaking the connection.
    if (db) sqlite3_close_v2(db);
  }

  AwsError error(int rc) {
    lastError = db ? sqlite3_extended_errcode(db) : rc;
    if (lastError == SQLITE_OK) lastError = rc;
    return sqliteError(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  }

  Result<void> execAll(std::string_view sql) {
    std::string text(sql);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    lastError = sqlite3_extended_errcode(db);
    std::string msg = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return sqliteError(msg);
  }

  void giveBack(sqlite3_stmt* stmt, std::string sql) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (idleCount >= kMaxIdleStatements) {
      sqlite3_finalize(stmt);
      return;
    }
    idle[std::move(sql)].push_back(stmt);
    ++idleCount;
  }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const std::filesystem::path& path, const OpenOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  const bool memory = path == ":memory:";
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = impl->db ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc);
    return sqliteError("cannot open " + path.string() + ": " + message);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, static_cast<int>(options.busyTimeout.count()));

  // See Sync in the header for why Normal is the default. Set before the
  // journal mode, whose switch on a new file is itself a synced write.
  const char* sync = options.sync == Sync::Full  ? "PRAGMA synchronous=FULL"
                     : options.sync == Sync::Off ? "PRAGMA synchronous=OFF"
                                                 : "PRAGMA synchronous=NORMAL";
  if (auto r = impl->execAll(sync); !r) return r.error();
  if (!memory) {
    // journal_mode answers with the mode in force; anything but "wal" (a
    // file system without shared memory, say) is a start-up error.
    sqlite3_stmt* stmt = nullptr;
    if (const int prc = sqlite3_prepare_v2(impl->db, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
        prc != SQLITE_OK) {
      return impl->error(prc);
    }
    const int step = sqlite3_step(stmt);
    std::string mode;
    if (step == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text) mode = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    if (step != SQLITE_ROW) return impl->error(step);
    if (mode != "wal") {
      return sqliteError("cannot use WAL journal mode for " + path.string() + " (got '" + mode +
                         "')");
    }
  }
  if (auto r = impl->execAll("PRAGMA foreign_keys=ON"); !r) return r.error();
  if (options.readOnly) {
    if (auto r = impl->execAll("PRAGMA query_only=ON"); !r) return r.error();
  }
  return Database(std::move(impl));
}

Result<void> Database::exec(std::string_view sql) {
  return impl_->execAll(sql);
}

Result<Statement> Database::prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = impl_->idle.find(key); it != impl_->idle.end() && !it->second.empty()) {
    sqlite3_stmt* stmt = it->second.back();
    it->second.pop_back();
    --impl_->idleCount;
    return Statement(impl_.get(), stmt, std::move(key));
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(impl_->db, key.data(), static_cast<int>(key.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return impl_->error(rc);
  if (!stmt) return sqliteError("no statement in '" + key + "'");
  // A second statement after the first would be silently ignored: refuse it.
  std::string_view rest(tail, key.data() + key.size() - tail);
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    sqlite3_finalize(stmt);
    return sqliteError("prepare takes one statement; use exec for scripts: '" + key + "'");
  }
  return Statement(impl_.get(), stmt, std::move(key));
}

int64_t Database::changes() const {
  return sqlite3_changes64(impl_->db);
}
int64_t Database::lastInsertRowid() const {
  return sqlite3_last_insert_rowid(impl_->db);
}
bool Database::inTransaction() const {
  return sqlite3_get_autocommit(impl_->db) == 0;
}
int Database::lastErrorCode() const {
  return impl_->lastError;
}
const std::filesystem::path& Database::path() const {
  return impl_->path;
}
sqlite3* Database::handle() const {
  return impl_->db;
}

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bindError_(std::move(other.bindError_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
    bindError_ = std::move(other.bindError_);
  }
  return *this;
}

Statement::~Statement() {
  release();
}

void Statement::release() {
  if (stmt_ && owner_) owner_->giveBack(stmt_, std::move(sql_));
  stmt_ = nullptr;
  owner_ = nullptr;
}

void Statement::noteBind(int rc, int index) {
  if (rc == SQLITE_OK || bindError_) return;
  owner_->lastError = rc;
  bindError_ = sqliteError("cannot bind parameter " + std::to_string(index) + " of '" + sql_ +
                           "': " + sqlite3_errstr(rc));
}

int Statement::indexOf(std::string_view name) {
  const std::string text(name);
  const int index = sqlite3_bind_parameter_index(stmt_, text.c_str());
  if (index == 0 && !bindError_) {
    owner_->lastError = SQLITE_RANGE;
    bindError_ = sqliteError("no parameter named '" + text + "' in '" + sql_ + "'");
  }
  return index;
}

Statement& Statement::bindInt(int index, int64_t value) {
  noteBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}
Statement& Statement::bindDouble(int index, double value) {
  noteBind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}
Statement& Statement::bindText(int index, std::string_view value) {
  noteBind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}
Statement& Statement::bindBlob(int index, Bytes value) {
  // A null data pointer would bind NULL; an empty blob is still a blob.
  static const std::byte kEmpty{};
  const void* data = value.empty() ? &kEmpty : value.data();
  noteBind(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT), index);
  return *this;
}
Statement& Statement::bindNull(int index) {
  noteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bindInt(std::string_view name, int64_t value) {
  if (const int i = indexOf(name)) bindInt(i, value);
  return *this;
}
Statement& Statement::bindDouble(std::string_view name, double value) {
  if (const int i = indexOf(name)) bindDouble(i, value);
  return *this;
}
Statement& Statement::bindText(std::string_view name, std::string_view value) {
  if (const int i = indexOf(name)) bindText(i, value);
  return *this;
}
Statement& Statement::bindBlob(std::string_view name, Bytes value) {
  if (const int i = indexOf(name)) bindBlob(i, value);
  return *this;
}
Statement& Statement::bindNull(std::string_view name) {
  if (const int i = indexOf(name)) bindNull(i);
  return *this;
}

Result<bool> Statement::step() {
  if (bindError_) return *bindError_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  AwsError error = owner_->error(rc);
  // Leave the statement re-runnable (and release any read snapshot).
  sqlite3_reset(stmt_);
  return error;
}

Result<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.takeError();
    if (!*r) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bindError_.reset();
}

int Statement::columnCount() const {
  return sqlite3_column_count(stmt_);
}
bool Statement::columnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
int64_t Statement::columnInt(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Statement::columnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}
std::string_view Statement::columnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}
Bytes Statement::columnBlob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (!data) return {};
  return {static_cast<const std::byte*>(data),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}
std::optional<int64_t> Statement::columnOptionalInt(int column) const {
  if (columnIsNull(column)) return std::nullopt;
  return columnInt(column);
}
std::optional<std::string> Statement::columnOptionalText(int column) const {
  if (columnIsNull(column)) return std::nullopt;
  return std::string(columnText(column));
}

// ---- Transaction and Savepoint ----

namespace {

Result<void> runCached(Database& db, std::string_view sql) {
  auto st = db.prepare(sql);
  if (!st) return st.takeError();
  return st->run();
}

}  // namespace

Result<Transaction> Transaction::begin(Database& db, Mode mode) {
  if (db.inTransaction()) {
    return sqliteError("cannot begin a transaction inside another one; use a Savepoint");
  }
  auto r = runCached(db, mode == Mode::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  if (!r) return r.error();
  return Transaction(&db);
}

Result<void> Transaction::commit() {
  if (!db_) return sqliteError("commit of a finished transaction");
  auto r = runCached(*db_, "COMMIT");
  // A failed COMMIT (SQLITE_BUSY, I/O error) leaves the transaction open or
  // already rolled back; the destructor rolls back what remains.
  if (r) db_ = nullptr;
  return r;
}

Result<void> Transaction::rollback() {
  if (!db_) return sqliteError("rollback of a finished transaction");
  Database* db = std::exchange(db_, nullptr);
  // Some errors (I/O, disk full) roll the transaction back by themselves.
  if (!db->inTransaction()) return {};
  return runCached(*db, "ROLLBACK");
}

Transaction::~Transaction() {
  if (db_) (void)rollback();
}

Result<Savepoint> Savepoint::begin(Database& db) {
  auto r = runCached(db, "SAVEPOINT sluice_item");
  if (!r) return r.error();
  return Savepoint(&db);
}

Result<void> Savepoint::release() {
  if (!db_) return sqliteError("release of a finished savepoint");
  auto r = runCached(*db_, "RELEASE sluice_item");
  if (r) db_ = nullptr;
  return r;
}

Result<void> Savepoint::rollback() {
  if (!db_) return sqliteError("rollback of a finished savepoint");
  Database* db = std::exchange(db_, nullptr);
  if (!db->inTransaction()) return {};
  if (auto r = runCached(*db, "ROLLBACK TO sluice_item"); !r) return r;
  return runCached(*db, "RELEASE sluice_item");
}

Savepoint::~Savepoint() {
  if (db_) (void)rollback();
}

}  // namespace sluice::store::sqlite
