#include "services/glue/crawl_scope.hpp"

#include <gtest/gtest.h>

namespace sluice::services::glue {
namespace {

TEST(CrawlScope, FoldersGoToTheTableTheyFallIn) {
  lake::CrawlTarget target;
  target.path = "s3://lake/bronze/";
  target.exclusions = {"**/tmp/**"};
  std::vector<KnownTable> known = {{"s3://lake/bronze/posts/", "db", "posts", true},
                                   {"s3://lake/bronze/users/", "db", "users", false}};
  auto targets = partialTargets(
      target, {"bronze/posts/2024/02/", "bronze/posts/2024/03/", "bronze/users/", "bronze/new/"},
      known);
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].path, "s3://lake/bronze/posts/");
  EXPECT_EQ(targets[0].tableLevel, 3);
  EXPECT_EQ(targets[0].onlyFolders,
            (std::vector<std::string>{"bronze/posts/2024/02/", "bronze/posts/2024/03/"}));
  EXPECT_EQ(targets[0].exclusions, target.exclusions);
  EXPECT_EQ(targets[1].path, "s3://lake/bronze/users/");
  EXPECT_EQ(targets[2].path, "s3://lake/bronze/");  // outside every known table
  EXPECT_EQ(targets[2].tableLevel, 0);
  EXPECT_EQ(targets[2].onlyFolders, std::vector<std::string>{"bronze/new/"});
  EXPECT_TRUE(partialTargets(target, {}, known).empty());
}

TEST(CrawlScope, FolderOfAKey) {
  EXPECT_EQ(folderOf("a/b/c.json"), "a/b/");
  EXPECT_EQ(folderOf("c.json"), "");
}

}  // namespace
}  // namespace sluice::services::glue
