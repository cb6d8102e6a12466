#include "lake/hive_bucketing.hpp"

#include <gtest/gtest.h>

#include "lake/duckdb.hpp"
#include "small_duck.hpp"

namespace sluice::lake {
namespace {

// The bucket DuckDB computes for one value of one column.
class HiveBucketingTest : public SmallDuckTest {
 protected:
  std::string bucket(const std::string& literal, const std::string& type, int count,
                     bool varchar = false) {
    auto expr =
        hiveBucketExpression({{.name = "v", .duckType = type, .hiveVarchar = varchar}}, count);
    EXPECT_TRUE(expr.ok());
    if (!expr) return "";
    auto r = con_->query("SELECT " + *expr + " FROM (SELECT CAST(" + literal + " AS " + type +
                         ") AS v)");
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->value(0, 0).value_or("NULL") : "";
  }
};

// Expected values are Java's: Integer/Long/String hash codes, then
// (hash & Integer.MAX_VALUE) % count.
TEST_F(HiveBucketingTest, IntegersAreTheirValueAndBigintsXorTheirHalves) {
  EXPECT_EQ(bucket("7", "INTEGER", 4), "3");
  EXPECT_EQ(bucket("-1", "INTEGER", 4), "3");         // 0x7fffffff % 4
  EXPECT_EQ(bucket("-3", "SMALLINT", 10), "5");       // 2147483645 % 10
  EXPECT_EQ(bucket("4294967301", "BIGINT", 7), "4");  // 1 ^ 5
  EXPECT_EQ(bucket("-2", "BIGINT", 7), "1");          // 0xffffffff ^ 0xfffffffe
  EXPECT_EQ(bucket("true", "BOOLEAN", 3), "1");
  EXPECT_EQ(bucket("DATE '1970-01-11'", "DATE", 7), "3");  // 10 days
  EXPECT_EQ(bucket("NULL", "INTEGER", 4), "0");
}

TEST_F(HiveBucketingTest, StringsFoldTheirSignedUtf8Bytes) {
  EXPECT_EQ(bucket("'hello'", "VARCHAR", 10), "2");  // "hello".hashCode() = 99162322
  EXPECT_EQ(bucket("'é'", "VARCHAR", 10), "0");      // -61 * 31 - 87 = -1978
  // -2082818701 overflows int many times over.
  EXPECT_EQ(bucket("'the quick brown fox jumps over the lazy dog'", "VARCHAR", 10), "7");
  EXPECT_EQ(bucket("''", "VARCHAR", 10), "0");
  EXPECT_EQ(bucket("'a'", "VARCHAR", 1000, /*varchar=*/true), "128");  // 1 * 31 + 97
}

TEST_F(HiveBucketingTest, ColumnsCombineAsThirtyOneTimesThePreviousHash) {
  auto expr = hiveBucketExpression(
      {BucketColumn{"a", "INTEGER", false}, BucketColumn{"b", "VARCHAR", false}}, 1000);
  ASSERT_TRUE(expr.ok());
  auto r = con_->query("SELECT " + *expr + " FROM (SELECT 1 AS a, 'a' AS b)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value(0, 0), "128");  // (0 * 31 + 1) * 31 + 97
}

TEST_F(HiveBucketingTest, TypesWithoutAHashAreNamed) {
  auto expr = hiveBucketExpression({BucketColumn{"price", "DOUBLE", false}}, 4);
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.error().code, "NOT_SUPPORTED");
  EXPECT_NE(expr.error().message.find("'price'"), std::string::npos);
}

TEST(HiveBucketFileName, SixDigitsThenTheStem) {
  EXPECT_EQ(hiveBucketFileName(3, "q1"), "000003_0_q1");
  EXPECT_EQ(hiveBucketFileName(1234, "q1"), "001234_0_q1");
}

}  // namespace
}  // namespace sluice::lake
