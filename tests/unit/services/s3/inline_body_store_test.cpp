// S3Store keeps a small object's bytes in its row: point reads return them
// (an empty body is still a body), listings leave them out, and a
// file-backed version has none.
#include <gtest/gtest.h>

#include "s3_store_fixture.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {
namespace {

class InlineBodyStore : public testing::S3StoreTest {
 protected:
  void put(const std::string& key, std::optional<std::string> body, std::string file = "") {
    ObjectRecord o;
    o.bucket = "bkt";
    o.key = key;
    o.inlineBody = std::move(body);
    o.fileId = std::move(file);
    o.size = o.inlineBody ? o.inlineBody->size() : 7;
    ASSERT_TRUE(meta_->putObject(o, ""));
  }
};

TEST_F(InlineBodyStore, PointReadsReturnTheBytesIncludingNulAndEmpty) {
  put("binary", std::string("a\0b\xff", 4));
  put("empty", std::string());
  auto binary = meta_->latest("bkt", "binary");
  ASSERT_TRUE(binary && *binary);
  ASSERT_TRUE((*binary)->inlineBody);
  EXPECT_EQ(*(*binary)->inlineBody, std::string("a\0b\xff", 4));
  auto empty = meta_->version("bkt", "empty", "null");
  ASSERT_TRUE(empty && *empty);
  ASSERT_TRUE((*empty)->inlineBody);
  EXPECT_TRUE((*empty)->inlineBody->empty());
}

TEST_F(InlineBodyStore, FileBackedVersionsHaveNoInlineBodyAndListingsCarryNone) {
  put("file", std::nullopt, "0123456789abcdef0123456789abcdef");
  put("small", std::string("bytes"));
  auto file = meta_->latest("bkt", "file");
  ASSERT_TRUE(file && *file);
  EXPECT_FALSE((*file)->inlineBody);
  EXPECT_EQ((*file)->fileId, "0123456789abcdef0123456789abcdef");
  auto listed = meta_->listLatest("bkt", "", "", true, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& o : *listed) EXPECT_FALSE(o.inlineBody) << o.key;
  // Only files are referenced (the start-up sweep must not keep inline ids).
  auto referenced = meta_->referencedFiles();
  ASSERT_TRUE(referenced);
  EXPECT_EQ(*referenced, std::set<std::string>{"0123456789abcdef0123456789abcdef"});
}

TEST_F(InlineBodyStore, ReplacingAnInlineVersionOrphansNoFile) {
  put("k", std::string("one"));
  ObjectRecord o;
  o.bucket = "bkt";
  o.key = "k";
  o.inlineBody = "two";
  auto r = meta_->putObject(o, "");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->orphans.files.empty());
  EXPECT_EQ(*(*meta_->latest("bkt", "k"))->inlineBody, "two");
}

}  // namespace
}  // namespace sluice::services::s3
