// The SQLite wrapper: connection settings, statements, transactions,
// savepoints, read pools, and every failure arriving as an error value.
#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/database.hpp"
#include "store/sqlite/read_pool.hpp"
#include "store_test_support.hpp"

namespace sluice::store::sqlite {
namespace {

using store::testing::TempDir;

Database openOrDie(const std::filesystem::path& path, OpenOptions options = {}) {
  auto db = Database::open(path, options);
  if (!db) ADD_FAILURE() << db.error().message;
  return std::move(db).value();
}

std::string pragma(Database& db, const std::string& name) {
  auto st = db.prepare("PRAGMA " + name);
  EXPECT_TRUE(st.ok());
  auto row = st->step();
  EXPECT_TRUE(row.ok() && *row);
  return std::string(st->columnText(0));
}

int64_t count(Database& db, const std::string& table) {
  auto st = db.prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(st.ok()) << st.error().message;
  auto row = st->step();
  EXPECT_TRUE(row.ok() && *row);
  return st->columnInt(0);
}

TEST(SqliteDatabase, OpensInWalWithForeignKeysAndChosenSync) {
  TempDir dir;
  Database db = openOrDie(dir / "a.db");
  EXPECT_EQ(pragma(db, "journal_mode"), "wal");
  EXPECT_EQ(pragma(db, "foreign_keys"), "1");
  EXPECT_EQ(pragma(db, "synchronous"), "1");  // NORMAL: survives kill -9
  EXPECT_EQ(pragma(db, "busy_timeout"), "5000");

  Database full = openOrDie(dir / "b.db", {.sync = Sync::Full});
  EXPECT_EQ(pragma(full, "synchronous"), "2");  // FULL: survives power loss too
}

TEST(SqliteDatabase, OpenFailureIsAnErrorValue) {
  TempDir dir;
  auto db = Database::open(dir / "missing-dir" / "x.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "InternalFailure");
  EXPECT_EQ(db.error().httpStatus, 500);
  EXPECT_TRUE(db.error().message.starts_with("sqlite: cannot open")) << db.error().message;

  auto noCreate = Database::open(dir / "absent.db", {.create = false});
  EXPECT_FALSE(noCreate.ok());
}

TEST(SqliteDatabase, RoundTripsEveryType) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)").ok());
  const std::vector<std::byte> blob = {std::byte{0}, std::byte{1}, std::byte{255}};
  {
    auto st = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
    ASSERT_TRUE(st.ok());
    std::string text("with\0nul", 8);
    auto r = st->bindAll(int64_t{1} << 40, 2.5, text, Bytes(blob), nullptr).run();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(db.changes(), 1);
    EXPECT_EQ(db.lastInsertRowid(), 1);
  }
  auto st = db.prepare("SELECT i, d, s, b, n FROM t");
  ASSERT_TRUE(st.ok());
  auto row = st->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(st->columnCount(), 5);
  EXPECT_EQ(st->columnInt(0), int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(st->columnDouble(1), 2.5);
  EXPECT_EQ(st->columnText(2), std::string_view("with\0nul", 8));
  auto b = st->columnBlob(3);
  EXPECT_EQ(std::vector<std::byte>(b.begin(), b.end()), blob);
  EXPECT_TRUE(st->columnIsNull(4));
  EXPECT_EQ(st->columnOptionalText(4), std::nullopt);
  EXPECT_EQ(st->columnOptionalInt(0), int64_t{1} << 40);
  auto end = st->step();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(SqliteDatabase, BindsByNameAndOptional) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  ASSERT_TRUE(db.exec("CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)").ok());
  auto ins = db.prepare("INSERT INTO kv(k, v) VALUES (:key, :value)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->bind(":key", "a").bind(":value", 7).run().ok());
  ins->reset();
  ASSERT_TRUE(ins->bind(":key", std::string("b")).bind(":value", std::optional<int>{}).run().ok());

  auto sel = db.prepare("SELECT v FROM kv WHERE k = @k");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(*sel->bindText("@k", "a").step());
  EXPECT_EQ(sel->columnInt(0), 7);
  sel->reset();
  ASSERT_TRUE(*sel->bindText("@k", "b").step());
  EXPECT_TRUE(sel->columnIsNull(0));
}

TEST(SqliteDatabase, BadSqlIsAnErrorValue) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  auto st = db.prepare("SELEKT 1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "InternalFailure");
  EXPECT_EQ(st.error().httpStatus, 500);
  EXPECT_NE(st.error().message.find("sqlite: near \"SELEKT\": syntax error"), std::string::npos)
      << st.error().message;
  EXPECT_EQ(db.lastErrorCode(), SQLITE_ERROR);

  auto missing = db.prepare("SELECT * FROM nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no such table: nowhere"), std::string::npos);

  auto exec = db.exec("CREATE TABLE ok(x); CREATE TABLE ok(x)");
  ASSERT_FALSE(exec.ok());
  EXPECT_NE(exec.error().message.find("already exists"), std::string::npos);

  // prepare() takes exactly one statement: a second would be ignored silently.
  auto two = db.prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("one statement"), std::string::npos);
}

TEST(SqliteDatabase, BindErrorsSurfaceAtStep) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  auto st = db.prepare("SELECT ?");
  ASSERT_TRUE(st.ok());
  auto r = st->bindInt(5, 1).step();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("parameter 5"), std::string::npos) << r.error().message;
  st->reset();
  auto named = st->bindText(":nope", "x").step();
  ASSERT_FALSE(named.ok());
  EXPECT_NE(named.error().message.find(":nope"), std::string::npos);
  st->reset();
  auto fine = st->bindInt(1, 3).step();
  ASSERT_TRUE(fine.ok() && *fine);
  EXPECT_EQ(st->columnInt(0), 3);
}

