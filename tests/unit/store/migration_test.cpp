// Schema migrations: fresh databases, re-runs, partial upgrades, failures
// and databases written by a newer sluice.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/sqlite/migrate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store_test_support.hpp"

namespace sluice::store::sqlite {
namespace {

using store::testing::TempDir;

constexpr Migration kV1[] = {
    {1, "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
};
constexpr Migration kV2[] = {
    {1, "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
    {2,
     "ALTER TABLE items ADD COLUMN size INTEGER NOT NULL DEFAULT 0;"
     "CREATE INDEX items_by_name ON items(name)"},
};

Database openDb(const TempDir& dir) {
  auto db = Database::open(dir / "m.db");
  EXPECT_TRUE(db.ok());
  return std::move(db).value();
}

int64_t queryInt(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  EXPECT_TRUE(st.ok()) << st.error().message;
  auto row = st->step();
  EXPECT_TRUE(row.ok() && *row);
  return st->columnInt(0);
}

TEST(Migration, FreshDatabaseGetsEveryVersion) {
  TempDir dir;
  Database db = openDb(dir);
  auto r = migrate(db, "things", kV2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*schemaVersion(db, "things"), 2);
  EXPECT_TRUE(db.exec("INSERT INTO items(name, size) VALUES ('a', 3)").ok());
  EXPECT_EQ(queryInt(db, "SELECT COUNT(*) FROM schema_versions WHERE component = 'things'"), 2);
  auto st = db.prepare("SELECT applied_at FROM schema_versions WHERE version = 2");
  ASSERT_TRUE(*st->step());
  EXPECT_TRUE(st->columnText(0).ends_with("Z")) << st->columnText(0);
}

TEST(Migration, ReRunIsANoOp) {
  TempDir dir;
  {
    Database db = openDb(dir);
    ASSERT_TRUE(migrate(db, "things", kV2).ok());
    ASSERT_TRUE(db.exec("INSERT INTO items(name) VALUES ('kept')").ok());
  }
  Database db = openDb(dir);
  // Running the same list again would fail ("table items already exists")
  // if anything were re-applied.
  auto r = migrate(db, "things", kV2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto again = migrate(db, "things", kV2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(queryInt(db, "SELECT COUNT(*) FROM items"), 1);
  EXPECT_EQ(queryInt(db, "SELECT COUNT(*) FROM schema_versions"), 2);
}

TEST(Migration, AppliesOnlyTheMissingVersions) {
  TempDir dir;
  Database db = openDb(dir);
  ASSERT_TRUE(migrate(db, "things", kV1).ok());
  ASSERT_TRUE(db.exec("INSERT INTO items(name) VALUES ('old')").ok());
  EXPECT_EQ(*schemaVersion(db, "things"), 1);
  ASSERT_TRUE(migrate(db, "things", kV2).ok());
  EXPECT_EQ(*schemaVersion(db, "things"), 2);
  EXPECT_EQ(queryInt(db, "SELECT size FROM items WHERE name = 'old'"), 0);
}

TEST(Migration, RefusesADatabaseNewerThanTheCode) {
  TempDir dir;
  Database db = openDb(dir);
  ASSERT_TRUE(migrate(db, "things", kV2).ok());
  auto r = migrate(db, "things", kV1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InternalFailure");
  EXPECT_NE(r.error().message.find("schema version 2 for 'things', newer than this build of "
                                   "sluice knows (1)"),
            std::string::npos)
      << r.error().message;

  // SqliteStore::open refuses too, before starting anything.
  const Component components[] = {{"things", kV1}};
  auto store = SqliteStore::open(dir / "m.db", components);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer than this build"), std::string::npos);
}

TEST(Migration, AFailingMigrationChangesNothing) {
  TempDir dir;
  Database db = openDb(dir);
  ASSERT_TRUE(migrate(db, "things", kV1).ok());
  constexpr Migration broken[] = {
      kV1[0],
      {2, "CREATE TABLE extra(x); ALTER TABLE nowhere ADD COLUMN y"},
  };
  auto r = migrate(db, "things", broken);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("migration things v2 failed: no such table: nowhere"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(*schemaVersion(db, "things"), 1);
  EXPECT_FALSE(db.prepare("SELECT * FROM extra").ok());  // rolled back with it
  EXPECT_FALSE(db.inTransaction());
}

TEST(Migration, ComponentsAreIndependent) {
  TempDir dir;
  Database db = openDb(dir);
  constexpr Migration other[] = {{1, "CREATE TABLE other_things(x)"}};
  ASSERT_TRUE(migrate(db, "things", kV2).ok());
  ASSERT_TRUE(migrate(db, "other", other).ok());
  EXPECT_EQ(*schemaVersion(db, "things"), 2);
  EXPECT_EQ(*schemaVersion(db, "other"), 1);
  EXPECT_EQ(*schemaVersion(db, "unknown"), 0);
}

TEST(Migration, RejectsAnUnorderedList) {
  TempDir dir;
  Database db = openDb(dir);
  constexpr Migration unordered[] = {{2, "CREATE TABLE a(x)"}, {1, "CREATE TABLE b(x)"}};
  auto r = migrate(db, "things", unordered);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("strictly increasing"), std::string::npos);
  EXPECT_EQ(*schemaVersion(db, "things"), 0);
}

TEST(Migration, StoreOpenMigratesEveryComponentAndServes) {
  TempDir dir;
  constexpr Migration other[] = {{1, "CREATE TABLE other_things(x)"}};
  const Component components[] = {{"things", kV2}, {"other", other}};
  auto store = SqliteStore::open(dir / "m.db", components);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto w = (*store)->writer().write([](Database& db) -> Result<void> {
    auto st = db.prepare("INSERT INTO items(name, size) VALUES (?, ?)");
    if (!st) return st.takeError();
    return st->bindAll("x", 1).run();
  });
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto lease = (*store)->readers().acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(queryInt(lease->db(), "SELECT COUNT(*) FROM items"), 1);
  EXPECT_EQ(queryInt(lease->db(), "SELECT COUNT(*) FROM other_things"), 0);
}

TEST(Migration, StoreOpenCreatesANewDatabaseWholeInWalMode) {
  TempDir dir;
  const auto path = dir / "new.db";
  // What a crash during an earlier creation left behind is replaced.
  { std::ofstream(path.string() + ".creating") << "torn"; }
  const Component components[] = {{"things", kV2}};
  {
    auto store = SqliteStore::open(path, components);
    ASSERT_TRUE(store.ok()) << store.error().message;
  }
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".creating"));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".creating-wal"));
  // The file records WAL mode (header bytes 18 and 19 are 2) ...
  std::ifstream in(path, std::ios::binary);
  std::string header(20, '\0');
  in.read(header.data(), 20);
  EXPECT_EQ(header[18], 2);
  EXPECT_EQ(header[19], 2);
  // ... and holds every migration.
  Database db = Database::open(path).value();
  EXPECT_EQ(*schemaVersion(db, "things"), 2);
  EXPECT_EQ(queryInt(db, "SELECT COUNT(*) FROM items"), 0);
}

}  // namespace
}  // namespace sluice::store::sqlite
