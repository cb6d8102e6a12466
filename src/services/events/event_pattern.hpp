// EventBridge event patterns: checked once when a rule is written, then
// matched against every event put on the bus.
//
// A pattern mirrors the event's structure; every leaf is an array of
// matchers, any of which may match (an event array matches when any element
// does). Matchers: literal strings, numbers, booleans and null;
// {"prefix": s}, {"suffix": s} (both also {"equals-ignore-case": s} inside);
// {"equals-ignore-case": s}; {"wildcard": "*.png"}; {"anything-but": v | [v...]
// | {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}};
// {"numeric": [">", 0, "<=", 5]}; {"exists": true|false}; {"cidr": "10.0.0.0/24"}.
// "$or": [pattern, ...] at any level needs one of its patterns to match.
#pragma once

#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::events {

class EventPattern {
 public:
  // InvalidEventPatternException ("Event pattern is not valid. Reason: ...")
  // when `text` is not a valid pattern.
  static Result<EventPattern> parse(const std::string& text);

  bool matches(const Json& event) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace sluice::services::events
