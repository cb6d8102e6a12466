// Crawls: StartCrawler, StopCrawler, GetCrawlerMetrics, ListCrawls, the run
// on the worker pool, its end (catalog writes, LastCrawl, the crawl's row),
// its CloudWatch log stream and its EventBridge events, and crawls a crash
// cut short.
#include <algorithm>
#include <set>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/publish_event.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kLogGroup = "/aws-glue/crawlers";
constexpr size_t kRuntimesKept = 100;  // for MedianRuntimeSeconds

std::string runningKey(const Scope& scope, const std::string& name) {
  return scopeKey(scope) + "/" + name;
}

void putCrawl(DocumentBatch& batch, const Scope& scope, const std::string& crawler,
              const JsonObject& crawl, int64_t startMs) {
  batch.sql([scope, crawler, id = std::string(crawl.at("CrawlId").as_string()), startMs,
             doc = toJsonText(crawl)](store::sqlite::Database& db) {
    return store::sqlite::runStatement(
        db,
        "INSERT OR REPLACE INTO glue_crawls(account, region, crawler, crawl_id, start_ms, doc) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        scope.account, scope.region, crawler, id, startMs, doc);
  });
}

// What Glue puts in a crawl's Summary.
std::string summaryOf(int tablesCreated, int tablesUpdated, int tablesDeleted,
                      int partitionsCreated, int partitionsDeleted) {
  JsonObject table, partition;
  if (tablesCreated) table["ADD"] = JsonObject{{"Count", tablesCreated}};
  if (tablesUpdated) table["UPDATE"] = JsonObject{{"Count", tablesUpdated}};
  if (tablesDeleted) table["DELETE"] = JsonObject{{"Count", tablesDeleted}};
  if (partitionsCreated) partition["ADD"] = JsonObject{{"Count", partitionsCreated}};
  if (partitionsDeleted) partition["DELETE"] = JsonObject{{"Count", partitionsDeleted}};
  JsonObject out;
  if (!table.empty()) out["TABLE"] = std::move(table);
  if (!partition.empty()) out["PARTITION"] = std::move(partition);
  return toJsonText(out);
}

lake::DiscoveryOptions discoveryOptions(const JsonObject& crawler) {
  lake::DiscoveryOptions o;
  const Json* c = crawler.if_contains("Configuration");
  if (!c || !c->is_string()) return o;
  auto config = parseJson(c->get_string());
  if (!config || !config->is_object()) return o;
  const Json* g = config->as_object().if_contains("Grouping");
  if (!g || !g->is_object()) return o;
  if (const Json* p = g->as_object().if_contains("TableGroupingPolicy")) {
    o.combineCompatibleSchemas = *p == "CombineCompatibleSchemas";
  }
  if (const Json* l = g->as_object().if_contains("TableLevelConfiguration"); l && l->is_int64()) {
    o.tableLevel = static_cast<int>(l->get_int64());
  }
  return o;
}

std::vector<lake::CrawlTarget> crawlTargets(const JsonObject& crawler) {
  std::vector<lake::CrawlTarget> out;
  const Json* s3 = crawler.at("Targets").as_object().if_contains("S3Targets");
  if (!s3 || !s3->is_array()) return out;
  for (const Json& t : s3->as_array()) {
    const JsonObject& o = t.as_object();
    lake::CrawlTarget target;
    target.path = std::string(o.at("Path").as_string());
    if (const Json* ex = o.if_contains("Exclusions"); ex && ex->is_array()) {
      for (const Json& e : ex->as_array()) {
        if (e.is_string()) target.exclusions.emplace_back(e.get_string());
      }
    }
    if (const Json* n = o.if_contains("SampleSize"); n && n->is_int64()) {
      target.sampleSize = static_cast<size_t>(n->get_int64());
    }
    out.push_back(std::move(target));
  }
  return out;
}

}  // namespace

Result<Change> GlueService::startCrawler(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  return beginCrawl(ctx.scope, *name);
}

