// Resource-based policies: AddPermission, RemovePermission and GetPolicy.
// Sluice authorises nothing, so a policy grants nothing it would not have
// allowed anyway; it is kept and answered exactly as Lambda keeps it (one
// policy per function, version or alias, statements by id), because
// deployment tools read it back and check their statements are there.
#include <regex>

#include "services/common/input.hpp"
#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {

namespace {

AwsError notFound() {
  return {"ResourceNotFoundException", "The resource you requested does not exist.", 404};
}

// The Principal element of a statement: a service, an account, an ARN or "*".
Json principalOf(const std::string& principal) {
  if (principal == "*") return Json("*");
  static const std::regex kAccount("[0-9]{12}");
  if (std::regex_match(principal, kAccount)) {
    return JsonObject{{"AWS", "arn:aws:iam::" + principal + ":root"}};
  }
  if (principal.starts_with("arn:")) return JsonObject{{"AWS", principal}};
  return JsonObject{{"Service", principal}};
}

}  // namespace

Result<Change> LambdaService::addPermission(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto ref = qualifiedName(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  if (!ref->qualifier.empty()) {
    if (auto v = resolveVersion(ctx.scope, **f, ref->qualifier); !v) return v.error();
  }
  auto id = input.requiredString("StatementId");
  if (!id) return id.error();
  auto action = input.requiredString("Action");
  if (!action) return action.error();
  auto principal = input.requiredString("Principal");
  if (!principal) return principal.error();
  static const std::regex kAction("(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  if (!std::regex_match(*action, kAction)) {
    return AwsError{"ValidationException",
                    "1 validation error detected: Value '" + *action +
                        "' at 'action' failed to satisfy constraint: Member must satisfy regular "
                        "expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
                    400};
  }
  auto& statements = (*f)->policies[ref->qualifier];
  if (auto current = (*f)->policyRevisions.find(ref->qualifier);
      current != (*f)->policyRevisions.end()) {
    if (auto r = checkRevision(in, current->second); !r) return r.error();
  }
  if (statements.count(*id)) {
    return AwsError{"ResourceConflictException",
                    "The statement id (" + *id +
                        ") provided already exists. Please provide a new statement id, or remove "
                        "the existing statement.",
                    409};
  }
  std::string resource = arn::lambdaFunction(ctx.scope, (*f)->name) +
                         (ref->qualifier.empty() ? "" : ":" + ref->qualifier);
  JsonObject statement{{"Sid", *id},
                       {"Effect", "Allow"},
                       {"Principal", principalOf(*principal)},
                       {"Action", *action},
                       {"Resource", resource}};
  JsonObject condition;
  auto equals = [&condition](const char* key, const std::string& value) {
    Json& eq = condition["StringEquals"];
    if (!eq.is_object()) eq = JsonObject{};
    eq.as_object()[key] = value;
  };
  if (auto a = input.optionalString("SourceArn"); a && *a) {
    condition["ArnLike"] = JsonObject{{"AWS:SourceArn", **a}};
  }
  if (auto a = input.optionalString("SourceAccount"); a && *a) equals("AWS:SourceAccount", **a);
  if (auto a = input.optionalString("PrincipalOrgID"); a && *a) equals("aws:PrincipalOrgID", **a);
  if (auto a = input.optionalString("EventSourceToken"); a && *a) {
    equals("lambda:EventSourceToken", **a);
  }
  if (auto a = input.optionalString("FunctionUrlAuthType"); a && *a) {
    equals("lambda:FunctionUrlAuthType", **a);
  }
  if (!condition.empty()) statement["Condition"] = std::move(condition);
  statements[*id] = statement;
  (*f)->policyRevisions[ref->qualifier] = engine_.ids.uuid();
  Change change(JsonObject{{"Statement", toJsonText(Json(statement))}});
  persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::removePermission(const Json& in, const CallContext& ctx) {
  auto ref = qualifiedName(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  auto id = Input(in).requiredString("StatementId");
  if (!id) return id.error();
  auto policy = (*f)->policies.find(ref->qualifier);
  if (policy == (*f)->policies.end() || !policy->second.count(*id)) return notFound();
  if (auto r = checkRevision(in, (*f)->policyRevisions[ref->qualifier]); !r) return r.error();
  policy->second.erase(*id);
  if (policy->second.empty()) {
    (*f)->policies.erase(policy);
    (*f)->policyRevisions.erase(ref->qualifier);
  } else {
    (*f)->policyRevisions[ref->qualifier] = engine_.ids.uuid();
  }
  Change change;
  persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::getPolicy(const Json& in, const CallContext& ctx) {
  auto ref = qualifiedName(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  auto policy = (*f)->policies.find(ref->qualifier);
  if (policy == (*f)->policies.end() || policy->second.empty()) return notFound();
  JsonArray statements;
  for (const auto& [id, st] : policy->second) statements.push_back(st);
  Json document = JsonObject{
      {"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", std::move(statements)}};
  return Change(JsonObject{{"Policy", toJsonText(document)},
                           {"RevisionId", (*f)->policyRevisions[ref->qualifier]}});
}

}  // namespace sluice::services::lambda
