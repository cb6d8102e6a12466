// Closed executions expire: AWS keeps a Standard execution's history for 90
// days after it closes, then it can no longer be described, listed or read
// (and its name can be used again). Every hour on the server's clock the
// executions closed longer ago than the retention are deleted from the
// store with their history, a bounded batch at a time.
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

constexpr Duration kSweepPeriod = std::chrono::hours(1);
constexpr int64_t kSweepBatch = 1000;

}  // namespace

void StatesService::keepClosedExecutionsFor(Duration retention) {
  retention_ = retention;
  if (!store_) return;  // without a store nothing outlives the process
  engine_.loop.post([this] { armRetentionSweep(kSweepPeriod); });
}

void StatesService::armRetentionSweep(Duration after) {
  engine_.loop.schedule(clock_.now() + after, [this] { sweepClosedExecutions(); });
}

void StatesService::sweepClosedExecutions() {
  int64_t cutoff = toEpochMicros(clock_.now() - retention_);
  std::vector<std::string> arns;
  if (auto lease = store_->readers().acquire()) {
    auto st = lease->db().prepare(
        "SELECT arn FROM states_executions WHERE result IS NOT NULL AND "
        "json_extract(result, '$.stopTime') < ? AND status NOT IN ('RUNNING', "
        "'PENDING_REDRIVE') LIMIT ?");
    if (st) {
      st->bindAll(cutoff, kSweepBatch);
      while (auto row = st->step()) {
        if (!*row) break;
        arns.emplace_back(st->columnText(0));
      }
    }
  }
  for (const auto& arn : arns) {
    if (auto it = executions_.find(arn); it != executions_.end()) {
      if (!it->second.execution->done()) continue;
      it->second.execution->onProgress({});
      executions_.erase(it);
    }
  }
  if (arns.empty()) return armRetentionSweep(kSweepPeriod);
  store_->writer().submit(
      [arns](store::sqlite::Database& db) -> Result<void> {
        for (const auto& arn : arns) {
          if (auto r =
                  store::sqlite::runStatement(db, "DELETE FROM states_history WHERE arn = ?", arn);
              !r) {
            return r;
          }
          if (auto r = store::sqlite::runStatement(
                  db, "DELETE FROM states_executions WHERE arn = ?", arn);
              !r) {
            return r;
          }
        }
        return {};
      },
      [this, more = static_cast<int64_t>(arns.size()) == kSweepBatch](Result<void>) {
        // A full batch: the next one right after this, else in an hour.
        engine_.loop.post(
            [this, more] { armRetentionSweep(more ? Duration::zero() : kSweepPeriod); });
      });
}

}  // namespace sluice::services::states
