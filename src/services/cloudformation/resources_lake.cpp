// The Glue Data Catalog (databases, tables), crawlers, jobs and Data Quality
// rulesets; Athena workgroups and named queries.
#include "services/cloudformation/resource_types.hpp"

namespace sluice::services::cloudformation {

namespace {

// What Glue and Athena answer for a resource already gone.
const std::vector<std::string> kGone = {"EntityNotFoundException", "InvalidRequestException"};

Result<void> deleting(const ResourceApi& api, const char* service, const char* operation,
                      JsonObject input) {
  return ignoringMissing(api.call(service, operation, input),
                         {"EntityNotFoundException", "InvalidRequestException"});
}

Result<ResourceValues> createDatabase(const ResourceApi& api, const ResourceRequest& r) {
  JsonObject input;
  copyMembers(r.properties, {"DatabaseInput"}, input);
  std::string name = jsonString(memberAt(r.properties, {"DatabaseInput", "Name"}));
  if (name.empty()) {
    name = generatedName(api, r, 255, true);
    input["DatabaseInput"].as_object()["Name"] = name;
  }
  if (auto c = api.call("glue", "CreateDatabase", input); !c) return c.takeError();
  return recordedResource(name);
}

Result<ResourceValues> createTable(const ResourceApi& api, const ResourceRequest& r) {
  JsonObject input;
  copyMembers(r.properties, {"DatabaseName", "TableInput", "OpenTableFormatInput"}, input);
  std::string name = jsonString(memberAt(r.properties, {"TableInput", "Name"}));
  if (name.empty()) {
    name = generatedName(api, r, 255, true);
    if (input.contains("TableInput")) input["TableInput"].as_object()["Name"] = name;
  }
  if (auto c = api.call("glue", "CreateTable", input); !c) return c.takeError();
  return recordedResource(name);
}

JsonObject crawlerInput(const std::string& name, const JsonObject& p) {
  JsonObject input{{"Name", name}};
  copyMembers(
      p,
      {"Role", "DatabaseName", "Targets", "SchemaChangePolicy", "RecrawlPolicy", "TablePrefix",
       "Configuration", "Classifiers", "Description", "CrawlerSecurityConfiguration",
       "LineageConfiguration", "LakeFormationConfiguration"},
      input);
  // CloudFormation nests the cron expression: Schedule: {ScheduleExpression}.
  if (const Json* s = memberAt(p, {"Schedule", "ScheduleExpression"})) input["Schedule"] = *s;
  return input;
}

Result<ResourceValues> createCrawler(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  if (name.empty()) name = r.logicalId + "-" + randomSuffix(api);
  JsonObject input{{"Name", name}};
  copyMembers(
      p,
      {"Role", "DatabaseName", "Targets", "SchemaChangePolicy", "RecrawlPolicy", "TablePrefix",
       "Configuration", "Classifiers", "Description", "CrawlerSecurityConfiguration",
       "LineageConfiguration", "LakeFormationConfiguration"},
      input);
  // CloudFormation nests the cron expression: Schedule: {ScheduleExpression}.
  if (const Json* s = memberAt(p, {"Schedule", "ScheduleExpression"})) input["Schedule"] = *s;
  if (const Json* tags = p.if_contains("Tags"); tags && tags->is_object()) input["Tags"] = *tags;
  if (auto c = api.call("glue", "CreateCrawler", input); !c) return c.takeError();
  return recordedResource(name);
}

// The members of AWS::Glue::Job that are CreateJob's (and JobUpdate's) as they are.
constexpr std::string_view kJobMembers[] = {"Role",
                                            "Command",
                                            "DefaultArguments",
                                            "NonOverridableArguments",
                                            "Connections",
                                            "MaxRetries",
                                            "AllocatedCapacity",
                                            "MaxCapacity",
                                            "Timeout",
                                            "GlueVersion",
                                            "WorkerType",
                                            "NumberOfWorkers",
                                            "ExecutionProperty",
                                            "Description",
                                            "LogUri",
                                            "NotificationProperty",
                                            "SecurityConfiguration",
                                            "ExecutionClass",
                                            "JobMode",
                                            "JobRunQueuingEnabled",
                                            "MaintenanceWindow"};

JsonObject jobDefinition(const JsonObject& p) {
  JsonObject input;
  for (std::string_view name : kJobMembers) {
    if (const Json* v = p.if_contains(name)) input[name] = *v;
  }
  return input;
}

Result<ResourceValues> createJob(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  if (name.empty()) name = r.logicalId + "-" + randomSuffix(api);
  JsonObject input = jobDefinition(p);
  input["Name"] = name;
  if (const Json* tags = p.if_contains("Tags"); tags && tags->is_object()) input["Tags"] = *tags;
  if (auto c = api.call("glue", "CreateJob", input); !c) return c.takeError();
  return recordedResource(name);
}

Result<ResourceValues> createRuleset(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  if (name.empty()) name = r.logicalId + "-" + randomSuffix(api);
  JsonObject input{{"Name", name}};
  copyMembers(p, {"Ruleset", "Description", "TargetTable", "ClientToken"}, input);
  if (const Json* tags = p.if_contains("Tags"); tags && tags->is_object()) input["Tags"] = *tags;
  if (auto c = api.call("glue", "CreateDataQualityRuleset", input); !c) return c.takeError();
  return recordedResource(name);
}

Result<ResourceValues> createWorkGroup(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  JsonObject input{{"Name", name}};
  copyMembers(p, {"Description", "Tags"}, input);
  if (const Json* c = p.if_contains("WorkGroupConfiguration")) input["Configuration"] = *c;
  if (auto c = api.call("athena", "CreateWorkGroup", input); !c) return c.takeError();
  if (stringProperty(p, "State") == "DISABLED") {
    auto u = api.call("athena", "UpdateWorkGroup",
                      JsonObject{{"WorkGroup", name}, {"State", "DISABLED"}});
    if (!u) {
      (void)api.call("athena", "DeleteWorkGroup", JsonObject{{"WorkGroup", name}});
      return u.takeError();
    }
  }
  return recordedResource(name);
}

Result<ResourceValues> createNamedQuery(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  JsonObject input;
  copyMembers(p, {"Name", "Database", "QueryString", "Description", "WorkGroup"}, input);
  if (!input.contains("Name")) input["Name"] = generatedName(api, r, 128);
  auto q = api.call("athena", "CreateNamedQuery", input);
  if (!q) return q.takeError();
  ResourceValues v = recordedResource(jsonString(jsonAt(*q, {"NamedQueryId"})));
  v.attributes = {{"NamedQueryId", v.physicalId}};
  return v;
}

}  // namespace

void addLakeTypes(ResourceTypes& types) {
  types["AWS::Glue::Database"] = {{"CatalogId", "DatabaseInput"},
                                  {"DatabaseName"},
                                  createDatabase,
                                  deleteWith("glue", "DeleteDatabase", "Name", kGone)};
  types["AWS::Glue::Table"] = {
      {"CatalogId", "DatabaseName", "TableInput", "OpenTableFormatInput"},
      {},
      createTable,
      [](const ResourceApi& api, const ResourceValues& v, const JsonObject& p) {
        return deleting(api, "glue", "DeleteTable",
                        JsonObject{{"DatabaseName", stringProperty(p, "DatabaseName")},
                                   {"Name", v.physicalId}});
      }};
  types["AWS::Glue::Crawler"] = {
      {"Name", "Role", "DatabaseName", "Targets", "Schedule", "SchemaChangePolicy", "RecrawlPolicy",
       "TablePrefix", "Configuration", "Classifiers", "Description", "CrawlerSecurityConfiguration",
       "LineageConfiguration", "LakeFormationConfiguration", "Tags"},
      {},
      createCrawler,
      deleteWith("glue", "DeleteCrawler", "Name", kGone)};
  std::set<std::string> jobProperties{"Name", "Tags"};
  for (std::string_view name : kJobMembers) jobProperties.emplace(name);
  types["AWS::Glue::Job"] = {
      std::move(jobProperties), {}, createJob, deleteWith("glue", "DeleteJob", "JobName", kGone)};
  types["AWS::Glue::DataQualityRuleset"] = {
      {"Name", "Ruleset", "Description", "TargetTable", "ClientToken", "Tags"},
      {},
      createRuleset,
      deleteWith("glue", "DeleteDataQualityRuleset", "Name", kGone)};
  types["AWS::Athena::WorkGroup"] = {
      {"Name", "Description", "State", "Tags", "WorkGroupConfiguration", "RecursiveDeleteOption"},
      {},
      createWorkGroup,
      [](const ResourceApi& api, const ResourceValues& v, const JsonObject& p) {
        return deleting(api, "athena", "DeleteWorkGroup",
                        JsonObject{{"WorkGroup", v.physicalId},
                                   {"RecursiveDeleteOption",
                                    stringProperty(p, "RecursiveDeleteOption") == "true"}});
      }};
  types["AWS::Athena::NamedQuery"] = {
      {"Name", "Database", "QueryString", "Description", "WorkGroup"},
      {},
      createNamedQuery,
      deleteWith("athena", "DeleteNamedQuery", "NamedQueryId", kGone)};

  // In-place updates, through Glue's own Update operations.
  using Input = JsonObject (*)(const ResourceValues&, const JsonObject&);
  auto calling = [](const char* operation, Input input) {
    return [operation, input](const ResourceApi& api, const ResourceValues& current,
                              const ResourceRequest& next) -> Result<ResourceValues> {
      if (auto u = api.call("glue", operation, input(current, next.properties)); !u) {
        return u.takeError();
      }
      return current;
    };
  };
  types["AWS::Glue::Database"].replaceOn = {"CatalogId", "DatabaseInput.Name"};
  types["AWS::Glue::Database"].update =
      calling("UpdateDatabase", [](const ResourceValues& v, const JsonObject& p) {
        return JsonObject{{"Name", v.physicalId}, {"DatabaseInput", p.at("DatabaseInput")}};
      });
  types["AWS::Glue::Table"].replaceOn = {"CatalogId", "DatabaseName", "TableInput.Name"};
  types["AWS::Glue::Table"].update = calling("UpdateTable", [](const ResourceValues&,
                                                               const JsonObject& p) {
    return JsonObject{{"DatabaseName", p.at("DatabaseName")}, {"TableInput", p.at("TableInput")}};
  });
  types["AWS::Glue::Crawler"].replaceOn = {"Name"};
  types["AWS::Glue::Crawler"].update = calling(
      "UpdateCrawler",
      [](const ResourceValues& v, const JsonObject& p) { return crawlerInput(v.physicalId, p); });
  types["AWS::Glue::Job"].replaceOn = {"Name"};
  types["AWS::Glue::Job"].update =
      calling("UpdateJob", [](const ResourceValues& v, const JsonObject& p) {
        return JsonObject{{"JobName", v.physicalId}, {"JobUpdate", jobDefinition(p)}};
      });
  types["AWS::Glue::DataQualityRuleset"].replaceOn = {"Name", "TargetTable"};
  types["AWS::Glue::DataQualityRuleset"].update =
      calling("UpdateDataQualityRuleset", [](const ResourceValues& v, const JsonObject& p) {
        JsonObject input{{"Name", v.physicalId}};
        copyMembers(p, {"Ruleset", "Description"}, input);
        return input;
      });
}

}  // namespace sluice::services::cloudformation
