#include "lake/partition_projection.hpp"

#include <gtest/gtest.h>

namespace sluice::lake {
namespace {

// 2024-03-15T12:00:00Z, the clock NOW reads in these cases.
const TimePoint kNow = TimePoint(std::chrono::seconds(1710504000));

Json table(JsonObject params, std::vector<std::pair<std::string, std::string>> keys) {
  params["projection.enabled"] = "true";
  JsonArray pk;
  for (const auto& [name, type] : keys) pk.push_back(JsonObject{{"Name", name}, {"Type", type}});
  return JsonObject{{"Name", "t"},
                    {"StorageDescriptor", JsonObject{{"Location", "s3://lake/logs"}}},
                    {"PartitionKeys", std::move(pk)},
                    {"Parameters", std::move(params)}};
}

std::string partitionOf(const Json& t, std::string_view uri) {
  auto p = PartitionProjection::of(t, kNow);
  if (!p) return "error: " + p.error().message;
  if (!*p) return "not projected";
  auto m = (*p)->partitionOf(uri);
  if (!m) return "none";
  std::string out;
  for (const auto& v : m->values) out += v + "|";
  return out + m->location;
}

TEST(PartitionProjection, DatesInPatterns) {
  EXPECT_EQ(parseProjectedDate("2024-02-29", "yyyy-MM-dd"), 1709164800);
  EXPECT_EQ(parseProjectedDate("2024/03/15/07", "yyyy/MM/dd/HH"), 1710486000);
  EXPECT_EQ(parseProjectedDate("2024-3-5", "yyyy-M-d"), 1709596800);
  EXPECT_EQ(parseProjectedDate("24-03-05", "yy-MM-dd"), 1709596800);
  EXPECT_EQ(parseProjectedDate("2024-03-05T10", "yyyy-MM-dd'T'HH"), 1709632800);
  EXPECT_EQ(parseProjectedDate("2023-02-29", "yyyy-MM-dd"), std::nullopt);  // not a leap year
  EXPECT_EQ(parseProjectedDate("2024-13-01", "yyyy-MM-dd"), std::nullopt);
  EXPECT_EQ(parseProjectedDate("2024-3-05", "yyyy-MM-dd"), std::nullopt);  // MM is two digits
  EXPECT_EQ(parseProjectedDate("2024-03-05x", "yyyy-MM-dd"), std::nullopt);
}

TEST(PartitionProjection, HiveLayoutByDefault) {
  Json t = table({{"projection.year.type", "integer"},
                  {"projection.year.range", "2020,2024"},
                  {"projection.region.type", "enum"},
                  {"projection.region.values", "eu,us"}},
                 {{"year", "int"}, {"region", "string"}});
  EXPECT_EQ(partitionOf(t, "s3://lake/logs/year=2021/region=eu/a.json"),
            "2021|eu|s3://lake/logs/year=2021/region=eu/");
  EXPECT_EQ(partitionOf(t, "s3://lake/logs/year=2021/region=eu/deeper/a.json"),
            "2021|eu|s3://lake/logs/year=2021/region=eu/");
  EXPECT_EQ(partitionOf(t, "s3://lake/logs/year=2019/region=eu/a.json"), "none");  // out of range
  EXPECT_EQ(partitionOf(t, "s3://lake/logs/year=2021/region=ap/a.json"), "none");  // not a value
  EXPECT_EQ(partitionOf(t, "s3://lake/other/year=2021/region=eu/a.json"), "none");
}

TEST(PartitionProjection, TemplatesDigitsIntervalsAndDates) {
  Json t = table({{"projection.hour.type", "integer"},
                  {"projection.hour.range", "0,23"},
                  {"projection.hour.digits", "2"},
                  {"projection.day.type", "date"},
                  {"projection.day.format", "yyyy/MM/dd"},
                  {"projection.day.range", "NOW-1MONTHS,NOW"},
                  {"storage.location.template", "s3://lake/raw/${day}/${hour}"}},
                 {{"day", "string"}, {"hour", "int"}});
  EXPECT_EQ(partitionOf(t, "s3://lake/raw/2024/03/01/07/f.gz"),
            "2024/03/01|07|s3://lake/raw/2024/03/01/07/");
  EXPECT_EQ(partitionOf(t, "s3://lake/raw/2024/03/01/7/f.gz"), "none");   // digits 2
  EXPECT_EQ(partitionOf(t, "s3://lake/raw/2024/01/01/07/f.gz"), "none");  // before NOW-1MONTHS
  EXPECT_EQ(partitionOf(t, "s3://lake/raw/2024/03/16/07/f.gz"), "none");  // after NOW
  EXPECT_EQ(partitionOf(t, "s3://lake/raw/2024/02/15/23/f.gz"),
            "2024/02/15|23|s3://lake/raw/2024/02/15/23/");
  Json every5 = table({{"projection.m.type", "integer"},
                       {"projection.m.range", "0,55"},
                       {"projection.m.interval", "5"}},
                      {{"m", "int"}});
  EXPECT_EQ(partitionOf(every5, "s3://lake/logs/m=10/f"), "10|s3://lake/logs/m=10/");
  EXPECT_EQ(partitionOf(every5, "s3://lake/logs/m=12/f"), "none");
  Json injected = table({{"projection.device.type", "injected"}}, {{"device", "string"}});
  EXPECT_EQ(partitionOf(injected, "s3://lake/logs/device=abc-1/f"),
            "abc-1|s3://lake/logs/device=abc-1/");
}

TEST(PartitionProjection, ConfigurationErrors) {
  const std::pair<JsonObject, const char*> cases[] = {
      {{{"projection.k.type", "integer"}}, "projection.k.range"},
      {{{"projection.k.type", "enum"}}, "projection.k.values"},
      {{{"projection.k.type", "date"}, {"projection.k.range", "2020-01-01,NOW"}},
       "projection.k.format"},
      {{{"projection.k.type", "date"},
        {"projection.k.format", "yyyy-MM-dd"},
        {"projection.k.range", "yesterday,NOW"}},
       "yesterday"},
      {{{"projection.k.type", "sequence"}}, "projection.k.type"},
      {{}, "projection.k.type"},
      {{{"projection.k.type", "injected"}, {"storage.location.template", "s3://lake/x/"}}, "${k}"},
      {{{"projection.k.type", "injected"}, {"storage.location.template", "s3://lake/${j}/"}},
       "${j}"},
  };
  for (const auto& [params, expected] : cases) {
    std::string got = partitionOf(table(params, {{"k", "string"}}), "s3://lake/logs/k=1/f");
    EXPECT_TRUE(got.starts_with("error: ")) << got;
    EXPECT_NE(got.find(expected), std::string::npos) << got;
  }
  Json off = table({}, {{"k", "string"}});
  off.as_object()["Parameters"].as_object()["projection.enabled"] = "false";
  EXPECT_EQ(partitionOf(off, "s3://lake/logs/k=1/f"), "not projected");
}

}  // namespace
}  // namespace sluice::lake
