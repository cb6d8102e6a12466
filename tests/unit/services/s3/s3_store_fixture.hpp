// An S3Store on a fresh SQLite database in a temporary directory, with one
// bucket "bkt": the set-up the S3Store unit tests share.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "../../cli/cli_test_support.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3::testing {

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const store::sqlite::Component components[] = {{"s3", S3Store::migrations()}};
    auto opened = store::sqlite::SqliteStore::open(dir_.path("sluice.db"), components);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
    meta_ = std::make_unique<S3Store>(*db_);
    BucketRecord b;
    b.name = "bkt";
    ASSERT_TRUE(meta_->createBucket(b));
  }

  cli::testing::TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteStore> db_;
  std::unique_ptr<S3Store> meta_;
};

}  // namespace sluice::services::s3::testing
