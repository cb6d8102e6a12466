// Execution operations: StartExecution, StartSyncExecution, DescribeExecution,
// ListExecutions, GetExecutionHistory, StopExecution (RedriveExecution: redrive.cpp).
#include <algorithm>

#include "engine/input_limit.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

// Execution list order: newest first (start time, then start order). The
// key sorts that way as a string, so it also serves as the page token.
// ListExecutions' order, newest first, as a key that sorts ascending.
std::string listKey(int64_t startMicros, uint64_t sequence) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%020lld|%020llu", static_cast<long long>(INT64_MAX - startMicros),
                static_cast<unsigned long long>(UINT64_MAX - sequence));
  return buf;
}

std::string listKey(const ExecutionRecord& r) {
  return listKey(r.execution->startTime().time_since_epoch().count(), r.sequence);
}

std::string jsonText(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t jsonMicros(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v ? toInteger(*v).value_or(0) : 0;
}

// A stored execution's ListExecutions item, from its row alone.
Json storedSummary(const std::string& arn, const Json& record, std::string_view status,
                   const std::optional<std::string>& result, const Json& checkpoint) {
  const JsonObject empty;
  const JsonObject& ro = record.is_object() ? record.as_object() : empty;
  JsonObject o;
  o["executionArn"] = arn;
  o["stateMachineArn"] = jsonText(ro, "stateMachineArn");
  o["name"] = jsonText(ro, "name");
  o["status"] = status;
  o["startDate"] = epochSeconds(fromEpochMicros(jsonMicros(ro, "startTime")));
  if (result) {
    Json rj = parseJson(*result).value_or(JsonObject{});
    if (rj.is_object()) {
      o["stopDate"] = epochSeconds(fromEpochMicros(jsonMicros(rj.as_object(), "stopTime")));
    }
  }
  for (const char* k : {"stateMachineVersionArn", "stateMachineAliasArn"}) {
    if (std::string v = jsonText(ro, k); !v.empty()) o[k] = v;
  }
  if (checkpoint.is_object()) {
    const JsonObject& c = checkpoint.as_object();
    if (int64_t n = jsonMicros(c, "redriveCount"); n > 0) {
      o["redriveCount"] = n;
      o["redriveDate"] = epochSeconds(fromEpochMicros(jsonMicros(c, "redriveTime")));
    }
  }
  return o;
}

Json statusSummary(const ExecutionRecord& r) {
  const engine::Execution& e = *r.execution;
  JsonObject o;
  o["executionArn"] = e.arn();
  o["stateMachineArn"] = r.stateMachineArn;
  o["name"] = e.name();
  o["status"] = statusName(e.status());
  o["startDate"] = epochSeconds(e.startTime());
  if (e.done()) o["stopDate"] = epochSeconds(e.stopTime());
  if (!r.stateMachineVersionArn.empty()) o["stateMachineVersionArn"] = r.stateMachineVersionArn;
  if (!r.stateMachineAliasArn.empty()) o["stateMachineAliasArn"] = r.stateMachineAliasArn;
  if (e.redriveCount() > 0) {
    o["redriveCount"] = e.redriveCount();
    o["redriveDate"] = epochSeconds(e.redriveTime());
  }
  return o;
}

void addResult(JsonObject& o, const engine::Execution& e) {
  JsonObject included;
  included["included"] = true;
  if (e.status() == engine::ExecutionStatus::Succeeded) {
    o["output"] = toJsonText(e.output());
    o["outputDetails"] = included;
  }
  if (!e.error().empty()) o["error"] = e.error();
  if (!e.cause().empty()) o["cause"] = e.cause();
}

}  // namespace

Result<ExecutionRecord*> StatesService::findExecution(const std::string& arn) {
  auto parsed = parseArn(arn, {ResourceKind::Execution, ResourceKind::ExpressExecution});
  if (!parsed) return parsed.error();
  auto it = executions_.find(arn);
  if (it != executions_.end()) return &it->second;
  // Closed executions of earlier runs are in the store only.
  auto stored = loadExecution(arn);
  if (!stored) return stored.error();
  if (!*stored) {
    return AwsError{"ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'", 400};
  }
  return *stored;
}