Result<Change> GlueService::beginCrawl(const Scope& scope, const std::string& name) {
  auto c = crawler(scope, name);
  if (!c) return c.error();
  JsonObject& doc = (*c)->as_object();
  if (doc.at("State") != "READY") {
    return AwsError{"CrawlerRunningException", "Crawler with name " + name + " has already started",
                    400};
  }
  std::string crawlId = ids_.uuid();
  TimePoint now = clock_.now();
  doc["State"] = "RUNNING";
  doc["_CrawlId"] = crawlId;
  doc["_StartMs"] = epochMs(now);
  Change change;
  change.batch.put("glue_crawlers", scope, name, doc);
  JsonObject crawl{{"CrawlId", crawlId},    {"State", "RUNNING"}, {"StartTime", epochSeconds(now)},
                   {"LogGroup", kLogGroup}, {"LogStream", name},  {"MessagePrefix", crawlId},
                   {"DPUHour", 0.0}};
  putCrawl(change.batch, scope, name, crawl, epochMs(now));
  launchCrawl(scope, doc);
  // Events and logs go through other services: never under this lock.
  loop_.post([this, scope, name = name, crawlId] {
    crawlerEvent(scope, JsonObject{{"crawlerName", name},
                                   {"state", "Started"},
                                   {"message", "Crawler Started"},
                                   {"accountId", scope.account},
                                   {"startTime", formatIso8601(clock_.now())}});
    crawlerLog(scope, name,
               {"[" + crawlId + "] BENCHMARK : Running Start Crawl for Crawler " + name});
  });
  return change;
}

void GlueService::launchCrawl(const Scope& scope, const Json& doc) {
  const JsonObject& crawler = doc.as_object();
  std::string name(crawler.at("Name").as_string());
  std::string crawlId(crawler.at("_CrawlId").as_string());
  CrawlPlan plan;
  plan.targets = crawlTargets(crawler);
  plan.options = discoveryOptions(crawler);
  if (const Json* c = crawler.if_contains("Classifiers")) {
    // Validated when the crawler was saved; one deleted since is left out.
    JsonArray present;
    for (const Json& n : c->as_array()) {
      if (classifiers_[scopeKey(scope)].count(jsonString(&n))) present.push_back(n);
    }
    if (auto known = crawlerClassifiers(scope, present)) plan.options.classifiers = *known;
  }
  plan.recrawl =
      std::string(crawler.at("RecrawlPolicy").as_object().at("RecrawlBehavior").as_string());
  plan.crawledBefore = crawler.contains("_Runtimes");
  if (const Json* s3 = crawler.at("Targets").as_object().if_contains("S3Targets");
      s3 && s3->is_array()) {
    for (const Json& t : s3->as_array()) {
      const Json* q = t.as_object().if_contains("EventQueueArn");
      const Json* dlq = t.as_object().if_contains("DlqEventQueueArn");
      plan.eventQueues.push_back(q && q->is_string() ? std::string(q->get_string()) : "");
      plan.deadLetterQueues.push_back(dlq && dlq->is_string() ? std::string(dlq->get_string())
                                                              : "");
    }
  }
  // Catalog targets crawl the locations of the tables they name.
  if (const Json* catalog = crawler.at("Targets").as_object().if_contains("CatalogTargets");
      catalog && catalog->is_array()) {
    for (const Json& target : catalog->as_array()) {
      const JsonObject& o = target.as_object();
      std::string targetDb = lowerName(o.at("DatabaseName").as_string());
      for (const Json& n : o.at("Tables").as_array()) {
        if (!n.is_string()) continue;
        std::string tableName = lowerName(n.get_string());
        auto it = tables_[scopeKey(scope)].find(targetDb + "/" + tableName);
        const Json* sd = it == tables_[scopeKey(scope)].end()
                             ? nullptr
                             : it->second.as_object().if_contains("StorageDescriptor");
        const Json* location =
            sd && sd->is_object() ? sd->as_object().if_contains("Location") : nullptr;
        if (!location || !location->is_string()) {
          plan.missing.push_back(targetDb + "." + tableName);
          continue;
        }
        lake::CrawlTarget t;
        t.path = std::string(location->get_string());
        if (!t.path.ends_with("/")) t.path += "/";
        auto loc = lake::parseS3Uri(t.path);
        t.tableLevel =
            loc ? 1 + static_cast<int>(std::count(loc->prefix.begin(), loc->prefix.end(), '/')) : 1;
        plan.fixed[t.path] = TableRef{targetDb, tableName};
        plan.targets.push_back(std::move(t));
        plan.eventQueues.push_back("");
        plan.deadLetterQueues.push_back("");
      }
    }
  }
  // The tables this crawler made, for crawls reading some folders only.
  std::string db = crawler.contains("DatabaseName")
                       ? lowerName(crawler.at("DatabaseName").as_string())
                       : std::string();
  for (const auto& [key, table] : tables_[scopeKey(scope)]) {
    if (!key.starts_with(db + "/")) continue;
    const JsonObject& t = table.as_object();
    const Json* params = t.if_contains("Parameters");
    const Json* by = params && params->is_object()
                         ? params->as_object().if_contains("UPDATED_BY_CRAWLER")
                         : nullptr;
    const Json* sd = t.if_contains("StorageDescriptor");
    const Json* location =
        sd && sd->is_object() ? sd->as_object().if_contains("Location") : nullptr;
    if (!by || !by->is_string() || by->get_string() != name || !location || !location->is_string())
      continue;
    std::string where(location->get_string());
    if (!where.ends_with("/")) where += "/";
    plan.known.push_back(
        {where, db, std::string(t.at("Name").as_string()), partitionKeyCount(table) > 0});
  }
  auto cancel = std::make_shared<lake::LakeCancel>();
  running_[runningKey(scope, name)] = cancel;
  ++inFlight_;
  auto outcome = std::make_shared<CrawlOutcome>();
  loop_.runBlocking(
      [this, scope, plan = std::move(plan), cancel, outcome] {
        *outcome = runCrawl(scope, plan, *cancel);
        std::lock_guard lock(mu_);
        --inFlight_;
        crawlsDone_.notify_all();
      },
      [this, scope, name, crawlId, outcome] {
        finishCrawl(scope, name, crawlId, std::move(*outcome));
      });
}

