#include "services/common/master_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace sluice::services {
namespace {

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-key-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(MasterKeyTest, CreatedOnceWithOwnerOnlyMode) {
  auto path = masterKeyPath(dir_, "ssm-master");
  EXPECT_EQ(path, dir_ / "keys" / "ssm-master.key");
  auto first = loadOrCreateMasterKey(path);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = loadOrCreateMasterKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
}

TEST_F(MasterKeyTest, RefusesWrongSizeAndOpenModes) {
  auto path = masterKeyPath(dir_, "k");
  ASSERT_TRUE(loadOrCreateMasterKey(path).ok());
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(loadOrCreateMasterKey(path).ok());
  ::chmod(path.c_str(), 0600);
  std::ofstream(path, std::ios::trunc) << "short";
  EXPECT_FALSE(loadOrCreateMasterKey(path).ok());
}

}  // namespace
}  // namespace sluice::services
