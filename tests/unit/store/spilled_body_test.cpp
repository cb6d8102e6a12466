// Spill files: a body written as it arrives is removed unless adopted, becomes
// its target by rename when adopted, and is swept at start-up after a crash.
#include "store/spilled_body.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "child_process.hpp"
#include "store/data_dir.hpp"
#include "store_test_support.hpp"

namespace sluice::store {
namespace {

namespace fs = std::filesystem;
using store::testing::TempDir;

size_t filesIn(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(SpilledBody, AppendsAndReadsBackUnderATemporaryName) {
  TempDir tmp;
  auto body = SpilledBody::create(tmp.path());
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_TRUE(body->append("hello ").ok());
  ASSERT_TRUE(body->append(std::string(100000, 'x')).ok());
  EXPECT_EQ(body->size(), 100006u);
  auto all = body->readAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "hello " + std::string(100000, 'x'));
  EXPECT_TRUE(isTempFileName(body->path().filename().string()));
  EXPECT_EQ(body->path().parent_path(), tmp.path());
}

TEST(SpilledBody, IsRemovedWhenNotAdopted) {
  TempDir tmp;
  fs::path path;
  {
    auto body = SpilledBody::create(tmp.path());
    ASSERT_TRUE(body.ok());
    ASSERT_TRUE(body->append("refused").ok());
    path = body->path();
    EXPECT_TRUE(fs::exists(path));
    SpilledBody moved = std::move(*body);  // ownership moves with it
    EXPECT_TRUE(fs::exists(path));
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(filesIn(tmp.path()), 0u);
}

TEST(SpilledBody, CommitAsRenamesItIntoPlace) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "spill");
  fs::path target = tmp.path() / "object";
  {
    auto body = SpilledBody::create(tmp.path() / "spill");
    ASSERT_TRUE(body.ok());
    ASSERT_TRUE(body->append("kept bytes").ok());
    ASSERT_TRUE(body->commitAs(target).ok());
    EXPECT_FALSE(body->commitAs(tmp.path() / "again").ok());  // it owns no file any more
  }
  std::ifstream in(target, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "kept bytes");
  EXPECT_EQ(filesIn(tmp.path() / "spill"), 0u);
}

TEST(SpilledBody, AdoptsAFinishedFileWithItsSize) {
  TempDir tmp;
  fs::path written = tmp.path() / "query-output.parquet";
  std::ofstream(written, std::ios::binary) << "written by DuckDB";
  fs::path target = tmp.path() / "object";
  {
    auto body = SpilledBody::adopt(written);
    ASSERT_TRUE(body.ok()) << body.error().message;
    EXPECT_EQ(body->size(), 17u);
    EXPECT_EQ(*body->readAll(), "written by DuckDB");
    ASSERT_TRUE(body->commitAs(target).ok());
  }
  EXPECT_FALSE(fs::exists(written));
  EXPECT_TRUE(fs::exists(target));
  {
    std::ofstream(written, std::ios::binary) << "refused";
    auto refused = SpilledBody::adopt(written);
    ASSERT_TRUE(refused.ok());
  }
  EXPECT_FALSE(fs::exists(written));  // not committed: removed like a spilled body
  EXPECT_FALSE(SpilledBody::adopt(tmp.path() / "missing").ok());
}

TEST(SpilledBody, ACrashLeavesAFileTheStartUpSweepRemoves) {
  TempDir tmp;
  auto child = sluice::testing::ChildProcess::spawn([&](int out) {
    auto body = SpilledBody::create(tmp.path());
    if (!body || !body->append(std::string(1 << 20, 'p'))) return 1;
    sluice::testing::ChildProcess::writeLine(out, "spilled");
    ::pause();  // killed here, mid-upload
    return 0;
  });
  ASSERT_EQ(child.readLine(), std::optional<std::string>("spilled"));
  child.kill9();
  EXPECT_EQ(filesIn(tmp.path()), 1u);
  auto removed = removeTempFiles(tmp.path());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  EXPECT_EQ(filesIn(tmp.path()), 0u);
}

}  // namespace
}  // namespace sluice::store
