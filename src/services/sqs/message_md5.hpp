// The digests SQS returns with every message and that SDKs check on receive:
// MD5OfMessageBody is the MD5 of the body's UTF-8 bytes; MD5OfMessageAttributes
// (and MD5OfMessageSystemAttributes) is the MD5 of the attributes encoded as
// AWS documents it ("Calculating the MD5 message digest for message
// attributes"): for each attribute in ascending order of name,
//   4-byte big-endian length + name, 4-byte length + data type,
//   one transport byte (1 for String/Number values, 2 for Binary),
//   4-byte length + value (UTF-8 text, or the decoded binary bytes).
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::sqs {

std::string md5Hex(std::string_view data);

// `attributes` is a MessageAttributes map as boto3 sends it:
// {"name": {"DataType": "String", "StringValue": "..."} | {"BinaryValue": base64}}.
// Empty string for an empty map. A BinaryValue that is not Base64 is an error.
Result<std::string> md5OfMessageAttributes(const Json& attributes);
// The same for attributes already checked (stored messages): empty on error.
std::string md5OfCheckedAttributes(const Json& attributes);

}  // namespace sluice::services::sqs
