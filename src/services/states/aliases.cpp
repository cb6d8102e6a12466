// State machine aliases: Create/Describe/Update/Delete/ListStateMachineAliases
// and the weighted routing StartExecution uses for an alias ARN.
#include <set>

#include "services/common/input.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

AwsError aliasNotFound(const std::string& arn) {
  return {"ResourceNotFound", "Resource not found: '" + arn + "'", 400};
}

bool allDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<std::pair<StateMachineRecord*, AliasRecord*>> StatesService::findAlias(
    const std::string& arn) {
  auto parsed = parseArn(arn, {ResourceKind::StateMachine});
  if (!parsed) return parsed.error();
  if (parsed->qualifier.empty() || allDigits(parsed->qualifier)) return aliasNotFound(arn);
  std::string base = arn.substr(0, arn.size() - parsed->qualifier.size() - 1);
  auto m = machines_.find(base);
  if (m == machines_.end()) return aliasNotFound(arn);
  auto a = m->second.aliases.find(parsed->qualifier);
  if (a == m->second.aliases.end()) return aliasNotFound(arn);
  return std::make_pair(&m->second, &a->second);
}

Result<Json> StatesService::checkRouting(const StateMachineRecord& machine, const Json* routing) {
  if (!routing || !routing->is_array()) return missingMember("routingConfiguration");
  const auto& rows = routing->as_array();
  if (rows.empty() || rows.size() > 2) {
    return AwsError::validation("Routing configuration must contain one or two versions.");
  }
  int64_t total = 0;
  JsonArray out;
  std::set<std::string> seen;
  for (const auto& row : rows) {
    const Json* arn =
        row.is_object() ? row.as_object().if_contains("stateMachineVersionArn") : nullptr;
    const Json* weight = row.is_object() ? row.as_object().if_contains("weight") : nullptr;
    if (!arn || !arn->is_string())
      return missingMember("routingConfiguration.member.stateMachineVersionArn");
    auto w = weight && isNumber(*weight) ? toInteger(*weight) : std::nullopt;
    if (!w || *w < 0 || *w > 100) {
      return AwsError::validation("Routing weights must be integers between 0 and 100.");
    }
    std::string versionArn(arn->get_string());
    if (!versionArn.starts_with(machine.arn + ":")) {
      return AwsError::validation("Routing configuration versions must belong to '" + machine.arn +
                                  "'.");
    }
    if (!seen.insert(versionArn).second) {
      return AwsError::validation("Routing configuration must not repeat a version.");
    }
    auto v = findVersion(versionArn);
    if (!v) return v.error();
    total += *w;
    JsonObject o;
    o["stateMachineVersionArn"] = versionArn;
    o["weight"] = *w;
    out.push_back(std::move(o));
  }
  if (total != 100) return AwsError::validation("Routing weights must add up to 100.");
  return Json(std::move(out));
}

VersionRecord* StatesService::route(StateMachineRecord& machine, const AliasRecord& alias) {
  int64_t pick = engine_.ids.uniform(0, 99);
  for (const auto& row : alias.routing.as_array()) {
    int64_t w = row.as_object().at("weight").to_number<int64_t>();
    if (pick < w) {
      auto v = findVersion(std::string(row.as_object().at("stateMachineVersionArn").as_string()));
      return v ? v->second : nullptr;
    }
    pick -= w;
  }
  (void)machine;
  return nullptr;
}

