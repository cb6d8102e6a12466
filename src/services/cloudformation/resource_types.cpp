#include "services/cloudformation/resource_types.hpp"

#include <algorithm>
#include <cctype>

#include "services/common/call_and_wait.hpp"

namespace sluice::services::cloudformation {

Result<Json> ResourceApi::call(std::string_view service, std::string_view operation,
                               const Json& input) const {
  return callAndWait(registry_, scope_, service, operation, input);
}

const ResourceTypes& resourceTypes() {
  static const ResourceTypes types = [] {
    ResourceTypes t;
    addStorageTypes(t);
    addComputeTypes(t);
    addLakeTypes(t);
    addAcceptedTypes(t);
    return t;
  }();
  return types;
}

std::string randomSuffix(const ResourceApi& api) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string random;
  for (int i = 0; i < 12; ++i) random += kAlphabet[api.ids().uniform(0, 35)];
  return random;
}

std::string generatedName(const ResourceApi& api, const ResourceRequest& r, size_t maxLength,
                          bool lower, std::string_view suffix) {
  std::string random = randomSuffix(api);
  std::string stack = r.stackName, id = r.logicalId;
  size_t fixed = random.size() + 2 + suffix.size();
  // Shorten the longer of the two parts first, as CloudFormation does.
  while (stack.size() + id.size() + fixed > maxLength && (stack.size() > 1 || id.size() > 1)) {
    if (stack.size() >= id.size()) {
      stack.pop_back();
    } else {
      id.pop_back();
    }
  }
  std::string name = stack + "-" + id + "-" + random + std::string(suffix);
  if (lower) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  return name;
}

std::string stringProperty(const JsonObject& props, std::string_view name) {
  const Json* v = props.if_contains(name);
  return v ? scalarText(*v) : std::string();
}

JsonObject tagMap(const JsonObject& props) {
  JsonObject out;
  const Json* tags = props.if_contains("Tags");
  if (!tags || !tags->is_array()) return out;
  for (const Json& t : tags->as_array()) {
    out[jsonString(jsonAt(t, {"Key"}))] = jsonString(jsonAt(t, {"Value"}));
  }
  return out;
}

void copyMembers(const JsonObject& props, std::initializer_list<std::string_view> names,
                 JsonObject& out) {
  for (std::string_view name : names) {
    if (const Json* v = props.if_contains(name)) out[name] = *v;
  }
}

Result<void> ignoringMissing(Result<Json> r, std::initializer_list<std::string_view> codes) {
  if (r) return {};
  for (std::string_view code : codes) {
    if (r.error().code == code) return {};
  }
  return r.takeError();
}

ResourceValues recordedResource(std::string physicalId, JsonObject attributes) {
  ResourceValues v;
  v.physicalId = std::move(physicalId);
  v.attributes = std::move(attributes);
  return v;
}

}  // namespace sluice::services::cloudformation
