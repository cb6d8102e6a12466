#include "services/lambda/async_events.hpp"

namespace sluice::services::lambda {

using store::sqlite::Database;

void storeAsyncEvent(DocumentBatch& batch, const AsyncEvent& e) {
  batch.sql([e](Database& db) {
    return store::sqlite::runStatement(
        db,
        "INSERT OR REPLACE INTO lambda_async_events(request_id, account, region, function, "
        "qualifier, payload, attempts, throttles, first_at, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.requestId, e.scope.account, e.scope.region, e.function, e.qualifier, e.payload,
        e.attempts, e.throttles, e.firstAt.time_since_epoch().count(),
        e.dueAt.time_since_epoch().count());
  });
}

void eraseAsyncEvent(DocumentBatch& batch, const std::string& requestId) {
  batch.sql([requestId](Database& db) {
    return store::sqlite::runStatement(db, "DELETE FROM lambda_async_events WHERE request_id = ?",
                                       requestId);
  });
}

Result<void> scanAsyncEvents(const DocumentStore& docs, const std::function<void(AsyncEvent)>& fn) {
  if (!docs.store()) return {};
  auto lease = docs.store()->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT request_id, account, region, function, qualifier, payload, attempts, throttles, "
      "first_at, due_at FROM lambda_async_events ORDER BY due_at");
  if (!st) return st.takeError();
  while (true) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return {};
    AsyncEvent e;
    e.requestId = st->columnText(0);
    e.scope.account = st->columnText(1);
    e.scope.region = st->columnText(2);
    e.function = st->columnText(3);
    e.qualifier = st->columnText(4);
    e.payload = st->columnText(5);
    e.attempts = st->columnInt(6);
    e.throttles = st->columnInt(7);
    e.firstAt = TimePoint(Duration(st->columnInt(8)));
    e.dueAt = TimePoint(Duration(st->columnInt(9)));
    fn(std::move(e));
  }
}

}  // namespace sluice::services::lambda