Result<ExecutionRecord*> StatesService::launch(const Json& in, const CallContext& ctx, bool sync,
                                               bool adopt) {
  Input input(in);
  auto machineArn = input.requiredString("stateMachineArn");
  if (!machineArn) return machineArn.error();
  // An unqualified ARN runs the latest definition; a version ARN its frozen one.
  StateMachineRecord* machinePtr = nullptr;
  const VersionRecord* version = nullptr;
  std::string aliasArn;
  if (auto parsed = parseArn(*machineArn, {ResourceKind::StateMachine});
      parsed && !parsed->qualifier.empty() &&
      parsed->qualifier.find_first_not_of("0123456789") != std::string::npos) {
    // An alias: the version is chosen by the routing weights.
    auto a = findAlias(*machineArn);
    if (!a) return a.error();
    machinePtr = a->first;
    version = route(*a->first, *a->second);
    if (!version) return AwsError::internal("alias routes to no version");
    aliasArn = a->second->arn;
  } else if (parsed && !parsed->qualifier.empty()) {
    auto v = findVersion(*machineArn);
    if (!v) return v.error();
    machinePtr = v->first;
    version = v->second;
  } else {
    auto m = findMachine(*machineArn);
    if (!m) return m.error();
    machinePtr = *m;
  }
  StateMachineRecord& machine = *machinePtr;
  if (sync && machine.type != "EXPRESS") {
    return AwsError{"StateMachineTypeNotSupported",
                    "This operation is not supported by this type of state machine", 400};
  }
  auto name = input.optionalString("name");
  if (!name) return name.error();
  std::string execName = name->value_or("");
  if (!execName.empty()) {
    if (auto ok = checkName(execName); !ok) return ok.error();
  }
  auto inputText = input.optionalString("input");
  if (!inputText) return inputText.error();
  std::string text = inputText->value_or("{}");
  if (auto tooLarge = engine::executionInputTooLarge(text)) return *tooLarge;
  std::string parseError;
  auto value = parseJson(text, &parseError);
  if (!value) {
    return AwsError{"InvalidExecutionInput",
                    "Invalid State Machine Execution Input: '" + parseError + "'", 400};
  }
  bool express = machine.type == "EXPRESS";
  if (!express && !execName.empty()) {
    std::string arn = arn::execution(ctx.scope, machine.name, execName);
    if (auto found = findExecution(arn); found) {
      // Same name and input while still running: the same execution again.
      ExecutionRecord& existing = **found;
      if ((adopt || !existing.execution->done()) && existing.inputText == text) return &existing;
      return AwsError{"ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'", 400};
    }
  }
  engine::ExecutionConfig config;
  config.scope = ctx.scope;
  config.stateMachineName = machine.name;
  config.executionName = execName;
  config.roleArn = version ? version->roleArn : machine.roleArn;
  config.express = express;
  auto exec = engine::Execution::create(engine_, version ? version->machine : machine.machine,
                                        std::move(*value), config);
  ExecutionRecord r;
  r.execution = exec;
  r.stateMachineArn = machine.arn;
  r.inputText = text;
  r.definition = version ? version->definition : machine.definition;
  r.roleArn = config.roleArn;
  if (version) r.stateMachineVersionArn = version->arn;
  r.stateMachineAliasArn = aliasArn;
  r.express = express;
  r.sequence = nextSequence_++;
  auto [it, inserted] = executions_.emplace(exec->arn(), std::move(r));
  trackExecution(it->second);
  notifyObservers(ExecutionPhase::Started, machine.arn, exec, ctx);
  exec->start();
  return &it->second;
}

void StatesService::notifyObservers(ExecutionPhase phase, const std::string& stateMachineArn,
                                    const std::shared_ptr<engine::Execution>& execution,
                                    const CallContext& ctx) {
  auto m = machines_.find(stateMachineArn);
  Json config = m == machines_.end() ? Json(nullptr) : m->second.loggingConfiguration;
  for (const auto& observer : executionObservers_) observer(phase, config, execution, ctx);
}

Result<Json> StatesService::startExecution(const Json& in, const CallContext& ctx) {
  auto r = launch(in, ctx, false);
  if (!r) return r.error();
  JsonObject out;
  out["executionArn"] = (*r)->execution->arn();
  out["startDate"] = epochSeconds((*r)->execution->startTime());
  return Json(std::move(out));
}

