// Data-driven runner for the JSONata reference cases in ../shared/jsonata:
//   sluice_jsonata_tests --cases DIR [--filter TEXT] [--verbose] [--min-pass N]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata.hpp"
#include "core/json.hpp"

namespace fs = std::filesystem;
using sluice::Json;
namespace jsonata = sluice::asl::jsonata;

namespace {

std::optional<std::string> readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string show(const std::variant<std::optional<Json>, jsonata::Error>& r) {
  if (auto* e = std::get_if<jsonata::Error>(&r)) {
    return "error " + e->code + (e->token.empty() ? "" : " token '" + e->token + "'") + ": " +
           e->message;
  }
  const auto& v = std::get<std::optional<Json>>(r);
  if (!v) return "undefined";
  std::string s = jsonata::toJsText(*v);
  if (s.size() > 300) s = s.substr(0, 300) + "...";
  return s;
}

// JSON equality where numbers compare by value, allowing for the last-digit
// differences of floating-point sums (the reference suite's expected values
// were recorded with shortest-form rounding).
bool sameValue(const Json& a, const Json& b, bool unordered) {
  if (sluice::isNumber(a) && sluice::isNumber(b)) {
    double x = sluice::toDouble(a), y = sluice::toDouble(b);
    if (x == y) return true;
    return std::fabs(x - y) <= 1e-13 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) {
    return false;
  }
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    if (!unordered) {
      for (size_t i = 0; i < x.size(); ++i) {
        if (!sameValue(x[i], y[i], false)) return false;
      }
      return true;
    }
    std::vector<bool> used(y.size(), false);
    for (const auto& item : x) {
      bool found = false;
      for (size_t j = 0; j < y.size(); ++j) {
        if (!used[j] && sameValue(item, y[j], false)) {
          used[j] = found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (it == y.end() || !sameValue(kv.value(), it->value(), false)) return false;
    }
    return true;
  }
  return sluice::jsonEquals(a, b);
}

struct Counts {
  int passed = 0;
  int failed = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string casesDir, filter;
  bool verbose = false;
  long minPass = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << a << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--cases") {
      casesDir = value();
    } else if (a == "--filter") {
      filter = value();
    } else if (a == "--verbose") {
      verbose = true;
    } else if (a == "--min-pass") {
      minPass = std::stol(value());
    } else {
      std::cerr << "usage: sluice_jsonata_tests --cases DIR [--filter TEXT] [--verbose] "
                   "[--min-pass N]\n";
      return 2;
    }
  }
  if (casesDir.empty() || !fs::is_directory(fs::path(casesDir) / "groups")) {
    // A missing case directory is a failure, never a silent pass.
    std::cout << "JSONata cases not found at '" << casesDir
              << "' (configure with -DSLUICE_JSONATA_CASES_DIR=...)\n";
    return 2;
  }
  fs::path root(casesDir);
  std::map<std::string, Json> datasets;
  auto dataset = [&](const std::string& name) -> const Json* {
    auto it = datasets.find(name);
    if (it != datasets.end()) return &it->second;
    auto text = readText(root / "datasets" / (name + ".json"));
    if (!text) return nullptr;
    auto j = sluice::parseJson(*text);
    if (!j) return nullptr;
    return &datasets.emplace(name, std::move(*j)).first->second;
  };

