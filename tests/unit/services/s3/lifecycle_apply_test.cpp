// S3Store::applyLifecycle: a pass's changes commit together, each one judged
// against the database as it is at commit time, not as the pass read it.
#include <gtest/gtest.h>

#include "s3_store_fixture.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {
namespace {

using Kind = LifecycleChange::Kind;

class LifecycleApply : public testing::S3StoreTest {
 protected:
  ObjectRecord put(const std::string& key, const std::string& file) {
    ObjectRecord o;
    o.bucket = "bkt";
    o.key = key;
    o.fileId = file;
    EXPECT_TRUE(meta_->putObject(o, ""));
    return **meta_->latest("bkt", key);
  }

  static LifecycleChange change(Kind kind, const ObjectRecord& o) {
    LifecycleChange c;
    c.kind = kind;
    c.object = o;
    return c;
  }
};

TEST_F(LifecycleApply, AppliesWhatIsStillThereAndSkipsTheRest) {
  ObjectRecord expired = put("expired", "f1");
  ObjectRecord replaced = put("replaced", "f2");
  ObjectRecord cold = put("cold", "f3");
  put("replaced", "f4");  // a newer PUT after the pass read "replaced"

  LifecycleChange transition = change(Kind::Transition, cold);
  transition.storageClass = "GLACIER";
  transition.attrs = JsonObject{};
  ObjectRecord missing = cold;
  missing.key = "never-existed";
  LifecycleChange abort;
  abort.kind = Kind::AbortUpload;
  abort.uploadId = "no-such-upload";
  std::vector<LifecycleChange> changes{change(Kind::ExpireCurrent, expired),
                                       change(Kind::ExpireCurrent, replaced), transition,
                                       change(Kind::RemoveVersion, missing), abort};
  auto out = meta_->applyLifecycle(changes, TimePoint{});
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), changes.size());

  EXPECT_TRUE((*out)[0].applied);
  EXPECT_EQ((*out)[0].deleted.orphans.files, std::vector<std::string>{"f1"});
  EXPECT_FALSE(meta_->latest("bkt", "expired")->has_value());

  EXPECT_FALSE((*out)[1].applied);  // the newer version stays
  EXPECT_EQ((**meta_->latest("bkt", "replaced")).fileId, "f4");

  EXPECT_TRUE((*out)[2].applied);
  EXPECT_EQ((**meta_->latest("bkt", "cold")).storageClass, "GLACIER");

  for (size_t i : {3u, 4u}) {
    EXPECT_FALSE((*out)[i].applied) << i;
    EXPECT_FALSE((*out)[i].error) << i;
  }
}

}  // namespace
}  // namespace sluice::services::s3
