#include "store/sqlite/checkpointer.hpp"

#include <sqlite3.h>

namespace sluice::store::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::filesystem::path& path,
                                                          const OpenOptions& options,
                                                          std::chrono::milliseconds period,
                                                          int64_t walLimitBytes) {
  OpenOptions o = options;
  o.readOnly = false;
  auto db = Database::open(path, o);
  if (!db) return db.takeError();
  int64_t pageSize = 4096;
  if (auto st = db->prepare("PRAGMA page_size"); st) {
    if (auto row = st->step(); row && *row) pageSize = st->columnInt(0);
  }
  return std::unique_ptr<Checkpointer>(
      new Checkpointer(std::move(db).value(), period, walLimitBytes, pageSize));
}

Checkpointer::Checkpointer(Database db, std::chrono::milliseconds period, int64_t walLimitBytes,
                           int64_t pageSize)
    : db_(std::move(db)), period_(period), walLimitBytes_(walLimitBytes), pageSize_(pageSize) {
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
    checkpoint();
    lock.lock();
  }
}

void Checkpointer::checkpoint() {
  std::lock_guard lock(passMu_);  // one pass at a time on the connection
  // Best effort: a busy or failed checkpoint is simply tried again later.
  int frames = 0;
  sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, nullptr);
  if (frames > 0 && frames * pageSize_ > walLimitBytes_) {
    sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  }
}

}  // namespace sluice::store::sqlite
