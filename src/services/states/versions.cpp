// State machine versions: PublishStateMachineVersion (and `publish` on
// Create/Update), ListStateMachineVersions, DeleteStateMachineVersion.
// A version freezes the definition and role at publication; executions can
// start on it by its ARN.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

Result<std::pair<StateMachineRecord*, VersionRecord*>> StatesService::findVersion(
    const std::string& arn) {
  auto parsed = parseArn(arn, {ResourceKind::StateMachine});
  if (!parsed) return parsed.error();
  std::string base = arn.substr(0, arn.size() - parsed->qualifier.size() - 1);
  char* end = nullptr;
  long long n = std::strtoll(parsed->qualifier.c_str(), &end, 10);
  auto machine = machines_.find(base);
  if (parsed->qualifier.empty() || *end != '\0' || machine == machines_.end() ||
      !machine->second.versions.count(n)) {
    return AwsError{"ResourceNotFound", "State Machine Version Does Not Exist: '" + arn + "'", 400};
  }
  return std::make_pair(&machine->second, &machine->second.versions.at(n));
}

VersionRecord& StatesService::publish(StateMachineRecord& m, const std::string& description) {
  // Publishing an unchanged revision again returns the latest version.
  if (!m.versions.empty() && m.versions.rbegin()->second.revisionId == m.revisionId) {
    return m.versions.rbegin()->second;
  }
  VersionRecord v;
  v.number = m.nextVersion++;
  v.arn = m.arn + ":" + std::to_string(v.number);
  v.definition = m.definition;
  v.roleArn = m.roleArn;
  v.description = description;
  v.revisionId = m.revisionId;
  v.creationDate = clock_.now();
  v.machine = m.machine;
  return m.versions.emplace(v.number, std::move(v)).first->second;
}

Result<Json> StatesService::publishStateMachineVersion(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("stateMachineArn");
  if (!arn) return arn.error();
  auto revision = input.optionalString("revisionId");
  if (!revision) return revision.error();
  auto description = input.optionalString("description");
  if (!description) return description.error();
  auto m = findMachine(*arn);
  if (!m) return m.error();
  if (*revision && **revision != (*m)->revisionId) {
    return AwsError{"ConflictException",
                    "Failed to publish the State Machine version for revision " + **revision +
                        ". The current State Machine revision is " + (*m)->revisionId + ".",
                    400};
  }
  const VersionRecord& v = publish(**m, description->value_or(""));
  JsonObject out;
  out["creationDate"] = epochSeconds(v.creationDate);
  out["stateMachineVersionArn"] = v.arn;
  return Json(std::move(out));
}

Result<Json> StatesService::listStateMachineVersions(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineArn");
  if (!arn) return arn.error();
  auto m = findMachine(*arn);
  if (!m) return m.error();
  auto page = Page::fromInput(in, 100, 1000);
  if (!page) return page.error();
  JsonArray items;
  JsonObject out;
  // Newest first; tokens carry the last version number returned.
  int64_t after = page->after.empty() ? INT64_MAX : std::atoll(page->after.c_str());
  for (auto it = (*m)->versions.rbegin(); it != (*m)->versions.rend(); ++it) {
    if (it->first >= after) continue;
    if (items.size() == page->limit) {
      out["nextToken"] = page->tokenAfter(std::to_string(std::prev(it)->first));
      break;
    }
    JsonObject o;
    o["stateMachineVersionArn"] = it->second.arn;
    o["creationDate"] = epochSeconds(it->second.creationDate);
    items.push_back(std::move(o));
  }
  out["stateMachineVersions"] = std::move(items);
  return Json(std::move(out));
}

Result<Json> StatesService::deleteStateMachineVersion(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineVersionArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::StateMachine});
  if (!parsed) return parsed.error();
  if (parsed->qualifier.empty()) {
    return AwsError::validation("Invalid version ARN: '" + *arn + "'");
  }
  // Deleting a version that does not exist succeeds, as deletes do.
  if (auto v = findVersion(*arn)) v->first->versions.erase(v->second->number);
  return Json(JsonObject{});
}

}  // namespace sluice::services::states
