// Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s): how a function's
// asynchronous invocations are retried and where their records go, per
// version or alias ($LATEST when unqualified).
#include "services/common/input.hpp"
#include "services/common/target_delivery.hpp"
#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {

namespace {

AwsError invalid(std::string message) {
  return {"InvalidParameterValueException", std::move(message), 400};
}

// The members of a stored configuration, checked.
Result<JsonObject> readSettings(const Json& in, JsonObject stored) {
  Input input(in);
  for (const char* member : {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}) {
    auto v = input.optionalInt(member);
    if (!v) return v.error();
    if (*v) stored[member] = **v;
  }
  if (const Json* dc = input.get("DestinationConfig"); dc && !dc->is_null()) {
    if (!dc->is_object()) return invalid("DestinationConfig must be an object.");
    for (const auto& kv : dc->as_object()) {
      const Json* d =
          kv.value().is_object() ? kv.value().as_object().if_contains("Destination") : nullptr;
      if (!d || !d->is_string()) continue;
      std::string arn(d->get_string());
      std::string service = arnPart(arn, 2);
      if (!arn.starts_with("arn:") ||
          (service != "sqs" && service != "sns" && service != "lambda" && service != "events")) {
        return invalid("The provided destination config DestinationConfig." +
                       std::string(kv.key()) + ".Destination " + arn +
                       " is invalid. Supported destinations are SQS queues, SNS topics, Lambda "
                       "functions and EventBridge event buses.");
      }
    }
    stored["DestinationConfig"] = *dc;
  }
  return stored;
}

// The function and the qualifier a request's FunctionName/Qualifier name,
// the qualifier checked to exist ("$LATEST" when none was given).
struct Target {
  FunctionRecord* function;
  std::string qualifier;
};

Result<Target> eventConfigTarget(
    const Json& in, const std::function<Result<FunctionRecord*>(const FunctionRef&)>& find,
    const Scope& scope) {
  Input input(in);
  auto name = input.requiredString("FunctionName");
  if (!name) return name.error();
  auto qualifier = input.optionalString("Qualifier");
  if (!qualifier) return qualifier.error();
  auto ref = parseFunctionName(*name, qualifier->value_or(""));
  if (!ref) return ref.error();
  auto f = find(*ref);
  if (!f) return f.error();
  std::string q = ref->qualifier.empty() ? "$LATEST" : ref->qualifier;
  if (!(*f)->findVersion(q) && !(*f)->aliases.count(q)) {
    return AwsError{"ResourceNotFoundException",
                    "Function not found: " + arn::lambdaFunction(scope, ref->name) + ":" + q, 404};
  }
  return Target{*f, q};
}

Json eventConfigJson(const Scope& scope, const FunctionRecord& f, const std::string& q,
                     const Json& stored) {
  JsonObject out = stored.as_object();
  TimePoint modified(Duration(
      out.contains("LastModified") ? out.at("LastModified").to_number<int64_t>() : int64_t(0)));
  out["LastModified"] = epochSeconds(modified);
  out["FunctionArn"] = arn::lambdaFunction(scope, f.name) + ":" + q;
  return out;
}

}  // namespace

Result<Change> LambdaService::putFunctionEventInvokeConfig(const Json& in, const CallContext& ctx) {
  auto t = eventConfigTarget(
      in, [&](const FunctionRef& r) { return find(ctx.scope, r); }, ctx.scope);
  if (!t) return t.error();
  auto settings = readSettings(in, JsonObject{});
  if (!settings) return settings.error();
  (*settings)["LastModified"] = clock_.now().time_since_epoch().count();
  Json& stored = t->function->eventInvokeConfigs[t->qualifier] = std::move(*settings);
  Change change(eventConfigJson(ctx.scope, *t->function, t->qualifier, stored));
  persist(change, ctx.scope, *t->function);
  return change;
}

Result<Change> LambdaService::updateFunctionEventInvokeConfig(const Json& in,
                                                              const CallContext& ctx) {
  auto t = eventConfigTarget(
      in, [&](const FunctionRef& r) { return find(ctx.scope, r); }, ctx.scope);
  if (!t) return t.error();
  auto it = t->function->eventInvokeConfigs.find(t->qualifier);
  JsonObject current =
      it == t->function->eventInvokeConfigs.end() ? JsonObject{} : it->second.as_object();
  auto settings = readSettings(in, std::move(current));
  if (!settings) return settings.error();
  (*settings)["LastModified"] = clock_.now().time_since_epoch().count();
  Json& stored = t->function->eventInvokeConfigs[t->qualifier] = std::move(*settings);
  Change change(eventConfigJson(ctx.scope, *t->function, t->qualifier, stored));
  persist(change, ctx.scope, *t->function);
  return change;
}

Result<Change> LambdaService::getFunctionEventInvokeConfig(const Json& in, const CallContext& ctx) {
  auto t = eventConfigTarget(
      in, [&](const FunctionRef& r) { return find(ctx.scope, r); }, ctx.scope);
  if (!t) return t.error();
  auto it = t->function->eventInvokeConfigs.find(t->qualifier);
  if (it == t->function->eventInvokeConfigs.end()) {
    return AwsError{"ResourceNotFoundException",
                    "The function " + arn::lambdaFunction(ctx.scope, t->function->name) + ":" +
                        t->qualifier + " doesn't have an EventInvokeConfig",
                    404};
  }
  return Change(eventConfigJson(ctx.scope, *t->function, t->qualifier, it->second));
}

Result<Change> LambdaService::deleteFunctionEventInvokeConfig(const Json& in,
                                                              const CallContext& ctx) {
  auto got = getFunctionEventInvokeConfig(in, ctx);
  if (!got) return got.error();
  auto t = eventConfigTarget(
      in, [&](const FunctionRef& r) { return find(ctx.scope, r); }, ctx.scope);
  t->function->eventInvokeConfigs.erase(t->qualifier);
  Change change(Json(nullptr));
  persist(change, ctx.scope, *t->function);
  return change;
}

Result<Change> LambdaService::listFunctionEventInvokeConfigs(const Json& in,
                                                             const CallContext& ctx) {
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  JsonArray out;
  for (const auto& [q, stored] : (*f)->eventInvokeConfigs) {
    out.push_back(eventConfigJson(ctx.scope, **f, q, stored));
  }
  return Change(JsonObject{{"FunctionEventInvokeConfigs", std::move(out)}});
}

}  // namespace sluice::services::lambda
