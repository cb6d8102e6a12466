#include "services/sqs/message_md5.hpp"

#include <algorithm>
#include <vector>

#include "core/digest.hpp"
#include "core/encoding.hpp"

namespace sluice::services::sqs {

namespace {

void appendLengthPrefixed(std::string& out, std::string_view bytes) {
  auto n = static_cast<uint32_t>(bytes.size());
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  out += bytes;
}

std::string_view stringMember(const JsonObject& o, std::string_view name) {
  const Json* v = o.if_contains(name);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

std::string md5Hex(std::string_view data) {
  return hexDigest("MD5", data).value_or("");
}

Result<std::string> md5OfMessageAttributes(const Json& attributes) {
  if (!attributes.is_object() || attributes.as_object().empty()) return std::string();
  std::vector<std::string_view> names;
  for (const auto& kv : attributes.as_object()) names.push_back(kv.key());
  std::sort(names.begin(), names.end());
  std::string encoded;
  for (std::string_view name : names) {
    const Json& value = attributes.as_object().at(name);
    if (!value.is_object()) continue;
    const JsonObject& v = value.as_object();
    std::string_view type = stringMember(v, "DataType");
    appendLengthPrefixed(encoded, name);
    appendLengthPrefixed(encoded, type);
    if (type.starts_with("Binary")) {
      auto bytes = base64Decode(stringMember(v, "BinaryValue"));
      if (!bytes) {
        return AwsError{
            "InvalidParameterValue",
            "The message attribute '" + std::string(name) + "' has an invalid Base64 binary value.",
            400};
      }
      encoded += '\x02';
      appendLengthPrefixed(encoded, *bytes);
    } else {
      encoded += '\x01';
      appendLengthPrefixed(encoded, stringMember(v, "StringValue"));
    }
  }
  return md5Hex(encoded);
}

std::string md5OfCheckedAttributes(const Json& attributes) {
  auto md5 = md5OfMessageAttributes(attributes);
  return md5 ? *md5 : std::string();
}

}  // namespace sluice::services::sqs
