#include "services/common/pending_deliveries.hpp"

namespace sluice::services {

using store::sqlite::Database;

PendingDeliveries::PendingDeliveries(store::sqlite::SqliteStore* store, std::string_view table)
    : state_(std::make_shared<State>()) {
  std::string t(table);
  state_->store = store;
  state_->insertSql = "INSERT OR REPLACE INTO " + t + "(id, doc) VALUES (?, ?)";
  state_->deleteSql = "DELETE FROM " + t + " WHERE id = ?";
  state_->selectSql = "SELECT id, doc FROM " + t + " ORDER BY rowid";
}

void PendingDeliveries::add(std::vector<Row> rows, Done done) {
  if (!state_->store || rows.empty()) return done(Result<void>());
  state_->store->writer().submit([sql = state_->insertSql, rows = std::move(rows)](
                                     Database& db) { return insertRows(sql, db, rows); },
                                 std::move(done));
}

Result<void> PendingDeliveries::insert(Database& db, const std::vector<Row>& rows) const {
  return insertRows(state_->insertSql, db, rows);
}

Result<void> PendingDeliveries::insertRows(const std::string& sql, Database& db,
                                           const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    auto st = db.prepare(sql);
    if (!st) return st.takeError();
    if (auto r = st->bindAll(row.id, row.doc).run(); !r) return r;
  }
  return {};
}

void PendingDeliveries::finish(std::string id) {
  if (!state_->store) return;
  std::vector<std::string> ids;
  {
    std::lock_guard lock(state_->mu);
    state_->finished.push_back(std::move(id));
    if (state_->deleting) return;  // the running item's completion takes it
    state_->deleting = true;
    ids.swap(state_->finished);
  }
  deleteBatch(state_, std::move(ids));
}

void PendingDeliveries::deleteBatch(std::shared_ptr<State> state, std::vector<std::string> ids) {
  std::string sql = state->deleteSql;
  state->store->writer().submit(
      [sql = std::move(sql), ids = std::move(ids)](Database& db) -> Result<void> {
        for (const std::string& id : ids) {
          auto st = db.prepare(sql);
          if (!st) return st.takeError();
          if (auto r = st->bindAll(id).run(); !r) return r;
        }
        return {};
      },
      [state](Result<void>) {
        // A failed delete only means a redelivery after the next restart.
        std::vector<std::string> next;
        {
          std::lock_guard lock(state->mu);
          if (state->finished.empty()) {
            state->deleting = false;
            return;
          }
          next.swap(state->finished);
        }
        deleteBatch(state, std::move(next));
      });
}

Result<std::vector<PendingDeliveries::Row>> PendingDeliveries::scan() const {
  std::vector<Row> out;
  if (!state_->store) return out;
  auto lease = state_->store->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(state_->selectSql);
  if (!st) return st.takeError();
  while (true) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({std::string(st->columnText(0)), std::string(st->columnText(1))});
  }
  return out;
}

}  // namespace sluice::services
