// Layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayers,
// ListLayerVersions, DeleteLayerVersion. A layer is one document in
// lambda_layers (account, region, name) holding its versions; the archives
// share the content-addressed code store with functions. A deleted version
// stays in the document, hidden, so functions that use it keep running (AWS
// keeps a copy for them too).
#include <algorithm>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {

namespace {

constexpr std::string_view kTable = "lambda_layers";

std::string layerArn(const Scope& scope, const std::string& name) {
  return "arn:aws:lambda:" + scope.region + ":" + scope.account + ":layer:" + name;
}

AwsError layerNotFound() {
  return {"ResourceNotFoundException",
          "The resource you requested does not exist. (Service: Lambda, Status Code: 404)", 404};
}

const JsonObject* liveVersion(const Json& layer, int64_t version) {
  const Json* v = layer.as_object().at("versions").as_object().if_contains(std::to_string(version));
  if (!v || v->as_object().at("deleted").as_bool()) return nullptr;
  return &v->as_object();
}

}  // namespace

Json LambdaService::layerVersionJson(const Scope& scope, const std::string& name,
                                     const JsonObject& v, const std::string& host) const {
  std::string arn = layerArn(scope, name);
  std::string digest(v.at("digest").get_string());
  JsonObject out{
      {"Content",
       JsonObject{{"Location", "http://" + (host.empty() ? std::string("localhost:4566") : host) +
                                   "/_sluice/lambda/code/" + digest + ".zip"},
                  {"CodeSha256", codeSha256Base64(digest)},
                  {"CodeSize", v.at("codeSize")}}},
      {"LayerArn", arn},
      {"LayerVersionArn", arn + ":" + std::to_string(v.at("version").to_number<int64_t>())},
      {"Description", v.at("description")},
      {"CreatedDate", lambdaTimestamp(TimePoint(Duration(v.at("created").to_number<int64_t>())))},
      {"Version", v.at("version")}};
  for (const char* m : {"CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"}) {
    if (const Json* x = v.if_contains(m)) out[m] = *x;
  }
  return out;
}

