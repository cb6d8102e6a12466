// Every recorded conformance definition through the compiler: the ones AWS
// accepted compile without errors; create_rejected / validate cases produce
// exactly AWS's diagnostics.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "asl/compile.hpp"

namespace sluice::asl {
namespace {

namespace fs = std::filesystem;

fs::path casesDir() {
  if (const char* env = std::getenv("SLUICE_CONFORMANCE_DIR")) return env;
  // tests/unit/asl/<this file> → <repo>/../shared/conformance/cases
  return fs::path(__FILE__).parent_path() / "../../../../shared/conformance/cases";
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `<token>` placeholders in recorded messages match any non-empty run.
bool matchesWithPlaceholders(std::string_view expected, std::string_view actual) {
  auto open = expected.find('<');
  auto close = open == std::string_view::npos ? open : expected.find('>', open);
  if (close == std::string_view::npos) return expected == actual;
  std::string_view prefix = expected.substr(0, open);
  std::string_view rest = expected.substr(close + 1);
  if (actual.substr(0, prefix.size()) != prefix) return false;
  for (size_t n = prefix.size() + 1; n <= actual.size(); ++n) {
    if (matchesWithPlaceholders(rest, actual.substr(n))) return true;
  }
  return false;
}

struct Case {
  std::string name;
  Json doc;
};

std::vector<Case> loadCases() {
  std::vector<Case> out;
  fs::path dir = casesDir();
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    auto doc = parseJson(readFile(entry.path()));
    if (!doc || !doc->is_object()) continue;
    out.push_back({fs::relative(entry.path(), dir).string(), std::move(*doc)});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

CompileResult compileCase(const JsonObject& c) {
  CompileOptions options;
  if (auto t = c.find("state_machine_type"); t != c.end() && t->value() == "EXPRESS") {
    options.express = true;
  }
  if (auto s = c.find("definition_string"); s != c.end()) {
    return compileDefinition(std::string_view(s->value().get_string()), options);
  }
  return compileDefinition(c.at("definition"), options);
}

std::string describe(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += d.code + ": " + d.message + " at " + d.location + "\n";
  return out;
}

TEST(CompileConformance, AcceptedDefinitionsCompile) {
  auto cases = loadCases();
  if (cases.empty()) GTEST_SKIP() << "conformance cases not found at " << casesDir();
  int checked = 0;
  for (const auto& [name, doc] : cases) {
    const auto& c = doc.get_object();
    if (c.contains("kind")) continue;
    auto result = compileCase(c);
    EXPECT_TRUE(result.machine) << name << "\n" << describe(result.diagnostics);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(CompileConformance, RejectedDefinitionsMatchAws) {
  auto cases = loadCases();
  if (cases.empty()) GTEST_SKIP() << "conformance cases not found at " << casesDir();
  for (const auto& [name, doc] : cases) {
    const auto& c = doc.get_object();
    auto kind = c.find("kind");
    if (kind == c.end() || kind->value() != "create_rejected") continue;
    const auto& expected = c.at("validation_error").get_object();
    // Logging-configuration rejections are not about the definition.
    if (expected.at("code") != "InvalidDefinition") continue;
    auto result = compileCase(c);
    EXPECT_FALSE(result.machine) << name;
    auto error = invalidDefinitionError(result.diagnostics);
    EXPECT_EQ(error.code, "InvalidDefinition") << name;
    EXPECT_TRUE(matchesWithPlaceholders(expected.at("message").get_string(), error.message))
        << name << "\n expected: " << expected.at("message").get_string()
        << "\n   actual: " << error.message;
  }
}

TEST(CompileConformance, ValidateDiagnosticsMatchAws) {
  auto cases = loadCases();
  if (cases.empty()) GTEST_SKIP() << "conformance cases not found at " << casesDir();
  for (const auto& [name, doc] : cases) {
    const auto& c = doc.get_object();
    auto kind = c.find("kind");
    if (kind == c.end() || kind->value() != "validate") continue;
    const auto& expected = c.at("expected").at("validate_response").get_object();
    auto result = compileCase(c);
    EXPECT_EQ(result.machine ? "OK" : "FAIL", expected.at("result").get_string()) << name;
    const auto& diags = expected.at("diagnostics").get_array();
    ASSERT_EQ(result.diagnostics.size(), diags.size()) << name << "\n"
                                                       << describe(result.diagnostics);
    for (size_t i = 0; i < diags.size(); ++i) {
      const auto& d = diags[i].get_object();
      EXPECT_EQ(result.diagnostics[i].code, d.at("code").get_string()) << name;
      EXPECT_EQ(result.diagnostics[i].message, d.at("message").get_string()) << name;
      EXPECT_EQ(result.diagnostics[i].location, d.at("location").get_string()) << name;
      EXPECT_EQ(result.diagnostics[i].severity, d.at("severity").get_string()) << name;
    }
  }
}

}  // namespace
}  // namespace sluice::asl
