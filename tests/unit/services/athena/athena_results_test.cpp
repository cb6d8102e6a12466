#include "services/athena/athena_results.hpp"

#include <gtest/gtest.h>

namespace sluice::services::athena {
namespace {

struct ValueCase {
  const char* duckType;
  const char* duckText;
  const char* athena;
};

TEST(AthenaResults, ValuesAsTrinoPrintsThem) {
  const ValueCase cases[] = {
      {"DOUBLE", "10000000000.0", "1.0E10"},
      {"DOUBLE", "1e20", "1.0E20"},
      {"DOUBLE", "2.5", "2.5"},
      {"DOUBLE", "3.0", "3.0"},
      {"DOUBLE", "0.30000000000000004", "0.30000000000000004"},
      {"DOUBLE", "0.0001", "1.0E-4"},
      {"DOUBLE", "1234567.0", "1234567.0"},
      {"DOUBLE", "12345678.0", "1.2345678E7"},
      {"DOUBLE", "-0.5", "-0.5"},
      {"DOUBLE", "inf", "Infinity"},
      {"FLOAT", "1.5", "1.5"},
      {"TIMESTAMP", "2024-01-02 03:04:05", "2024-01-02 03:04:05.000"},
      {"TIMESTAMP", "2024-01-02 03:04:05.5", "2024-01-02 03:04:05.500"},
      {"TIMESTAMP", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.123"},
      {"BIGINT", "42", "42"},
      {"VARCHAR", "a,b", "a,b"},
      {"DECIMAL(10,2)", "1.50", "1.50"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(athenaValue(c.duckType, c.duckText), c.athena) << c.duckType << " " << c.duckText;
  }
}

TEST(AthenaResults, TypeNamesAndColumnInfo) {
  EXPECT_EQ(athenaType("VARCHAR"), "varchar");
  EXPECT_EQ(athenaType("INTEGER[]"), "array");
  EXPECT_EQ(athenaType("STRUCT(a INTEGER)"), "row");
  EXPECT_EQ(athenaType("MAP(VARCHAR, INTEGER)"), "map");
  EXPECT_EQ(athenaType("FLOAT"), "float");
  EXPECT_EQ(athenaType("BLOB"), "varbinary");
  Json info = columnInfo("price", "DECIMAL(12,3)");
  EXPECT_EQ(info.as_object().at("Type"), "decimal");
  EXPECT_EQ(info.as_object().at("Precision").to_number<int64_t>(), 12);
  EXPECT_EQ(info.as_object().at("Scale").to_number<int64_t>(), 3);
  EXPECT_EQ(columnInfo("s", "VARCHAR").as_object().at("CaseSensitive"), true);
}

TEST(AthenaResults, CsvQuotesEverythingButNull) {
  Row row = {std::string("a"), std::nullopt, std::string(""), std::string("say \"hi\", ok")};
  std::string line = csvLine(row);
  EXPECT_EQ(line, "\"a\",,\"\",\"say \"\"hi\"\", ok\"\n");
  auto parsed = parseCsv(line + "\"x\nnext\",\"2\"\n");
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0], row);
  EXPECT_EQ(parsed[1], (Row{std::string("x\nnext"), std::string("2")}));
}

}  // namespace
}  // namespace sluice::services::athena
