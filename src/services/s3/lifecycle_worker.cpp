// Running lifecycle rules: a timer at every midnight UTC on the engine loop
// (S3 evaluates rules once a day, and due dates are midnights) starts a pass
// over every bucket with a configuration (what is due: lifecycle_plan.hpp).
// The same pass moves INTELLIGENT_TIERING versions into the archive access
// tiers of the bucket's Intelligent-Tiering configurations
// (tiering_rules.hpp), for the versions lifecycle does not change.
//
// A pass is a chain of short steps posted to the loop, not one long task: a
// step reads one page of versions, plans their changes and commits them in
// ONE transaction (one fsync for up to kPage changes) together with the
// bucket events of the changes that applied (notification_outbox.hpp),
// delivers those events after the commit, hands the orphaned files to S3's workers to unlink
// (slow on a busy disk, and nothing waits for it) and posts the next step.
// Whatever else was posted meanwhile (other services' calls, timers) runs
// between steps, so a big pass never stalls the loop for more than a step;
// and since the next step is always queued, a virtual-clock advance finishes
// the pass before moving on. A crash mid-pass loses nothing acknowledged:
// committed steps stay done and their events are delivered at start-up, the
// next pass redoes the rest (with their events), and the start-up sweep
// removes files whose unlink never ran.
#include <boost/asio/post.hpp>
#include <iostream>
#include <set>

#include "services/s3/lifecycle_plan.hpp"
#include "services/s3/s3_service.hpp"
#include "services/s3/tiering_rules.hpp"

