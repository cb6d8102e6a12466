#include "lake/lake_engine.hpp"

namespace sluice::lake {

namespace fs = std::filesystem;

void LakeCancel::cancel() {
  cancelled_ = true;
  std::lock_guard lock(mu_);
  if (running_) running_->interrupt();
}

void LakeCancel::attach(DuckConnection* con) {
  std::lock_guard lock(mu_);
  running_ = con;
  if (con && cancelled_) con->interrupt();
}

LakeEngine::LakeEngine(ObjectSource& objects, LakeOptions options)
    : objects_(objects), options_(std::move(options)) {
  // Snapshots and spill files of a process that died: nothing refers to them.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.workDir, ec)) {
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

LakeEngine::~LakeEngine() {
  idle_.clear();  // connections before their database
  db_.reset();
}

LakeEngine::Lease::~Lease() {
  if (con_) engine_.giveBack(std::move(con_));
}

void LakeEngine::giveBack(std::unique_ptr<DuckConnection> con) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(con));
    --leased_;
  }
  freed_.notify_one();
}

Result<LakeEngine::Lease> LakeEngine::connection() {
  std::unique_lock lock(mu_);
  if (!db_) {
    std::error_code ec;
    fs::path spill = options_.workDir / "duckdb-spill";
    fs::create_directories(spill, ec);
    DuckDbOptions duck;
    duck.memoryLimit = options_.memoryLimit;
    duck.threads = options_.threads;
    duck.tempDirectory = spill.string();
    auto db = DuckDatabase::open(duck);
    if (!db) return db.error();
    db_ = std::move(*db);
  }
  freed_.wait(lock, [this] { return leased_ < options_.maxConnections; });
  std::unique_ptr<DuckConnection> con;
  if (!idle_.empty()) {
    con = std::move(idle_.back());
    idle_.pop_back();
  } else {
    auto fresh = db_->connect();
    if (!fresh) return fresh.error();
    con = std::move(*fresh);
  }
  ++leased_;
  return Lease(*this, std::move(con));
}

Result<ObjectSnapshot> LakeEngine::snapshot(const Scope& scope,
                                            const std::vector<std::string>& uris) {
  return ObjectSnapshot::take(objects_, scope, uris, options_.workDir / "snapshots");
}

}  // namespace sluice::lake