  std::vector<fs::path> groups;
  for (const auto& e : fs::directory_iterator(root / "groups")) {
    if (e.is_directory()) groups.push_back(e.path());
  }
  std::sort(groups.begin(), groups.end());
  std::map<std::string, Counts> perGroup;
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& g : groups) {
    std::string group = g.filename().string();
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(g)) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto text = readText(f);
      auto parsed = text ? sluice::parseJson(*text) : std::nullopt;
      if (text && !parsed) {
        // Boost.JSON rejects lone UTF-16 surrogate escapes; inside an
        // expression they mean the same once left for the JSONata lexer.
        std::string patched;
        for (size_t i = 0; i < text->size(); ++i) {
          if ((*text)[i] == '\\' && i + 5 < text->size() && (*text)[i + 1] == 'u' &&
              ((*text)[i + 2] == 'D' || (*text)[i + 2] == 'd') &&
              std::string("89ABab").find((*text)[i + 3]) != std::string::npos) {
            patched += "\\\\";
            continue;
          }
          patched += (*text)[i];
        }
        parsed = sluice::parseJson(patched);
      }
      if (!parsed) {
        std::cout << "FAIL " << group << "/" << f.filename().string() << ": unreadable\n";
        failed++;
        perGroup[group].failed++;
        continue;
      }
      std::vector<Json> cases;
      if (parsed->is_array()) {
        for (auto& c : parsed->get_array()) cases.push_back(c);
      } else {
        cases.push_back(*parsed);
      }
      for (size_t ci = 0; ci < cases.size(); ++ci) {
        const auto& tc = cases[ci].as_object();
        std::string name = group + "/" + f.stem().string() +
                           (cases.size() > 1 ? "[" + std::to_string(ci) + "]" : "");
        std::string expr = tc.contains("expr") ? std::string(tc.at("expr").as_string()) : "";
        if (tc.contains("expr-file") && tc.at("expr-file").is_string()) {
          auto file = readText(g / std::string(tc.at("expr-file").as_string()));
          if (!file) {
            std::cout << "SKIP " << name << ": expr-file " << tc.at("expr-file").as_string()
                      << " is missing\n";
            skipped++;
            continue;
          }
          expr = *file;
        }
        if (!filter.empty() && name.find(filter) == std::string::npos &&
            expr.find(filter) == std::string::npos) {
          continue;
        }
        const Json* input = nullptr;
        if (tc.contains("data")) {
          input = &tc.at("data");
        } else if (tc.contains("dataset") && tc.at("dataset").is_string()) {
          input = dataset(std::string(tc.at("dataset").as_string()));
        }
        jsonata::Bindings bindings;
        if (tc.contains("bindings") && tc.at("bindings").is_object()) {
          for (const auto& kv : tc.at("bindings").as_object()) {
            bindings.set(std::string(kv.key()), kv.value());
          }
        }
        jsonata::Limits limits;
        limits.timeLimit = std::chrono::milliseconds(10000);
        if (tc.contains("depth"))
          limits.maxDepth = static_cast<int>(tc.at("depth").to_number<double>());
        if (tc.contains("timelimit")) {
          limits.timeLimit =
              std::chrono::milliseconds(static_cast<long>(tc.at("timelimit").to_number<double>()));
        }
        std::variant<std::optional<Json>, jsonata::Error> result;
        auto compiled = jsonata::Expression::compile(expr);
        if (auto* err = std::get_if<jsonata::Error>(&compiled)) {
          result = *err;
        } else {
          result = std::get<jsonata::Expression>(compiled).evaluate(input, bindings, limits);
        }
        bool ok = false;
        std::string expected;
        const sluice::JsonObject* errSpec = &tc;
        if (tc.contains("error") && tc.at("error").is_object())
          errSpec = &tc.at("error").as_object();
        if (errSpec->contains("code")) {
          const auto& spec = *errSpec;
          std::string code(spec.at("code").as_string());
          expected = "error " + code;
          if (auto* e = std::get_if<jsonata::Error>(&result)) {
            ok = e->code == code;
            if (spec.contains("token") && spec.at("token").is_string()) {
              ok = ok && e->token == spec.at("token").as_string();
              expected += " token '" + std::string(spec.at("token").as_string()) + "'";
            }
          }
        } else if (tc.contains("undefinedResult")) {
          expected = "undefined";
          auto* v = std::get_if<std::optional<Json>>(&result);
          ok = v && !v->has_value();
        } else if (tc.contains("result")) {
          expected = jsonata::toJsText(tc.at("result"));
          auto* v = std::get_if<std::optional<Json>>(&result);
          bool unordered = tc.contains("unordered") && tc.at("unordered").is_bool() &&
                           tc.at("unordered").as_bool();
          ok = v && v->has_value() && sameValue(**v, tc.at("result"), unordered);
        }
        if (ok) {
          passed++;
          perGroup[group].passed++;
          if (verbose) std::cout << "ok   " << name << "\n";
        } else {
          failed++;
          perGroup[group].failed++;
          if (expected.size() > 300) expected = expected.substr(0, 300) + "...";
          std::cout << "FAIL " << name << ": " << expr << "\n     expected " << expected
                    << "\n     actual   " << show(result) << "\n";
        }
      }
    }
  }
  std::cout << "\nPer group:\n";
  for (const auto& [g, c] : perGroup) {
    std::cout << "  " << g << ": " << c.passed << "/" << (c.passed + c.failed)
              << (c.failed ? "  <--" : "") << "\n";
  }
  if (skipped) std::cout << skipped << " skipped (their expr-file is missing)\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  if (minPass >= 0) return passed >= minPass ? 0 : 1;
  return failed == 0 ? 0 : 1;
}
