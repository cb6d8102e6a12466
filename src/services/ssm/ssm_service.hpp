// Parameter Store (signing name "ssm", X-Amz-Target "AmazonSSM"): parameters
// with versions, labels, tags, hierarchies and SecureString values encrypted
// at rest with AES-256-GCM under a local master key.
//
// State lives in memory under one mutex and is written through to the
// ssm_parameters table (one document per parameter); a change is acknowledged
// once it is committed.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <string>

#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/operation.hpp"
#include "services/ssm/parameter_names.hpp"
#include "services/ssm/parameter_record.hpp"

namespace sluice::services::ssm {

// Tags of PutParameter / AddTagsToResource (at most 50 per resource).
Result<std::map<std::string, std::string>> readParameterTags(const Json& tags);
// The `Policies` shape (PolicyText, PolicyType, PolicyStatus) of stored policy text.
Json parameterPoliciesJson(const std::string& text);

class SsmService {
 public:
  // Loads the master key (creating it in <data-dir>/keys on first use) and
  // every stored parameter. Throws std::runtime_error when either fails
  // (start-up).
  explicit SsmService(const ServiceEnvironment& env);

  void registerOperations(OperationRegistry& registry);
  static std::span<const store::sqlite::Migration> migrations();

  // Operations (any thread; they take the service's lock).
  Result<Change> putParameter(const Json& in, const CallContext& ctx);
  Result<Change> getParameter(const Json& in, const CallContext& ctx);
  Result<Change> getParameters(const Json& in, const CallContext& ctx);
  Result<Change> getParametersByPath(const Json& in, const CallContext& ctx);
  Result<Change> describeParameters(const Json& in, const CallContext& ctx);
  Result<Change> getParameterHistory(const Json& in, const CallContext& ctx);
  Result<Change> deleteParameter(const Json& in, const CallContext& ctx);
  Result<Change> deleteParameters(const Json& in, const CallContext& ctx);
  Result<Change> labelParameterVersion(const Json& in, const CallContext& ctx);
  Result<Change> unlabelParameterVersion(const Json& in, const CallContext& ctx);
  Result<Change> addTagsToResource(const Json& in, const CallContext& ctx);
  Result<Change> removeTagsFromResource(const Json& in, const CallContext& ctx);
  Result<Change> listTagsForResource(const Json& in, const CallContext& ctx);

 private:
  using Parameters = std::map<std::string, ParameterRecord>;  // by parameterKey()

  Parameters& parametersOf(const Scope& scope) { return parameters_[scopeKey(scope)]; }
  ParameterRecord* find(const Scope& scope, std::string_view name);
  // The version a reference selects, or ParameterNotFound/ParameterVersionNotFound.
  Result<std::pair<ParameterRecord*, ParameterVersion*>> resolve(const Scope& scope,
                                                                 const ParameterRef& ref);
  // The `Parameter` shape of GetParameter(s)/GetParametersByPath.
  Result<Json> parameterJson(const Scope& scope, const ParameterRecord& p,
                             const ParameterVersion& v, bool decrypt,
                             const std::string& selector) const;
  // The value a caller sees: SecureString plaintext when decrypting.
  Result<std::string> visibleValue(const Scope& scope, const ParameterRecord& p,
                                   const ParameterVersion& v, bool decrypt) const;
  Result<std::string> seal(const Scope& scope, std::string_view name,
                           std::string_view plaintext) const;
  // The master key, read or created on first use (callers hold mu_), so a
  // server that never sees a SecureString never creates a key file.
  Result<const std::string*> masterKey() const;
  void persist(DocumentBatch& batch, const Scope& scope, const ParameterRecord& p) const;
  void forget(DocumentBatch& batch, const Scope& scope, const ParameterRecord& p) const;

  const Clock& clock_;
  DocumentStore docs_;
  std::filesystem::path keyPath_;  // empty: in-memory mode
  mutable std::string masterKey_;
  std::mutex mu_;
  std::map<std::string, Parameters> parameters_;  // by scopeKey
};

}  // namespace sluice::services::ssm