namespace sluice::services::s3 {

namespace {

// Versions read, and so at most changes committed, per step.
constexpr size_t kPage = 500;

void logError(const AwsError& e) {
  std::cerr << "s3 lifecycle: " << e.message << "\n";
}

// The bucket's enabled rules (none without a valid configuration).
std::vector<LifecycleRule> enabledRules(const BucketRecord& b) {
  std::vector<LifecycleRule> rules;
  const Json* config = b.config.as_object().if_contains("Lifecycle");
  if (!config || !config->is_object()) return rules;
  auto parsed = parseLifecycle(*config, [] { return std::string(); });
  if (!parsed) return rules;
  for (auto& r : *parsed) {
    if (r.enabled) rules.push_back(std::move(r));
  }
  return rules;
}

// The bucket's valid Intelligent-Tiering configurations, Enabled ones only.
std::vector<TieringConfig> enabledTiering(const BucketRecord& b) {
  std::vector<TieringConfig> configs;
  const Json* all = b.config.as_object().if_contains("IntelligentTiering");
  if (!all || !all->is_object()) return configs;
  for (const auto& kv : all->as_object()) {
    auto c = parseTieringConfig(kv.value());
    if (c && c->enabled) configs.push_back(std::move(*c));
  }
  return configs;
}

}  // namespace

struct S3Service::LifecyclePass {
  TimePoint now;
  std::vector<BucketRecord> buckets;
  size_t bucket = 0;  // index into buckets
  std::vector<LifecycleRule> rules;
  std::vector<TieringConfig> tiering;
  bool started = false;  // `rules` and the cursor are for `bucket`
  // Versions come by key, newest first; a key's versions may span pages.
  std::string key;
  int64_t seq = -1;
  bool firstPage = true;
  std::vector<ObjectRecord> group;
};

void S3Service::armLifecycle() {
  loop_.post([this] {
    loop_.schedule(nextMidnight(loop_.now()), [this] {
      armLifecycle();
      runLifecycle(loop_.now());
    });
  });
}

void S3Service::runLifecycle(TimePoint now) {
  auto pass = std::make_shared<LifecyclePass>();
  pass->now = now;
  auto buckets = meta_->buckets();
  if (!buckets) return logError(buckets.error());
  pass->buckets = std::move(*buckets);
  loop_.post([this, pass] { lifecycleStep(pass); });
}

void S3Service::lifecycleStep(const std::shared_ptr<LifecyclePass>& pass) {
  LifecyclePass& p = *pass;
  // Skip to a bucket with rules.
  while (!p.started && p.bucket < p.buckets.size()) {
    p.rules = enabledRules(p.buckets[p.bucket]);
    p.tiering = enabledTiering(p.buckets[p.bucket]);
    if (p.rules.empty() && p.tiering.empty()) {
      ++p.bucket;
      continue;
    }
    p.started = true;
    p.key.clear();
    p.seq = -1;
    p.firstPage = true;
    p.group.clear();
  }
  if (p.bucket >= p.buckets.size()) return;  // the pass is over
  const BucketRecord& b = p.buckets[p.bucket];
  std::vector<LifecycleChange> changes;
  std::vector<TieringMove> moves;
  auto versionId = [this] { return newVersionId(); };
  // Lifecycle first; Intelligent-Tiering for the versions it leaves alone.
  auto planGroup = [&] {
    const size_t before = changes.size();
    planKeyLifecycle(b, p.rules, p.group, p.now, versionId, changes);
    std::set<std::string> changed;
    for (size_t i = before; i < changes.size(); ++i) changed.insert(changes[i].object.versionId);
    if (!p.tiering.empty()) planTiering(p.tiering, p.group, changed, p.now, moves);
    p.group.clear();
  };
  auto page = meta_->listVersions(b.name, "", p.key, p.seq, p.firstPage, kPage);
  if (!page) return logError(page.error());
  p.firstPage = false;
  for (auto& v : *page) {
    if (!p.group.empty() && p.group.front().key != v.key) planGroup();
    p.key = v.key;
    p.seq = v.seq;
    p.group.push_back(std::move(v));
  }
  if (page->size() < kPage) {  // the bucket's last page: its last key, then its uploads
    planGroup();
    auto uploads = meta_->uploads(b.name);
    if (!uploads) return logError(uploads.error());
    planUploadLifecycle(p.rules, *uploads, p.now, changes);
    p.started = false;
    ++p.bucket;
  }
  if (!changes.empty()) {
    Outgoing events;
    LifecycleHook hook;
    if (outbox_ && NotificationOutbox::configured(b)) {
      hook = [&](store::sqlite::Database& db, const std::vector<LifecycleOutcome>& outcomes) {
        std::vector<BucketEvent> happened;
        for (size_t i = 0; i < changes.size(); ++i) {
          auto event = lifecycleEventOf(changes[i], outcomes[i]);
          if (!event.name.empty()) {
            happened.push_back(eventOf(std::move(event.name), event.object, nullptr, b));
          }
        }
        return recordEvents(db, b, happened, events);
      };
    }
    auto outcomes = meta_->applyLifecycle(changes, p.now, hook);
    if (!outcomes) return logError(outcomes.error());
    Orphans orphans;
    for (size_t i = 0; i < changes.size(); ++i) {
      const LifecycleOutcome& o = (*outcomes)[i];
      if (o.error) logError(*o.error);
      orphans.files.insert(orphans.files.end(), o.deleted.orphans.files.begin(),
                           o.deleted.orphans.files.end());
    }
    deliver(std::move(events));
    if (!orphans.files.empty()) {
      boost::asio::post(pool_, [this, orphans = std::move(orphans)] { removeFiles(orphans); });
    }
  }
  if (!moves.empty()) applyTieringMoves(b, moves);
  loop_.post([this, pass] { lifecycleStep(pass); });
}

void S3Service::applyTieringMoves(const BucketRecord& b, const std::vector<TieringMove>& moves) {
  Outgoing events;
  TieringHook hook;
  if (outbox_ && NotificationOutbox::configured(b)) {
    hook = [&](store::sqlite::Database& db, const std::vector<bool>& applied) {
      std::vector<BucketEvent> happened;
      for (size_t i = 0; i < moves.size(); ++i) {
        if (!applied[i]) continue;  // read or changed since the pass read it
        ObjectRecord o = moves[i].object;
        o.attrs.as_object()["AccessTier"] = moves[i].accessTier;
        happened.push_back(eventOf("IntelligentTiering", o, nullptr, b));
      }
      return recordEvents(db, b, happened, events);
    };
  }
  auto applied = meta_->applyTiering(moves, hook);
  if (!applied) return logError(applied.error());
  deliver(std::move(events));
}

}  // namespace sluice::services::s3
