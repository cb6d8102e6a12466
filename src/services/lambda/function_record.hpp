// A function as the Lambda service keeps it: $LATEST, its published
// versions (immutable snapshots of configuration and code), aliases, tags,
// reserved concurrency and its asynchronous-invocation settings. Every
// function is one document in lambda_functions, written through on change.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace sluice::services::lambda {

// One version's configuration and code. `config` holds the
// FunctionConfiguration members a user sets (Runtime, Handler, Role,
// Description, Timeout, MemorySize, Environment, Layers, DeadLetterConfig,
// EphemeralStorage, TracingConfig, ...), already defaulted; the members AWS
// computes are rendered from the fields beside it.
struct FunctionVersion {
  std::string version = "$LATEST";
  Json config = JsonObject{};
  std::string codeDigest;  // hex SHA-256 of the deployment package: its key in the code store
  int64_t codeSize = 0;
  TimePoint lastModified;
  // New with every change to the code or configuration: sandboxes started
  // for an older revision are retired (the next invoke is a cold start).
  std::string revisionId;

  std::string text(std::string_view member) const;
  int64_t integer(std::string_view member, int64_t fallback) const;
};

struct AliasRecord {
  std::string name;
  std::string functionVersion;
  std::string description;
  std::map<std::string, double> weights;  // RoutingConfig.AdditionalVersionWeights
  std::string revisionId;
};

struct FunctionRecord {
  std::string name;
  FunctionVersion latest;
  std::map<int64_t, FunctionVersion> versions;
  int64_t lastVersion = 0;  // numbers are never reused, even after a version is deleted
  std::map<std::string, AliasRecord> aliases;
  std::map<std::string, std::string> tags;
  std::optional<int64_t> reservedConcurrency;
  // PutFunctionEventInvokeConfig per qualifier ("$LATEST", "1", alias name).
  std::map<std::string, Json> eventInvokeConfigs;
  // AddPermission's resource-policy statements per qualifier ("" for the
  // unqualified function), by statement id; and the policy's revision.
  std::map<std::string, std::map<std::string, Json>> policies;
  std::map<std::string, std::string> policyRevisions;

  Json toDocument() const;
  static FunctionRecord fromDocument(const Json& doc);
  // The version a qualifier names ("$LATEST", a number); null when absent.
  const FunctionVersion* findVersion(std::string_view qualifier) const;
};

// LastModified as Lambda writes it: 2024-05-01T12:00:00.000+0000.
std::string lambdaTimestamp(TimePoint t);
// CodeSha256 as Lambda reports it: the Base64 of the raw digest.
std::string codeSha256Base64(std::string_view hexDigest);

// The FunctionConfiguration shape of one version of `f`.
Json functionConfiguration(const Scope& scope, const FunctionRecord& f, const FunctionVersion& v);
Json aliasConfiguration(const Scope& scope, const FunctionRecord& f, const AliasRecord& a);

}  // namespace sluice::services::lambda
