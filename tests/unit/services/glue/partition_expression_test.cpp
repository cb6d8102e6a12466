#include "services/glue/partition_expression.hpp"

#include <gtest/gtest.h>

namespace sluice::services::glue {
namespace {

const std::vector<PartitionKeyType> kKeys = {
    {"year", "string"}, {"month", "string"}, {"hour", "int"}, {"region", "string"}};

// The partitions every case filters: year, month, hour, region.
const std::vector<std::vector<std::string>> kPartitions = {
    {"2023", "12", "3", "eu-west-1"},      // 0
    {"2024", "01", "9", "us-east-1"},      // 1
    {"2024", "02", "10", "eu-central-1"},  // 2
    {"2024", "02", "23", "us-west-2"},     // 3
};

struct Case {
  const char* expression;
  std::vector<size_t> matching;  // indexes into kPartitions
};

TEST(PartitionExpression, FiltersAsGlueDocuments) {
  const Case cases[] = {
      {"year = '2024'", {1, 2, 3}},
      {"YEAR='2024' and month = '02'", {2, 3}},
      {"month IN ('01', '12')", {0, 1}},
      {"month NOT IN ('01', '12')", {2, 3}},
      // hour is an int key: 9 < 10 numerically, though "9" > "10" as text.
      {"hour < 10", {0, 1}},
      {"hour >= 10", {2, 3}},
      {"hour BETWEEN 3 AND 9", {0, 1}},
      {"hour NOT BETWEEN 3 AND 9", {2, 3}},
      {"region LIKE 'eu-%'", {0, 2}},
      {"region NOT LIKE '%-1'", {3}},
      {"region LIKE 'us-_ast-1'", {1}},
      {"year <> '2024' OR hour > 20", {0, 3}},
      {"(year = '2024' OR year = '2023') AND NOT region LIKE 'us%'", {0, 2}},
      {"NOT (month = '02')", {0, 1}},
      {"`month` != '02' AND year >= '2024'", {1}},
      {"year = \"2023\"", {0}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expression);
    auto e = PartitionExpression::parse(c.expression, kKeys);
    ASSERT_TRUE(e.ok()) << e.error().message;
    std::vector<size_t> got;
    for (size_t i = 0; i < kPartitions.size(); ++i) {
      if (e->matches(kPartitions[i])) got.push_back(i);
    }
    EXPECT_EQ(got, c.matching);
  }
}

TEST(PartitionExpression, RefusesWhatItCannotRead) {
  for (const char* bad :
       {"", "year =", "nokey = '1'", "year = '2024", "year IN '2024'", "(year = '1'",
        "year BETWEEN 1 2", "year = '1' AND", "year ! '1'", "year = '1' extra"}) {
    SCOPED_TRACE(bad);
    auto e = PartitionExpression::parse(bad, kKeys);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, "InvalidInputException");
    EXPECT_NE(e.error().message.find("Unsupported expression"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::services::glue
