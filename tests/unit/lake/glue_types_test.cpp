#include "lake/glue_types.hpp"

#include <gtest/gtest.h>

#include "../cli/cli_test_support.hpp"

namespace sluice::lake {
namespace {

TEST(GlueTypes, DuckDbTypesAsGlueSpellsThem) {
  const std::pair<const char*, const char*> cases[] = {
      {"BIGINT", "bigint"},
      {"INTEGER", "int"},
      {"SMALLINT", "smallint"},
      {"TINYINT", "tinyint"},
      {"HUGEINT", "decimal(38,0)"},
      {"DOUBLE", "double"},
      {"FLOAT", "float"},
      {"BOOLEAN", "boolean"},
      {"VARCHAR", "string"},
      {"JSON", "string"},
      {"UUID", "string"},
      {"DATE", "date"},
      {"TIMESTAMP", "timestamp"},
      {"TIMESTAMP WITH TIME ZONE", "timestamp"},
      {"TIMESTAMP_NS", "timestamp"},
      {"BLOB", "binary"},
      {"DECIMAL(18,3)", "decimal(18,3)"},
      {"DECIMAL(10, 2)", "decimal(10,2)"},
      {"VARCHAR[]", "array<string>"},
      {"BIGINT[][]", "array<array<bigint>>"},
      {"INTEGER[3]", "array<int>"},
      {"STRUCT(a BIGINT, b VARCHAR)", "struct<a:bigint,b:string>"},
      {"STRUCT(\"my field\" DOUBLE, tags VARCHAR[])", "struct<my field:double,tags:array<string>>"},
      {"STRUCT(name VARCHAR, position DOUBLE[])[]",
       "array<struct<name:string,position:array<double>>>"},
      {"STRUCT(a STRUCT(b INTEGER, c DECIMAL(9,2)))", "struct<a:struct<b:int,c:decimal(9,2)>>"},
      {"MAP(VARCHAR, INTEGER)", "map<string,int>"},
      {"MAP(VARCHAR, STRUCT(x BIGINT))", "map<string,struct<x:bigint>>"},
  };
  for (const auto& [duck, glue] : cases) {
    EXPECT_EQ(glueType(duck), glue) << duck;
  }
}

TEST(GlueTypes, DescribesWhatDuckDbReads) {
  cli::testing::TempDir dir;
  auto db = DuckDatabase::open({});
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto con = (*db)->connect();
  ASSERT_TRUE(con.ok());
  std::string file = dir.path("t.parquet");
  auto w = (*con)->query(
      "COPY (SELECT 1::BIGINT AS id, 'x' AS name, [1.5, 2.5] AS scores, "
      "{'city': 'Oslo', 'zip': 150} AS address, DATE '2024-01-02' AS day, "
      "12.50::DECIMAL(10,2) AS price) TO '" +
      file + "' (FORMAT parquet)");
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto cols = describeColumns(**con, "read_parquet('" + file + "')");
  ASSERT_TRUE(cols.ok()) << cols.error().message;
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& c : *cols) got.emplace_back(c.name, c.type);
  std::vector<std::pair<std::string, std::string>> want = {
      {"id", "bigint"},
      {"name", "string"},
      {"scores", "array<decimal(2,1)>"},
      {"address", "struct<city:string,zip:int>"},
      {"day", "date"},
      {"price", "decimal(10,2)"}};
  EXPECT_EQ(got, want);
  auto bad = describeColumns(**con, "read_parquet('" + dir.path("missing.parquet") + "')");
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace sluice::lake
