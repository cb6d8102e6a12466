#include "engine/integration.hpp"

#include <vector>

namespace sluice::engine {

namespace {

std::vector<std::string_view> splitColons(std::string_view s, size_t maxParts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < maxParts) {
    auto pos = s.find(':');
    if (pos == std::string_view::npos) break;
    parts.push_back(s.substr(0, pos));
    s.remove_prefix(pos + 1);
  }
  parts.push_back(s);
  return parts;
}

std::string_view patternSuffix(asl::IntegrationPattern p) {
  switch (p) {
    case asl::IntegrationPattern::Sync:
      return ".sync";
    case asl::IntegrationPattern::Sync2:
      return ".sync:2";
    case asl::IntegrationPattern::WaitForTaskToken:
      return ".waitForTaskToken";
    case asl::IntegrationPattern::RequestResponse:
      return "";
  }
  return "";
}

}  // namespace

std::optional<ParsedResource> parseTaskResource(std::string_view arn,
                                                asl::IntegrationPattern pattern) {
  // arn:partition:service:region:account:rest
  auto parts = splitColons(arn, 6);
  if (parts.size() < 6 || parts[0] != "arn") return std::nullopt;
  ParsedResource r;
  r.region = std::string(parts[3]);
  r.account = std::string(parts[4]);
  std::string_view service = parts[2], rest = parts[5];
  if (service == "lambda") {
    auto fn = splitColons(rest, 3);
    if (fn.size() < 2 || fn[0] != "function" || fn[1].empty()) return std::nullopt;
    r.family = TaskFamily::LambdaFunction;
    r.key = "lambda:function";
    r.resourceType = "lambda";
    r.name = std::string(fn[1]);
    r.resource = std::string(arn);
    return r;
  }
  if (service != "states") return std::nullopt;
  if (rest.starts_with("activity:")) {
    r.family = TaskFamily::Activity;
    r.key = "activity";
    r.name = std::string(rest.substr(9));
    r.resource = std::string(arn);
    return r;
  }
  // arn:aws:states:::<service>:<action> or :::aws-sdk:<service>:<action>
  auto pieces = splitColons(rest, 3);
  if (pieces.size() < 2) return std::nullopt;
  r.family = TaskFamily::Task;
  if (pieces[0] == "aws-sdk") {
    if (pieces.size() < 3) return std::nullopt;
    r.resourceType = "aws-sdk:" + std::string(pieces[1]);
    r.resource = std::string(pieces[2]);
  } else {
    r.resourceType = std::string(pieces[0]);
    r.resource = std::string(rest.substr(pieces[0].size() + 1));
  }
  r.key = r.resourceType + ":" + r.resource;
  r.resource += patternSuffix(pattern);
  return r;
}

void IntegrationRegistry::add(std::string key, std::shared_ptr<Integration> integration) {
  byKey_[std::move(key)] = std::move(integration);
}

Integration* IntegrationRegistry::find(const ParsedResource& resource) const {
  if (auto it = byKey_.find(resource.key); it != byKey_.end()) return it->second.get();
  if (resource.key.starts_with("aws-sdk:")) {
    if (auto it = byKey_.find("aws-sdk:*"); it != byKey_.end()) return it->second.get();
  }
  return nullptr;
}

}  // namespace sluice::engine
