// Durability of the states service: state machines (with versions and
// aliases), activities, tags and Standard executions (record, history,
// checkpoint) in the SQLite store.
//
// Writes are coalesced: operations and execution steps mark what they
// changed, and one flush per loop turn writes it all as ONE group-commit work
// item. Mutating API calls answer only after the flush holding their change
// is committed, so an acknowledged call survives kill -9. Execution history
// is appended in chunks (the events since the last flush) beside the
// execution's checkpoint, in the same transaction, so a restart resumes from
// exactly the last committed event. Express executions stay in memory.
#include "services/states/persistence.hpp"

#include "asl/compile.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE states_machines(arn TEXT PRIMARY KEY, record TEXT NOT NULL);"
     "CREATE TABLE states_activities(arn TEXT PRIMARY KEY, record TEXT NOT NULL);"
     "CREATE TABLE states_tags(arn TEXT PRIMARY KEY, tags TEXT NOT NULL);"
     "CREATE TABLE states_executions(arn TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
     " record TEXT NOT NULL, status TEXT NOT NULL, result TEXT, checkpoint TEXT);"
     "CREATE TABLE states_history(arn TEXT NOT NULL, first_id INTEGER NOT NULL,"
     " events TEXT NOT NULL, PRIMARY KEY(arn, first_id)) WITHOUT ROWID;"},
    // Closed executions stay in the store (issue 26): ListExecutions reads a
    // machine's executions newest first by index; start-up loads only the
    // unfinished ones.
    {2,
     "CREATE INDEX states_executions_by_machine ON states_executions("
     "json_extract(record, '$.stateMachineArn'), json_extract(record, '$.startTime'), seq);"
     "CREATE INDEX states_executions_unfinished ON states_executions(status) "
     "WHERE status IN ('RUNNING', 'PENDING_REDRIVE')"},
    // Closed executions expire after the retention (retention.cpp).
    {3,
     "CREATE INDEX states_executions_by_stop ON states_executions("
     "json_extract(result, '$.stopTime')) WHERE result IS NOT NULL"},
    // History chunks are a kilobyte and more: in a WITHOUT ROWID table a row
    // past ~1 KB (a 4 KB page) goes to overflow pages, so each took 4-5 KB.
    // A rowid table keeps them on their leaf pages.
    {4,
     "CREATE TABLE states_history_rows(arn TEXT NOT NULL, first_id INTEGER NOT NULL,"
     " events TEXT NOT NULL, PRIMARY KEY(arn, first_id));"
     "INSERT INTO states_history_rows SELECT arn, first_id, events FROM states_history;"
     "DROP TABLE states_history;"
     "ALTER TABLE states_history_rows RENAME TO states_history"},
};

TimePoint fromMicros(const Json* v) {
  auto n = v ? toInteger(*v) : std::nullopt;
  return fromEpochMicros(n.value_or(0));
}
std::string str(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
Json jsonOr(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v ? *v : Json(nullptr);
}

Json machineToJson(const StateMachineRecord& m) {
  JsonObject o;
  o["arn"] = m.arn;
  o["name"] = m.name;
  o["type"] = m.type;
  o["definition"] = m.definition;
  o["roleArn"] = m.roleArn;
  o["description"] = m.description;
  o["loggingConfiguration"] = m.loggingConfiguration;
  o["tracingConfiguration"] = m.tracingConfiguration;
  o["encryptionConfiguration"] = m.encryptionConfiguration;
  o["revisionId"] = m.revisionId;
  o["creationDate"] = toEpochMicros(m.creationDate);
  o["nextVersion"] = m.nextVersion;
  JsonArray versions;
  for (const auto& [n, v] : m.versions) {
    JsonObject vo;
    vo["arn"] = v.arn;
    vo["number"] = v.number;
    vo["definition"] = v.definition;
    vo["roleArn"] = v.roleArn;
    vo["description"] = v.description;
    vo["revisionId"] = v.revisionId;
    vo["creationDate"] = toEpochMicros(v.creationDate);
    versions.push_back(std::move(vo));
  }
  o["versions"] = std::move(versions);
  JsonArray aliases;
  for (const auto& [name, a] : m.aliases) {
    JsonObject ao;
    ao["arn"] = a.arn;
    ao["name"] = a.name;
    ao["description"] = a.description;
    ao["routing"] = a.routing;
    ao["creationDate"] = toEpochMicros(a.creationDate);
    ao["updateDate"] = toEpochMicros(a.updateDate);
    aliases.push_back(std::move(ao));
  }
  o["aliases"] = std::move(aliases);
  return o;
}

}  // namespace

