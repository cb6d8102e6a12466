#include "store/sqlite/checkpointer.hpp"

#include <sqlite3.h>

namespace sluice::store::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::filesystem::path& path,
                                                          const OpenOptions& options,
                                                          std::chrono::milliseconds period) {
  OpenOptions o = options;
  o.readOnly = false;
  auto db = Database::open(path, o);
  if (!db) return db.takeError();
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(db).value(), period));
}

Checkpointer::Checkpointer(Database db, std::chrono::milliseconds period)
    : db_(std::move(db)), period_(period) {
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Checkpointer::run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    // Best effort: a busy or failed checkpoint is simply tried again later.
    sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace sluice::store::sqlite
