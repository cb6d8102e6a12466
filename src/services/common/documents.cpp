#include "services/common/documents.hpp"

namespace sluice::services {

using store::sqlite::Database;

void DocumentBatch::put(std::string_view table, const Scope& scope, std::string key,
                        const Json& doc) {
  std::string sql = "INSERT OR REPLACE INTO " + std::string(table) +
                    "(account, region, key, doc) VALUES (?, ?, ?, ?)";
  steps_.push_back([sql = std::move(sql), account = scope.account, region = scope.region,
                    key = std::move(key), text = toJsonText(doc)](Database& db) -> Result<void> {
    auto st = db.prepare(sql);
    if (!st) return st.takeError();
    return st->bindAll(account, region, key, text).run();
  });
}

void DocumentBatch::erase(std::string_view table, const Scope& scope, std::string key) {
  std::string sql =
      "DELETE FROM " + std::string(table) + " WHERE account = ? AND region = ? AND key = ?";
  steps_.push_back([sql = std::move(sql), account = scope.account, region = scope.region,
                    key = std::move(key)](Database& db) -> Result<void> {
    auto st = db.prepare(sql);
    if (!st) return st.takeError();
    return st->bindAll(account, region, key).run();
  });
}

void DocumentBatch::sql(std::function<Result<void>(Database&)> work) {
  steps_.push_back(std::move(work));
}

void DocumentStore::commit(DocumentBatch batch, std::function<void(Result<void>)> done) {
  if (!store_ || batch.empty()) return done(Result<void>());
  store_->writer().submit(
      [steps = std::move(batch.steps_)](Database& db) -> Result<void> {
        for (const auto& step : steps) {
          if (auto r = step(db); !r) return r;
        }
        return {};
      },
      std::move(done));
}

void DocumentStore::commitThenReply(DocumentBatch batch, Json response, Reply reply) {
  commit(std::move(batch),
         [response = std::move(response), reply = std::move(reply)](Result<void> r) mutable {
           if (!r) return reply(r.error());
           reply(std::move(response));
         });
}

Result<void> DocumentStore::scan(
    std::string_view table,
    const std::function<void(const Scope&, const std::string& key, Json doc)>& fn) {
  if (!store_) return {};
  auto lease = store_->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare("SELECT account, region, key, doc FROM " + std::string(table) +
                                " ORDER BY account, region, key");
  if (!st) return st.takeError();
  while (true) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    Scope scope;
    scope.account = std::string(st->columnText(0));
    scope.region = std::string(st->columnText(1));
    std::string key(st->columnText(2));
    auto doc = parseJson(st->columnText(3));
    if (!doc) return AwsError::internal("corrupt document in " + std::string(table) + ": " + key);
    fn(scope, key, std::move(*doc));
  }
  return {};
}

void runLocked(std::mutex& mu, DocumentStore& docs, const std::function<Result<Change>()>& op,
               Reply reply) {
  std::unique_lock lock(mu);
  auto change = op();
  if (!change) {
    lock.unlock();
    return reply(change.takeError());
  }
  if (!docs.durable() || change->batch.empty()) {
    lock.unlock();
    return reply(std::move(change->response));
  }
  docs.commitThenReply(std::move(change->batch), std::move(change->response), std::move(reply));
}

std::string scopeKey(const Scope& scope) {
  return scope.account + "/" + scope.region;
}

}  // namespace sluice::services