// Compiled machines by definition text: executions of one revision share one.
class MachineCache {
 public:
  Result<std::shared_ptr<const asl::Machine>> get(const std::string& definition, bool express) {
    auto key = std::make_pair(definition, express);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    asl::CompileOptions options;
    options.express = express;
    auto compiled = asl::compileDefinition(definition, options);
    if (!compiled.machine) return asl::invalidDefinitionError(compiled.diagnostics);
    return cache_[key] = compiled.machine;
  }

 private:
  std::map<std::pair<std::string, bool>, std::shared_ptr<const asl::Machine>> cache_;
};

namespace {

Result<StateMachineRecord> machineFromJson(const Json& j, MachineCache& cache) {
  if (!j.is_object()) return AwsError::internal("stored state machine is not an object");
  const JsonObject& o = j.as_object();
  StateMachineRecord m;
  m.arn = str(o, "arn");
  m.name = str(o, "name");
  m.type = str(o, "type");
  m.definition = str(o, "definition");
  m.roleArn = str(o, "roleArn");
  m.description = str(o, "description");
  m.loggingConfiguration = jsonOr(o, "loggingConfiguration");
  m.tracingConfiguration = jsonOr(o, "tracingConfiguration");
  m.encryptionConfiguration = jsonOr(o, "encryptionConfiguration");
  m.revisionId = str(o, "revisionId");
  m.creationDate = fromMicros(o.if_contains("creationDate"));
  m.nextVersion = toInteger(jsonOr(o, "nextVersion")).value_or(1);
  bool express = m.type == "EXPRESS";
  auto compiled = cache.get(m.definition, express);
  if (!compiled) return compiled.error();
  m.machine = *compiled;
  if (const Json* vs = o.if_contains("versions"); vs && vs->is_array()) {
    for (const auto& vj : vs->as_array()) {
      if (!vj.is_object()) continue;
      const JsonObject& vo = vj.as_object();
      VersionRecord v;
      v.arn = str(vo, "arn");
      v.number = toInteger(jsonOr(vo, "number")).value_or(0);
      v.definition = str(vo, "definition");
      v.roleArn = str(vo, "roleArn");
      v.description = str(vo, "description");
      v.revisionId = str(vo, "revisionId");
      v.creationDate = fromMicros(vo.if_contains("creationDate"));
      auto vc = cache.get(v.definition, express);
      if (!vc) return vc.error();
      v.machine = *vc;
      m.versions.emplace(v.number, std::move(v));
    }
  }
  if (const Json* as = o.if_contains("aliases"); as && as->is_array()) {
    for (const auto& aj : as->as_array()) {
      if (!aj.is_object()) continue;
      const JsonObject& ao = aj.as_object();
      AliasRecord a;
      a.arn = str(ao, "arn");
      a.name = str(ao, "name");
      a.description = str(ao, "description");
      a.routing = jsonOr(ao, "routing");
      a.creationDate = fromMicros(ao.if_contains("creationDate"));
      a.updateDate = fromMicros(ao.if_contains("updateDate"));
      m.aliases.emplace(a.name, std::move(a));
    }
  }
  return m;
}

// The parts of an execution that never change after its start.
Json executionRecordToJson(const ExecutionRecord& r) {
  const engine::Execution& e = *r.execution;
  JsonObject o;
  o["name"] = e.name();
  o["stateMachineName"] = e.config().stateMachineName;
  o["account"] = e.config().scope.account;
  o["region"] = e.config().scope.region;
  o["partition"] = e.config().scope.partition;
  o["roleArn"] = r.roleArn;
  o["input"] = r.inputText;
  o["stateMachineArn"] = r.stateMachineArn;
  o["stateMachineVersionArn"] = r.stateMachineVersionArn;
  o["stateMachineAliasArn"] = r.stateMachineAliasArn;
  o["definition"] = r.definition;
  o["startTime"] = toEpochMicros(e.startTime());
  return o;
}

// How an execution ended, and the clientToken of the redrive that led to
// that end (a retried RedriveExecution answers from it, across restarts).
Json executionResultToJson(const ExecutionRecord& r) {
  const engine::Execution& e = *r.execution;
  JsonObject o;
  if (!r.redriveToken.empty()) o["redriveToken"] = r.redriveToken;
  o["stopTime"] = toEpochMicros(e.stopTime());
  if (e.status() == engine::ExecutionStatus::Succeeded) o["output"] = toJsonText(e.output());
  o["error"] = e.error();
  o["cause"] = e.cause();
  return o;
}

std::optional<engine::ExecutionStatus> statusFromName(std::string_view s) {
  using engine::ExecutionStatus;
  for (auto st : {ExecutionStatus::Running, ExecutionStatus::Succeeded, ExecutionStatus::Failed,
                  ExecutionStatus::TimedOut, ExecutionStatus::Aborted}) {
    if (engine::statusName(st) == s) return st;
  }
  return std::nullopt;
}

Json tagsToJson(const std::map<std::string, std::string>& tags) {
  JsonObject o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

}  // namespace

store::sqlite::Component storeComponent() {
  return {"states", kMigrations};
}

// --- Marking what changed ---------------------------------------------------

void StatesService::touch(const Json& in, const Json& out) {
  if (!store_) return;
  for (const Json* j : {&in, &out}) {
    if (!j->is_object()) continue;
    for (const auto& kv : j->as_object()) {
      if (!kv.value().is_string()) continue;
      std::string arn(kv.value().get_string());
      std::string_view key = kv.key();
      if (key == "resourceArn") {
        dirtyTags_.insert(arn);
      } else if (key == "activityArn") {
        dirtyActivities_.insert(arn);
      } else if (key == "stateMachineArn" || key == "stateMachineVersionArn" ||
                 key == "stateMachineAliasArn") {
        auto parsed = parseArn(arn, {ResourceKind::StateMachine});
        if (!parsed) continue;
        // Versions and aliases are stored with their machine.
        dirtyMachines_.insert(parsed->qualifier.empty()
                                  ? arn
                                  : arn.substr(0, arn.size() - parsed->qualifier.size() - 1));
        dirtyTags_.insert(arn);
      }
    }
  }
  scheduleFlush();
}

void StatesService::trackExecution(ExecutionRecord& r) {
  if (!store_ || r.express) return;
  ExecutionRecord* rec = &r;
  r.execution->onProgress([this, rec] {
    if (rec->dirty) return;
    rec->dirty = true;
    dirtyExecutions_.push_back(rec->execution->arn());
    scheduleFlush();
  });
}

void StatesService::afterCommit(std::function<void(Result<void>)> ack) {
  if (!store_) return ack({});
  pendingAcks_.push_back(std::move(ack));
  scheduleFlush();
}

void StatesService::scheduleFlush() {
  if (flushScheduled_) return;
  flushScheduled_ = true;
  engine_.loop.post([this] { flush(); });
}

// --- Writing ---------------------------------------------------------------

void StatesService::flush() {
  flushScheduled_ = false;
  struct Row {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  struct ExecRow {
    std::string arn;
    uint64_t seq;
    std::optional<std::string> record;  // first write only
    std::string status;
    std::optional<std::string> result;
    std::optional<std::string> checkpoint;
    int64_t firstEventId = 0;
    std::string events;  // JSON array of stored events; empty when none
  };
  struct Batch {
    std::vector<Row> machines, activities, tags;
    std::vector<ExecRow> executions;
  };
  auto batch = std::make_shared<Batch>();
  for (const auto& arn : dirtyMachines_) {
    auto it = machines_.find(arn);
    batch->machines.push_back({arn, it == machines_.end()
                                        ? std::nullopt
                                        : std::optional(toJsonText(machineToJson(it->second)))});
  }
  for (const auto& arn : dirtyActivities_) {
    auto it = activities_.find(arn);
    std::optional<std::string> v;
    if (it != activities_.end()) {
      JsonObject o;
      o["arn"] = it->second.arn;
      o["name"] = it->second.name;
      o["creationDate"] = toEpochMicros(it->second.creationDate);
      v = toJsonText(o);
    }
    batch->activities.push_back({arn, std::move(v)});
  }
  for (const auto& arn : dirtyTags_) {
    auto it = tags_.find(arn);
    batch->tags.push_back({arn, it == tags_.end() || it->second.empty()
                                    ? std::nullopt
                                    : std::optional(toJsonText(tagsToJson(it->second)))});
  }
  dirtyMachines_.clear();
  dirtyActivities_.clear();
  dirtyTags_.clear();
  auto finished = std::make_shared<std::vector<std::string>>();
  for (const auto& arn : dirtyExecutions_) {
    auto it = executions_.find(arn);
    if (it == executions_.end()) continue;
    ExecutionRecord& r = it->second;
    r.dirty = false;
    const engine::Execution& e = *r.execution;
    ExecRow row;
    row.arn = arn;
    row.seq = r.sequence;
    if (!r.persisted) row.record = toJsonText(executionRecordToJson(r));
    r.persisted = true;
    row.status = std::string(engine::statusName(e.status()));
    if (e.done()) row.result = toJsonText(executionResultToJson(r));
    // Running: the frame tree; ended: redrive count and what a redrive re-runs.
    row.checkpoint = toJsonText(e.checkpoint());
    const auto& history = e.history();
    if (r.persistedEvents < history.size()) {
      row.firstEventId = history[r.persistedEvents].id;
      JsonArray events;
      events.reserve(history.size() - r.persistedEvents);
      for (size_t i = r.persistedEvents; i < history.size(); ++i) {
        events.push_back(engine::historyEventToStored(history[i]));
      }
      row.events = toJsonText(events);
      r.persistedEvents = history.size();
    }
    if (e.done()) finished->push_back(arn);  // its end is in this batch
    batch->executions.push_back(std::move(row));
  }
  dirtyExecutions_.clear();
  auto acks =
      std::make_shared<std::vector<std::function<void(Result<void>)>>>(std::move(pendingAcks_));
  pendingAcks_.clear();

  auto work = [batch](store::sqlite::Database& db) -> Result<void> {
    auto upsertOrDelete = [&db](std::string_view table, std::string_view column,
                                const std::vector<Row>& rows) -> Result<void> {
      for (const auto& row : rows) {
        std::string sql = row.value ? "INSERT INTO " + std::string(table) + "(arn, " +
                                          std::string(column) +
                                          ") VALUES (?, ?) ON CONFLICT(arn) DO UPDATE SET " +
                                          std::string(column) + " = excluded." + std::string(column)
                                    : "DELETE FROM " + std::string(table) + " WHERE arn = ?";
        auto st = db.prepare(sql);
        if (!st) return st.error();
        if (row.value) {
          st->bindAll(row.key, *row.value);
        } else {
          st->bindAll(row.key);
        }
        if (auto r = st->run(); !r) return r;
      }
      return {};
    };
    if (auto r = upsertOrDelete("states_machines", "record", batch->machines); !r) return r;
    if (auto r = upsertOrDelete("states_activities", "record", batch->activities); !r) return r;
    if (auto r = upsertOrDelete("states_tags", "tags", batch->tags); !r) return r;
    for (const auto& row : batch->executions) {
      if (row.record) {
        auto st = db.prepare(
            "INSERT INTO states_executions(arn, seq, record, status, result, checkpoint) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        if (!st) return st.error();
        st->bind(1, row.arn).bind(2, static_cast<int64_t>(row.seq)).bind(3, *row.record);
        st->bind(4, row.status);
        row.result ? st->bindText(5, *row.result) : st->bindNull(5);
        row.checkpoint ? st->bindText(6, *row.checkpoint) : st->bindNull(6);
        if (auto r = st->run(); !r) return r;
      } else {
        auto st = db.prepare(
            "UPDATE states_executions SET status = ?, result = ?, checkpoint = ? WHERE arn = ?");
        if (!st) return st.error();
        st->bind(1, row.status);
        row.result ? st->bindText(2, *row.result) : st->bindNull(2);
        row.checkpoint ? st->bindText(3, *row.checkpoint) : st->bindNull(3);
        st->bind(4, row.arn);
        if (auto r = st->run(); !r) return r;
      }
      if (!row.events.empty()) {
        auto st = db.prepare("INSERT INTO states_history(arn, first_id, events) VALUES (?, ?, ?)");
        if (!st) return st.error();
        if (auto r = st->bindAll(row.arn, row.firstEventId, row.events).run(); !r) return r;
      }
    }
    return {};
  };
  engine::EventLoop& loop = engine_.loop;
  store_->writer().submit(std::move(work), [this, &loop, acks, finished](Result<void> committed) {
    loop.post([this, acks, finished, committed = std::move(committed)] {
      for (auto& ack : *acks) ack(committed);
      if (committed) evictFinished(*finished);
    });
  });
}

void StatesService::evictFinished(const std::vector<std::string>& arns) {
  // An execution whose end is committed leaves memory: the store answers for
  // it from now on (findExecution reads it back when asked). Memory holds the
  // executions in flight, not the history of the server.
  for (const auto& arn : arns) {
    auto it = executions_.find(arn);
    if (it == executions_.end()) continue;
    ExecutionRecord& r = it->second;
    if (r.dirty || !r.execution->done() || r.persistedEvents != r.execution->history().size()) {
      continue;  // it moved on since (a redrive): still in flight
    }
    r.execution->onProgress({});
    executions_.erase(it);
  }
}

// --- Loading ---------------------------------------------------------------

Result<ExecutionRecord*> StatesService::restoreExecution(store::sqlite::Database& db,
                                                         const std::string& arn,
                                                         MachineCache& cache) {
  std::vector<engine::HistoryEvent> history;
  auto chunks = db.prepare("SELECT events FROM states_history WHERE arn = ? ORDER BY first_id");
  if (!chunks) return chunks.error();
  chunks->bindAll(arn);
  while (true) {
    auto more = chunks->step();
    if (!more) return more.error();
    if (!*more) break;
    Json arr = parseJson(chunks->columnText(0)).value_or(JsonArray{});
    if (!arr.is_array()) continue;
    for (const auto& ej : arr.as_array()) {
      auto e = engine::historyEventFromStored(ej);
      if (!e) return AwsError::internal("unreadable stored history event");
      history.push_back(std::move(*e));
    }
  }
  auto execs = db.prepare(
      "SELECT seq, record, status, result, checkpoint FROM states_executions WHERE arn = ?");
  if (!execs) return execs.error();
  execs->bindAll(arn);
  auto more = execs->step();
  if (!more) return more.error();
  if (!*more) return static_cast<ExecutionRecord*>(nullptr);
  uint64_t seq = static_cast<uint64_t>(execs->columnInt(0));
  Json record = parseJson(execs->columnText(1)).value_or(JsonObject{});
  auto status = statusFromName(execs->columnText(2));
  if (!record.is_object() || !status) return AwsError::internal("unreadable execution " + arn);
  const JsonObject& ro = record.as_object();

  engine::Execution::Saved saved;
  saved.config.scope.account = str(ro, "account");
  saved.config.scope.region = str(ro, "region");
  saved.config.scope.partition = str(ro, "partition");
  saved.config.stateMachineName = str(ro, "stateMachineName");
  saved.config.executionName = str(ro, "name");
  saved.config.roleArn = str(ro, "roleArn");
  std::string inputText = str(ro, "input");
  saved.input = parseJson(inputText).value_or(JsonObject{});
  saved.startTime = fromMicros(ro.if_contains("startTime"));
  saved.status = *status;
  saved.history = std::move(history);
  std::string redriveToken;
  if (auto result = execs->columnOptionalText(3)) {
    Json rj = parseJson(*result).value_or(JsonObject{});
    if (rj.is_object()) {
      const JsonObject& res = rj.as_object();
      redriveToken = str(res, "redriveToken");
      saved.stopTime = fromMicros(res.if_contains("stopTime"));
      if (const Json* out = res.if_contains("output"); out && out->is_string()) {
        saved.output = parseJson(out->get_string()).value_or(nullptr);
      }
      saved.error = str(res, "error");
      saved.cause = str(res, "cause");
    }
  }
  std::string definition = str(ro, "definition");
  std::shared_ptr<const asl::Machine> machine;
  if (*status == engine::ExecutionStatus::Running) {
    auto compiled = cache.get(definition, false);
    if (!compiled) return compiled.error();
    machine = *compiled;
  }
  saved.checkpoint = parseJson(execs->columnOptionalText(4).value_or("{}")).value_or(nullptr);
  auto exec = engine::Execution::restore(engine_, std::move(machine), std::move(saved));
  if (!exec) return exec.error();
  ExecutionRecord r;
  r.execution = *exec;
  r.stateMachineArn = str(ro, "stateMachineArn");
  r.stateMachineVersionArn = str(ro, "stateMachineVersionArn");
  r.stateMachineAliasArn = str(ro, "stateMachineAliasArn");
  r.inputText = std::move(inputText);
  r.definition = std::move(definition);
  r.roleArn = str(ro, "roleArn");
  r.redriveToken = std::move(redriveToken);
  r.sequence = seq;
  r.persisted = true;
  r.persistedEvents = (*exec)->history().size();
  auto [it, inserted] = executions_.emplace(arn, std::move(r));
  if (inserted) trackExecution(it->second);
  return &it->second;
}

Result<ExecutionRecord*> StatesService::loadExecution(const std::string& arn) {
  if (!store_) return static_cast<ExecutionRecord*>(nullptr);
  auto lease = store_->readers().acquire();
  if (!lease) return lease.error();
  MachineCache cache;
  return restoreExecution(lease->db(), arn, cache);
}

Result<void> StatesService::load() {
  if (!store_) return {};
  auto lease = store_->readers().acquire();
  if (!lease) return lease.error();
  store::sqlite::Database& db = lease->db();
  MachineCache cache;

  auto machines = db.prepare("SELECT record FROM states_machines");
  if (!machines) return machines.error();
  while (true) {
    auto more = machines->step();
    if (!more) return more.error();
    if (!*more) break;
    auto m = machineFromJson(parseJson(machines->columnText(0)).value_or(nullptr), cache);
    if (!m) return m.error();
    std::string arn = m->arn;
    machines_.emplace(std::move(arn), std::move(*m));
  }

  auto activities = db.prepare("SELECT record FROM states_activities");
  if (!activities) return activities.error();
  while (true) {
    auto more = activities->step();
    if (!more) return more.error();
    if (!*more) break;
    Json j = parseJson(activities->columnText(0)).value_or(JsonObject{});
    if (!j.is_object()) continue;
    ActivityRecord a;
    a.arn = str(j.as_object(), "arn");
    a.name = str(j.as_object(), "name");
    a.creationDate = fromMicros(j.as_object().if_contains("creationDate"));
    std::string arn = a.arn;
    activities_.emplace(std::move(arn), std::move(a));
  }

  auto tags = db.prepare("SELECT arn, tags FROM states_tags");
  if (!tags) return tags.error();
  while (true) {
    auto more = tags->step();
    if (!more) return more.error();
    if (!*more) break;
    Json j = parseJson(tags->columnText(1)).value_or(JsonObject{});
    if (!j.is_object()) continue;
    auto& t = tags_[std::string(tags->columnText(0))];
    for (const auto& kv : j.as_object()) {
      if (kv.value().is_string()) t[kv.key()] = std::string(kv.value().get_string());
    }
  }

  // Only unfinished executions come into memory; closed ones are read from
  // the store when asked for (loadExecution).
  auto maxSeq = db.prepare("SELECT coalesce(max(seq), 0) FROM states_executions");
  if (!maxSeq) return maxSeq.error();
  if (auto more = maxSeq->step(); !more) {
    return more.error();
  } else if (*more) {
    nextSequence_ = static_cast<uint64_t>(maxSeq->columnInt(0)) + 1;
  }
  std::vector<ExecutionRecord*> running;
  std::vector<std::string> unfinished;
  {
    auto execs = db.prepare(
        "SELECT arn FROM states_executions WHERE status IN ('RUNNING', 'PENDING_REDRIVE') "
        "ORDER BY seq");
    if (!execs) return execs.error();
    while (true) {
      auto more = execs->step();
      if (!more) return more.error();
      if (!*more) break;
      unfinished.emplace_back(execs->columnText(0));
    }
  }
  for (const auto& arn : unfinished) {
    auto r = restoreExecution(db, arn, cache);
    if (!r) return r.error();
    if (!*r) continue;
    if ((*r)->execution->status() == engine::ExecutionStatus::Running) {
      running.push_back(*r);
      // A resumed execution logs its end like one started in this process.
      CallContext ctx;
      ctx.scope = (*r)->execution->config().scope;
      notifyObservers(ExecutionPhase::Resumed, (*r)->stateMachineArn, (*r)->execution, ctx);
    }
  }
  // Resume after everything is loaded: resumed tasks may need activities and
  // other executions (nested .sync).
  for (ExecutionRecord* r : running) r->execution->resume();
  return {};
}

}  // namespace sluice::services::states
