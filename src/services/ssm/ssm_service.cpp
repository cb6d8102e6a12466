#include "services/ssm/ssm_service.hpp"

#include <stdexcept>

#include "core/aead.hpp"
#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/common/master_key.hpp"

namespace sluice::services::ssm {

namespace {

constexpr std::string_view kTable = "ssm_parameters";

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE ssm_parameters(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
};

std::string associatedData(const Scope& scope, std::string_view name) {
  return scope.account + "/" + scope.region + "/" + parameterKey(name);
}

}  // namespace

std::span<const store::sqlite::Migration> SsmService::migrations() {
  return kMigrations;
}

SsmService::SsmService(const ServiceEnvironment& env) : clock_(env.clock), docs_(env.store) {
  if (!env.dataDir.empty()) keyPath_ = masterKeyPath(env.dataDir, "ssm-master");
  auto loaded = docs_.scan(kTable, [this](const Scope& scope, const std::string& key, Json doc) {
    parametersOf(scope)[key] = fromDocument(doc);
  });
  if (!loaded) throw std::runtime_error("ssm: " + loaded.error().message);
}

void SsmService::registerOperations(OperationRegistry& registry) {
  registry.addService("ssm", "AmazonSSM");
  using Op = Result<Change> (SsmService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("ssm", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      runLocked(
          mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
    });
  };
  add("PutParameter", &SsmService::putParameter);
  add("GetParameter", &SsmService::getParameter);
  add("GetParameters", &SsmService::getParameters);
  add("GetParametersByPath", &SsmService::getParametersByPath);
  add("DescribeParameters", &SsmService::describeParameters);
  add("GetParameterHistory", &SsmService::getParameterHistory);
  add("DeleteParameter", &SsmService::deleteParameter);
  add("DeleteParameters", &SsmService::deleteParameters);
  add("LabelParameterVersion", &SsmService::labelParameterVersion);
  add("UnlabelParameterVersion", &SsmService::unlabelParameterVersion);
  add("AddTagsToResource", &SsmService::addTagsToResource);
  add("RemoveTagsFromResource", &SsmService::removeTagsFromResource);
  add("ListTagsForResource", &SsmService::listTagsForResource);
}

ParameterRecord* SsmService::find(const Scope& scope, std::string_view name) {
  auto& params = parametersOf(scope);
  auto it = params.find(parameterKey(name));
  return it == params.end() ? nullptr : &it->second;
}

Result<std::pair<ParameterRecord*, ParameterVersion*>> SsmService::resolve(
    const Scope& scope, const ParameterRef& ref) {
  ParameterRecord* p = find(scope, ref.name);
  if (!p) return AwsError{"ParameterNotFound", "", 400};
  if (ref.version) {
    ParameterVersion* v = p->findVersion(*ref.version);
    if (!v) {
      return AwsError{"ParameterVersionNotFound",
                      "Systems Manager could not find version " + std::to_string(*ref.version) +
                          " of " + ref.name + ". Verify the version and try again.",
                      400};
    }
    return std::make_pair(p, v);
  }
  if (ref.label) {
    ParameterVersion* v = p->findLabel(*ref.label);
    if (!v) {
      return AwsError{"ParameterVersionNotFound",
                      "Systems Manager could not find a version of " + ref.name + " labeled " +
                          *ref.label + ". Verify the label and try again.",
                      400};
    }
    return std::make_pair(p, v);
  }
  return std::make_pair(p, &p->versions.back());
}

Result<const std::string*> SsmService::masterKey() const {
  if (!masterKey_.empty()) return &masterKey_;
  if (keyPath_.empty()) {
    masterKey_ = secureRandomBytes(kAes256KeyBytes);  // in-memory mode: nothing outlives us
    return &masterKey_;
  }
  auto key = loadOrCreateMasterKey(keyPath_);
  if (!key) return AwsError{"InternalServerError", key.error().message, 500};
  masterKey_ = std::move(*key);
  return &masterKey_;
}

Result<std::string> SsmService::seal(const Scope& scope, std::string_view name,
                                     std::string_view plaintext) const {
  auto key = masterKey();
  if (!key) return key.error();
  return base64Encode(sealAes256Gcm(**key, plaintext, associatedData(scope, name)));
}

Result<std::string> SsmService::visibleValue(const Scope& scope, const ParameterRecord& p,
                                             const ParameterVersion& v, bool decrypt) const {
  if (v.type != "SecureString" || !decrypt) return v.value;
  auto key = masterKey();
  if (!key) return key.error();
  auto sealed = base64Decode(v.value);
  auto plain = sealed ? openAes256Gcm(**key, *sealed, associatedData(scope, p.name)) : std::nullopt;
  // Only a damaged data directory (or a replaced key file) gets here.
  if (!plain)
    return AwsError{"InternalServerError", "The SecureString could not be decrypted.", 500};
  return std::move(*plain);
}

Result<Json> SsmService::parameterJson(const Scope& scope, const ParameterRecord& p,
                                       const ParameterVersion& v, bool decrypt,
                                       const std::string& selector) const {
  auto value = visibleValue(scope, p, v, decrypt);
  if (!value) return value.error();
  JsonObject o;
  o["Name"] = p.name;
  o["Type"] = v.type;
  o["Value"] = std::move(*value);
  o["Version"] = v.version;
  if (!selector.empty()) o["Selector"] = selector;
  o["LastModifiedDate"] = epochSeconds(v.modified);
  o["ARN"] = parameterArn(scope, p.name);
  o["DataType"] = v.dataType;
  return Json(std::move(o));
}

void SsmService::persist(DocumentBatch& batch, const Scope& scope, const ParameterRecord& p) const {
  batch.put(kTable, scope, parameterKey(p.name), toDocument(p));
}

void SsmService::forget(DocumentBatch& batch, const Scope& scope, const ParameterRecord& p) const {
  batch.erase(kTable, scope, parameterKey(p.name));
}

}  // namespace sluice::services::ssm