Result<std::string> LambdaService::layerDigest(const Scope& scope, const std::string& arn,
                                               int64_t* codeSize, bool* deleted) const {
  // arn:aws:lambda:region:account:layer:name:version
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    auto colon = arn.find(':', start);
    parts.push_back(arn.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  auto missing =
      AwsError{"InvalidParameterValueException", "Layer version " + arn + " does not exist.", 400};
  if (parts.size() != 8 || parts[2] != "lambda" || parts[5] != "layer" || parts[7].empty() ||
      parts[7].find_first_not_of("0123456789") != std::string::npos) {
    return missing;
  }
  if (parts[3] != scope.region || parts[4] != scope.account) return missing;
  auto it = layers_.find(scopeKey(scope) + "/" + parts[6]);
  if (it == layers_.end()) return missing;
  const Json* v = it->second.as_object().at("versions").as_object().if_contains(parts[7]);
  if (!v) return missing;
  if (codeSize) *codeSize = v->as_object().at("codeSize").to_number<int64_t>();
  if (deleted) *deleted = v->as_object().at("deleted").as_bool();
  return std::string(v->as_object().at("digest").get_string());
}

void LambdaService::publishLayerVersion(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto name = input.requiredString("LayerName");
  if (!name) return reply(name.error());
  const Json* content = input.get("Content");
  withCode(
      content ? *content : Json(JsonObject{}), ctx,
      [this, in, ctx, name = *name, reply = std::move(reply)](Result<StoredCode> code) mutable {
        if (!code) return reply(code.error());
        runLocked(
            mu_, docs_,
            [&]() -> Result<Change> {
              Input input(in);
              auto description = input.optionalString("Description");
              if (!description) return description.error();
              Json& layer = layers_[scopeKey(ctx.scope) + "/" + name];
              if (layer.is_null()) {
                layer = JsonObject{{"name", name}, {"lastVersion", 0}, {"versions", JsonObject{}}};
              }
              JsonObject& l = layer.as_object();
              int64_t version = l.at("lastVersion").to_number<int64_t>() + 1;
              l["lastVersion"] = version;
              JsonObject v{{"version", version},
                           {"description", description->value_or("")},
                           {"digest", code->digest},
                           {"codeSize", code->size},
                           {"created", clock_.now().time_since_epoch().count()},
                           {"deleted", false}};
              for (const char* m :
                   {"CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"}) {
                if (const Json* x = input.get(m); x && !x->is_null()) v[m] = *x;
              }
              Change change(layerVersionJson(ctx.scope, name, v, ctx.host));
              l["versions"].as_object()[std::to_string(version)] = std::move(v);
              change.batch.put(kTable, ctx.scope, name, layer);
              return change;
            },
            std::move(reply));
      });
}

Result<Change> LambdaService::getLayerVersion(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("LayerName");
  if (!name) return name.error();
  auto number = input.optionalInt("VersionNumber");
  if (!number) return number.error();
  // LayerName may be the layer's ARN.
  std::string plain = *name;
  if (auto colon = plain.rfind(':'); plain.starts_with("arn:") && colon != std::string::npos) {
    plain = plain.substr(colon + 1);
  }
  auto it = layers_.find(scopeKey(ctx.scope) + "/" + plain);
  const JsonObject* v =
      it == layers_.end() ? nullptr : liveVersion(it->second, number->value_or(0));
  if (!v) return layerNotFound();
  return Change(layerVersionJson(ctx.scope, plain, *v, ctx.host));
}

Result<Change> LambdaService::getLayerVersionByArn(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("Arn");
  if (!arn) return arn.error();
  auto colon = arn->rfind(':');
  std::string layer = arn->substr(0, colon);
  std::string version = arn->substr(colon + 1);
  if (layer.rfind(':') == std::string::npos || version.empty() ||
      version.find_first_not_of("0123456789") != std::string::npos) {
    return layerNotFound();
  }
  JsonObject q{{"LayerName", layer.substr(layer.rfind(':') + 1)},
               {"VersionNumber", std::stoll(version)}};
  if (layer != layerArn(ctx.scope, layer.substr(layer.rfind(':') + 1))) return layerNotFound();
  return getLayerVersion(Json(std::move(q)), ctx);
}

Result<Change> LambdaService::listLayerVersions(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("LayerName");
  if (!name) return name.error();
  auto runtime = input.optionalString("CompatibleRuntime");
  if (!runtime) return runtime.error();
  JsonArray out;
  auto it = layers_.find(scopeKey(ctx.scope) + "/" + *name);
  if (it != layers_.end()) {
    std::vector<const JsonObject*> live;
    for (const auto& kv : it->second.as_object().at("versions").as_object()) {
      const JsonObject& v = kv.value().as_object();
      if (v.at("deleted").as_bool()) continue;
      if (*runtime) {
        const Json* rs = v.if_contains("CompatibleRuntimes");
        bool ok = false;
        if (rs && rs->is_array()) {
          for (const Json& r : rs->as_array()) ok = ok || r == Json(**runtime);
        }
        if (!ok) continue;
      }
      live.push_back(&v);
    }
    // Newest first, as Lambda lists them.
    std::sort(live.begin(), live.end(), [](const JsonObject* a, const JsonObject* b) {
      return a->at("version").to_number<int64_t>() > b->at("version").to_number<int64_t>();
    });
    for (const JsonObject* v : live) {
      Json j = layerVersionJson(ctx.scope, *name, *v, ctx.host);
      j.as_object().erase("Content");
      out.push_back(std::move(j));
    }
  }
  return Change(JsonObject{{"LayerVersions", std::move(out)}});
}

Result<Change> LambdaService::listLayers(const Json&, const CallContext& ctx) {
  JsonArray out;
  std::string prefix = scopeKey(ctx.scope) + "/";
  for (const auto& [key, layer] : layers_) {
    if (!key.starts_with(prefix)) continue;
    const JsonObject* latest = nullptr;
    for (const auto& kv : layer.as_object().at("versions").as_object()) {
      const JsonObject& v = kv.value().as_object();
      if (v.at("deleted").as_bool()) continue;
      if (!latest ||
          v.at("version").to_number<int64_t>() > latest->at("version").to_number<int64_t>()) {
        latest = &v;
      }
    }
    if (!latest) continue;
    std::string name = key.substr(prefix.size());
    Json v = layerVersionJson(ctx.scope, name, *latest, ctx.host);
    v.as_object().erase("Content");
    out.push_back(JsonObject{{"LayerName", name},
                             {"LayerArn", layerArn(ctx.scope, name)},
                             {"LatestMatchingVersion", std::move(v)}});
  }
  return Change(JsonObject{{"Layers", std::move(out)}});
}

Result<Change> LambdaService::deleteLayerVersion(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("LayerName");
  if (!name) return name.error();
  auto number = input.optionalInt("VersionNumber");
  if (!number) return number.error();
  Change change(Json(nullptr));
  auto it = layers_.find(scopeKey(ctx.scope) + "/" + *name);
  if (it == layers_.end()) return change;  // deleting what is not there succeeds, as on AWS
  Json* v = it->second.as_object()
                .at("versions")
                .as_object()
                .if_contains(std::to_string(number->value_or(0)));
  if (!v) return change;
  v->as_object()["deleted"] = true;
  change.batch.put(kTable, ctx.scope, *name, it->second);
  return change;
}

}  // namespace sluice::services::lambda
