// PublishVersion, ListVersionsByFunction and aliases.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/lambda/lambda_service.hpp"
#include "services/lambda/marker_page.hpp"

namespace sluice::services::lambda {

namespace {

AwsError invalid(std::string message) {
  return {"InvalidParameterValueException", std::move(message), 400};
}

std::string versionKey(const std::string& version) {
  std::string number = version == "$LATEST" ? "" : version;
  return std::string(20 - number.size(), '0') + number;
}

// RoutingConfig.AdditionalVersionWeights, checked against the function.
Result<std::map<std::string, double>> readWeights(const Json& in, const FunctionRecord& f,
                                                  const std::string& primary) {
  std::map<std::string, double> weights;
  const Json* routing = Input(in).get("RoutingConfig");
  if (!routing || !routing->is_object()) return weights;
  const Json* w = routing->as_object().if_contains("AdditionalVersionWeights");
  if (!w || !w->is_object()) return weights;
  if (w->as_object().size() > 1) {
    return invalid("Number of items in AdditionalVersionWeights cannot be greater than 1");
  }
  for (const auto& kv : w->as_object()) {
    std::string version(kv.key());
    if (!kv.value().is_number()) return invalid("Weights must be numbers between 0.0 and 1.0.");
    double weight = kv.value().to_number<double>();
    if (weight < 0 || weight > 1) return invalid("Weights must be numbers between 0.0 and 1.0.");
    if (version == "$LATEST" || !f.findVersion(version)) {
      return invalid("Invalid function version " + version +
                     ". Function version must be a published version.");
    }
    if (version == primary) {
      return invalid("Invalid function version " + version +
                     ". Cannot route to the alias's own version.");
    }
    weights[version] = weight;
  }
  return weights;
}

}  // namespace

Result<Change> LambdaService::publishVersion(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  FunctionRecord& fn = **f;
  if (auto r = checkRevision(in, fn.latest.revisionId); !r) return r.error();
  std::string sha = codeSha256Base64(fn.latest.codeDigest);
  if (auto want = input.optionalString("CodeSha256"); want && *want && **want != sha) {
    return invalid("CodeSHA256 (" + **want + ") is different from current CodeSHA256 in $LATEST (" +
                   sha + "). Please try again with the CodeSHA256 in $LATEST.");
  }
  auto description = input.optionalString("Description");
  if (!description) return description.error();
  // Nothing changed since the last version: AWS answers with that version.
  if (!fn.versions.empty()) {
    const FunctionVersion& last = fn.versions.rbegin()->second;
    JsonObject a = last.config.as_object(), b = fn.latest.config.as_object();
    a.erase("Description");
    b.erase("Description");
    if (last.codeDigest == fn.latest.codeDigest && Json(a) == Json(b)) {
      return Change(functionConfiguration(ctx.scope, fn, last));
    }
  }
  FunctionVersion v = fn.latest;
  v.version = std::to_string(++fn.lastVersion);
  v.revisionId = engine_.ids.uuid();
  v.lastModified = clock_.now();
  if (*description) v.config.as_object()["Description"] = **description;
  const FunctionVersion& stored = fn.versions[fn.lastVersion] = std::move(v);
  Change change(functionConfiguration(ctx.scope, fn, stored));
  persist(change, ctx.scope, fn);
  return change;
}

Result<Change> LambdaService::listVersionsByFunction(const Json& in, const CallContext& ctx) {
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  auto paging = MarkerPage::read(in, 50);
  if (!paging) return paging.error();
  std::vector<const FunctionVersion*> all{&(*f)->latest};
  for (const auto& [n, v] : (*f)->versions) all.push_back(&v);
  JsonArray out;
  std::string last;
  bool more = false;
  for (const FunctionVersion* v : all) {
    std::string key = versionKey(v->version);
    if (!paging->after.empty() && key <= paging->after) continue;
    if (out.size() == paging->limit) {
      more = true;
      break;
    }
    out.push_back(functionConfiguration(ctx.scope, **f, *v));
    last = key;
  }
  JsonObject r{{"Versions", std::move(out)}};
  if (more) r["NextMarker"] = MarkerPage::next(last);
  return Change(Json(std::move(r)));
}

Result<Change> LambdaService::createAlias(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  auto aliasName = input.requiredString("Name");
  if (!aliasName) return aliasName.error();
  auto version = input.requiredString("FunctionVersion");
  if (!version) return version.error();
  auto description = input.optionalString("Description");
  if (!description) return description.error();
  FunctionRecord& fn = **f;
  std::string aliasArn = arn::lambdaFunction(ctx.scope, fn.name) + ":" + *aliasName;
  if (fn.aliases.count(*aliasName)) {
    return AwsError{"ResourceConflictException", "Alias already exists: " + aliasArn, 409};
  }
  if (!fn.findVersion(*version)) {
    return AwsError{
        "ResourceNotFoundException",
        "Function not found: " + arn::lambdaFunction(ctx.scope, fn.name) + ":" + *version, 404};
  }
  auto weights = readWeights(in, fn, *version);
  if (!weights) return weights.error();
  AliasRecord a;
  a.name = *aliasName;
  a.functionVersion = *version;
  a.description = description->value_or("");
  a.weights = std::move(*weights);
  a.revisionId = engine_.ids.uuid();
  Change change(aliasConfiguration(ctx.scope, fn, a));
  fn.aliases[a.name] = std::move(a);
  persist(change, ctx.scope, fn);
  return change;
}

Result<Change> LambdaService::getAlias(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  auto aliasName = input.requiredString("Name");
  if (!aliasName) return aliasName.error();
  auto it = (*f)->aliases.find(*aliasName);
  if (it == (*f)->aliases.end()) {
    return AwsError{
        "ResourceNotFoundException",
        "Alias not found: " + arn::lambdaFunction(ctx.scope, (*f)->name) + ":" + *aliasName, 404};
  }
  return Change(aliasConfiguration(ctx.scope, **f, it->second));
}

Result<Change> LambdaService::updateAlias(const Json& in, const CallContext& ctx) {
  auto current = getAlias(in, ctx);
  if (!current) return current.error();
  Input input(in);
  FunctionRecord& fn = **functionNamed(in, ctx.scope);  // getAlias found it
  AliasRecord& a = fn.aliases.at(*input.requiredString("Name"));
  if (auto r = checkRevision(in, a.revisionId); !r) return r.error();
  auto version = input.optionalString("FunctionVersion");
  if (!version) return version.error();
  auto description = input.optionalString("Description");
  if (!description) return description.error();
  std::string primary = version->value_or(a.functionVersion);
  if (!fn.findVersion(primary)) {
    return AwsError{
        "ResourceNotFoundException",
        "Function not found: " + arn::lambdaFunction(ctx.scope, fn.name) + ":" + primary, 404};
  }
  std::map<std::string, double> weights = a.weights;
  if (input.has("RoutingConfig")) {
    auto w = readWeights(in, fn, primary);
    if (!w) return w.error();
    weights = std::move(*w);
  }
  a.functionVersion = primary;
  if (*description) a.description = **description;
  a.weights = std::move(weights);
  a.revisionId = engine_.ids.uuid();
  Change change(aliasConfiguration(ctx.scope, fn, a));
  persist(change, ctx.scope, fn);
  return change;
}

Result<Change> LambdaService::deleteAlias(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  auto aliasName = input.requiredString("Name");
  if (!aliasName) return aliasName.error();
  Change change(Json(nullptr));
  if ((*f)->aliases.erase(*aliasName)) persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::listAliases(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  auto version = input.optionalString("FunctionVersion");
  if (!version) return version.error();
  auto paging = MarkerPage::read(in, 50);
  if (!paging) return paging.error();
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& [aliasName, a] : (*f)->aliases) {
    if (*version && a.functionVersion != **version) continue;
    if (!paging->after.empty() && aliasName <= paging->after) continue;
    if (out.size() == paging->limit) {
      more = true;
      break;
    }
    out.push_back(aliasConfiguration(ctx.scope, **f, a));
    last = aliasName;
  }
  JsonObject r{{"Aliases", std::move(out)}};
  if (more) r["NextMarker"] = MarkerPage::next(last);
  return Change(Json(std::move(r)));
}

}  // namespace sluice::services::lambda