GlueService::CrawlOutcome GlueService::runCrawl(const Scope& scope, const CrawlPlan& plan,
                                                lake::LakeCancel& cancel) {
  CrawlOutcome out;
  out.fixed = plan.fixed;
  if (!plan.missing.empty()) {
    out.discovery = entityNotFound("The catalog target table " + plan.missing.front() +
                                   " does not exist or has no S3 location.");
    return out;
  }
  bool events = plan.recrawl == "CRAWL_EVENT_MODE";
  bool newFolders = plan.recrawl == "CRAWL_NEW_FOLDERS_ONLY";
  std::vector<lake::CrawlTarget> targets = plan.targets;
  if (events) {
    // Events are consumed on every crawl; the first crawl reads everything.
    std::vector<lake::CrawlTarget> partial;
    for (size_t i = 0; i < plan.targets.size(); ++i) {
      if (plan.eventQueues[i].empty()) {  // a target without a queue is read whole
        partial.push_back(plan.targets[i]);
        continue;
      }
      auto queued =
          drainEventQueue(registry_, scope, plan.eventQueues[i], plan.deadLetterQueues[i]);
      if (!queued) {
        out.discovery = queued.error();
        return out;
      }
      auto loc = lake::parseS3Uri(plan.targets[i].path);
      std::string prefix = loc ? loc->prefix : std::string();
      if (!prefix.empty() && !prefix.ends_with("/")) prefix += "/";
      std::set<std::string> folders;
      for (const auto& object : queued->objects) {
        if (!loc || !object.starts_with(loc->bucket + "/")) continue;
        std::string key = object.substr(loc->bucket.size() + 1);
        if (key.starts_with(prefix)) folders.insert(folderOf(key));
      }
      auto some = partialTargets(plan.targets[i], {folders.begin(), folders.end()}, plan.known);
      partial.insert(partial.end(), some.begin(), some.end());
      out.consumed.push_back(std::move(*queued));
    }
    if (plan.crawledBefore) {
      targets = std::move(partial);
      out.partial = true;
    }
  } else if (newFolders && plan.crawledBefore) {
    // Folders under no partition and no unpartitioned table of the crawler.
    std::vector<std::string> covered;
    for (const auto& k : plan.known) {
      if (!k.partitioned) {
        covered.push_back(k.location);
        continue;
      }
      auto parts = readPartitions(scope, k.db, k.name);
      if (!parts) {
        out.discovery = parts.error();
        return out;
      }
      for (const auto& [_, p] : *parts) {
        const Json* sd = p.as_object().if_contains("StorageDescriptor");
        const Json* l = sd && sd->is_object() ? sd->as_object().if_contains("Location") : nullptr;
        if (l && l->is_string()) covered.emplace_back(l->get_string());
      }
    }
    std::vector<lake::CrawlTarget> partial;
    for (const auto& t : plan.targets) {
      auto loc = lake::parseS3Uri(t.path);
      if (!loc) continue;
      auto listed = lake_.list(scope, loc->bucket, loc->prefix);
      if (!listed) {
        out.discovery = listed.error();
        return out;
      }
      std::set<std::string> folders;
      for (const auto& o : *listed) {
        std::string folder = folderOf(o.key);
        std::string uri = "s3://" + loc->bucket + "/" + folder;
        bool known = std::any_of(covered.begin(), covered.end(), [&](const std::string& c) {
          return uri.starts_with(c.ends_with("/") ? c : c + "/");
        });
        if (!known) folders.insert(folder);
      }
      auto some = partialTargets(t, {folders.begin(), folders.end()}, plan.known);
      partial.insert(partial.end(), some.begin(), some.end());
    }
    targets = std::move(partial);
    out.partial = true;
  }
  if (targets.empty()) return out;  // nothing new: an empty, successful crawl
  out.discovery = lake::discoverTables(lake_, scope, targets, plan.options, cancel);
  return out;
}

