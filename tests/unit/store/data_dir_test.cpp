// The data directory layout and durable file writes: a reader or a crash
// sees the old content or the new, never part of a file.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "store/data_dir.hpp"
#include "store/sqlite/database.hpp"
#include "store_test_support.hpp"

namespace sluice::store {
namespace {

namespace fs = std::filesystem;
using store::testing::TempDir;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::size_t tempFilesIn(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (isTempFileName(entry.path().filename().string())) ++n;
  }
  return n;
}

// Version i of a large file: 1 MiB of one letter, so a torn write shows.
std::string version(long i) {
  return std::string(1 << 20, static_cast<char>('a' + i % 26));
}

TEST(DataDir, CreatesTheLayout) {
  TempDir tmp;
  const auto root = tmp / "nested" / ".sluice";
  auto dir = DataDir::open(root);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(dir->root(), root);
  EXPECT_TRUE(fs::is_directory(root));
  EXPECT_TRUE(fs::is_directory(dir->objectsDir()));
  EXPECT_EQ(dir->objectsDir(), root / "objects");
  EXPECT_EQ(dir->databasePath(), root / "sluice.db");
  // Opening again is harmless.
  EXPECT_TRUE(DataDir::open(root).ok());
}

TEST(DataDir, OpenFailureIsAnErrorValue) {
  TempDir tmp;
  ASSERT_TRUE(writeFileDurably(tmp / "file", "x").ok());
  auto dir = DataDir::open(tmp / "file" / "sub");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, "InternalFailure");
  EXPECT_EQ(dir.error().httpStatus, 500);
}

TEST(DataDir, DurableWriteCreatesAndReplaces) {
  TempDir tmp;
  const auto target = tmp / "object";
  ASSERT_TRUE(writeFileDurably(target, "first").ok());
  EXPECT_EQ(readFile(target), "first");
  ASSERT_TRUE(writeFileDurably(target, "second, longer").ok());
  EXPECT_EQ(readFile(target), "second, longer");
  ASSERT_TRUE(writeFileDurably(target, "").ok());
  EXPECT_EQ(readFile(target), "");
  EXPECT_EQ(tempFilesIn(tmp.path()), 0u);
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::owner_read, fs::perms::owner_read);
}

TEST(DataDir, StreamedWriteAppearsOnlyOnCommit) {
  TempDir tmp;
  const auto target = tmp / "object";
  ASSERT_TRUE(writeFileDurably(target, "old").ok());
  {
    auto writer = DurableFileWriter::create(target);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    ASSERT_TRUE(writer->write("new ").ok());
    ASSERT_TRUE(writer->write("content").ok());
    EXPECT_EQ(readFile(target), "old");
    EXPECT_TRUE(fs::exists(writer->tempPath()));
    EXPECT_EQ(writer->tempPath().parent_path(), tmp.path());  // same directory: rename is atomic
    ASSERT_TRUE(writer->commit().ok());
    EXPECT_FALSE(writer->commit().ok());  // once
    EXPECT_FALSE(writer->write("more").ok());
  }
  EXPECT_EQ(readFile(target), "new content");
  {
    auto writer = DurableFileWriter::create(target);
    ASSERT_TRUE(writer->write("abandoned").ok());
  }  // never committed
  EXPECT_EQ(readFile(target), "new content");
  EXPECT_EQ(tempFilesIn(tmp.path()), 0u);
}

TEST(DataDir, WriteIntoAMissingDirectoryIsAnErrorValue) {
  TempDir tmp;
  auto r = writeFileDurably(tmp / "no" / "such" / "dir" / "f", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InternalFailure");
  EXPECT_NE(r.error().message.find("io: "), std::string::npos);
  ASSERT_TRUE(createDirectoriesDurably(tmp / "no" / "such" / "dir").ok());
  EXPECT_TRUE(writeFileDurably(tmp / "no" / "such" / "dir" / "f", "x").ok());
}

TEST(DataDir, ReaderNeverSeesAPartialFile) {
  TempDir tmp;
  const auto target = tmp / "object";
  ASSERT_TRUE(writeFileDurably(target, version(0)).ok());
  std::atomic<bool> writing{true};
  std::atomic<int> writeErrors{0};
  std::thread writer([&] {
    for (long i = 1; i <= 40; ++i) {
      if (!writeFileDurably(target, version(i)).ok()) ++writeErrors;
    }
    writing = false;
  });
  int reads = 0, torn = 0;
  while (writing || reads == 0) {
    const std::string content = readFile(target);
    ++reads;
    if (content.size() != (1u << 20) ||
        content.find_first_not_of(content.empty() ? 'a' : content[0]) != std::string::npos) {
      ++torn;
    }
  }
  writer.join();
  EXPECT_EQ(writeErrors.load(), 0);
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
}

TEST(DataDir, Kill9DuringAWriteLeavesTheOldOrTheNewFile) {
  TempDir tmp;
  const auto target = tmp / "object";
  ASSERT_TRUE(writeFileDurably(target, version(0)).ok());
  auto child = sluice::testing::ChildProcess::spawn([&](int out) {
    for (long i = 1;; ++i) {
      if (!writeFileDurably(target, version(i)).ok()) return 3;
      sluice::testing::ChildProcess::writeLine(out, std::to_string(i));
    }
  });
  long acked = 0;
  for (int n = 0; n < 5; ++n) {
    auto line = child.readLine();
    ASSERT_TRUE(line.has_value()) << "child exited early";
    acked = std::stol(*line);
  }
  ASSERT_TRUE(WIFSIGNALED(child.kill9()));
  while (auto line = child.readLine()) acked = std::stol(*line);

  const std::string content = readFile(target);
  // The last acknowledged version, or the one being renamed in as it died.
  EXPECT_TRUE(content == version(acked) || content == version(acked + 1))
      << "size " << content.size() << ", acked " << acked;
  // What the crash left behind is swept at start-up.
  auto removed = removeTempFiles(tmp.path());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(tempFilesIn(tmp.path()), 0u);
  EXPECT_EQ(readFile(target), content);
}

TEST(DataDir, RemoveTempFilesSweepsRecursivelyAndKeepsTheRest) {
  TempDir tmp;
  ASSERT_TRUE(createDirectoriesDurably(tmp / "a" / "b").ok());
  std::ofstream(tmp / "a" / (std::string(kTempPrefix) + "x.123456")) << "partial";
  std::ofstream(tmp / "a" / "b" / (std::string(kTempPrefix) + "y.654321")) << "partial";
  ASSERT_TRUE(writeFileDurably(tmp / "a" / "b" / "kept", "data").ok());
  auto removed = removeTempFiles(tmp.path());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(readFile(tmp / "a" / "b" / "kept"), "data");
  EXPECT_FALSE(isTempFileName("kept"));
}

}  // namespace
}  // namespace sluice::store