TEST(SqliteDatabase, ConstraintViolationIsAnErrorValue) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  ASSERT_TRUE(db.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY);"
                      "CREATE TABLE child(pid INTEGER NOT NULL REFERENCES parent(id));"
                      "CREATE TABLE u(k TEXT UNIQUE)")
                  .ok());
  auto ins = db.prepare("INSERT INTO u(k) VALUES (?)");
  ASSERT_TRUE(ins->bindAll("x").run().ok());
  ins->reset();
  auto dup = ins->bindAll("x").run();
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "InternalFailure");
  EXPECT_NE(dup.error().message.find("UNIQUE constraint failed: u.k"), std::string::npos);
  EXPECT_EQ(db.lastErrorCode(), SQLITE_CONSTRAINT_UNIQUE);
  EXPECT_TRUE(Database::isConstraintViolation(db.lastErrorCode()));

  // Foreign keys are enforced.
  auto orphan = db.exec("INSERT INTO child(pid) VALUES (42)");
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message.find("FOREIGN KEY"), std::string::npos);
  EXPECT_EQ(db.lastErrorCode(), SQLITE_CONSTRAINT_FOREIGNKEY);
  EXPECT_EQ(count(db, "u"), 1);
  EXPECT_EQ(count(db, "child"), 0);
}

TEST(SqliteDatabase, StatementsAreCachedAndMayBeUsedNested) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)").ok());
  sqlite3_stmt* first = nullptr;
  {
    auto st = db.prepare("SELECT x FROM t ORDER BY x");
    first = st->handle();
    // Left mid-iteration: the scope exit resets it.
    ASSERT_TRUE(*st->step());
  }
  auto outer = db.prepare("SELECT x FROM t ORDER BY x");
  EXPECT_EQ(outer->handle(), first);  // reused from the cache
  ASSERT_TRUE(*outer->step());
  EXPECT_EQ(outer->columnInt(0), 1);  // reset: starts from the first row again
  {
    // The same SQL while the first is in use: a separate handle.
    auto inner = db.prepare("SELECT x FROM t ORDER BY x");
    EXPECT_NE(inner->handle(), first);
    ASSERT_TRUE(*inner->step());
    EXPECT_EQ(inner->columnInt(0), 1);
  }
  ASSERT_TRUE(*outer->step());
  EXPECT_EQ(outer->columnInt(0), 2);
}

TEST(SqliteDatabase, StatementResetOnScopeExitReleasesTheSnapshot) {
  TempDir dir;
  Database a = openOrDie(dir / "t.db");
  Database b = openOrDie(dir / "t.db");
  ASSERT_TRUE(a.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)").ok());
  {
    auto st = b.prepare("SELECT x FROM t");
    ASSERT_TRUE(*st->step());
  }
  ASSERT_TRUE(a.exec("INSERT INTO t VALUES (3)").ok());
  // A fresh statement on b sees the new row: no snapshot was left behind.
  EXPECT_EQ(count(b, "t"), 3);
}

