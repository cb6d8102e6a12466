// Types Sluice records without enforcing: IAM roles and policies, and the
// resource policies of topics and buses. Sluice does not authorise calls, so these
// change nothing; they exist so real templates deploy, and they answer Ref
// and Fn::GetAtt as AWS does (a role's Arn feeds a function's Role).
#include "services/cloudformation/resource_types.hpp"

namespace sluice::services::cloudformation {

namespace {

ResourceType accepted(
    std::set<std::string> recorded,
    std::function<ResourceValues(const ResourceApi&, const ResourceRequest&)> make) {
  ResourceType t;
  t.recorded = std::move(recorded);
  t.create = [make = std::move(make)](const ResourceApi& api,
                                      const ResourceRequest& r) -> Result<ResourceValues> {
    return make(api, r);
  };
  t.remove = [](const ResourceApi&, const ResourceValues&, const JsonObject&) -> Result<void> {
    return {};
  };
  // Nothing to apply: the new properties are recorded as they are.
  t.update = [](const ResourceApi&, const ResourceValues& current,
                const ResourceRequest&) -> Result<ResourceValues> { return current; };
  t.replaceOn = {"RoleName", "ManagedPolicyName", "InstanceProfileName", "Path"};
  return t;
}

std::string iamArn(const ResourceApi& api, const std::string& kind, const JsonObject& props,
                   const std::string& name) {
  std::string path = stringProperty(props, "Path");
  if (path.empty()) path = "/";
  return "arn:" + api.scope().partition + ":iam::" + api.scope().account + ":" + kind + path + name;
}

// Unique ids as IAM prints them: a four-letter kind prefix and 17 characters.
std::string iamId(const ResourceApi& api, const char* prefix) {
  return prefix + randomSuffix(api) + randomSuffix(api).substr(0, 5);
}

}  // namespace

void addAcceptedTypes(ResourceTypes& types) {
  types["AWS::IAM::Role"] = accepted(
      {"AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path",
       "PermissionsBoundary", "Policies", "RoleName", "Tags"},
      [](const ResourceApi& api, const ResourceRequest& r) {
        std::string name = stringProperty(r.properties, "RoleName");
        if (name.empty()) name = generatedName(api, r, 64);
        return recordedResource(name, {{"Arn", iamArn(api, "role", r.properties, name)},
                                       {"RoleId", iamId(api, "AROA")}});
      });
  types["AWS::IAM::ManagedPolicy"] = accepted(
      {"Description", "Groups", "ManagedPolicyName", "Path", "PolicyDocument", "Roles", "Users"},
      [](const ResourceApi& api, const ResourceRequest& r) {
        std::string name = stringProperty(r.properties, "ManagedPolicyName");
        if (name.empty()) name = generatedName(api, r, 128);
        std::string policyArn = iamArn(api, "policy", r.properties, name);
        return recordedResource(policyArn,
                                {{"PolicyArn", policyArn}, {"PolicyId", iamId(api, "ANPA")}});
      });
  types["AWS::IAM::Policy"] =
      accepted({"Groups", "PolicyDocument", "PolicyName", "Roles", "Users"},
               [](const ResourceApi& api, const ResourceRequest& r) {
                 return recordedResource(stringProperty(r.properties, "PolicyName").substr(0, 5) +
                                         randomSuffix(api));
               });
  types["AWS::IAM::InstanceProfile"] =
      accepted({"InstanceProfileName", "Path", "Roles"},
               [](const ResourceApi& api, const ResourceRequest& r) {
                 std::string name = stringProperty(r.properties, "InstanceProfileName");
                 if (name.empty()) name = generatedName(api, r, 128);
                 return recordedResource(
                     name, {{"Arn", iamArn(api, "instance-profile", r.properties, name)}});
               });
  auto policy = [](std::set<std::string> props) {
    return accepted(std::move(props), [](const ResourceApi& api, const ResourceRequest& r) {
      return recordedResource(generatedName(api, r, 128));
    });
  };
  types["AWS::SNS::TopicPolicy"] = policy({"PolicyDocument", "Topics"});
  types["AWS::Events::EventBusPolicy"] =
      policy({"EventBusName", "StatementId", "Statement", "Action", "Principal", "Condition"});
}

}  // namespace sluice::services::cloudformation