void StatesService::startSyncExecution(const Json& in, const CallContext& ctx, Reply reply) {
  auto r = launch(in, ctx, true);
  if (!r) return reply(r.error());
  ExecutionRecord* rec = *r;
  auto respond = [rec, reply] {
    const engine::Execution& e = *rec->execution;
    JsonObject out;
    out["executionArn"] = e.arn();
    out["stateMachineArn"] = rec->stateMachineArn;
    out["name"] = e.name();
    out["startDate"] = epochSeconds(e.startTime());
    out["stopDate"] = epochSeconds(e.stopTime());
    out["status"] = statusName(e.status());
    out["input"] = rec->inputText;
    JsonObject included;
    included["included"] = true;
    out["inputDetails"] = included;
    addResult(out, e);
    JsonObject billing;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.stopTime() - e.startTime());
    // Billed in 100 ms increments with 64 MB, like AWS's express billing.
    billing["billedDurationInMilliseconds"] = std::max<int64_t>(100, (ms.count() + 99) / 100 * 100);
    billing["billedMemoryUsedInMB"] = 64;
    out["billingDetails"] = std::move(billing);
    reply(Json(std::move(out)));
  };
  if (rec->execution->done()) return respond();
  rec->execution->onFinished(respond);
}

Result<Json> StatesService::describeExecution(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("executionArn");
  if (!arn) return arn.error();
  auto found = findExecution(*arn);
  if (!found) return found.error();
  const ExecutionRecord& r = **found;
  const engine::Execution& e = *r.execution;
  JsonObject out = statusSummary(r).as_object();
  out["input"] = r.inputText;
  JsonObject included;
  included["included"] = true;
  out["inputDetails"] = included;
  addResult(out, e);
  out["redriveCount"] = e.redriveCount();
  if (auto reason = notRedrivableReason(r)) {
    out["redriveStatus"] = "NOT_REDRIVABLE";
    out["redriveStatusReason"] = std::move(*reason);
  } else {
    out["redriveStatus"] = "REDRIVABLE";
  }
  return Json(std::move(out));
}

Result<Json> StatesService::listExecutions(const Json& in, const CallContext&) {
  Input input(in);
  auto machineArn = input.requiredString("stateMachineArn");
  if (!machineArn) return machineArn.error();
  auto m = findMachine(*machineArn);
  if (!m) return m.error();
  auto status = input.optionalString("statusFilter");
  if (!status) return status.error();
  auto redriveFilter = input.optionalString("redriveFilter");
  if (!redriveFilter) return redriveFilter.error();
  auto page = Page::fromInput(in, 100, 1000);
  if (!page) return page.error();
  if (store_ && (*m)->type != "EXPRESS") {
    return listStoredExecutions(*machineArn, *status, *redriveFilter, *page);
  }
  std::vector<std::pair<std::string, const ExecutionRecord*>> rows;
  for (const auto& [arn, r] : executions_) {
    if (r.stateMachineArn != *machineArn) continue;
    if (*status && statusName(r.execution->status()) != **status) continue;
    if (*redriveFilter && (r.execution->redriveCount() > 0) != (**redriveFilter == "REDRIVEN")) {
      continue;
    }
    std::string key = listKey(r);
    if (!page->after.empty() && key <= page->after) continue;
    rows.emplace_back(std::move(key), &r);
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  JsonArray items;
  JsonObject out;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (items.size() == page->limit) {
      out["nextToken"] = page->tokenAfter(rows[i - 1].first);
      break;
    }
    items.push_back(statusSummary(*rows[i].second));
  }
  out["executions"] = std::move(items);
  return Json(std::move(out));
}

