// The Trino SQL corpus (tests/data/athena/sql/*.test): every query
// translated as Sluice's Athena translates it, run on DuckDB in the session
// the lake's connections use, its rows printed as Athena prints them and
// compared with what Trino answers.
//
// A file is blocks separated by blank lines; '#' lines are comments.
//   statement            fixture SQL, run on DuckDB as written
//   query [names]        a Trino query, then "----", then the expected rows
//                        (values tab-separated, NULL for null, (empty) for ''),
//                        after a line of the column names with `names`
//   error <PREFIX>       a Trino query whose failure reason starts with PREFIX
//                        (Athena's error name, e.g. DIVISION_BY_ZERO)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lake/duckdb.hpp"
#include "lake/trino_functions.hpp"
#include "lake/trino_sql.hpp"
#include "services/athena/athena_results.hpp"
#include "services/athena/query_run.hpp"

namespace sluice::services::athena {
namespace {

namespace fs = std::filesystem;

fs::path corpusDir() {
  return fs::path(SLUICE_SOURCE_DIR) / "tests" / "data" / "athena" / "sql";
}

struct Block {
  int line = 0;
  std::string kind;      // statement, query, error
  std::string argument;  // error: the expected prefix
  std::string sql;
  std::vector<std::string> expected;
};

std::vector<Block> readBlocks(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Block> blocks;
  std::string line;
  int number = 0;
  Block* open = nullptr;
  bool inResult = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      open = nullptr;
      inResult = false;
      continue;
    }
    if (!open) {
      if (line[0] == '#') continue;
      blocks.emplace_back();
      blocks.back().line = number;
      open = &blocks.back();
      auto space = line.find(' ');
      open->kind = line.substr(0, space);
      if (space != std::string::npos) open->argument = line.substr(space + 1);
      continue;
    }
    if (open->kind == "query" && line == "----") {
      inResult = true;
    } else if (inResult) {
      open->expected.push_back(line);
    } else {
      open->sql += (open->sql.empty() ? "" : "\n") + line;
    }
  }
  return blocks;
}

// The rows of a translated query as Athena prints them, or its failure
// reason (prefixed "FAILED ").
std::vector<std::string> run(lake::DuckConnection& con, const std::string& sql,
                             bool withNames = false) {
  auto failedWith = [&](const AwsError& e) {
    return std::vector<std::string>{"FAILED " + translationFailure(sql, e).reason};
  };
  lake::TrinoTranslator translator(con);
  auto tree = translator.translate(sql);
  if (!tree) return failedWith(tree.error());
  auto duck = translator.render(*tree);
  if (!duck) return failedWith(duck.error());
  auto described = con.query("DESCRIBE " + *duck);
  if (!described) return failedWith(described.error());
  std::vector<std::string> types;
  std::string select = "SELECT ", names;
  for (size_t c = 0; c < described->rowCount(); ++c) {
    // Trino's output names are lower-case (the Athena reader's part).
    std::string name = described->value(c, 0).value_or("");
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    names += (c ? "\t" : "") + name;
    types.push_back(described->value(c, 1).value_or("VARCHAR"));
    select += (c ? ", " : "") + athenaFetch(types.back(), "#" + std::to_string(c + 1));
  }
  auto rows = con.query(select + " FROM (" + *duck + ")");
  if (!rows) return failedWith(rows.error());
  std::vector<std::string> out;
  if (withNames) out.push_back(names);
  for (size_t r = 0; r < rows->rowCount(); ++r) {
    std::string line;
    for (size_t c = 0; c < rows->columnCount(); ++c) {
      const auto& v = rows->value(r, c);
      std::string text = v ? athenaValue(types[c], *v) : "NULL";
      line += (c ? "\t" : "") + (v && text.empty() ? std::string("(empty)") : text);
    }
    out.push_back(line);
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

class TrinoCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(TrinoCorpus, AnswersAsTrino) {
  fs::path file = corpusDir() / GetParam();
  auto blocks = readBlocks(file);
  ASSERT_FALSE(blocks.empty()) << file;
  auto db = lake::DuckDatabase::open({});
  ASSERT_TRUE(db) << db.error().message;
  auto con = (*db)->connect();
  ASSERT_TRUE(con) << con.error().message;
  auto session = lake::startTrinoSession(**con);
  ASSERT_TRUE(session) << session.error().message;
  int queries = 0;
  for (const Block& b : blocks) {
    std::string where = GetParam() + ":" + std::to_string(b.line);
    if (b.kind == "statement") {
      auto r = (*con)->query(b.sql);
      ASSERT_TRUE(r) << where << ": " << r.error().message;
    } else if (b.kind == "query") {
      ++queries;
      auto got = run(**con, b.sql, b.argument == "names");
      EXPECT_EQ(got, b.expected) << where << "\n"
                                 << b.sql << "\nexpected:\n"
                                 << joined(b.expected) << "got:\n"
                                 << joined(got);
    } else if (b.kind == "error") {
      ++queries;
      auto got = run(**con, b.sql);
      bool failed = got.size() == 1 && got[0].starts_with("FAILED " + b.argument);
      EXPECT_TRUE(failed) << where << "\n"
                          << b.sql << "\nexpected a failure " << b.argument << "\ngot:\n"
                          << joined(got);
    } else {
      ADD_FAILURE() << where << ": unknown block '" << b.kind << "'";
    }
  }
  RecordProperty("queries", queries);
}

std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(corpusDir(), ec)) {
    if (e.path().extension() == ".test") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, TrinoCorpus, ::testing::ValuesIn(corpusFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace sluice::services::athena