void GlueService::finishCrawl(const Scope& scope, const std::string& name,
                              const std::string& crawlId, CrawlOutcome outcome) {
  Result<lake::Discovery>& discovery = outcome.discovery;
  std::vector<std::string> log;
  JsonObject event;
  {
    std::lock_guard lock(mu_);
    running_.erase(runningKey(scope, name));
    auto c = crawler(scope, name);
    if (!c) return;
    JsonObject& doc = (*c)->as_object();
    if (!doc.contains("_CrawlId") || doc.at("_CrawlId").as_string() != crawlId) return;
    // The crawler shows RUNNING until the crawl's writes are stored: a client
    // that sees READY reads every table and partition it made.
    Json running = **c;
    TimePoint now = clock_.now();
    int64_t startMs = doc.at("_StartMs").to_number<int64_t>();
    int64_t elapsedMs = std::max<int64_t>(0, epochMs(now) - startMs);
    bool stopping = doc.at("State") == "STOPPING";
    std::string status = "SUCCEEDED", error;
    CrawlCounts counts;
    Change change;
    if (stopping || (!discovery && discovery.error().code == "CrawlCancelled")) {
      status = "CANCELLED";
    } else if (!discovery) {
      status = "FAILED";
      error = discovery.error().message;
    } else {
      log.push_back("INFO : Read " + std::to_string(discovery->objectsRead) + " objects" +
                    (outcome.partial ? " (only new folders)" : ""));
      for (const auto& m : discovery->messages) log.push_back("WARN : " + m);
      // The catalog is changed in memory as the crawl's writes are built; a
      // failure part-way puts it back as it was.
      auto databases = databases_[scopeKey(scope)];
      auto tables = tables_[scopeKey(scope)];
      auto tags = tags_;
      auto applied =
          applyDiscovery(change, scope, doc, *discovery, outcome.partial, outcome.fixed, log);
      if (applied) {
        counts = *applied;
      } else {
        databases_[scopeKey(scope)] = std::move(databases);
        tables_[scopeKey(scope)] = std::move(tables);
        tags_ = std::move(tags);
        change = Change();
        status = "FAILED";
        error = applied.error().message;
      }
    }
    doc["State"] = "READY";
    doc["CrawlElapsedTime"] = 0;
    JsonObject last{{"Status", status},
                    {"LogGroup", kLogGroup},
                    {"LogStream", name},
                    {"MessagePrefix", crawlId},
                    {"StartTime", epochSeconds(TimePoint(std::chrono::milliseconds(startMs)))}};
    if (!error.empty()) last["ErrorMessage"] = error;
    doc["LastCrawl"] = std::move(last);
    JsonArray runtimes;
    if (const Json* r = doc.if_contains("_Runtimes"); r && r->is_array()) runtimes = r->as_array();
    if (status == "SUCCEEDED") {
      runtimes.push_back(double(elapsedMs) / 1000.0);
      if (runtimes.size() > kRuntimesKept) runtimes.erase(runtimes.begin());
      doc["_Runtimes"] = std::move(runtimes);
      doc["_Counts"] = JsonObject{{"TablesCreated", counts.tablesCreated},
                                  {"TablesUpdated", counts.tablesUpdated},
                                  {"TablesDeleted", counts.tablesDeleted}};
    }
    doc.erase("_CrawlId");
    doc.erase("_StartMs");
    change.batch.put("glue_crawlers", scope, name, doc);
    JsonObject crawl{
        {"CrawlId", crawlId},
        {"State", status},
        {"StartTime", epochSeconds(TimePoint(std::chrono::milliseconds(startMs)))},
        {"EndTime", epochSeconds(now)},
        {"Summary", summaryOf(counts.tablesCreated, counts.tablesUpdated, counts.tablesDeleted,
                              counts.partitionsCreated, counts.partitionsDeleted)},
        {"LogGroup", kLogGroup},
        {"LogStream", name},
        {"MessagePrefix", crawlId},
        {"DPUHour", 0.0}};
    if (!error.empty()) crawl["ErrorMessage"] = error;
    putCrawl(change.batch, scope, name, crawl, startMs);
    if (status == "FAILED") log.push_back("ERROR : " + error);
    log.push_back("BENCHMARK : Crawler has finished running and is in state READY (" + status +
                  ")");
    for (auto& l : log) l = "[" + crawlId + "] " + l;
    auto n = [](int v) { return std::to_string(v); };
    event =
        JsonObject{{"crawlerName", name},
                   {"state", status == "SUCCEEDED" ? "Succeeded"
                             : status == "FAILED"  ? "Failed"
                                                   : "Cancelled"},
                   {"message", status == "SUCCEEDED" ? "Crawler Succeeded"
                               : status == "FAILED"  ? "Crawler Failed"
                                                     : "Crawler Cancelled"},
                   {"accountId", scope.account},
                   {"completionDate", formatIso8601(now)},
                   {"runningTime (sec)", std::to_string(elapsedMs / 1000)},
                   {"tablesCreated", n(counts.tablesCreated)},
                   {"tablesUpdated", n(counts.tablesUpdated)},
                   {"tablesDeleted", n(counts.tablesDeleted)},
                   {"partitionsCreated", n(counts.partitionsCreated)},
                   {"partitionsUpdated", n(counts.partitionsUpdated)},
                   {"partitionsDeleted", n(counts.partitionsDeleted)},
                   {"warningMessage", "N/A"},
                   {"cloudWatchLogLink",
                    std::string("https://console.aws.amazon.com/cloudwatch/home?region=") +
                        scope.region + "#logEventViewer:group=" + kLogGroup + ";stream=" + name}};
    if (!error.empty()) event["errorMessage"] = error;
    Json finished = std::move(**c);
    **c = std::move(running);
    // Until the end is stored and shown, the crawl is the server's work:
    // settling and clock advances wait for it.
    loop_.beginJob();
    docs_.commit(
        std::move(change.batch),
        [this, scope, name, crawlId, finished = std::move(finished), log = std::move(log),
         event = std::move(event), consumed = std::move(outcome.consumed)](Result<void>) mutable {
          loop_.post([this, scope, name, crawlId, finished = std::move(finished),
                      log = std::move(log), event = std::move(event),
                      consumed = std::move(consumed)]() mutable {
            {
              std::lock_guard lock(mu_);
              auto c = crawler(scope, name);
              const Json* id = c ? (*c)->as_object().if_contains("_CrawlId") : nullptr;
              bool current = id && id->is_string() && id->get_string() == crawlId;
              if (current) **c = std::move(finished);
              loop_.endJob();
              if (!current) return;
            }
            if (event.at("state") == "Succeeded") {
              for (const auto& q : consumed) deleteConsumed(registry_, scope, q);
            }
            crawlerLog(scope, name, std::move(log));
            crawlerEvent(scope, event);
          });
        });
  }
}

