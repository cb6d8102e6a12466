#include "lake/json_records.hpp"

#include <gtest/gtest.h>

namespace sluice::lake {
namespace {

// Each step written back: a name, or * for [*].
std::string steps(std::string_view path) {
  auto p = parseJsonRecordPath(path);
  if (!p) return "invalid";
  std::string out;
  for (const auto& s : p->steps) out += (out.empty() ? "" : "|") + (s ? *s : std::string("*"));
  return out;
}

TEST(JsonRecordPath, NamesAndWildcards) {
  const std::pair<const char*, const char*> cases[] = {
      {"$", ""},
      {"$[*]", "*"},
      {"$.data.items[*]", "data|items|*"},
      {"$[*].rows[*]", "*|rows|*"},
      {"$['meta']", "meta"},
      {"$['a b'].c", "a b|c"},
      {"$.a[*][*]", "a|*|*"},
      {"", "invalid"},
      {"data", "invalid"},
      {"$..items", "invalid"},
      {"$.", "invalid"},
      {"$[0]", "invalid"},
      {"$[?(@.x)]", "invalid"},
      {"$['open", "invalid"},
  };
  for (const auto& [path, expected] : cases) EXPECT_EQ(steps(path), expected) << path;
}

TEST(JsonRecordPath, SelectUnnestsAtEachWildcard) {
  auto path = parseJsonRecordPath("$.data.items[*]");
  ASSERT_TRUE(path);
  EXPECT_EQ(jsonRecordsSelect(*path, "read_json('f')", {"filename"}),
            "SELECT unnest(__v), \"filename\" FROM (SELECT unnest(__t.\"data\".\"items\") AS __v, "
            "\"filename\" FROM read_json('f') AS __t)");
  // A leading [*] is read_json's own: its rows are the array's elements.
  auto top = parseJsonRecordPath("$[*].rows[*]");
  ASSERT_TRUE(top);
  EXPECT_EQ(jsonRecordsSelect(*top, "r", {}),
            "SELECT unnest(__v) FROM (SELECT unnest(__t.\"rows\") AS __v FROM r AS __t)");
  auto object = parseJsonRecordPath("$['meta']");
  ASSERT_TRUE(object);
  EXPECT_EQ(jsonRecordsSelect(*object, "r", {}), "SELECT unnest(__t.\"meta\") FROM r AS __t");
}

}  // namespace
}  // namespace sluice::lake
