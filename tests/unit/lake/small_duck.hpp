// A test fixture with an in-memory DuckDB (256 MB, one thread) and a
// connection to it, for tests of SQL the lake generates.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "lake/duckdb.hpp"

namespace sluice::lake {

class SmallDuckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DuckDbOptions options;
    options.memoryLimit = "256MB";
    options.threads = 1;
    auto db = DuckDatabase::open(options);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto con = db_->connect();
    ASSERT_TRUE(con.ok()) << con.error().message;
    con_ = std::move(*con);
  }
  std::unique_ptr<DuckDatabase> db_;
  std::unique_ptr<DuckConnection> con_;
};

}  // namespace sluice::lake
