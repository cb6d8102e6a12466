#include "lake/lake_engine.hpp"

#include <unistd.h>

#include "lake/trino_functions.hpp"

namespace sluice::lake {

namespace fs = std::filesystem;

void LakeCancel::cancel() {
  cancelled_ = true;
  std::lock_guard lock(mu_);
  if (running_) running_->interrupt();
}

bool LakeCancel::attach(DuckConnection* con) {
  std::lock_guard lock(mu_);
  running_ = con;
  return !cancelled_;
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
  {
    std::lock_guard lock(trashMu_);
    stopping_ = true;
  }
  trashCv_.notify_all();
  if (cleaner_.joinable()) cleaner_.join();
  idle_.clear();  // connections before their database
  db_.reset();
}

void LakeEngine::clean() {
  std::unique_lock lock(trashMu_);
  for (;;) {
    trashCv_.wait(lock, [this] { return stopping_ || !trash_.empty(); });
    auto batch = std::move(trash_);
    trash_.clear();
    lock.unlock();
    for (const auto& dir : batch) {
      std::error_code ec;
      fs::remove_all(dir, ec);  // links and written-out copies only
    }
    lock.lock();
    if (stopping_ && trash_.empty()) return;
  }
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
    // Every connection speaks Trino's semantics where a setting or a macro
    // gives them (the Athena translation calls the macros).
    if (auto session = startTrinoSession(**fresh); !session) return session.error();
    con = std::move(*fresh);
  }
  ++leased_;
  return Lease(*this, std::move(con));
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<ScratchDir> LakeEngine::scratch() {
  std::error_code ec;
  fs::path base = options_.workDir / "scratch";
  fs::create_directories(base, ec);
  std::string tmpl = (base / "out-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) {
    return AwsError::internal("lake: cannot create a scratch directory under " + base.string());
  }
  return ScratchDir(tmpl);
}

Result<ObjectSnapshot> LakeEngine::snapshot(const Scope& scope,
                                            const std::vector<std::string>& uris,
                                            const ObjectSnapshot::Inspector& inspect) {
  auto snap = ObjectSnapshot::take(objects_, scope, uris, options_.workDir / "snapshots", inspect);
  if (!snap) return snap;
  snap->disposeWith([this](fs::path dir) {
    std::lock_guard lock(trashMu_);
    if (!cleaner_.joinable()) cleaner_ = std::thread([this] { clean(); });
    trash_.push_back(std::move(dir));
    trashCv_.notify_one();
  });
  return snap;
}

}  // namespace sluice::lake
