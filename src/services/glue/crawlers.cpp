// Crawler configuration: CreateCrawler, GetCrawler(s), BatchGetCrawlers,
// ListCrawlers, UpdateCrawler, DeleteCrawler. Crawls themselves are in
// crawl_runs.cpp, their catalog writes in crawl_catalog.cpp.
#include "lake/object_snapshot.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/schedule_expression.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kTable = "glue_crawlers";

// What CreateCrawler / UpdateCrawler take as given (Targets, Schedule,
// policies and Configuration are checked on their own).
constexpr const char* kPlainMembers[] = {"Role", "DatabaseName", "Description", "TablePrefix",
                                         "CrawlerSecurityConfiguration"};

std::string crawlerArn(const Scope& scope, const std::string& name) {
  return "arn:aws:glue:" + scope.region + ":" + scope.account + ":crawler/" + name;
}

bool oneOf(const Json& v, std::initializer_list<const char*> allowed) {
  if (!v.is_string()) return false;
  for (const char* a : allowed) {
    if (v.get_string() == a) return true;
  }
  return false;
}

Result<Json> checkedTargets(const Json& targets) {
  if (!targets.is_object()) return invalidInput("Targets must be an object.");
  JsonObject out = targets.as_object();
  size_t count = 0;
  for (const auto& kv : out) {
    if (kv.value().is_array()) count += kv.value().as_array().size();
  }
  if (count == 0) return invalidInput("The crawler must have at least one target.");
  if (Json* s3 = out.if_contains("S3Targets"); s3 && s3->is_array()) {
    for (Json& t : s3->as_array()) {
      if (!t.is_object()) return invalidInput("Each S3 target must be an object.");
      const Json* path = t.as_object().if_contains("Path");
      if (!path || !path->is_string() || path->get_string().empty()) {
        return invalidInput("Each S3 target needs a Path.");
      }
      if (auto loc = lake::parseS3Uri(path->get_string()); !loc) {
        return invalidInput("S3 target path '" + std::string(path->get_string()) +
                            "' is not an s3://bucket/prefix location.");
      }
      if (!t.as_object().contains("Exclusions")) t.as_object()["Exclusions"] = JsonArray{};
      if (const Json* n = t.as_object().if_contains("SampleSize");
          n && !(n->is_int64() && n->get_int64() >= 1 && n->get_int64() <= 249)) {
        return invalidInput("SampleSize must be between 1 and 249.");
      }
    }
  }
  for (const char* unsupported : {"JdbcTargets", "MongoDBTargets", "DynamoDBTargets",
                                  "DeltaTargets", "IcebergTargets", "HudiTargets"}) {
    if (const Json* t = out.if_contains(unsupported);
        t && t->is_array() && !t->as_array().empty()) {
      return invalidInput(std::string(unsupported) +
                          " are not supported by Sluice's crawlers (S3Targets and "
                          "CatalogTargets are).");
    }
  }
  const Json* s3Targets = out.if_contains("S3Targets");
  const Json* catalogTargets = out.if_contains("CatalogTargets");
  if (s3Targets && s3Targets->is_array() && !s3Targets->as_array().empty() && catalogTargets &&
      catalogTargets->is_array() && !catalogTargets->as_array().empty()) {
    return invalidInput("A crawler has either data store targets or catalog targets, not both.");
  }
  if (const Json* c = out.if_contains("CatalogTargets"); c && c->is_array()) {
    for (const Json& t : c->as_array()) {
      if (!t.is_object() || !t.as_object().contains("DatabaseName") ||
          !t.as_object().contains("Tables")) {
        return invalidInput("Each catalog target needs a DatabaseName and Tables.");
      }
    }
  }
  return Json(std::move(out));
}

}  // namespace

Json GlueService::crawlerView(const Json& doc) {
  JsonObject out;
  for (const auto& kv : doc.as_object()) {
    if (!kv.key().starts_with("_")) out[kv.key()] = kv.value();
  }
  return out;
}

