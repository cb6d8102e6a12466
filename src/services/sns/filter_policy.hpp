// SNS subscription filter policies. A policy is a JSON object whose keys name
// message attributes (FilterPolicyScope MessageAttributes, the default) or
// message body members (MessageBody: nested objects descend into the body);
// each key holds an array of conditions, any of which may match:
//   "text" / 12.5 / null          exact value
//   {"prefix": "a"} / {"suffix": "z"} / {"equals-ignore-case": "x"}
//   {"anything-but": value | [values] | {"prefix": "a"}}
//   {"numeric": [">", 0, "<=", 10]} / {"numeric": ["=", 5]}
//   {"exists": true | false}
// Every key must match (AND); "$or": [policy, ...] matches when any does.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::sns {

// Parses and checks a policy; the error is SNS's InvalidParameter.
Result<Json> parseFilterPolicy(const std::string& text);

// `attributes`: the Publish MessageAttributes map
// ({"name": {"DataType": "String", "StringValue": "..."}}).
bool matchesAttributes(const Json& policy, const Json& attributes);

// `body`: the message parsed as JSON (a non-JSON message matches no policy).
bool matchesBody(const Json& policy, const Json& body);

}  // namespace sluice::services::sns
