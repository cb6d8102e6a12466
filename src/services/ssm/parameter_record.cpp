#include "services/ssm/parameter_record.hpp"

#include <algorithm>

namespace sluice::services::ssm {

ParameterVersion* ParameterRecord::findVersion(int64_t version) {
  for (auto& v : versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

ParameterVersion* ParameterRecord::findLabel(const std::string& label) {
  for (auto& v : versions) {
    if (std::find(v.labels.begin(), v.labels.end(), label) != v.labels.end()) return &v;
  }
  return nullptr;
}

namespace {

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Json toDocument(const ParameterRecord& p) {
  JsonArray versions;
  for (const auto& v : p.versions) {
    JsonObject o;
    o["version"] = v.version;
    o["type"] = v.type;
    o["value"] = v.value;
    o["keyId"] = v.keyId;
    o["description"] = v.description;
    o["allowedPattern"] = v.allowedPattern;
    o["tier"] = v.tier;
    o["policies"] = v.policies;
    o["dataType"] = v.dataType;
    o["user"] = v.user;
    o["modified"] = v.modified.time_since_epoch().count();
    JsonArray labels;
    for (const auto& l : v.labels) labels.emplace_back(l);
    o["labels"] = std::move(labels);
    versions.emplace_back(std::move(o));
  }
  JsonObject tags;
  for (const auto& [k, v] : p.tags) tags[k] = v;
  JsonObject doc;
  doc["name"] = p.name;
  doc["versions"] = std::move(versions);
  doc["tags"] = std::move(tags);
  return doc;
}

ParameterRecord fromDocument(const Json& doc) {
  ParameterRecord p;
  const JsonObject& o = doc.as_object();
  p.name = text(o, "name");
  for (const Json& e : o.at("versions").as_array()) {
    const JsonObject& vo = e.as_object();
    ParameterVersion v;
    v.version = vo.at("version").to_number<int64_t>();
    v.type = text(vo, "type");
    v.value = text(vo, "value");
    v.keyId = text(vo, "keyId");
    v.description = text(vo, "description");
    v.allowedPattern = text(vo, "allowedPattern");
    v.tier = text(vo, "tier");
    v.policies = text(vo, "policies");
    v.dataType = text(vo, "dataType");
    v.user = text(vo, "user");
    v.modified = TimePoint(Duration(vo.at("modified").to_number<int64_t>()));
    for (const Json& l : vo.at("labels").as_array()) v.labels.emplace_back(l.as_string());
    p.versions.push_back(std::move(v));
  }
  for (const auto& kv : o.at("tags").as_object()) {
    p.tags[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  return p;
}

}  // namespace sluice::services::ssm
