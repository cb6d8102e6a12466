// Compares recorded AWS values with Sluice's, honouring the recorder's
// placeholders: `<token>`s inside strings match any non-empty text, and bare
// replacement strings ("date", "RequestId", ...) match any value.
#pragma once

#include <set>
#include <string>

#include "core/json.hpp"

namespace sluice::conformance {

class Matcher {
 public:
  explicit Matcher(std::set<std::string> wildcards);
  // Expected vs actual. On mismatch, `where` gets a JSON-pointer-ish location.
  bool match(const Json& expected, const Json& actual, std::string* where = nullptr) const;
  // Matching a string pattern with <tokens> against text.
  bool matchString(std::string_view pattern, std::string_view text) const;

 private:
  bool matchAt(const Json& e, const Json& a, std::string& path, std::string* where) const;
  std::set<std::string> wildcards_;
};

// The bare replacement strings listed in the conformance README.
std::set<std::string> defaultWildcards();

}  // namespace sluice::conformance
