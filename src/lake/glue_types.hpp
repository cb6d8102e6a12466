// DuckDB's types as the Glue Data Catalog (Hive) spells them, for the schemas
// crawlers write and Athena and jobs read back:
//
//   BIGINT -> bigint, INTEGER -> int, DOUBLE -> double, VARCHAR -> string,
//   DECIMAL(18,3) -> decimal(18,3), VARCHAR[] -> array<string>,
//   STRUCT(a BIGINT, "b c" VARCHAR) -> struct<a:bigint,b c:string>,
//   MAP(VARCHAR, INTEGER) -> map<string,int>, JSON -> string, ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "lake/duckdb.hpp"

namespace sluice::lake {

// The Glue type of a DuckDB type name as DESCRIBE prints it. Types Glue has
// no name for (UNION, BIT, intervals) become string, as a crawler would read
// them.
std::string glueType(std::string_view duckdbType);

// The DuckDB type of a Glue/Hive type string (the inverse of glueType):
// string -> VARCHAR, array<int> -> INTEGER[], struct<a:bigint> ->
// STRUCT("a" BIGINT), map<string,int> -> MAP(VARCHAR, INTEGER), varchar(10)
// and char(n) -> VARCHAR. Unknown names are VARCHAR.
std::string duckdbType(std::string_view glueType);

struct GlueColumn {
  std::string name;
  std::string type;  // Glue/Hive type
};

// The columns `relation` (a table function call such as
// "read_parquet('/snap/b/t/*.parquet')") yields, via DESCRIBE.
Result<std::vector<GlueColumn>> describeColumns(DuckConnection& con, const std::string& relation);

}  // namespace sluice::lake
