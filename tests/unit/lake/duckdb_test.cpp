#include "lake/duckdb.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sluice::lake {
namespace {

class DuckDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-duckdb-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    DuckDbOptions options;
    options.memoryLimit = "256MB";
    options.threads = 2;
    options.tempDirectory = dir_;
    auto db = DuckDatabase::open(options);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto con = db_->connect();
    ASSERT_TRUE(con.ok()) << con.error().message;
    con_ = std::move(*con);
  }
  void TearDown() override {
    con_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  QueryResult run(const std::string& sql) {
    auto r = con_->query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.error().message;
    return r.ok() ? std::move(*r) : QueryResult();
  }
  std::string dir_;
  std::unique_ptr<DuckDatabase> db_;
  std::unique_ptr<DuckConnection> con_;
};

TEST_F(DuckDbTest, ValuesNamesTypesAndNulls) {
  EXPECT_EQ(db_->version().rfind("v1.", 0), 0u) << db_->version();
  auto r =
      run("SELECT 42 AS answer, NULL::VARCHAR AS nothing, 'text' AS s, 1.5::DOUBLE AS d "
          "UNION ALL SELECT 7, 'x', 'y', NULL ORDER BY answer");
  ASSERT_EQ(r.columnCount(), 4u);
  ASSERT_EQ(r.rowCount(), 2u);
  EXPECT_EQ(r.columnName(0), "answer");
  EXPECT_EQ(r.columnType(0), DUCKDB_TYPE_INTEGER);
  EXPECT_EQ(r.columnType(3), DUCKDB_TYPE_DOUBLE);
  EXPECT_EQ(*r.value(0, 0), "7");
  EXPECT_EQ(*r.value(1, 0), "42");
  EXPECT_FALSE(r.value(1, 1).has_value());
  EXPECT_EQ(*r.value(1, 3), "1.5");
  EXPECT_FALSE(r.value(0, 3).has_value());
}

TEST_F(DuckDbTest, FailuresAreValuesWithDuckDbsMessage) {
  auto bad = con_->query("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, kDuckDbError);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
  auto missing = con_->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no_such_table"), std::string::npos);
  // The connection is usable after a failure.
  EXPECT_EQ(*run("SELECT 1").value(0, 0), "1");
}

TEST_F(DuckDbTest, SettingsApply) {
  auto r =
      run("SELECT current_setting('memory_limit'), current_setting('threads'), "
          "current_setting('autoload_known_extensions')");
  EXPECT_EQ(*r.value(0, 0), "244.1 MiB");
  EXPECT_EQ(*r.value(0, 1), "2");
  EXPECT_EQ(*r.value(0, 2), "false");
}

// JSON and Parquet are linked into the library: with extension loading off,
// reading and writing both formats works.
TEST_F(DuckDbTest, ParquetAndJsonAreBuiltIn) {
  std::string parquet = dir_ + "/t.parquet";
  run("COPY (SELECT range AS id, 'row ' || range AS label FROM range(100)) TO '" + parquet +
      "' (FORMAT parquet, COMPRESSION snappy)");
  auto r = run("SELECT count(*), sum(id), max(label) FROM read_parquet('" + parquet + "')");
  EXPECT_EQ(*r.value(0, 0), "100");
  EXPECT_EQ(*r.value(0, 1), "4950");
  EXPECT_EQ(*r.value(0, 2), "row 99");
  std::ofstream(dir_ + "/e.json") << "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": null}\n";
  auto j = run("SELECT sum(a), count(b) FROM read_json_auto('" + dir_ + "/e.json')");
  EXPECT_EQ(*j.value(0, 0), "3");
  EXPECT_EQ(*j.value(0, 1), "1");
  auto ext =
      run("SELECT extension_name FROM duckdb_extensions() WHERE loaded AND "
          "extension_name IN ('json', 'parquet') ORDER BY 1");
  ASSERT_EQ(ext.rowCount(), 2u);
}

TEST_F(DuckDbTest, InterruptCancelsTheRunningQuery) {
  std::thread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    con_->interrupt();
  });
  auto started = std::chrono::steady_clock::now();
  auto r = con_->query("SELECT count(*) FROM range(100000000000) t1");
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("INTERRUPT"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

}  // namespace
}  // namespace sluice::lake
