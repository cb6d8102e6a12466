// S3Store's Intelligent-Tiering writes: archive moves apply only to the
// version as the pass read it, recorded reads only move forward, and
// configuration updates are read-modify-writes that cannot lose each other.
#include <gtest/gtest.h>

#include <future>

#include "s3_store_fixture.hpp"
#include "services/s3/access_tracker.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {
namespace {

class TieringStore : public testing::S3StoreTest {
 protected:
  ObjectRecord put(const std::string& key, const std::string& storageClass) {
    ObjectRecord o;
    o.bucket = "bkt";
    o.key = key;
    o.fileId = "f-" + key;
    o.size = 200 * 1024;
    o.storageClass = storageClass;
    o.lastModified = *parseIso8601("2024-01-01T00:00:00Z");
    o.attrs = *parseJson(R"({"Tags": {"a": "1"}})");
    EXPECT_TRUE(meta_->putObject(o, ""));
    return **meta_->latest("bkt", key);
  }

  ObjectRecord reread(const std::string& key) { return **meta_->latest("bkt", key); }

  void record(const ObjectRecord& o, TimePoint t) {
    std::promise<Result<void>> done;
    meta_->recordAccess({AccessRecord{o.bucket, o.key, o.versionId, t}},
                        [&](Result<void> r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    ASSERT_TRUE(r) << r.error().message;
  }
};

TEST_F(TieringStore, ArchiveAppliesOnlyToTheVersionAsRead) {
  ObjectRecord idle = put("idle", "INTELLIGENT_TIERING");
  ObjectRecord read = put("read", "INTELLIGENT_TIERING");
  ObjectRecord standard = put("standard", "STANDARD");
  // A read lands after the pass read "read".
  record(read, *parseIso8601("2024-03-01T00:00:00Z"));
  auto applied =
      meta_->applyTiering({TieringMove{idle, "ARCHIVE_ACCESS"}, TieringMove{read, "ARCHIVE_ACCESS"},
                           TieringMove{standard, "ARCHIVE_ACCESS"}});
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, (std::vector<bool>{true, false, false}));
  ObjectRecord now = reread("idle");
  EXPECT_EQ(accessTierOf(now), "ARCHIVE_ACCESS");
  EXPECT_TRUE(isArchived(now));
  EXPECT_EQ(now.attrs.at("Tags"), idle.attrs.at("Tags"));  // the rest of attrs untouched
  EXPECT_EQ(accessTierOf(reread("read")), "");
  EXPECT_EQ(reread("standard").attrs.as_object().count("AccessTier"), 0u);
  // The same move again: the version is no longer as read.
  applied = meta_->applyTiering({TieringMove{idle, "DEEP_ARCHIVE_ACCESS"}});
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, std::vector<bool>{false});
  applied = meta_->applyTiering({TieringMove{now, "DEEP_ARCHIVE_ACCESS"}});
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, std::vector<bool>{true});
  EXPECT_EQ(accessTierOf(reread("idle")), "DEEP_ARCHIVE_ACCESS");
}

TEST_F(TieringStore, RecordedAccessOnlyMovesForward) {
  ObjectRecord o = put("k", "INTELLIGENT_TIERING");
  TimePoint later = *parseIso8601("2024-02-01T00:00:00Z");
  record(o, later);
  EXPECT_EQ(lastAccessOf(reread("k")), later);
  record(o, *parseIso8601("2024-01-15T00:00:00Z"));
  EXPECT_EQ(lastAccessOf(reread("k")), later);
  ObjectRecord s = put("s", "STANDARD");
  record(s, later);
  EXPECT_EQ(reread("s").attrs.as_object().count("LastAccess"), 0u);
}

TEST_F(TieringStore, TrackerSkipsWhatIsNeverArchived) {
  ManualClock clock(*parseIso8601("2024-05-01T12:00:00Z"));
  ObjectRecord big = put("big", "INTELLIGENT_TIERING");
  ObjectRecord standard = put("standard", "STANDARD");
  ObjectRecord small = put("small", "INTELLIGENT_TIERING");
  small.size = 1024;  // as a read would see a small object
  {
    AccessTracker tracker(*meta_, clock);
    tracker.note(big);
    tracker.note(standard);
    tracker.note(small);
    tracker.flush();
  }
  EXPECT_EQ(lastAccessOf(reread("big")), clock.now());
  EXPECT_EQ(reread("standard").attrs.as_object().count("LastAccess"), 0u);
  EXPECT_EQ(reread("small").attrs.as_object().count("LastAccess"), 0u);
}

TEST_F(TieringStore, ConcurrentConfigUpdatesKeepEachOther) {
  std::vector<std::future<Result<void>>> writes;
  for (int i = 0; i < 20; ++i) {
    writes.push_back(std::async(std::launch::async, [this, i] {
      return meta_->updateBucketConfig("bkt", "IntelligentTiering", [i](const Json& current) {
        JsonObject all = current.is_object() ? current.as_object() : JsonObject{};
        all["c" + std::to_string(i)] = i;
        return Result<Json>(Json(std::move(all)));
      });
    }));
  }
  for (auto& w : writes) ASSERT_TRUE(w.get());
  auto b = meta_->bucket("bkt");
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->config.at("IntelligentTiering").as_object().size(), 20u);
  auto missing =
      meta_->updateBucketConfig("nope", "X", [](const Json&) { return Result<Json>(Json(1)); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "NoSuchBucket");
  // An error from the update leaves the config as it was.
  auto refused = meta_->updateBucketConfig("bkt", "IntelligentTiering", [](const Json&) {
    return Result<Json>(AwsError{"TooManyConfigurations", "no", 400});
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "TooManyConfigurations");
  EXPECT_EQ((*meta_->bucket("bkt"))->config.at("IntelligentTiering").as_object().size(), 20u);
}

}  // namespace
}  // namespace sluice::services::s3
