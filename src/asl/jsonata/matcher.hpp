// Iterates the matches of a regex, or of a custom matcher function, over a
// string (as $match, $replace, $split and $contains do).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

struct MatchResult {
  std::string match;
  size_t start = 0;  // byte offsets into the subject
  size_t end = 0;
  std::vector<Value> groups;
  Value next;  // custom matchers: the function giving the next match
  Value toValue(std::string_view subject) const;
};

class Matcher {
 public:
  Matcher(CallInfo& call, const Value& fn, std::string_view subject)
      : call_(call), fn_(fn), subject_(subject) {}
  bool first();
  bool next();
  const MatchResult& current() const { return cur_; }

 private:
  bool fromValue(const Value& r);
  size_t byteOffset(double cpIndex) const;
  CallInfo& call_;
  Value fn_;
  std::string_view subject_;
  MatchResult cur_;
};

}  // namespace sluice::asl::jsonata
