// Job definitions: CreateJob, GetJob, GetJobs, ListJobs, BatchGetJobs,
// UpdateJob, DeleteJob. A job is configuration: one document of glue_jobs,
// held in memory and written through. A visual job's DAG
// (CodeGenConfigurationNodes) is checked when it is saved (job_dag.hpp), so a
// job Sluice cannot run is refused then, not when it runs.
#include <algorithm>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"
#include "services/glue/job_dag.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kTable = "glue_jobs";

// The members a job definition carries (CreateJob's, JobUpdate's).
constexpr const char* kJobMembers[] = {"JobMode",
                                       "JobRunQueuingEnabled",
                                       "Description",
                                       "LogUri",
                                       "Role",
                                       "ExecutionProperty",
                                       "Command",
                                       "DefaultArguments",
                                       "NonOverridableArguments",
                                       "Connections",
                                       "MaxRetries",
                                       "AllocatedCapacity",
                                       "Timeout",
                                       "MaxCapacity",
                                       "SecurityConfiguration",
                                       "NotificationProperty",
                                       "GlueVersion",
                                       "NumberOfWorkers",
                                       "WorkerType",
                                       "CodeGenConfigurationNodes",
                                       "ExecutionClass",
                                       "SourceControlDetails",
                                       "MaintenanceWindow"};

Result<void> checkJobName(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.find_first_of("\r\n") != std::string::npos) {
    return invalidInput("Job name must be 1 to 255 characters on a single line.");
  }
  return {};
}

// Applies a job definition (CreateJob's members, or a JobUpdate) onto `doc`.
Result<void> applyJobInput(JsonObject& doc, const JsonObject& in) {
  for (const char* key : kJobMembers) {
    if (const Json* v = in.if_contains(key); v && !v->is_null()) doc[key] = *v;
  }
  const Json* command = doc.if_contains("Command");
  if (!command || !command->is_object()) return invalidInput("Command is required.");
  std::string kind = jsonString(jsonAt(*command, {"Name"}));
  if (kind.empty()) {
    doc["Command"].as_object()["Name"] = "glueetl";
    kind = "glueetl";
  }
  if (kind != "glueetl" && kind != "pythonshell" && kind != "gluestreaming" && kind != "glueray") {
    return invalidInput("Command.Name must be glueetl, pythonshell, gluestreaming or glueray.");
  }
  if (const Json* nodes = doc.if_contains("CodeGenConfigurationNodes")) {
    if (auto dag = readJobDag(*nodes); !dag) return dag.error();
    doc["JobMode"] = "VISUAL";
  }
  if (!doc.contains("JobMode")) doc["JobMode"] = "SCRIPT";
  if (const Json* t = doc.if_contains("Timeout")) {
    auto minutes = toInteger(*t);
    if (!minutes || *minutes < 1)
      return invalidInput("Timeout must be a positive number of minutes.");
  }
  if (const Json* e = doc.if_contains("ExecutionProperty"); e && e->is_object()) {
    if (const Json* m = e->as_object().if_contains("MaxConcurrentRuns")) {
      auto n = toInteger(*m);
      if (!n || *n < 1) return invalidInput("MaxConcurrentRuns must be at least 1.");
    }
  }
  return {};
}

}  // namespace

Result<Json*> GlueService::job(const Scope& scope, const std::string& name) {
  auto& jobs = jobs_[scopeKey(scope)];
  auto it = jobs.find(name);
  if (it == jobs.end()) return entityNotFound("Job " + name + " not found.");
  return &it->second;
}

Json GlueService::jobView(const Json& doc) {
  JsonObject out;
  for (const auto& kv : doc.as_object()) {
    if (!kv.key().starts_with("_")) out[kv.key()] = kv.value();
  }
  return out;
}

Result<Change> GlueService::createJob(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  if (auto r = checkJobName(*name); !r) return r.error();
  auto role = input.requiredString("Role");
  if (!role) return role.error();
  auto& jobs = jobs_[scopeKey(ctx.scope)];
  if (jobs.count(*name)) return alreadyExists("Job " + *name + " already exists.");
  Json now = epochSeconds(clock_.now());
  JsonObject doc{{"Name", *name},
                 {"CreatedOn", now},
                 {"LastModifiedOn", now},
                 {"ExecutionProperty", JsonObject{{"MaxConcurrentRuns", 1}}},
                 {"DefaultArguments", JsonObject{}},
                 {"MaxRetries", 0},
                 {"AllocatedCapacity", 10},
                 {"Timeout", 2880},
                 {"MaxCapacity", 10.0}};
  if (auto r = applyJobInput(doc, in.as_object()); !r) return r.error();
  Change change(JsonObject{{"Name", *name}});
  if (const Json* tags = input.get("Tags"); tags && !tags->is_null()) {
    if (auto r = addTags(change, ctx.scope, jobArn(ctx.scope, *name), *tags); !r) return r.error();
  }
  change.batch.put(kTable, ctx.scope, *name, doc);
  jobs[*name] = std::move(doc);
  return change;
}

