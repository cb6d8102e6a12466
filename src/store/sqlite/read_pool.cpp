#include "store/sqlite/read_pool.hpp"

#include <algorithm>
#include <utility>

namespace sluice::store::sqlite {

ReadPool::ReadPool(std::filesystem::path path, const OpenOptions& options,
                   std::size_t maxConnections)
    : path_(std::move(path)), options_(options), max_(std::max<std::size_t>(maxConnections, 1)) {
  options_.readOnly = true;
  // Readers never create the file: the writer (or DataDir) does.
  options_.create = false;
}

ReadPool::Lease::~Lease() {
  if (pool_ && db_) pool_->giveBack(std::move(db_));
}

Result<ReadPool::Lease> ReadPool::acquire() {
  {
    std::unique_lock lock(mu_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
    ++open_;  // reserve the slot; open outside the lock
  }
  auto db = Database::open(path_, options_);
  if (!db) {
    std::lock_guard lock(mu_);
    --open_;
    available_.notify_one();
    return db.takeError();
  }
  return Lease(this, std::make_unique<Database>(std::move(db).value()));
}

void ReadPool::giveBack(std::unique_ptr<Database> db) {
  // A lease returned mid-transaction (a snapshot its user forgot to end)
  // would pin an old snapshot for the next user: end it.
  if (db->inTransaction()) (void)db->exec("ROLLBACK");
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(db));
  available_.notify_one();
}

std::size_t ReadPool::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace sluice::store::sqlite
