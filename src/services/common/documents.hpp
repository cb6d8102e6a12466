// Durable service state as JSON documents.
//
// A service keeps its resources in memory (its own maps, under its own lock)
// and writes each changed resource through to a table of documents keyed by
// (account, region, key). The table belongs to the service's store component:
//
//   CREATE TABLE ssm_parameters(account TEXT NOT NULL, region TEXT NOT NULL,
//       key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))
//
// A change is a Batch (puts, erases, and any custom SQL the service needs)
// committed as ONE work item of the group-commit writer; `done` runs after the
// commit, which is where the service acknowledges the request. Submitting
// under the service's lock keeps commits in the order the changes were made.
// Without a store (in-memory mode) batches complete at once.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "services/operation.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services {

class DocumentBatch {
 public:
  // `table` must be a compile-time table name (it is spliced into SQL).
  void put(std::string_view table, const Scope& scope, std::string key, const Json& doc);
  void erase(std::string_view table, const Scope& scope, std::string key);
  // Any other statement(s) the change needs, run in the same transaction.
  void sql(std::function<Result<void>(store::sqlite::Database&)> work);
  // Takes over `other`'s steps, after this batch's own.
  void append(DocumentBatch other) {
    for (auto& step : other.steps_) steps_.push_back(std::move(step));
  }
  bool empty() const { return steps_.empty(); }

 private:
  friend class DocumentStore;
  std::vector<std::function<Result<void>(store::sqlite::Database&)>> steps_;
};

class DocumentStore {
 public:
  explicit DocumentStore(store::sqlite::SqliteStore* store) : store_(store) {}
  bool durable() const { return store_ != nullptr; }

  // Commits `batch`; `done` runs after the commit (on the writer thread), or
  // at once without a store.
  void commit(DocumentBatch batch, std::function<void(Result<void>)> done);
  // Commits, then replies `response` (or the commit's error).
  void commitThenReply(DocumentBatch batch, Json response, Reply reply);

  // Every document of `table` (start-up loading), in key order.
  Result<void> scan(std::string_view table,
                    const std::function<void(const Scope&, const std::string& key, Json doc)>& fn);

  store::sqlite::SqliteStore* store() const { return store_; }

 private:
  store::sqlite::SqliteStore* store_;
};

// What an operation produces: its response and the writes that make it
// durable (none for reads).
struct Change {
  Json response;
  DocumentBatch batch;
  Change(Json r = JsonObject{}) : response(std::move(r)) {}
};

// Runs `op` under `mu`, submits its writes while still holding the lock (so
// commits follow the order of changes) and replies once they are durable.
// Replies never run under the lock: a reply may call back into the service.
void runLocked(std::mutex& mu, DocumentStore& docs, const std::function<Result<Change>()>& op,
               Reply reply);

// The scope of a CallContext as a map key: "account/region".
std::string scopeKey(const Scope& scope);

}  // namespace sluice::services
