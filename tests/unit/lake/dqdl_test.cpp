// DQDL golden cases (tests/data/dqdl/*.test): each ruleset parsed and its
// rules evaluated on DuckDB over fixture tables, compared with the results
// Glue Data Quality gives (see the file's header for the format).
#include "lake/dqdl.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace sluice::lake {
namespace {

// The time DataFreshness cases measure ages from: 2024-03-15T12:00:00Z.
const TimePoint kNow = TimePoint(std::chrono::seconds(1710504000));

namespace fs = std::filesystem;

std::string number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string line(const DqRuleResult& r) {
  std::string out = r.result;
  for (const auto& [k, v] : r.metrics) out += " " + k + "=" + number(v);
  if (!r.message.empty()) out += " | " + r.message;
  return out;
}

struct Block {
  int line = 0;
  std::string kind, argument, text;
  std::vector<std::string> expected;
};

std::vector<Block> read(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Block> blocks;
  std::string l;
  int n = 0;
  Block* open = nullptr;
  bool result = false;
  while (std::getline(in, l)) {
    ++n;
    if (l.empty()) {
      open = nullptr;
      result = false;
      continue;
    }
    if (!open) {
      if (l[0] == '#') continue;
      blocks.emplace_back();
      open = &blocks.back();
      open->line = n;
      auto space = l.find(' ');
      open->kind = l.substr(0, space);
      if (space != std::string::npos) open->argument = l.substr(space + 1);
      continue;
    }
    if (l == "----") {
      result = true;
    } else if (result) {
      open->expected.push_back(l);
    } else {
      open->text += (open->text.empty() ? "" : "\n") + l;
    }
  }
  return blocks;
}

TEST(Dqdl, GoldenCases) {
  fs::path dir = fs::path(SLUICE_SOURCE_DIR) / "tests" / "data" / "dqdl";
  auto db = DuckDatabase::open({});
  ASSERT_TRUE(db) << db.error().message;
  auto con = (*db)->connect();
  ASSERT_TRUE(con);
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    for (const Block& b : read(entry.path())) {
      std::string where = entry.path().filename().string() + ":" + std::to_string(b.line);
      if (b.kind == "statement") {
        auto r = (*con)->query(b.text);
        ASSERT_TRUE(r) << where << ": " << r.error().message;
        continue;
      }
      ++cases;
      auto parsed = parseDqdl(b.text);
      if (b.kind == "error") {
        ASSERT_FALSE(parsed) << where << ": parsed";
        EXPECT_EQ(parsed.error().code, "InvalidInputException") << where;
        EXPECT_NE(parsed.error().message.find(b.argument), std::string::npos)
            << where << ": " << parsed.error().message;
        continue;
      }
      ASSERT_TRUE(parsed) << where << ": " << parsed.error().message;
      std::vector<std::string> got;
      if (b.kind == "rows") {
        // The rowLevelOutcomes frame: each row, its lists joined by "; "
        // (an empty list is empty text).
        auto joined = [](const std::string& list) {
          return "coalesce(array_to_string(" + list + ", '; '), CASE WHEN " + list +
                 " IS NOT NULL THEN '' END) AS " + list;
        };
        auto rows = (*con)->query(
            "SELECT * REPLACE (" + joined("DataQualityRulesPass") + ", " +
            joined("DataQualityRulesFail") + ", " + joined("DataQualityRulesSkip") + ") FROM (" +
            rowLevelOutcomesSql(**con, "orders", *parsed, kNow) + ") ORDER BY ALL");
        ASSERT_TRUE(rows) << where << ": " << rows.error().message;
        for (size_t r = 0; r < rows->rowCount(); ++r) {
          std::string l;
          for (size_t c = 0; c < rows->columnCount(); ++c) {
            l += (c ? "\t" : "") + rows->value(r, c).value_or("NULL");
          }
          got.push_back(l);
        }
        EXPECT_EQ(got, b.expected) << where;
        continue;
      }
      // Tables ref_<alias> are the reference datasets.
      std::map<std::string, std::string> references;
      auto refs = (*con)->query(
          "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'ref_')");
      ASSERT_TRUE(refs) << refs.error().message;
      for (size_t i = 0; i < refs->rowCount(); ++i) {
        std::string name = refs->value(i, 0).value_or("");
        references[name.substr(4)] = name;
      }
      for (const auto& r : evaluateDqdl(**con, "orders", *parsed, kNow, references)) {
        got.push_back(line(r));
      }
      for (auto r : analyzeDqdl(**con, "orders", *parsed, kNow, references)) {
        r.result = r.result == "ERROR" ? "ANALYZER ERROR" : "ANALYZER";
        got.push_back(line(r));
      }
      EXPECT_EQ(got, b.expected) << where;
    }
  }
  EXPECT_GT(cases, 10);
}

TEST(Dqdl, RulesAreNamedAndDescribedAsWritten) {
  auto parsed = parseDqdl("Rules = [\n  RowCount > 0,\n  (IsComplete \"a\") and (RowCount < 9)\n]");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto db = DuckDatabase::open({});
  auto con = (*db)->connect();
  ASSERT_TRUE((*con)->query("CREATE TABLE t AS SELECT 1 AS a"));
  auto results = evaluateDqdl(**con, "t", *parsed, kNow);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].name, "Rule_1");
  EXPECT_EQ(results[0].description, "RowCount > 0");
  EXPECT_EQ(results[1].name, "Rule_2");
  EXPECT_EQ(results[1].description, "(IsComplete \"a\") and (RowCount < 9)");
  EXPECT_EQ(results[1].result, "PASS");
}

}  // namespace
}  // namespace sluice::lake
