// The key -> storage mapping: keys never become paths; files are named by ids.
#include "services/s3/object_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "services/s3/bucket_names.hpp"

namespace sluice::services::s3 {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/sluice-objfiles-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

TEST(ObjectFiles, IdsAreHexAndPathsStayInsideTheRoot) {
  IdGenerator ids(42);
  ObjectFiles files("/data/objects");
  for (int i = 0; i < 100; ++i) {
    std::string id = ObjectFiles::newId(ids);
    ASSERT_TRUE(ObjectFiles::isValidId(id)) << id;
    auto p = files.path(id);
    EXPECT_EQ(p.parent_path().parent_path(), fs::path("/data/objects"));
    EXPECT_EQ(p.filename(), id);
  }
  for (std::string_view bad : {"../../etc/passwd", "/abs", "", "ABCDEF0123456789abcdef0123456789",
                               "0123456789abcdef0123456789abcde/"}) {
    EXPECT_FALSE(ObjectFiles::isValidId(bad)) << bad;
  }
}

TEST(ObjectFiles, RefusesIdsThatAreNotIds) {
  TempDir dir;
  ObjectFiles files(dir.path);
  EXPECT_FALSE(files.write("../escape", "x").ok());
  EXPECT_FALSE(files.open("../escape").ok());
  EXPECT_FALSE(fs::exists(dir.path.parent_path() / "escape"));
}

TEST(ObjectFiles, WriteReadConcatenateAndSweep) {
  TempDir dir;
  IdGenerator ids(7);
  ObjectFiles files(dir.path);
  std::string a = ObjectFiles::newId(ids), b = ObjectFiles::newId(ids), c = ObjectFiles::newId(ids);
  ASSERT_TRUE(files.write(a, "hello ").ok());
  ASSERT_TRUE(files.write(b, "world").ok());
  ASSERT_TRUE(files.writeConcatenation(c, {a, b}).ok());
  auto fd = files.open(c);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(*ObjectFiles::read(*fd, 0, 11), "hello world");
  EXPECT_EQ(*ObjectFiles::read(*fd, 6, 5), "world");
  EXPECT_FALSE(ObjectFiles::read(*fd, 6, 50).ok());  // shorter than asked
  auto removed = files.removeUnreferenced({c});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2u);
  EXPECT_FALSE(files.open(a).ok());
  EXPECT_EQ(files.open(a).error().code, "NoSuchFile");
  EXPECT_TRUE(files.open(c).ok());
}

TEST(BucketNames, AwsRules) {
  for (const char* ok : {"abc", "my-bucket", "my.bucket.name", "a1b2c3", "1bucket"}) {
    EXPECT_TRUE(isValidBucketName(ok)) << ok;
  }
  for (const char* bad : {"ab", "ABC", "my_bucket", "-abc", "abc-", ".abc", "a..b", "192.168.5.4",
                          "xn--abc", "sthree-abc", "abc-s3alias", "abc--ol-s3", "abc.mrap",
                          "abc--x-s3", "amzn-s3-demo-x", "abc--table-s3"}) {
    EXPECT_FALSE(isValidBucketName(bad)) << bad;
  }
  EXPECT_FALSE(isValidBucketName(std::string(64, 'a')));
  EXPECT_TRUE(isValidBucketName(std::string(63, 'a')));
}

}  // namespace
}  // namespace sluice::services::s3
