// Reserved concurrency, tags and GetAccountSettings.
#include "services/common/input.hpp"
#include "services/lambda/code_store.hpp"
#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {

namespace {

constexpr int64_t kAccountConcurrency = 1000;
constexpr int64_t kMinimumUnreserved = 100;

AwsError invalid(std::string message) {
  return {"InvalidParameterValueException", std::move(message), 400};
}

// The function a tagging ARN names; versions and aliases carry no tags.
Result<FunctionRef> taggedFunction(const Json& in) {
  auto resource = Input(in).requiredString("Resource");
  if (!resource) return resource.error();
  auto ref = parseFunctionName(*resource);
  if (!ref) return ref.error();
  if (!ref->qualifier.empty()) {
    return invalid(
        "Tags on function aliases and versions are not supported. Please specify a function ARN.");
  }
  return ref;
}

}  // namespace

Result<Change> LambdaService::putFunctionConcurrency(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("FunctionName");
  if (!name) return name.error();
  auto ref = parseFunctionName(*name);
  if (!ref) return ref.error();
  if (!ref->qualifier.empty()) {
    return invalid("Reserved concurrency applies to a function, not to a version or alias.");
  }
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  auto wanted = input.optionalInt("ReservedConcurrentExecutions");
  if (!wanted) return wanted.error();
  if (!*wanted) {
    return AwsError::validation(
        "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to "
        "satisfy constraint: Member must not be null");
  }
  int64_t others = 0;
  for (const auto& [n, fn] : functionsOf(ctx.scope)) {
    if (n != (*f)->name && fn.reservedConcurrency) others += *fn.reservedConcurrency;
  }
  if (kAccountConcurrency - others - **wanted < kMinimumUnreserved) {
    return invalid(
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [" +
        std::to_string(kMinimumUnreserved) + "].");
  }
  (*f)->reservedConcurrency = **wanted;
  Change change(JsonObject{{"ReservedConcurrentExecutions", **wanted}});
  persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::getFunctionConcurrency(const Json& in, const CallContext& ctx) {
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  JsonObject out;
  if ((*f)->reservedConcurrency) out["ReservedConcurrentExecutions"] = *(*f)->reservedConcurrency;
  return Change(Json(std::move(out)));
}

Result<Change> LambdaService::deleteFunctionConcurrency(const Json& in, const CallContext& ctx) {
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  Change change(Json(nullptr));
  if ((*f)->reservedConcurrency) {
    (*f)->reservedConcurrency.reset();
    persist(change, ctx.scope, **f);
  }
  return change;
}

Result<Change> LambdaService::tagResource(const Json& in, const CallContext& ctx) {
  auto ref = taggedFunction(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  const Json* tags = Input(in).get("Tags");
  if (!tags || !tags->is_object()) return invalid("Tags must be a map of strings.");
  std::map<std::string, std::string> merged = (*f)->tags;
  for (const auto& kv : tags->as_object()) {
    if (!kv.value().is_string()) return invalid("Tags must be a map of strings.");
    merged[std::string(kv.key())] = kv.value().get_string();
  }
  if (merged.size() > 50) return invalid("Number of tags exceeds resource tag limit.");
  (*f)->tags = std::move(merged);
  Change change(Json(nullptr));
  persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::untagResource(const Json& in, const CallContext& ctx) {
  auto ref = taggedFunction(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  if (const Json* keys = Input(in).get("TagKeys"); keys && keys->is_array()) {
    for (const Json& k : keys->as_array()) {
      if (k.is_string()) (*f)->tags.erase(std::string(k.get_string()));
    }
  }
  Change change(Json(nullptr));
  persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::listTags(const Json& in, const CallContext& ctx) {
  auto ref = taggedFunction(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  JsonObject tags;
  for (const auto& [k, v] : (*f)->tags) tags[k] = v;
  return Change(JsonObject{{"Tags", std::move(tags)}});
}

Result<Change> LambdaService::getAccountSettings(const Json&, const CallContext& ctx) {
  int64_t reserved = 0, codeSize = 0, count = 0;
  for (const auto& [n, f] : functionsOf(ctx.scope)) {
    ++count;
    if (f.reservedConcurrency) reserved += *f.reservedConcurrency;
    codeSize += f.latest.codeSize;
    for (const auto& [v, fv] : f.versions) codeSize += fv.codeSize;
  }
  JsonObject limit{{"TotalCodeSize", int64_t(80530636800)},
                   {"CodeSizeUnzipped", CodeStore::kMaxUnzippedBytes},
                   {"CodeSizeZipped", int64_t(52428800)},
                   {"ConcurrentExecutions", kAccountConcurrency},
                   {"UnreservedConcurrentExecutions", kAccountConcurrency - reserved}};
  JsonObject usage{{"TotalCodeSize", codeSize}, {"FunctionCount", count}};
  return Change(JsonObject{{"AccountLimit", std::move(limit)}, {"AccountUsage", std::move(usage)}});
}

}  // namespace sluice::services::lambda