Result<Change> GlueService::stopCrawler(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  JsonObject& doc = (*c)->as_object();
  if (doc.at("State") == "READY") {
    return AwsError{"CrawlerNotRunningException", "Crawler with name " + *name + " isn't running.",
                    400};
  }
  if (doc.at("State") == "STOPPING") {
    return AwsError{"CrawlerStoppingException", "Crawler with name " + *name + " is stopping.",
                    400};
  }
  doc["State"] = "STOPPING";
  if (auto it = running_.find(runningKey(ctx.scope, *name)); it != running_.end()) {
    it->second->cancel();
  }
  Change change;
  change.batch.put("glue_crawlers", ctx.scope, *name, doc);
  return change;
}

Result<Change> GlueService::getCrawlerMetrics(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  std::vector<std::string> names;
  const Json* list = Input(in).get("CrawlerNameList");
  auto& crawlers = crawlers_[scopeKey(ctx.scope)];
  if (list && list->is_array() && !list->as_array().empty()) {
    if (list->as_array().size() > 100)
      return invalidInput("CrawlerNameList takes at most 100 names.");
    for (const Json& n : list->as_array()) {
      if (n.is_string() && crawlers.count(std::string(n.get_string())))
        names.emplace_back(n.get_string());
    }
    std::sort(names.begin(), names.end());
  } else {
    for (const auto& [n, _] : crawlers) names.push_back(n);
  }
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& name : names) {
    if (!page->after.empty() && name <= page->after) continue;
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    const JsonObject& doc = crawlers.at(name).as_object();
    std::vector<double> runtimes;
    if (const Json* r = doc.if_contains("_Runtimes"); r && r->is_array()) {
      for (const Json& v : r->as_array()) runtimes.push_back(v.to_number<double>());
    }
    double lastRuntime = runtimes.empty() ? 0 : runtimes.back();
    double median = 0;
    if (!runtimes.empty()) {
      std::sort(runtimes.begin(), runtimes.end());
      size_t m = runtimes.size() / 2;
      median = runtimes.size() % 2 ? runtimes[m] : (runtimes[m - 1] + runtimes[m]) / 2;
    }
    bool running = doc.at("State") != "READY";
    JsonObject metrics{{"CrawlerName", name},
                       {"TimeLeftSeconds", running ? std::max(0.0, median) : 0.0},
                       {"StillEstimating", running && runtimes.empty()},
                       {"LastRuntimeSeconds", lastRuntime},
                       {"MedianRuntimeSeconds", median},
                       {"TablesCreated", 0},
                       {"TablesUpdated", 0},
                       {"TablesDeleted", 0}};
    if (const Json* c = doc.if_contains("_Counts"); c && c->is_object()) {
      for (const auto& kv : c->as_object()) metrics[kv.key()] = kv.value();
    }
    out.push_back(std::move(metrics));
    last = name;
  }
  JsonObject r{{"CrawlerMetricsList", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::listCrawls(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("CrawlerName");
  if (!name) return name.error();
  if (auto c = crawler(ctx.scope, *name); !c) return c.error();
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  if (!docs_.store()) return AwsError::internal("crawl history needs a data directory");
  auto lease = docs_.store()->readers().acquire();
  if (!lease) return lease.takeError();
  // Newest first; the token is the last crawl's "start_ms/crawl_id".
  auto st = lease->db().prepare(
      "SELECT start_ms, crawl_id, doc FROM glue_crawls WHERE account = ? AND region = ? AND "
      "crawler = ? ORDER BY start_ms DESC, crawl_id DESC");
  if (!st) return st.takeError();
  st->bindAll(ctx.scope.account, ctx.scope.region, *name);
  JsonArray out;
  bool skipping = !page->after.empty();
  std::string last;
  bool more = false;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    std::string key = std::to_string(st->columnInt(0)) + "/" + std::string(st->columnText(1));
    if (skipping) {
      skipping = key != page->after;
      continue;
    }
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    auto doc = parseJson(st->columnText(2));
    if (!doc) return AwsError::internal("corrupt crawl in glue_crawls");
    out.push_back(std::move(*doc));
    last = key;
  }
  JsonObject r{{"Crawls", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

void GlueService::crawlerEvent(const Scope& scope, const JsonObject& detail) {
  std::string name(detail.at("crawlerName").as_string());
  publishEvent(
      registry_, scope, "aws.glue", "Glue Crawler State Change", detail,
      JsonArray{"arn:aws:glue:" + scope.region + ":" + scope.account + ":crawler/" + name});
}

void GlueService::crawlerLog(const Scope& scope, const std::string& crawler,
                             std::vector<std::string> lines) {
  if (!registry_.has("logs", "PutLogEvents") || lines.empty()) return;
  CallContext ctx;
  ctx.scope = scope;
  auto ignore = [](Result<Json>) {};
  // Logs apply calls in order: the group and stream exist by the time the
  // events arrive ("already exists" answers are expected).
  registry_.call("logs", "CreateLogGroup", JsonObject{{"logGroupName", kLogGroup}}, ctx, ignore);
  registry_.call("logs", "CreateLogStream",
                 JsonObject{{"logGroupName", kLogGroup}, {"logStreamName", crawler}}, ctx, ignore);
  JsonArray events;
  int64_t now = epochMs(clock_.now());
  for (auto& l : lines) events.push_back(JsonObject{{"timestamp", now}, {"message", std::move(l)}});
  registry_.call("logs", "PutLogEvents",
                 JsonObject{{"logGroupName", kLogGroup},
                            {"logStreamName", crawler},
                            {"logEvents", std::move(events)}},
                 ctx, ignore);
}

void GlueService::recoverCrawls() {
  DocumentBatch batch;
  for (auto& [key, crawlers] : crawlers_) {
    for (auto& [name, doc] : crawlers) {
      JsonObject& o = doc.as_object();
      if (o.at("State") == "READY") continue;
      Scope scope{key.substr(0, key.find('/')), key.substr(key.find('/') + 1)};
      std::string crawlId =
          o.contains("_CrawlId") ? std::string(o.at("_CrawlId").as_string()) : ids_.uuid();
      int64_t startMs =
          o.contains("_StartMs") ? o.at("_StartMs").to_number<int64_t>() : epochMs(clock_.now());
      std::string why =
          "The crawl was cut short by a restart of the server; it wrote nothing to the catalog.";
      o["State"] = "READY";
      o["LastCrawl"] =
          JsonObject{{"Status", "FAILED"},
                     {"ErrorMessage", why},
                     {"LogGroup", kLogGroup},
                     {"LogStream", name},
                     {"MessagePrefix", crawlId},
                     {"StartTime", epochSeconds(TimePoint(std::chrono::milliseconds(startMs)))}};
      o.erase("_CrawlId");
      o.erase("_StartMs");
      batch.put("glue_crawlers", scope, name, doc);
      putCrawl(
          batch, scope, name,
          JsonObject{{"CrawlId", crawlId},
                     {"State", "FAILED"},
                     {"StartTime", epochSeconds(TimePoint(std::chrono::milliseconds(startMs)))},
                     {"EndTime", epochSeconds(clock_.now())},
                     {"ErrorMessage", why},
                     {"LogGroup", kLogGroup},
                     {"LogStream", name},
                     {"MessagePrefix", crawlId},
                     {"DPUHour", 0.0}},
          startMs);
    }
  }
  if (!batch.empty()) docs_.commit(std::move(batch), [](Result<void>) {});
}

}  // namespace sluice::services::glue