Result<Json> StatesService::createStateMachineAlias(const Json& in, const CallContext&) {
  Input input(in);
  auto name = input.requiredString("name");
  if (!name) return name.error();
  auto description = input.optionalString("description");
  if (!description) return description.error();
  if (auto ok = checkName(*name); !ok || allDigits(*name)) {
    return AwsError{"InvalidName", "Invalid Name: '" + *name + "'", 400};
  }
  // The machine is the one the first routed version belongs to.
  const Json* routing = input.get("routingConfiguration");
  if (!routing || !routing->is_array() || routing->as_array().empty()) {
    return missingMember("routingConfiguration");
  }
  const Json& first = routing->as_array()[0];
  const Json* firstArn =
      first.is_object() ? first.as_object().if_contains("stateMachineVersionArn") : nullptr;
  if (!firstArn || !firstArn->is_string()) return missingMember("routingConfiguration");
  auto v = findVersion(std::string(firstArn->get_string()));
  if (!v) return v.error();
  StateMachineRecord& machine = *v->first;
  auto checked = checkRouting(machine, routing);
  if (!checked) return checked.error();
  std::string arn = machine.arn + ":" + *name;
  if (auto it = machine.aliases.find(*name); it != machine.aliases.end()) {
    if (jsonEquals(it->second.routing, *checked) &&
        it->second.description == description->value_or("")) {
      JsonObject out;
      out["stateMachineAliasArn"] = arn;
      out["creationDate"] = epochSeconds(it->second.creationDate);
      return Json(std::move(out));
    }
    return AwsError{"ConflictException", "Alias already exists: '" + arn + "'", 400};
  }
  AliasRecord a;
  a.arn = arn;
  a.name = *name;
  a.description = description->value_or("");
  a.routing = std::move(*checked);
  a.creationDate = a.updateDate = clock_.now();
  JsonObject out;
  out["stateMachineAliasArn"] = arn;
  out["creationDate"] = epochSeconds(a.creationDate);
  machine.aliases.emplace(*name, std::move(a));
  return Json(std::move(out));
}

Result<Json> StatesService::describeStateMachineAlias(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineAliasArn");
  if (!arn) return arn.error();
  auto a = findAlias(*arn);
  if (!a) return a.error();
  const AliasRecord& alias = *a->second;
  JsonObject out;
  out["stateMachineAliasArn"] = alias.arn;
  out["name"] = alias.name;
  if (!alias.description.empty()) out["description"] = alias.description;
  out["routingConfiguration"] = alias.routing;
  out["creationDate"] = epochSeconds(alias.creationDate);
  out["updateDate"] = epochSeconds(alias.updateDate);
  return Json(std::move(out));
}

Result<Json> StatesService::updateStateMachineAlias(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("stateMachineAliasArn");
  if (!arn) return arn.error();
  auto description = input.optionalString("description");
  if (!description) return description.error();
  auto a = findAlias(*arn);
  if (!a) return a.error();
  const Json* routing = input.get("routingConfiguration");
  if (!*description && !routing) {
    return AwsError::validation("Either description or routingConfiguration must be specified.");
  }
  Json newRouting = a->second->routing;
  if (routing) {
    auto checked = checkRouting(*a->first, routing);
    if (!checked) return checked.error();
    newRouting = std::move(*checked);
  }
  a->second->routing = std::move(newRouting);
  if (*description) a->second->description = **description;
  a->second->updateDate = clock_.now();
  JsonObject out;
  out["updateDate"] = epochSeconds(a->second->updateDate);
  return Json(std::move(out));
}

Result<Json> StatesService::deleteStateMachineAlias(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineAliasArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::StateMachine});
  if (!parsed) return parsed.error();
  if (auto a = findAlias(*arn)) a->first->aliases.erase(a->second->name);
  return Json(JsonObject{});
}

Result<Json> StatesService::listStateMachineAliases(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineArn");
  if (!arn) return arn.error();
  auto m = findMachine(*arn);
  if (!m) return m.error();
  JsonArray items;
  for (const auto& [name, a] : (*m)->aliases) {
    JsonObject o;
    o["stateMachineAliasArn"] = a.arn;
    o["creationDate"] = epochSeconds(a.creationDate);
    items.push_back(std::move(o));
  }
  JsonObject out;
  out["stateMachineAliases"] = std::move(items);
  return Json(std::move(out));
}

}  // namespace sluice::services::states
