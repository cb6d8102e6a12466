// Runs every case of tests/data/event_patterns/*.json: {name, pattern,
// event, matches} or {name, pattern, invalid: true}.
#include "services/events/event_pattern.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace sluice::services::events {
namespace {

TEST(EventPattern, DocumentedCases) {
  std::filesystem::path dir =
      std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/data/event_patterns";
  int cases = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(file.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto doc = parseJson(text);
    ASSERT_TRUE(doc && doc->is_array()) << file.path();
    for (const Json& c : doc->as_array()) {
      const JsonObject& o = c.as_object();
      std::string where =
          file.path().filename().string() + ": " + std::string(o.at("name").as_string());
      auto pattern = EventPattern::parse(toJsonText(o.at("pattern")));
      ++cases;
      if (o.contains("invalid")) {
        EXPECT_FALSE(pattern.ok()) << where;
        if (!pattern.ok()) {
          EXPECT_EQ(pattern.error().code, "InvalidEventPatternException") << where;
        }
        continue;
      }
      ASSERT_TRUE(pattern.ok()) << where << ": " << pattern.error().message;
      EXPECT_EQ(pattern->matches(o.at("event")), o.at("matches").as_bool()) << where;
    }
  }
  EXPECT_GE(cases, 50);
}

}  // namespace
}  // namespace sluice::services::events
