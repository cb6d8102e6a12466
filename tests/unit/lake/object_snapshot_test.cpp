#include "lake/object_snapshot.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "../cli/cli_test_support.hpp"
#include "fake_object_source.hpp"
#include "lake/duckdb.hpp"

namespace sluice::lake {
namespace {

using testing::FakeSource;

class ObjectSnapshotTest : public ::testing::Test {
 protected:
  std::filesystem::path file(const std::string& name, const std::string& text) {
    auto p = dir_.path("store-" + name);
    std::ofstream(p) << text;
    return p;
  }
  void addFile(const std::string& key, const std::string& text) {
    LakeObject o;
    o.key = key;
    o.file = file(std::to_string(source_.objects.size()), text);
    o.size = text.size();
    source_.objects["lake/" + key] = o;
  }
  void addInline(const std::string& key, const std::string& text) {
    LakeObject o;
    o.key = key;
    o.bytes = text;
    o.size = text.size();
    source_.objects["lake/" + key] = o;
  }
  cli::testing::TempDir dir_;
  FakeSource source_;
  Scope scope_;
};

TEST(S3Uri, BucketsAndPrefixes) {
  auto l = parseS3Uri("s3://bronze/events/year=2024/");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->bucket, "bronze");
  EXPECT_EQ(l->prefix, "events/year=2024/");
  EXPECT_EQ(parseS3Uri("s3a://b")->prefix, "");
  EXPECT_FALSE(parseS3Uri("/local/path").ok());
  EXPECT_FALSE(parseS3Uri("s3:///key").ok());
}

TEST(S3Uri, KeysThatCannotBePaths) {
  EXPECT_EQ(*keyPath("a/b.json"), std::filesystem::path("a/b.json"));
  for (const char* bad : {"folder/", "/abs", "a//b", "a/../b", "./a", ""}) {
    EXPECT_FALSE(keyPath(bad).has_value()) << bad;
  }
}

TEST_F(ObjectSnapshotTest, MirrorsCurrentObjectsForDuckDbAndCleansUp) {
  addFile("events/year=2024/month=01/a.json", "{\"id\": 1}\n{\"id\": 2}\n");
  addInline("events/year=2024/month=02/b.json", "{\"id\": 3}\n");
  addInline("events/", "");                    // a folder marker
  addInline("events/x/../escape.json", "{}");  // not a path
  addFile("other/c.json", "{\"id\": 99}\n");
  std::filesystem::path root;
  {
    auto snap = ObjectSnapshot::take(source_, scope_, {"s3://lake/events/"}, dir_.path("work"));
    ASSERT_TRUE(snap.ok()) << snap.error().message;
    root = snap->root();
    ASSERT_EQ(snap->objects().size(), 1u);
    EXPECT_EQ(snap->objects()[0].size(), 2u);
    EXPECT_EQ(snap->skippedKeys(), 2u);
    auto local = snap->localPath("s3://lake/events/");
    ASSERT_TRUE(local.ok());
    auto db = DuckDatabase::open({});
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto con = (*db)->connect();
    ASSERT_TRUE(con.ok());
    auto r = (*con)->query("SELECT year, month, sum(id) FROM read_json_auto('" + local->string() +
                           "/**/*.json', hive_partitioning = true) GROUP BY ALL ORDER BY month");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->rowCount(), 2u);
    EXPECT_EQ(*r->value(0, 1), "01");  // partition values stay text, as Glue keeps them
    EXPECT_EQ(*r->value(0, 2), "3");
    EXPECT_EQ(*r->value(1, 2), "3");
  }
  EXPECT_FALSE(std::filesystem::exists(root));
  // The objects' own files are untouched.
  EXPECT_TRUE(
      std::filesystem::exists(source_.objects["lake/events/year=2024/month=01/a.json"].file));
}

TEST_F(ObjectSnapshotTest, ALinkedFileOutlivesItsObject) {
  addFile("t/a.json", "{\"id\": 1}\n");
  auto snap = ObjectSnapshot::take(source_, scope_, {"s3://lake/t/"}, dir_.path("work"));
  ASSERT_TRUE(snap.ok());
  std::filesystem::remove(source_.objects["lake/t/a.json"].file);  // overwritten meanwhile
  std::ifstream in(*snap->localPath("s3://lake/t/a.json"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "{\"id\": 1}\n");
}

TEST_F(ObjectSnapshotTest, AFileGoneBeforeLinkingIsReadAgain) {
  addFile("t/a.json", "old\n");
  LakeObject stale = source_.objects["lake/t/a.json"];
  std::filesystem::remove(stale.file);
  addInline("t/a.json", "new\n");  // what is current now
  struct Stale final : ObjectSource {
    FakeSource& real;
    LakeObject stale;
    Stale(FakeSource& r, LakeObject s) : real(r), stale(std::move(s)) {}
    Result<std::vector<LakeObject>> list(const Scope&, const std::string&,
                                         const std::string&) override {
      return std::vector<LakeObject>{stale};
    }
    Result<std::optional<LakeObject>> reread(const Scope& s, const std::string& b,
                                             const std::string& k) override {
      return real.reread(s, b, k);
    }
  } source(source_, stale);
  auto snap = ObjectSnapshot::take(source, scope_, {"s3://lake/t/"}, dir_.path("work"));
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  EXPECT_EQ(source_.rereads, 1);
  std::ifstream in(*snap->localPath("s3://lake/t/a.json"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "new\n");
}

TEST_F(ObjectSnapshotTest, AMissingBucketIsAnErrorAndLeavesNothing) {
  auto snap = ObjectSnapshot::take(source_, scope_, {"s3://missing/x/"}, dir_.path("work"));
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().code, "NoSuchBucket");
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path("work")));
}

TEST(ObjectSnapshotMessages, SnapshotPathsReadAsS3Uris) {
  EXPECT_EQ(withS3Uris("Error when sniffing file \"/tmp/d/lake/snapshots/snapshot-Df9CC3/lake/"
                       "alt/dt=1/a.csv\"."),
            "Error when sniffing file \"s3://lake/alt/dt=1/a.csv\".");
  EXPECT_EQ(withS3Uris("No files found that match the pattern /x/snapshot-abcdef/b/k and "
                       "/x/snapshot-ABCDEF/c/d"),
            "No files found that match the pattern s3://b/k and s3://c/d");
  EXPECT_EQ(withS3Uris("nothing to see /tmp/snapshot-short/x"),
            "nothing to see /tmp/snapshot-short/x");
}

}  // namespace
}  // namespace sluice::lake