Result<Json> StatesService::listStoredExecutions(const std::string& machineArn,
                                                 const std::optional<std::string>& status,
                                                 const std::optional<std::string>& redriveFilter,
                                                 const Page& page) {
  // The machine's rows newest first by index; an execution also in memory
  // (running, or read since the start) is shown as memory has it.
  std::string sql =
      "SELECT arn, seq, record, status, result, checkpoint FROM states_executions WHERE "
      "json_extract(record, '$.stateMachineArn') = ?";
  if (status) sql += " AND status = ?";
  int64_t afterStart = 0;
  uint64_t afterSeq = 0;
  if (!page.after.empty()) {
    long long start = 0;
    unsigned long long seq = 0;
    if (std::sscanf(page.after.c_str(), "%lld|%llu", &start, &seq) != 2) {
      return AwsError{"InvalidToken", "Invalid Token: '" + page.after + "'", 400};
    }
    afterStart = INT64_MAX - start;
    afterSeq = UINT64_MAX - seq;
    sql +=
        " AND (json_extract(record, '$.startTime') < ? OR (json_extract(record, '$.startTime') "
        "= ? AND seq < ?))";
  }
  sql += " ORDER BY json_extract(record, '$.startTime') DESC, seq DESC";
  auto lease = store_->readers().acquire();
  if (!lease) return lease.error();
  auto st = lease->db().prepare(sql);
  if (!st) return st.error();
  int index = 1;
  st->bind(index++, machineArn);
  if (status) st->bind(index++, *status);
  if (!page.after.empty()) {
    st->bind(index, afterStart);
    st->bind(index + 1, afterStart);
    st->bind(index + 2, static_cast<int64_t>(afterSeq));
  }
  JsonArray items;
  JsonObject out;
  std::string lastKey;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    std::string arn(st->columnText(0));
    Json item;
    std::string key;
    if (auto it = executions_.find(arn); it != executions_.end()) {
      const ExecutionRecord& r = it->second;
      if (status && statusName(r.execution->status()) != *status) continue;
      if (redriveFilter && (r.execution->redriveCount() > 0) != (*redriveFilter == "REDRIVEN")) {
        continue;
      }
      item = statusSummary(r);
      key = listKey(r);
    } else {
      Json record = parseJson(st->columnText(2)).value_or(JsonObject{});
      Json checkpoint = parseJson(st->columnOptionalText(5).value_or("{}")).value_or(JsonObject{});
      item = storedSummary(arn, record, st->columnText(3), st->columnOptionalText(4), checkpoint);
      bool redriven = item.as_object().contains("redriveCount");
      if (redriveFilter && redriven != (*redriveFilter == "REDRIVEN")) continue;
      key = listKey(record.is_object() ? jsonMicros(record.as_object(), "startTime") : 0,
                    static_cast<uint64_t>(st->columnInt(1)));
    }
    if (items.size() == page.limit) {
      out["nextToken"] = page.tokenAfter(lastKey);
      break;
    }
    items.push_back(std::move(item));
    lastKey = std::move(key);
  }
  out["executions"] = std::move(items);
  return Json(std::move(out));
}

Result<Json> StatesService::getExecutionHistory(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("executionArn");
  if (!arn) return arn.error();
  auto found = findExecution(*arn);
  if (!found) return found.error();
  auto reverse = input.optionalBool("reverseOrder");
  if (!reverse) return reverse.error();
  auto includeData = input.optionalBool("includeExecutionData");
  if (!includeData) return includeData.error();
  auto page = Page::fromInput(in, 100, 1000);
  if (!page) return page.error();
  const auto& history = (*found)->execution->history();
  int64_t n = static_cast<int64_t>(history.size());
  // Tokens carry the id of the last event returned.
  int64_t after = page->after.empty() ? (reverse->value_or(false) ? n + 1 : 0)
                                      : std::atoll(page->after.c_str());
  JsonArray events;
  JsonObject out;
  bool backwards = reverse->value_or(false);
  for (int64_t id = backwards ? after - 1 : after + 1; id >= 1 && id <= n;
       id += backwards ? -1 : 1) {
    if (events.size() == page->limit) {
      out["nextToken"] = page->tokenAfter(std::to_string(backwards ? id + 1 : id - 1));
      break;
    }
    Json e = engine::historyEventToJson(history[static_cast<size_t>(id - 1)],
                                        engine::TimestampStyle::EpochSeconds);
    if (!includeData->value_or(true)) {
      for (auto& kv : e.as_object()) {
        if (kv.value().is_object()) {
          kv.value().as_object().erase("input");
          kv.value().as_object().erase("output");
        }
      }
    }
    events.push_back(std::move(e));
  }
  out["events"] = std::move(events);
  return Json(std::move(out));
}

Result<Json> StatesService::stopExecution(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("executionArn");
  if (!arn) return arn.error();
  auto error = input.optionalString("error");
  if (!error) return error.error();
  auto cause = input.optionalString("cause");
  if (!cause) return cause.error();
  auto found = findExecution(*arn);
  if (!found) return found.error();
  engine::Execution& e = *(*found)->execution;
  if (!e.done()) e.stop(error->value_or(""), cause->value_or(""));
  JsonObject out;
  out["stopDate"] = epochSeconds(e.stopTime());
  return Json(std::move(out));
}

}  // namespace sluice::services::states
