#include "services/states/test_state_report.hpp"

namespace sluice::services::states {

namespace {

Json text(const Json& v) {
  return Json(toJsonText(v));
}

Json inspectionData(const engine::SingleStateReport& r, const asl::State& s) {
  JsonObject d;
  d["input"] = text(r.input);
  bool jsonata = s.isJsonata();
  bool hasParameters = s.type == asl::StateType::Task || s.type == asl::StateType::Pass ||
                       s.type == asl::StateType::Parallel;
  if (jsonata) {
    if (r.afterArguments) d["afterArguments"] = text(*r.afterArguments);
  } else {
    if (r.afterInputPath) d["afterInputPath"] = text(*r.afterInputPath);
    // Without Parameters the effective input passes on unchanged.
    if (r.afterParameters) {
      d["afterParameters"] = text(*r.afterParameters);
    } else if (hasParameters && r.afterInputPath) {
      d["afterParameters"] = text(*r.afterInputPath);
    }
    if (r.afterItemsPath) d["afterItemsPath"] = text(*r.afterItemsPath);
  }
  if (r.afterItemSelector) d["afterItemSelector"] = text(*r.afterItemSelector);
  if (r.afterItemBatcher) d["afterItemBatcher"] = text(*r.afterItemBatcher);
  if (r.toleratedFailureCount) d["toleratedFailureCount"] = *r.toleratedFailureCount;
  if (r.toleratedFailurePercentage) d["toleratedFailurePercentage"] = *r.toleratedFailurePercentage;
  if (r.maxConcurrency) d["maxConcurrency"] = *r.maxConcurrency;
  if (r.result) d["result"] = text(*r.result);
  if (!jsonata) {
    if (r.afterResultSelector) {
      d["afterResultSelector"] = text(*r.afterResultSelector);
    } else if (r.result) {
      d["afterResultSelector"] = text(*r.result);
    }
    if (r.afterResultPath) d["afterResultPath"] = text(*r.afterResultPath);
  }
  d["variables"] = toJsonText(Json(r.variables));
  if (r.retryIndex || r.catchIndex) {
    JsonObject e;
    if (r.retryIndex) e["retryIndex"] = *r.retryIndex;
    if (r.retryBackoffIntervalSeconds) {
      e["retryBackoffIntervalSeconds"] = *r.retryBackoffIntervalSeconds;
    }
    if (r.catchIndex) e["catchIndex"] = *r.catchIndex;
    d["errorDetails"] = std::move(e);
  }
  return d;
}

}  // namespace

Json testStateResponse(const engine::SingleStateReport& r, const asl::State& s, bool inspect) {
  JsonObject out;
  out["status"] = engine::singleStateStatusName(r.status);
  if (r.output) out["output"] = toJsonText(*r.output);
  if (!r.error.empty()) out["error"] = r.error;
  if (!r.cause.empty()) out["cause"] = r.cause;
  if (!r.nextState.empty()) out["nextState"] = r.nextState;
  if (inspect) out["inspectionData"] = inspectionData(r, s);
  return out;
}

}  // namespace sluice::services::states
