// PutTargets, RemoveTargets, ListTargetsByRule, and a target's input
// (Input, InputPath, InputTransformer).
#include <algorithm>

#include "asl/path.hpp"
#include "services/common/input.hpp"
#include "services/events/events_service.hpp"

namespace sluice::services::events {

namespace {

constexpr size_t kMaxTargetsPerRule = 5;

const Json* member(const Json& o, std::string_view key) {
  const Json* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

// The placeholders of an input template: <name> where name is a key of
// InputPathsMap or an aws.events.* variable.
std::string render(const std::string& tmpl, const std::map<std::string, Json>& values) {
  std::string out;
  bool inString = false;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '"' && (i == 0 || tmpl[i - 1] != '\\')) inString = !inString;
    if (c == '<') {
      size_t end = tmpl.find('>', i);
      if (end != std::string::npos) {
        auto it = values.find(tmpl.substr(i + 1, end - i - 1));
        if (it != values.end()) {
          const Json& v = it->second;
          if (inString) {
            // Inside a JSON string the value's text goes in as it is.
            out += v.is_string() ? std::string(v.get_string()) : v.is_null() ? "" : toJsonText(v);
          } else {
            out += toJsonText(v);
          }
          i = end;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

Result<asl::Path> eventPath(const std::string& text) {
  auto p = asl::Path::parse(text);
  if (!p || text.empty() || text[0] != '$') {
    return AwsError::validation("The JSON path " + text + " is not valid.");
  }
  return p;
}

}  // namespace

Result<void> checkTarget(const Json& target) {
  const Json* input = member(target, "Input");
  const Json* path = member(target, "InputPath");
  const Json* transformer = member(target, "InputTransformer");
  if ((input != nullptr) + (path != nullptr) + (transformer != nullptr) > 1) {
    return AwsError::validation(
        "Only one of Input, InputPath, or InputTransformer can be provided for a target.");
  }
  if (input && !parseJson(input->as_string())) {
    return AwsError::validation("Input is not valid JSON text.");
  }
  if (path) {
    if (auto p = eventPath(std::string(path->as_string())); !p) return p.error();
  }
  if (transformer) {
    if (const Json* map = member(*transformer, "InputPathsMap")) {
      if (map->as_object().size() > 100) {
        return AwsError::validation("InputPathsMap can hold at most 100 paths.");
      }
      for (const auto& kv : map->as_object()) {
        if (kv.key().starts_with("aws.events.")) {
          return AwsError::validation("InputPathsMap key " + std::string(kv.key()) +
                                      " is reserved.");
        }
        if (auto p = eventPath(std::string(kv.value().as_string())); !p) return p.error();
      }
    }
  }
  return {};
}

Result<std::string> targetInput(const Json& target, const Json& event, const std::string& ruleArn,
                                const std::string& ruleName, TimePoint ingestion) {
  if (const Json* input = member(target, "Input")) return std::string(input->as_string());
  if (const Json* path = member(target, "InputPath")) {
    auto p = eventPath(std::string(path->as_string()));
    if (!p) return p.error();
    auto selected = p->selectFrom(event);
    return selected ? toJsonText(*selected) : std::string("null");
  }
  if (const Json* transformer = member(target, "InputTransformer")) {
    std::map<std::string, Json> values;
    if (const Json* map = member(*transformer, "InputPathsMap")) {
      for (const auto& kv : map->as_object()) {
        auto p = eventPath(std::string(kv.value().as_string()));
        if (!p) return p.error();
        auto selected = p->selectFrom(event);
        values[std::string(kv.key())] = selected ? *selected : Json(nullptr);
      }
    }
    values["aws.events.rule-arn"] = ruleArn;
    values["aws.events.rule-name"] = ruleName;
    values["aws.events.event.ingestion-time"] = eventTime(ingestion);
    values["aws.events.event"] = event;
    values["aws.events.event.json"] = event;
    return render(std::string(transformer->at("InputTemplate").as_string()), values);
  }
  return toJsonText(event);
}

Result<Change> EventsService::putTargets(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) return r.error();
  const Json* targets = Input(in).get("Targets");
  if (!targets || !targets->is_array()) return missingMember("targets");
  std::vector<Json> merged = (*r)->targets;
  JsonArray failed;
  for (const Json& t : targets->as_array()) {
    std::string id(t.at("Id").as_string());
    if (auto ok = checkTarget(t); !ok) {
      JsonObject f;
      f["TargetId"] = id;
      f["ErrorCode"] = ok.error().code;
      f["ErrorMessage"] = ok.error().message;
      failed.emplace_back(std::move(f));
      continue;
    }
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const Json& x) { return x.at("Id").as_string() == id; });
    if (same != merged.end()) {
      *same = t;
    } else {
      merged.push_back(t);
    }
  }
  if (merged.size() > kMaxTargetsPerRule) {
    return AwsError{"LimitExceededException",
                    "The requested resource exceeds the maximum number allowed.", 400};
  }
  std::sort(merged.begin(), merged.end(), [](const Json& a, const Json& b) {
    return a.at("Id").as_string() < b.at("Id").as_string();
  });
  JsonObject out;
  out["FailedEntryCount"] = failed.size();
  out["FailedEntries"] = std::move(failed);
  Change change(std::move(out));
  if (merged != (*r)->targets) {
    (*r)->targets = std::move(merged);
    persistRule(change.batch, ctx.scope, **r);
  }
  return change;
}

Result<Change> EventsService::removeTargets(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) return r.error();
  const Json* ids = Input(in).get("Ids");
  if (!ids || !ids->is_array()) return missingMember("ids");
  JsonArray failed;
  bool changed = false;
  for (const Json& idv : ids->as_array()) {
    std::string id(idv.as_string());
    auto it = std::find_if((*r)->targets.begin(), (*r)->targets.end(),
                           [&](const Json& x) { return x.at("Id").as_string() == id; });
    if (it == (*r)->targets.end()) {
      JsonObject f;
      f["TargetId"] = id;
      f["ErrorCode"] = "ResourceNotFoundException";
      f["ErrorMessage"] = "Target " + id + " does not exist on rule " + (*r)->name + ".";
      failed.emplace_back(std::move(f));
      continue;
    }
    (*r)->targets.erase(it);
    changed = true;
  }
  JsonObject out;
  out["FailedEntryCount"] = failed.size();
  out["FailedEntries"] = std::move(failed);
  Change change(std::move(out));
  if (changed) persistRule(change.batch, ctx.scope, **r);
  return change;
}

Result<Change> EventsService::listTargetsByRule(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) return r.error();
  JsonArray targets;
  for (const Json& t : (*r)->targets) targets.push_back(t);
  JsonObject out;
  out["Targets"] = std::move(targets);
  return Change(std::move(out));
}

}  // namespace sluice::services::events
