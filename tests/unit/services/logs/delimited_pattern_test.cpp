// Runs every file of tests/data/logs_filter_patterns/ (space_delimited.json,
// regex.json): {cases: [{name, pattern, message, matches, extracted?}],
// invalid: [{name, pattern}]}, written from the semantics AWS documents for
// filter patterns. The API tests run the same cases through TestMetricFilter.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/json.hpp"
#include "services/logs/delimited_pattern.hpp"
#include "services/logs/filter_pattern.hpp"

namespace sluice::services::logs {
namespace {

// Every case file, by name.
std::vector<std::pair<std::string, Json>> loadCaseFiles() {
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/data/logs_filter_patterns")) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto doc = parseJson(text.str());
    out.emplace_back(entry.path().filename().string(), doc ? *doc : Json());
  }
  return out;
}

TEST(DelimitedPattern, DocumentedCases) {
  auto files = loadCaseFiles();
  ASSERT_GE(files.size(), 2u);
  for (const auto& [file, doc] : files) {
    ASSERT_TRUE(doc.is_object()) << file;
    const JsonArray& cases = doc.at("cases").as_array();
    ASSERT_GT(cases.size(), 20u) << file;
    for (const Json& c : cases) {
      std::string name = file + ": " + std::string(c.at("name").as_string());
      auto pattern = FilterPattern::compile(c.at("pattern").as_string());
      if (!pattern) {
        ADD_FAILURE() << name << ": " << pattern.error().message;
        continue;
      }
      auto extracted = pattern->extract(c.at("message").as_string());
      EXPECT_EQ(extracted.has_value(), c.at("matches").as_bool()) << name;
      if (const Json* want = c.as_object().if_contains("extracted"); want && extracted) {
        std::map<std::string, std::string> expected;
        for (const auto& kv : want->as_object()) {
          expected[std::string(kv.key())] = std::string(kv.value().as_string());
        }
        EXPECT_EQ(*extracted, expected) << name;
      }
    }
  }
}

TEST(DelimitedPattern, InvalidPatternsAreRefused) {
  for (const auto& [file, doc] : loadCaseFiles()) {
    ASSERT_TRUE(doc.is_object()) << file;
    for (const Json& c : doc.at("invalid").as_array()) {
      auto pattern = FilterPattern::compile(c.at("pattern").as_string());
      if (pattern) {
        ADD_FAILURE() << file << ": " << c.at("name").as_string() << " compiled";
      } else {
        EXPECT_EQ(pattern.error().code, "InvalidParameterException");
      }
    }
  }
}

TEST(DelimitedPattern, SplitsQuotedAndBracketedFields) {
  EXPECT_EQ(splitDelimitedFields("a [b c] \"d e\"  f"),
            (std::vector<std::string>{"a", "b c", "d e", "f"}));
  // An unclosed quote is an ordinary word.
  EXPECT_EQ(splitDelimitedFields("\"a b"), (std::vector<std::string>{"\"a", "b"}));
}

}  // namespace
}  // namespace sluice::services::logs