Result<Json*> GlueService::crawler(const Scope& scope, const std::string& name) {
  auto& crawlers = crawlers_[scopeKey(scope)];
  auto it = crawlers.find(name);
  if (it == crawlers.end())
    return entityNotFound("Crawler entry with name " + name + " does not exist");
  return &it->second;
}

Result<void> GlueService::applyCrawlerInput(const Scope& scope, JsonObject& doc, const Json& in,
                                            bool creating) {
  const JsonObject& input = in.as_object();
  for (const char* m : kPlainMembers) {
    const Json* v = input.if_contains(m);
    if (!v || v->is_null()) continue;
    if (!v->is_string()) return invalidInput(std::string(m) + " must be a string.");
    doc[m] = *v;
  }
  if (creating && !doc.contains("Role")) return invalidInput("Role is required.");
  if (const Json* p = doc.if_contains("TablePrefix"); p && p->get_string().size() > 128) {
    return invalidInput("TablePrefix must be at most 128 characters long.");
  }
  if (const Json* t = input.if_contains("Targets"); t && !t->is_null()) {
    auto targets = checkedTargets(*t);
    if (!targets) return targets.error();
    doc["Targets"] = std::move(*targets);
  } else if (creating) {
    return invalidInput("Targets is required.");
  }
  if (const Json* c = input.if_contains("Classifiers"); c && c->is_array()) {
    if (auto known = crawlerClassifiers(scope, *c); !known) return known.error();
    doc["Classifiers"] = *c;
  }
  if (const Json* v = input.if_contains("SchemaChangePolicy"); v && v->is_object()) {
    JsonObject policy = doc["SchemaChangePolicy"].as_object();
    if (const Json* u = v->as_object().if_contains("UpdateBehavior")) {
      if (!oneOf(*u, {"LOG", "UPDATE_IN_DATABASE"})) {
        return invalidInput("UpdateBehavior must be LOG or UPDATE_IN_DATABASE.");
      }
      policy["UpdateBehavior"] = *u;
    }
    if (const Json* d = v->as_object().if_contains("DeleteBehavior")) {
      if (!oneOf(*d, {"LOG", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE"})) {
        return invalidInput(
            "DeleteBehavior must be LOG, DELETE_FROM_DATABASE or DEPRECATE_IN_DATABASE.");
      }
      policy["DeleteBehavior"] = *d;
    }
    doc["SchemaChangePolicy"] = std::move(policy);
  }
  if (const Json* v = input.if_contains("RecrawlPolicy"); v && v->is_object()) {
    if (const Json* b = v->as_object().if_contains("RecrawlBehavior")) {
      if (!oneOf(*b, {"CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY", "CRAWL_EVENT_MODE"})) {
        return invalidInput(
            "RecrawlBehavior must be CRAWL_EVERYTHING, CRAWL_NEW_FOLDERS_ONLY or "
            "CRAWL_EVENT_MODE.");
      }
      doc["RecrawlPolicy"] = JsonObject{{"RecrawlBehavior", *b}};
    }
  }
  if (const Json* v = input.if_contains("LineageConfiguration"); v && v->is_object()) {
    doc["LineageConfiguration"] = *v;
  }
  if (const Json* v = input.if_contains("LakeFormationConfiguration"); v && v->is_object()) {
    doc["LakeFormationConfiguration"] = *v;
  }
  if (const Json* v = input.if_contains("Configuration"); v && !v->is_null()) {
    if (!v->is_string()) return invalidInput("Configuration must be a JSON string.");
    auto parsed = parseJson(v->get_string());
    if (!parsed || !parsed->is_object()) {
      return invalidInput("Configuration is not a valid JSON object: " +
                          std::string(v->get_string()));
    }
    const JsonObject& c = parsed->as_object();
    if (const Json* g = c.if_contains("Grouping"); g && g->is_object()) {
      if (const Json* p = g->as_object().if_contains("TableGroupingPolicy");
          p && !oneOf(*p, {"CombineCompatibleSchemas"})) {
        return invalidInput("Grouping.TableGroupingPolicy must be CombineCompatibleSchemas.");
      }
      if (const Json* l = g->as_object().if_contains("TableLevelConfiguration");
          l && !(l->is_int64() && l->get_int64() >= 1)) {
        return invalidInput("Grouping.TableLevelConfiguration must be a positive integer.");
      }
    }
    doc["Configuration"] = *v;
  }
  // Crawling new folders only leaves existing tables alone: Glue requires
  // LOG for both behaviours; event mode needs a queue on every S3 target.
  std::string recrawl(doc["RecrawlPolicy"].as_object().at("RecrawlBehavior").as_string());
  const JsonObject& policy = doc["SchemaChangePolicy"].as_object();
  if (recrawl == "CRAWL_NEW_FOLDERS_ONLY" &&
      (policy.at("UpdateBehavior") != "LOG" || policy.at("DeleteBehavior") != "LOG")) {
    return invalidInput(
        "The SchemaChangePolicy of a crawler that crawls new folders only must have "
        "UpdateBehavior LOG and DeleteBehavior LOG.");
  }
  if (const Json* s3 = doc["Targets"].as_object().if_contains("S3Targets"); s3 && s3->is_array()) {
    for (const Json& t : s3->as_array()) {
      for (const char* member : {"EventQueueArn", "DlqEventQueueArn"}) {
        const Json* arn = t.is_object() ? t.as_object().if_contains(member) : nullptr;
        if (arn && (!arn->is_string() || !arn->get_string().starts_with("arn:aws:sqs:"))) {
          return invalidInput(std::string(member) + " must be the ARN of an SQS queue.");
        }
      }
    }
  }
  if (recrawl == "CRAWL_EVENT_MODE") {
    const Json* s3 = doc["Targets"].as_object().if_contains("S3Targets");
    bool queues = s3 && s3->is_array() && !s3->as_array().empty();
    if (queues) {
      for (const Json& t : s3->as_array()) {
        queues = queues && t.as_object().contains("EventQueueArn");
      }
    }
    if (!queues) {
      return invalidInput(
          "A crawler in CRAWL_EVENT_MODE needs an EventQueueArn on every S3 target.");
    }
  }
  if (const Json* v = input.if_contains("Schedule"); v && !v->is_null()) {
    if (!v->is_string()) return invalidInput("Schedule must be a cron expression string.");
    std::string text(v->get_string());
    if (text.empty()) {
      doc.erase("Schedule");
    } else {
      auto parsed = ScheduleExpression::parse(text, false, "");
      if (!parsed || parsed->kind() != ScheduleExpression::Kind::Cron) {
        return invalidInput("Schedule expression is invalid: " + text +
                            " (expected cron(minutes hours day-of-month month day-of-week year))");
      }
      doc["Schedule"] = JsonObject{{"ScheduleExpression", text}, {"State", "SCHEDULED"}};
    }
  }
  return {};
}

Result<Change> GlueService::createCrawler(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  if (name->empty() || name->size() > 255 || name->find_first_of("\r\n") != std::string::npos) {
    return invalidInput("Name must be 1 to 255 characters on a single line.");
  }
  auto& crawlers = crawlers_[scopeKey(ctx.scope)];
  if (crawlers.count(*name)) return alreadyExists(*name + " already exists");
  Json now = epochSeconds(clock_.now());
  JsonObject doc{{"Name", *name},
                 {"Classifiers", JsonArray{}},
                 {"RecrawlPolicy", JsonObject{{"RecrawlBehavior", "CRAWL_EVERYTHING"}}},
                 {"SchemaChangePolicy", JsonObject{{"UpdateBehavior", "UPDATE_IN_DATABASE"},
                                                   {"DeleteBehavior", "DEPRECATE_IN_DATABASE"}}},
                 {"LineageConfiguration", JsonObject{{"CrawlerLineageSettings", "DISABLE"}}},
                 {"State", "READY"},
                 {"CrawlElapsedTime", 0},
                 {"CreationTime", now},
                 {"LastUpdated", now},
                 {"Version", 1},
                 {"LakeFormationConfiguration",
                  JsonObject{{"UseLakeFormationCredentials", false}, {"AccountId", ""}}}};
  if (auto r = applyCrawlerInput(ctx.scope, doc, in, true); !r) return r.error();
  Change change;
  if (const Json* tags = Input(in).get("Tags"); tags && !tags->is_null()) {
    if (auto r = addTags(change, ctx.scope, crawlerArn(ctx.scope, *name), *tags); !r) {
      return r.error();
    }
  }
  change.batch.put(kTable, ctx.scope, *name, doc);
  crawlers[*name] = std::move(doc);
  armSchedule(ctx.scope, *name);
  return change;
}

Result<Change> GlueService::getCrawler(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  return Change(JsonObject{{"Crawler", crawlerView(**c)}});
}

Result<Change> GlueService::getCrawlers(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& [name, doc] : crawlers_[scopeKey(ctx.scope)]) {
    if (!page->after.empty() && name <= page->after) continue;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(crawlerView(doc));
    last = name;
  }
  JsonObject r{{"Crawlers", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::batchGetCrawlers(const Json& in, const CallContext& ctx) {
  const Json* names = Input(in).get("CrawlerNames");
  if (!names || !names->is_array()) return invalidInput("CrawlerNames is required.");
  if (names->as_array().size() > 100) return invalidInput("CrawlerNames takes at most 100 names.");
  JsonArray found, missing;
  auto& crawlers = crawlers_[scopeKey(ctx.scope)];
  for (const Json& n : names->as_array()) {
    std::string name = n.is_string() ? std::string(n.get_string()) : std::string();
    auto it = crawlers.find(name);
    if (it == crawlers.end()) {
      missing.push_back(Json(name));
    } else {
      found.push_back(crawlerView(it->second));
    }
  }
  return Change(
      JsonObject{{"Crawlers", std::move(found)}, {"CrawlersNotFound", std::move(missing)}});
}

Result<Change> GlueService::listCrawlers(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  const Json* filter = Input(in).get("Tags");
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& [name, doc] : crawlers_[scopeKey(ctx.scope)]) {
    if (!page->after.empty() && name <= page->after) continue;
    if (filter && filter->is_object()) {
      auto tags = tags_.find(crawlerArn(ctx.scope, name));
      bool all = true;
      for (const auto& kv : filter->as_object()) {
        if (tags == tags_.end()) {
          all = false;
          break;
        }
        auto t = tags->second.find(std::string(kv.key()));
        all = all && t != tags->second.end() &&
              (!kv.value().is_string() || kv.value().get_string().empty() ||
               t->second == kv.value().get_string());
      }
      if (!all) continue;
    }
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(Json(name));
    last = name;
  }
  JsonObject r{{"CrawlerNames", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::updateCrawler(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  JsonObject& current = (*c)->as_object();
  if (current.at("State") != "READY") {
    return AwsError{"CrawlerRunningException",
                    "Crawler " + *name + " is running; update it when it is READY.", 400};
  }
  JsonObject doc = current;
  if (auto r = applyCrawlerInput(ctx.scope, doc, in, false); !r) return r.error();
  doc["Version"] = doc.at("Version").to_number<int64_t>() + 1;
  doc["LastUpdated"] = epochSeconds(clock_.now());
  Change change;
  change.batch.put(kTable, ctx.scope, *name, doc);
  current = std::move(doc);
  armSchedule(ctx.scope, *name);
  return change;
}

Result<Change> GlueService::deleteCrawler(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  if ((*c)->as_object().at("State") != "READY") {
    return AwsError{"CrawlerRunningException",
                    "Crawler " + *name + " is running and cannot be deleted.", 400};
  }
  Change change;
  change.batch.erase(kTable, ctx.scope, *name);
  change.batch.sql([scope = ctx.scope, n = *name](store::sqlite::Database& db) {
    return store::sqlite::runStatement(
        db, "DELETE FROM glue_crawls WHERE account = ? AND region = ? AND crawler = ?",
        scope.account, scope.region, n);
  });
  dropTags(change, ctx.scope, crawlerArn(ctx.scope, *name));
  crawlers_[scopeKey(ctx.scope)].erase(*name);
  ++scheduleGenerations_[scopeKey(ctx.scope) + "/" + *name];  // outdates its timer
  return change;
}

}  // namespace sluice::services::glue
