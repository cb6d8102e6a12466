// Crawler schedules: UpdateCrawlerSchedule, StartCrawlerSchedule,
// StopCrawlerSchedule, and the firing itself. A SCHEDULED crawler's cron
// expression (UTC) fires on the server's clock and starts a crawl; a firing
// that finds the crawler running is skipped, and firings missed while the
// server was down are not made up, as on AWS.
#include "services/common/input.hpp"
#include "services/common/schedule_expression.hpp"
#include "services/common/time_zone.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

std::string scheduleKey(const Scope& scope, const std::string& name) {
  return scopeKey(scope) + "/" + name;
}

}  // namespace

// Under mu_ (or before the service is shared).
void GlueService::armSchedule(const Scope& scope, const std::string& name) {
  uint64_t generation = ++scheduleGenerations_[scheduleKey(scope, name)];
  loop_.post([this, scope, name, generation] {
    std::optional<TimePoint> next;
    {
      std::lock_guard lock(mu_);
      if (scheduleGenerations_[scheduleKey(scope, name)] != generation) return;
      auto c = crawler(scope, name);
      if (!c) return;
      const Json* schedule = (*c)->as_object().if_contains("Schedule");
      if (!schedule || schedule->as_object().at("State") != "SCHEDULED") return;
      auto parsed = ScheduleExpression::parse(
          schedule->as_object().at("ScheduleExpression").as_string(), false, "");
      if (!parsed) return;
      TimePoint now = loop_.now();
      next = parsed->nextAfter(now, now, *TimeZone::utc());
    }
    if (!next) return;
    loop_.schedule(*next,
                   [this, scope, name, generation] { fireSchedule(scope, name, generation); });
  });
}

void GlueService::fireSchedule(const Scope& scope, const std::string& name, uint64_t generation) {
  std::lock_guard lock(mu_);
  if (scheduleGenerations_[scheduleKey(scope, name)] != generation) return;
  auto c = crawler(scope, name);
  if (!c) return;
  if ((*c)->as_object().at("State") == "READY") {
    auto started = beginCrawl(scope, name);
    if (started) docs_.commit(std::move(started->batch), [](Result<void>) {});
  }
  armSchedule(scope, name);  // the next firing
}

Result<Change> GlueService::updateCrawlerSchedule(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("CrawlerName");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  auto expression = Input(in).optionalString("Schedule");
  if (!expression) return expression.error();
  JsonObject& doc = (*c)->as_object();
  if (!*expression || (*expression)->empty()) {
    doc.erase("Schedule");
  } else {
    auto parsed = ScheduleExpression::parse(**expression, false, "");
    if (!parsed || parsed->kind() != ScheduleExpression::Kind::Cron) {
      return invalidInput("Schedule expression is invalid: " + **expression);
    }
    std::string state = "SCHEDULED";
    if (const Json* s = doc.if_contains("Schedule")) {
      state = std::string(s->as_object().at("State").as_string());
    }
    doc["Schedule"] = JsonObject{{"ScheduleExpression", **expression}, {"State", state}};
  }
  doc["LastUpdated"] = epochSeconds(clock_.now());
  Change change;
  change.batch.put("glue_crawlers", ctx.scope, *name, doc);
  armSchedule(ctx.scope, *name);
  return change;
}

Result<Change> GlueService::startCrawlerSchedule(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("CrawlerName");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  JsonObject& doc = (*c)->as_object();
  Json* schedule = doc.if_contains("Schedule");
  if (!schedule) {
    return AwsError{"NoScheduleException", "No schedule exists for crawler " + *name, 400};
  }
  if (schedule->as_object().at("State") == "SCHEDULED") {
    return AwsError{"SchedulerRunningException",
                    "The schedule of crawler " + *name + " is already running", 400};
  }
  schedule->as_object()["State"] = "SCHEDULED";
  Change change;
  change.batch.put("glue_crawlers", ctx.scope, *name, doc);
  armSchedule(ctx.scope, *name);
  return change;
}

Result<Change> GlueService::stopCrawlerSchedule(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("CrawlerName");
  if (!name) return name.error();
  auto c = crawler(ctx.scope, *name);
  if (!c) return c.error();
  JsonObject& doc = (*c)->as_object();
  Json* schedule = doc.if_contains("Schedule");
  if (!schedule || schedule->as_object().at("State") != "SCHEDULED") {
    return AwsError{"SchedulerNotRunningException",
                    "The schedule of crawler " + *name + " is not running", 400};
  }
  schedule->as_object()["State"] = "NOT_SCHEDULED";
  Change change;
  change.batch.put("glue_crawlers", ctx.scope, *name, doc);
  ++scheduleGenerations_[scheduleKey(ctx.scope, *name)];  // outdates the armed timer
  return change;
}

}  // namespace sluice::services::glue
