#include "lake/dq_recommend.hpp"

#include <gtest/gtest.h>

#include "lake/dqdl.hpp"
#include "small_duck.hpp"

namespace sluice::lake {
namespace {

class DqRecommendTest : public SmallDuckTest {
 protected:
  void SetUp() override {
    SmallDuckTest::SetUp();
    // 20 posts: ids 0..19, two kinds, every fifth title missing, views by
    // tens, scores by halves of three.
    auto made = con_->query(
        "CREATE TABLE posts AS SELECT i::BIGINT AS id, CASE WHEN i % 2 = 0 THEN 'post' ELSE "
        "'page' END AS kind, CASE WHEN i % 5 = 0 THEN NULL ELSE 'title ' || i END AS title, "
        "(i * 10)::INTEGER AS views, i * 1.5::DOUBLE AS score FROM range(20) t(i)");
    ASSERT_TRUE(made.ok()) << made.error().message;
  }
};

TEST_F(DqRecommendTest, RulesFromTheProfileOfEachColumn) {
  auto ruleset = recommendDqdl(*con_, "posts");
  ASSERT_TRUE(ruleset.ok()) << ruleset.error().message;
  // Worked by hand: 16 of 20 titles ('title 1' .. 'title 19', 7 or 8 long);
  // scores 0 .. 28.5, population deviation 1.5 * sqrt(399 / 12) = 8.6494.
  EXPECT_EQ(*ruleset,
            "Rules = [\n"
            "    RowCount between 10 and 40,\n"
            "    IsComplete \"id\",\n"
            "    Uniqueness \"id\" > 0.95,\n"
            "    ColumnValues \"id\" between -1 and 20,\n"
            "    IsComplete \"kind\",\n"
            "    ColumnValues \"kind\" in [\"page\", \"post\"],\n"
            "    Completeness \"title\" >= 0.8,\n"
            "    ColumnLength \"title\" between 6 and 9,\n"
            "    IsComplete \"views\",\n"
            "    Uniqueness \"views\" > 0.95,\n"
            "    ColumnValues \"views\" between -1 and 191,\n"
            "    IsComplete \"score\",\n"
            "    Uniqueness \"score\" > 0.95,\n"
            "    ColumnValues \"score\" between -1 and 30,\n"
            "    StandardDeviation \"score\" between 8.21 and 9.09\n"
            "]");
}

TEST_F(DqRecommendTest, TheDataProfiledPassesEveryRecommendedRule) {
  auto ruleset = recommendDqdl(*con_, "posts");
  ASSERT_TRUE(ruleset.ok());
  auto parsed = parseDqdl(*ruleset);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  for (const auto& r : evaluateDqdl(*con_, "posts", *parsed, TimePoint{})) {
    EXPECT_EQ(r.result, "PASS") << r.description << ": " << r.message;
  }
}

TEST_F(DqRecommendTest, AnEmptyTableHasNoRows) {
  ASSERT_TRUE(con_->query("CREATE TABLE none AS SELECT * FROM posts WHERE false").ok());
  auto ruleset = recommendDqdl(*con_, "none");
  ASSERT_TRUE(ruleset.ok());
  EXPECT_EQ(*ruleset, "Rules = [\n    RowCount = 0\n]");
}

TEST_F(DqRecommendTest, AMissingRelationIsAnError) {
  EXPECT_FALSE(recommendDqdl(*con_, "nope").ok());
}

}  // namespace
}  // namespace sluice::lake
