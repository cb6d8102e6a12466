// The resource types a stack can hold. Each type creates and deletes its
// resource through the other services' operations on the registry, exactly
// as a client would (the same door as boto3 and the aws-sdk integration), so
// a resource made by a stack is indistinguishable from one made by hand.
//
// A type either applies a property or records it ("accepted": IAM, policies,
// encryption settings Sluice does not enforce); a property it does neither
// with fails the resource with a reason naming it, never silently.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "services/cloudformation/intrinsics.hpp"
#include "services/operation.hpp"

namespace sluice::services::cloudformation {

// Another service's operation called as a client, waiting for the answer
// (deployments run on the worker pool).
class ResourceApi {
 public:
  ResourceApi(const OperationRegistry& registry, Scope scope, IdGenerator& ids)
      : registry_(registry), scope_(std::move(scope)), ids_(ids) {}
  Result<Json> call(std::string_view service, std::string_view operation, const Json& input) const;
  const Scope& scope() const { return scope_; }
  IdGenerator& ids() const { return ids_; }

 private:
  const OperationRegistry& registry_;
  Scope scope_;
  IdGenerator& ids_;
};

// One resource of a stack being created.
struct ResourceRequest {
  std::string stackName;
  std::string logicalId;
  std::string type;
  JsonObject properties;     // intrinsics resolved
  JsonObject previous = {};  // an update: the properties applied until now
};

struct ResourceType {
  // Properties the type applies, and those it only records.
  std::set<std::string> applied;
  std::set<std::string> recorded;
  std::function<Result<ResourceValues>(const ResourceApi&, const ResourceRequest&)> create;
  // Deletes the resource `create` made; a resource already gone is deleted.
  std::function<Result<void>(const ResourceApi&, const ResourceValues&, const JsonObject&)> remove;
  // Applies changed properties in place (the same physical resource);
  // absent: every change makes a new resource (replacement).
  std::function<Result<ResourceValues>(const ResourceApi&, const ResourceValues& current,
                                       const ResourceRequest& next)>
      update = {};
  // Properties ("A" or nested "A.B") whose change makes a new resource even
  // when `update` exists: names, and what the service cannot change.
  std::vector<std::string> replaceOn = {};
};

using ResourceTypes = std::map<std::string, ResourceType, std::less<>>;

// Whether changing `from` into `to` needs a new physical resource.
bool needsReplacement(const ResourceType& type, const JsonObject& from, const JsonObject& to);
// The replaceOn property that names the resource and is set, unchanged, in
// both (a replacement would collide with the resource it replaces): its name.
std::string fixedName(const ResourceType& type, const JsonObject& from, const JsonObject& to);

// Every type Sluice supports (built once).
const ResourceTypes& resourceTypes();

// The types of each family (resources_*.cpp).
void addStorageTypes(ResourceTypes& types);
void addComputeTypes(ResourceTypes& types);
void addLakeTypes(ResourceTypes& types);
void addAcceptedTypes(ResourceTypes& types);

// Shared helpers of the families.
// Twelve random upper-case letters and digits, the end of generated names.
std::string randomSuffix(const ResourceApi& api);
// A name CloudFormation generates: "<stack>-<logicalId>-<SUFFIX>", shortened
// to `maxLength`, lower case when `lower` (S3 buckets).
std::string generatedName(const ResourceApi& api, const ResourceRequest& r, size_t maxLength,
                          bool lower = false, std::string_view suffix = "");
// The member at `path` inside `props` (null when absent).
const Json* memberAt(const JsonObject& props, std::initializer_list<std::string_view> path);
// The property `name` as a string ("" when absent).
std::string stringProperty(const JsonObject& props, std::string_view name);
// `Tags: [{Key, Value}]` as a {key: value} object.
JsonObject tagMap(const JsonObject& props);
// Copies the members of `props` named in `names` into `out` (when present).
void copyMembers(const JsonObject& props, std::initializer_list<std::string_view> names,
                 JsonObject& out);
// A resource already deleted by hand is not an error when deleting it.
Result<void> ignoringMissing(Result<Json> r, std::initializer_list<std::string_view> codes);
// The remove of a type whose delete operation takes the physical id as one
// member ({"Bucket": id}); the error codes in `gone` mean it is already deleted.
std::function<Result<void>(const ResourceApi&, const ResourceValues&, const JsonObject&)>
deleteWith(std::string service, std::string operation, std::string member,
           std::vector<std::string> gone);
// A resource with no API behind it: a recorded physical id and attributes.
ResourceValues recordedResource(std::string physicalId, JsonObject attributes = {});

}  // namespace sluice::services::cloudformation
