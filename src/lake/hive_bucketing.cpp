#include "lake/hive_bucketing.hpp"

#include <cstdio>

#include "lake/duckdb.hpp"

namespace sluice::lake {

namespace {

constexpr const char* kLow32 = "4294967295";

// The field hash of one column, as a BIGINT whose low 32 bits are Java's int.
Result<std::string> fieldHash(const BucketColumn& c) {
  std::string v = sqlIdent(c.name);
  const std::string& t = c.duckType;
  std::string hash;
  if (t == "BOOLEAN") {
    hash = "CASE WHEN " + v + " THEN 1 ELSE 0 END";
  } else if (t == "TINYINT" || t == "SMALLINT" || t == "INTEGER") {
    hash = "CAST(" + v + " AS BIGINT)";
  } else if (t == "BIGINT") {
    hash = "xor(" + v + " >> 32, " + v + ")";
  } else if (t == "DATE") {
    hash = "CAST(" + v + " - DATE '1970-01-01' AS BIGINT)";
  } else if (t == "VARCHAR") {
    // The UTF-8 bytes, each read from the hex of the encoding, signed.
    std::string bytes = "hex(encode(" + v + "))";
    hash = "list_reduce(list_transform(range(octet_length(encode(" + v +
           "))), sluice_i -> CAST('0x' || substr(" + bytes +
           ", 2 * sluice_i + 1, 2) AS BIGINT)), (sluice_h, sluice_b) -> (sluice_h * 31 + "
           "CASE WHEN sluice_b >= 128 THEN sluice_b - 256 ELSE sluice_b END) & " +
           kLow32 + ", " + (c.hiveVarchar ? "1" : "0") + ")";
  } else {
    return AwsError{
        "NOT_SUPPORTED",
        "Sluice does not compute Hive's bucket hash for column '" + c.name + "' of type " + t, 400};
  }
  return "COALESCE(" + hash + ", 0)";
}

}  // namespace

Result<std::string> hiveBucketExpression(const std::vector<BucketColumn>& columns,
                                         int bucketCount) {
  std::string hash = "CAST(0 AS BIGINT)";
  for (const auto& c : columns) {
    auto field = fieldHash(c);
    if (!field) return field.error();
    hash = "((" + hash + ") * 31 + " + *field + ") & " + kLow32;
  }
  return "((" + hash + ") & 2147483647) % " + std::to_string(bucketCount);
}

std::string hiveBucketFileName(int bucket, const std::string& stem) {
  char number[16];
  std::snprintf(number, sizeof number, "%06d", bucket);
  return std::string(number) + "_0_" + stem;
}

}  // namespace sluice::lake
