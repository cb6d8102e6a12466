// The Parameter Store domain model: a parameter and its versions, and their
// document form in the store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace sluice::services::ssm {

struct ParameterVersion {
  int64_t version = 0;
  std::string type;  // String | StringList | SecureString
  // The value as stored: plain text, or for SecureString the sealed
  // (AES-256-GCM) bytes in Base64 — also what Get* return without decryption.
  std::string value;
  std::string keyId;  // SecureString only
  std::string description;
  std::string allowedPattern;
  std::string tier;      // Standard | Advanced
  std::string policies;  // the JSON text as given; empty when none
  std::string dataType;  // text | aws:ec2:image | aws:ssm:integration
  std::string user;      // LastModifiedUser
  TimePoint modified;
  std::vector<std::string> labels;
};

struct ParameterRecord {
  std::string name;                        // as created
  std::vector<ParameterVersion> versions;  // oldest first, at most kMaxVersions
  std::map<std::string, std::string> tags;

  const ParameterVersion& latest() const { return versions.back(); }
  ParameterVersion* findVersion(int64_t version);
  ParameterVersion* findLabel(const std::string& label);
};

// AWS keeps the last 100 versions of a parameter.
inline constexpr size_t kMaxVersions = 100;

Json toDocument(const ParameterRecord& p);
ParameterRecord fromDocument(const Json& doc);

}  // namespace sluice::services::ssm
