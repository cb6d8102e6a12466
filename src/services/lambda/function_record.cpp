#include "services/lambda/function_record.hpp"

#include <cstdio>
#include <ctime>

#include "core/encoding.hpp"

namespace sluice::services::lambda {

namespace {

int64_t micros(TimePoint t) {
  return t.time_since_epoch().count();
}
TimePoint fromMicros(const Json& v) {
  return TimePoint(Duration(v.to_number<int64_t>()));
}
std::string str(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Json versionDoc(const FunctionVersion& v) {
  JsonObject o;
  o["version"] = v.version;
  o["config"] = v.config;
  o["codeDigest"] = v.codeDigest;
  o["codeSize"] = v.codeSize;
  o["lastModified"] = micros(v.lastModified);
  o["revisionId"] = v.revisionId;
  return o;
}

FunctionVersion versionFrom(const Json& doc) {
  const JsonObject& o = doc.as_object();
  FunctionVersion v;
  v.version = str(o, "version");
  v.config = o.at("config");
  v.codeDigest = str(o, "codeDigest");
  v.codeSize = o.at("codeSize").to_number<int64_t>();
  v.lastModified = fromMicros(o.at("lastModified"));
  v.revisionId = str(o, "revisionId");
  return v;
}

}  // namespace

std::string FunctionVersion::text(std::string_view member) const {
  const Json* v = config.as_object().if_contains(member);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t FunctionVersion::integer(std::string_view member, int64_t fallback) const {
  const Json* v = config.as_object().if_contains(member);
  return v && v->is_number() ? v->to_number<int64_t>() : fallback;
}

Json FunctionRecord::toDocument() const {
  JsonObject o;
  o["name"] = name;
  o["latest"] = versionDoc(latest);
  JsonArray vs;
  for (const auto& [n, v] : versions) vs.push_back(versionDoc(v));
  o["versions"] = std::move(vs);
  o["lastVersion"] = lastVersion;
  JsonArray as;
  for (const auto& [n, a] : aliases) {
    JsonObject ao;
    ao["name"] = a.name;
    ao["functionVersion"] = a.functionVersion;
    ao["description"] = a.description;
    JsonObject w;
    for (const auto& [ver, weight] : a.weights) w[ver] = weight;
    ao["weights"] = std::move(w);
    ao["revisionId"] = a.revisionId;
    as.push_back(std::move(ao));
  }
  o["aliases"] = std::move(as);
  JsonObject tags;
  for (const auto& [k, v] : this->tags) tags[k] = v;
  o["tags"] = std::move(tags);
  o["reservedConcurrency"] = reservedConcurrency ? Json(*reservedConcurrency) : Json(nullptr);
  JsonObject eic;
  for (const auto& [q, c] : eventInvokeConfigs) eic[q] = c;
  o["eventInvokeConfigs"] = std::move(eic);
  JsonObject policies;
  for (const auto& [q, statements] : this->policies) {
    JsonObject byId;
    for (const auto& [id, st] : statements) byId[id] = st;
    auto rev = policyRevisions.find(q);
    policies[q] = JsonObject{{"statements", std::move(byId)},
                             {"revision", rev == policyRevisions.end() ? "" : rev->second}};
  }
  o["policies"] = std::move(policies);
  return o;
}

FunctionRecord FunctionRecord::fromDocument(const Json& doc) {
  const JsonObject& o = doc.as_object();
  FunctionRecord f;
  f.name = str(o, "name");
  f.latest = versionFrom(o.at("latest"));
  for (const Json& v : o.at("versions").as_array()) {
    FunctionVersion fv = versionFrom(v);
    f.versions[std::stoll(fv.version)] = std::move(fv);
  }
  f.lastVersion = o.at("lastVersion").to_number<int64_t>();
  for (const Json& a : o.at("aliases").as_array()) {
    const JsonObject& ao = a.as_object();
    AliasRecord r;
    r.name = str(ao, "name");
    r.functionVersion = str(ao, "functionVersion");
    r.description = str(ao, "description");
    for (const auto& kv : ao.at("weights").as_object()) {
      r.weights[std::string(kv.key())] = kv.value().to_number<double>();
    }
    r.revisionId = str(ao, "revisionId");
    f.aliases[r.name] = std::move(r);
  }
  for (const auto& kv : o.at("tags").as_object()) {
    f.tags[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  if (const Json* rc = o.if_contains("reservedConcurrency"); rc && rc->is_number()) {
    f.reservedConcurrency = rc->to_number<int64_t>();
  }
  if (const Json* e = o.if_contains("eventInvokeConfigs"); e && e->is_object()) {
    for (const auto& kv : e->as_object()) f.eventInvokeConfigs[std::string(kv.key())] = kv.value();
  }
  if (const Json* p = o.if_contains("policies"); p && p->is_object()) {
    for (const auto& kv : p->as_object()) {
      std::string q(kv.key());
      for (const auto& st : kv.value().at("statements").as_object()) {
        f.policies[q][std::string(st.key())] = st.value();
      }
      f.policyRevisions[q] = str(kv.value().as_object(), "revision");
    }
  }
  return f;
}

const FunctionVersion* FunctionRecord::findVersion(std::string_view qualifier) const {
  if (qualifier.empty() || qualifier == "$LATEST") return &latest;
  if (qualifier.find_first_not_of("0123456789") != std::string_view::npos) return nullptr;
  auto it = versions.find(std::stoll(std::string(qualifier)));
  return it == versions.end() ? nullptr : &it->second;
}

std::string lambdaTimestamp(TimePoint t) {
  auto us = t.time_since_epoch().count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((us / 1000) % 1000));
  return buf;
}

std::string codeSha256Base64(std::string_view hex) {
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return base64Encode(raw);
}

Json functionConfiguration(const Scope& scope, const FunctionRecord& f, const FunctionVersion& v) {
  JsonObject c = v.config.as_object();
  std::string arn = arn::lambdaFunction(scope, f.name);
  c["FunctionName"] = f.name;
  c["FunctionArn"] = v.version == "$LATEST" ? arn : arn + ":" + v.version;
  c["CodeSize"] = v.codeSize;
  c["CodeSha256"] = codeSha256Base64(v.codeDigest);
  c["Version"] = v.version;
  c["LastModified"] = lambdaTimestamp(v.lastModified);
  c["RevisionId"] = v.revisionId;
  c["State"] = "Active";
  c["LastUpdateStatus"] = "Successful";
  c["PackageType"] = "Zip";
  return c;
}

Json aliasConfiguration(const Scope& scope, const FunctionRecord& f, const AliasRecord& a) {
  JsonObject c;
  c["AliasArn"] = arn::lambdaFunction(scope, f.name) + ":" + a.name;
  c["Name"] = a.name;
  c["FunctionVersion"] = a.functionVersion;
  c["Description"] = a.description;
  if (!a.weights.empty()) {
    JsonObject w;
    for (const auto& [ver, weight] : a.weights) w[ver] = weight;
    c["RoutingConfig"] = JsonObject{{"AdditionalVersionWeights", std::move(w)}};
  }
  c["RevisionId"] = a.revisionId;
  return c;
}

}  // namespace sluice::services::lambda
