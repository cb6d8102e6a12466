// The S3 store as the lake's object source: current objects only (no older
// versions, no deleted keys), small ones with their inline bytes, larger
// ones with their file, archived ones left out.
#include "services/s3/lake_source.hpp"

#include <gtest/gtest.h>

#include "s3_store_fixture.hpp"

namespace sluice::services::s3 {
namespace {

class LakeSourceTest : public testing::S3StoreTest {
 protected:
  void SetUp() override {
    testing::S3StoreTest::SetUp();
    source_ = std::make_unique<S3LakeSource>(*meta_, files_);
  }
  void put(const std::string& key, std::optional<std::string> body, std::string file = "",
           std::string storageClass = "STANDARD", const std::string& newVersion = "") {
    ObjectRecord o;
    o.bucket = "bkt";
    o.key = key;
    o.inlineBody = std::move(body);
    o.fileId = std::move(file);
    o.size = o.inlineBody ? o.inlineBody->size() : 100;
    o.storageClass = std::move(storageClass);
    ASSERT_TRUE(meta_->putObject(o, newVersion));
  }
  ObjectFiles files_{dir_.path("objects")};
  std::unique_ptr<S3LakeSource> source_;
  Scope scope_;
};

TEST_F(LakeSourceTest, CurrentObjectsWithTheirBytesOrFiles) {
  const std::string fileId = "0123456789abcdef0123456789abcdef";
  put("data/a.json", std::string("{\"v\": 1}"));
  put("data/big.parquet", std::nullopt, fileId);
  put("data/cold.json", std::string("{}"), "", "GLACIER");
  put("other/x.json", std::string("{}"));
  auto listed = source_->list(scope_, "bkt", "data/");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "data/a.json");
  ASSERT_TRUE((*listed)[0].bytes.has_value());
  EXPECT_EQ(*(*listed)[0].bytes, "{\"v\": 1}");
  EXPECT_EQ((*listed)[1].key, "data/big.parquet");
  EXPECT_FALSE((*listed)[1].bytes.has_value());
  EXPECT_EQ((*listed)[1].file, files_.path(fileId));
}

TEST_F(LakeSourceTest, VersionedBucketsShowOnlyTheCurrentVersion) {
  ASSERT_TRUE(meta_->setVersioning("bkt", "Enabled"));
  put("v/a.json", std::string("{\"v\": 1}"), "", "STANDARD", "v1");
  put("v/a.json", std::string("{\"v\": 2}"), "", "STANDARD", "v2");
  put("v/gone.json", std::string("{}"), "", "STANDARD", "v3");
  ASSERT_TRUE(meta_->deleteObject("bkt", "v/gone.json", std::nullopt, "v4", TimePoint{}));
  auto listed = source_->list(scope_, "bkt", "v/");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(*(*listed)[0].bytes, "{\"v\": 2}");
}

TEST_F(LakeSourceTest, AMissingBucketIsNoSuchBucket) {
  auto listed = source_->list(scope_, "nope", "");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, "NoSuchBucket");
  auto again = source_->reread(scope_, "bkt", "never-written");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

}  // namespace
}  // namespace sluice::services::s3
