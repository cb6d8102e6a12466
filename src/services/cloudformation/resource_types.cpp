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

namespace {

const Json* propertyAt(const JsonObject& props, const std::string& path) {
  const Json* v = nullptr;
  const JsonObject* at = &props;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    v = at->if_contains(path.substr(start, dot - start));
    if (!v || dot == std::string::npos) return v;
    if (!v->is_object()) return nullptr;
    at = &v->as_object();
    start = dot + 1;
  }
}

bool sameProperty(const JsonObject& from, const JsonObject& to, const std::string& path) {
  const Json* a = propertyAt(from, path);
  const Json* b = propertyAt(to, path);
  if (!a || !b) return a == b;
  return jsonEquals(*a, *b);
}

}  // namespace

bool needsReplacement(const ResourceType& type, const JsonObject& from, const JsonObject& to) {
  if (!type.update) return true;
  for (const auto& path : type.replaceOn) {
    if (!sameProperty(from, to, path)) return true;
  }
  return false;
}

std::string fixedName(const ResourceType& type, const JsonObject& from, const JsonObject& to) {
  for (const auto& path : type.replaceOn) {
    const std::string leaf = path.substr(path.rfind('.') + 1);
    if (!leaf.ends_with("Name") && leaf != "Name") continue;
    const Json* a = propertyAt(from, path);
    if (a && sameProperty(from, to, path)) return scalarText(*a);
  }
  return {};
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

const Json* memberAt(const JsonObject& props, std::initializer_list<std::string_view> path) {
  const JsonObject* at = &props;
  const Json* v = nullptr;
  for (std::string_view name : path) {
    if (!at) return nullptr;
    v = at->if_contains(name);
    if (!v) return nullptr;
    at = v->is_object() ? &v->as_object() : nullptr;
  }
  return v;
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

std::function<Result<void>(const ResourceApi&, const ResourceValues&, const JsonObject&)>
deleteWith(std::string service, std::string operation, std::string member,
           std::vector<std::string> gone) {
  return [service = std::move(service), operation = std::move(operation),
          member = std::move(member), gone = std::move(gone)](
             const ResourceApi& api, const ResourceValues& v, const JsonObject&) -> Result<void> {
    auto r = api.call(service, operation, JsonObject{{member, v.physicalId}});
    if (r || std::find(gone.begin(), gone.end(), r.error().code) != gone.end()) return {};
    return r.takeError();
  };
}

ResourceValues recordedResource(std::string physicalId, JsonObject attributes) {
  ResourceValues v;
  v.physicalId = std::move(physicalId);
  v.attributes = std::move(attributes);
  return v;
}

}  // namespace sluice::services::cloudformation