TEST(SqliteTransaction, RollsBackOnDestructionUnlessCommitted) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t(x)").ok());
  {
    auto txn = Transaction::begin(db);
    ASSERT_TRUE(txn.ok());
    EXPECT_TRUE(db.inTransaction());
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_FALSE(db.inTransaction());
  EXPECT_EQ(count(db, "t"), 0);
  {
    auto txn = Transaction::begin(db);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn->commit().ok());
    EXPECT_FALSE(txn->active());
  }
  EXPECT_EQ(count(db, "t"), 1);
  {
    auto txn = Transaction::begin(db);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(txn->rollback().ok());
    EXPECT_FALSE(txn->commit().ok());  // finished
  }
  EXPECT_EQ(count(db, "t"), 1);
}

TEST(SqliteTransaction, DoesNotNest) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  auto outer = Transaction::begin(db);
  ASSERT_TRUE(outer.ok());
  auto inner = Transaction::begin(db);
  ASSERT_FALSE(inner.ok());
  EXPECT_NE(inner.error().message.find("Savepoint"), std::string::npos);
}

TEST(SqliteTransaction, ImmediateTakesTheWriteLock) {
  TempDir dir;
  Database a = openOrDie(dir / "t.db");
  Database b = openOrDie(dir / "t.db", {.busyTimeout = std::chrono::milliseconds(0)});
  auto txn = Transaction::begin(a);
  ASSERT_TRUE(txn.ok());
  auto other = Transaction::begin(b);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(b.lastErrorCode(), SQLITE_BUSY);
  EXPECT_NE(other.error().message.find("locked"), std::string::npos) << other.error().message;
  // Deferred (read) transactions are still possible beside it.
  auto read = Transaction::begin(b, Transaction::Mode::Deferred);
  EXPECT_TRUE(read.ok());
}

TEST(SqliteTransaction, SavepointRollsBackAlone) {
  TempDir dir;
  Database db = openOrDie(dir / "t.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t(x)").ok());
  auto txn = Transaction::begin(db);
  ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)").ok());
  {
    auto sp = Savepoint::begin(db);
    ASSERT_TRUE(sp.ok());
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (2)").ok());
  }  // rolled back
  {
    auto sp = Savepoint::begin(db);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(sp->release().ok());
  }
  EXPECT_TRUE(db.inTransaction());
  ASSERT_TRUE(txn->commit().ok());
  auto st = db.prepare("SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY x)");
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnText(0), "1,3");
}

TEST(StoreReadPool, ReadsCommittedDataAndRefusesWrites) {
  TempDir dir;
  Database writer = openOrDie(dir / "t.db");
  ASSERT_TRUE(writer.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  ReadPool pool(dir / "t.db", {}, 2);
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok()) << lease.error().message;
    EXPECT_EQ(count(lease->db(), "t"), 1);
    auto write = lease->db().exec("INSERT INTO t VALUES (2)");
    ASSERT_FALSE(write.ok());
    EXPECT_NE(write.error().message.find("readonly"), std::string::npos) << write.error().message;
  }
  // A reader's snapshot does not block the writer, and a new read sees the
  // new commit.
  auto lease = pool.acquire();
  auto snapshot = Transaction::begin(lease->db(), Transaction::Mode::Deferred);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(count(lease->db(), "t"), 1);
  ASSERT_TRUE(writer.exec("INSERT INTO t VALUES (2)").ok());
  EXPECT_EQ(count(lease->db(), "t"), 1);  // still the snapshot
  ASSERT_TRUE(snapshot->commit().ok());
  EXPECT_EQ(count(lease->db(), "t"), 2);
  EXPECT_EQ(pool.open(), 1u);  // the first connection was reused
}

TEST(StoreReadPool, ReturnsConnectionsAndEndsForgottenSnapshots) {
  TempDir dir;
  Database writer = openOrDie(dir / "t.db");
  ASSERT_TRUE(writer.exec("CREATE TABLE t(x)").ok());
  ReadPool pool(dir / "t.db", {}, 1);
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease->db().exec("BEGIN").ok());
    EXPECT_EQ(count(lease->db(), "t"), 0);
  }  // returned mid-transaction
  ASSERT_TRUE(writer.exec("INSERT INTO t VALUES (1)").ok());
  auto lease = pool.acquire();
  EXPECT_FALSE(lease->db().inTransaction());
  EXPECT_EQ(count(lease->db(), "t"), 1);
}

TEST(StoreReadPool, OpenFailureIsAnErrorValue) {
  TempDir dir;
  ReadPool pool(dir / "absent.db", {}, 1);
  auto lease = pool.acquire();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, "InternalFailure");
  EXPECT_EQ(pool.open(), 0u);
}

}  // namespace
}  // namespace sluice::store::sqlite
