// RedriveExecution, and the redrive eligibility DescribeExecution reports.
#include "asl/compile.hpp"
#include "services/common/input.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

// The limits AWS documents for redriving an execution.
constexpr auto kRedrivablePeriod = std::chrono::hours(24 * 14);
constexpr auto kMaxExecutionTime = std::chrono::hours(24 * 365);
constexpr size_t kMaxHistoryEvents = 24999;  // room for ExecutionRedriven and one more

}  // namespace

std::optional<std::string> StatesService::notRedrivableReason(const ExecutionRecord& r) const {
  const engine::Execution& e = *r.execution;
  auto status = e.status();
  if (status == engine::ExecutionStatus::Running || status == engine::ExecutionStatus::Succeeded) {
    return "Execution is " + std::string(statusName(status)) + " and cannot be redriven";
  }
  if (r.express) return "Execution is EXPRESS and cannot be redriven";
  if (!machines_.contains(r.stateMachineArn)) return "State machine is in DELETING status";
  // Kept only by executions that failed since redrive support was added.
  if (!e.redrivable()) return "Execution was started before the launch of RedriveExecution";
  if (e.history().size() >= kMaxHistoryEvents) return "Execution history event limit exceeded";
  TimePoint now = clock_.now();
  if (now - e.startTime() > kMaxExecutionTime)
    return "Execution has exceeded the max execution time";
  if (now - e.stopTime() > kRedrivablePeriod) return "Execution redrivable period exceeded";
  return std::nullopt;
}

Result<Json> StatesService::redriveExecution(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto arn = input.requiredString("executionArn");
  if (!arn) return arn.error();
  auto token = input.optionalString("clientToken");
  if (!token) return token.error();
  auto found = findExecution(*arn);
  if (!found) return found.error();
  ExecutionRecord& r = **found;
  engine::Execution& e = *r.execution;
  JsonObject out;
  // A retried call with the same token answers the redrive it already made.
  if (*token && !r.redriveToken.empty() && r.redriveToken == **token) {
    out["redriveDate"] = epochSeconds(e.redriveTime());
    return Json(std::move(out));
  }
  if (auto reason = notRedrivableReason(r)) {
    return AwsError{"ExecutionNotRedrivable", *reason, 400};
  }
  std::shared_ptr<const asl::Machine> machine;
  if (!e.hasMachine()) {
    // Restored after a restart without its compiled definition.
    asl::CompileOptions options;
    auto compiled = asl::compileDefinition(r.definition, options);
    if (!compiled.machine) return asl::invalidDefinitionError(compiled.diagnostics);
    machine = compiled.machine;
  }
  // The execution log of the redriven attempt, as for a started execution.
  notifyObservers(ExecutionPhase::Redriven, r.stateMachineArn, r.execution, ctx);
  if (auto redriven = e.redrive(std::move(machine)); !redriven) return redriven.error();
  r.redriveToken = token->value_or("");
  out["redriveDate"] = epochSeconds(e.redriveTime());
  return Json(std::move(out));
}

}  // namespace sluice::services::states