Result<Change> GlueService::getJob(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("JobName");
  if (!name) return name.error();
  auto j = job(ctx.scope, *name);
  if (!j) return j.error();
  return Change(JsonObject{{"Job", jobView(**j)}});
}

Result<Change> GlueService::getJobs(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  auto& jobs = jobs_[scopeKey(ctx.scope)];
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = jobs.upper_bound(page->after); it != jobs.end(); ++it) {
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(jobView(it->second));
    last = it->first;
  }
  JsonObject r{{"Jobs", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::listJobs(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  std::map<std::string, std::string> wanted;
  if (const Json* tags = Input(in).get("Tags"); tags && tags->is_object()) {
    for (const auto& kv : tags->as_object()) wanted[kv.key()] = jsonString(&kv.value());
  }
  auto& jobs = jobs_[scopeKey(ctx.scope)];
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = jobs.upper_bound(page->after); it != jobs.end(); ++it) {
    const auto& have = tags_[jobArn(ctx.scope, it->first)];
    bool match = std::all_of(wanted.begin(), wanted.end(), [&](const auto& t) {
      auto h = have.find(t.first);
      return h != have.end() && h->second == t.second;
    });
    if (!match) continue;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(Json(it->first));
    last = it->first;
  }
  JsonObject r{{"JobNames", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::batchGetJobs(const Json& in, const CallContext& ctx) {
  const Json* names = Input(in).get("JobNames");
  if (!names || !names->is_array()) return invalidInput("JobNames is required.");
  auto& jobs = jobs_[scopeKey(ctx.scope)];
  JsonArray found, missing;
  for (const Json& n : names->as_array()) {
    std::string name = jsonString(&n);
    if (auto it = jobs.find(name); it != jobs.end()) {
      found.push_back(jobView(it->second));
    } else {
      missing.push_back(Json(name));
    }
  }
  return Change(JsonObject{{"Jobs", std::move(found)}, {"JobsNotFound", std::move(missing)}});
}

Result<Change> GlueService::updateJob(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("JobName");
  if (!name) return name.error();
  const Json* update = input.get("JobUpdate");
  if (!update || !update->is_object()) return invalidInput("JobUpdate is required.");
  auto j = job(ctx.scope, *name);
  if (!j) return j.error();
  // JobUpdate replaces the definition: what it leaves out is reset.
  const JsonObject& old = (*j)->as_object();
  JsonObject doc{{"Name", *name},
                 {"CreatedOn", old.at("CreatedOn")},
                 {"LastModifiedOn", epochSeconds(clock_.now())},
                 {"ExecutionProperty", JsonObject{{"MaxConcurrentRuns", 1}}},
                 {"DefaultArguments", JsonObject{}},
                 {"MaxRetries", 0},
                 {"AllocatedCapacity", 10},
                 {"Timeout", 2880},
                 {"MaxCapacity", 10.0}};
  if (!update->as_object().contains("Role")) return invalidInput("JobUpdate.Role is required.");
  if (auto r = applyJobInput(doc, update->as_object()); !r) return r.error();
  Change change(JsonObject{{"JobName", *name}});
  change.batch.put(kTable, ctx.scope, *name, doc);
  **j = std::move(doc);
  return change;
}

Result<Change> GlueService::deleteJob(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("JobName");
  if (!name) return name.error();
  Change change(JsonObject{{"JobName", *name}});
  // Deleting a job that is not there succeeds, as on AWS.
  auto& jobs = jobs_[scopeKey(ctx.scope)];
  if (jobs.erase(*name)) {
    change.batch.erase(kTable, ctx.scope, *name);
    if (jobBookmarks_[scopeKey(ctx.scope)].erase(*name)) {
      change.batch.erase("glue_job_bookmarks", ctx.scope, *name);
    }
    dropTags(change, ctx.scope, jobArn(ctx.scope, *name));
  }
  return change;
}

std::string GlueService::jobArn(const Scope& scope, const std::string& name) {
  return "arn:aws:glue:" + scope.region + ":" + scope.account + ":job/" + name;
}

}  // namespace sluice::services::glue
