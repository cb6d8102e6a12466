// Deliveries in flight, kept durable so that an acknowledged Publish or
// PutEvents survives kill -9 (AWS answers only once the message is stored).
//
// A service owns one table of (id TEXT PRIMARY KEY, doc TEXT) rows in its
// store component. It adds the rows for a call's deliveries and answers the
// call after their commit; it marks each row finished once the row's
// deliveries are done (delivered, dead-lettered or given up), and on start it
// scans what is left and delivers it again — at-least-once, as on AWS.
//
// Finishing is off the hot path's critical section: finished ids are deleted
// in coalesced batches (one work item at a time, taking every id finished
// while the previous one committed). Without a store everything completes at
// once and nothing is kept.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services {

class PendingDeliveries {
 public:
  struct Row {
    std::string id;
    std::string doc;
  };
  using Done = std::function<void(Result<void>)>;

  // `table` must be a compile-time table name (it is spliced into SQL).
  PendingDeliveries(store::sqlite::SqliteStore* store, std::string_view table);

  bool durable() const { return state_->store != nullptr; }
  // Stores `rows`; `done` runs after the commit (on the writer thread), or at
  // once without a store or rows.
  void add(std::vector<Row> rows, Done done);
  // Stores `rows` inside a write item that is already running (they commit
  // with whatever else the item writes, e.g. the S3 object write that caused
  // them). Not thread-bound: the item's Database is the caller's.
  Result<void> insert(store::sqlite::Database& db, const std::vector<Row>& rows) const;
  // Thread-safe: the row's deliveries are over; it is deleted soon.
  void finish(std::string id);
  // Every row left (start-up), in the order they were added (FIFO topics
  // resume in publish order).
  Result<std::vector<Row>> scan() const;

 private:
  struct State {
    store::sqlite::SqliteStore* store;
    std::string insertSql, deleteSql, selectSql;
    std::mutex mu;
    std::vector<std::string> finished;  // waiting for the next delete item
    bool deleting = false;              // a delete item is queued or running
  };
  static Result<void> insertRows(const std::string& sql, store::sqlite::Database& db,
                                 const std::vector<Row>& rows);
  // Deletes `ids` in one work item; its completion takes whatever finished
  // meanwhile. Only the caller that set `deleting` calls it.
  static void deleteBatch(std::shared_ptr<State> state, std::vector<std::string> ids);

  // Shared with the writer's completions, which may outlive the service.
  std::shared_ptr<State> state_;
};

}  // namespace sluice::services
