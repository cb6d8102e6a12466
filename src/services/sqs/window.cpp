// The window of a queue's messages held in memory. Every message is a row
// of the store; memory holds those in flight and the next ones to deliver,
// at most about kWindow of the latter, so a queue used as a buffer is
// bounded by the disk, not by RAM. Messages past the window wait in the
// store (Queue::spilled, all with seqs from Queue::spillFrom on) and come in
// a page at a time, in seq order, as receives drain the window.
//
// Only this loop writes the rows, and commits follow the order of changes,
// so a page read from the store is a prefix of the spilled messages: those
// whose sends are still being committed come in with a later page.
#include "services/common/input.hpp"
#include "services/sqs/message_md5.hpp"
#include "services/sqs/sqs_service.hpp"

namespace sluice::services::sqs {

namespace {

constexpr size_t kPage = 500;
// How often messages past their queue's retention period are deleted.
constexpr Duration kRetentionSweep = std::chrono::seconds(60);
// Fewer visible messages than this in the window read the next page.
constexpr size_t kLowWater = 100;

// A message counted as waiting in the store that leaves that count: read
// into the window, or deleted there.
void unspill(Queue& q, const Message& m) {
  if (q.spilled > 0) --q.spilled;
  if (m.visibleAt > m.sent) {
    if (auto d = q.spilledDelays.find(m.visibleAt); d != q.spilledDelays.end()) {
      q.spilledDelays.erase(d);
    }
  }
}

}  // namespace

void SqsService::digest(Message& m) {
  m.md5OfBody = md5Hex(m.body);
  m.md5OfAttributes = md5OfCheckedAttributes(m.attributes);
  if (!m.traceHeader.empty()) {
    JsonObject sys;
    sys["AWSTraceHeader"] = JsonObject{{"DataType", "String"}, {"StringValue", m.traceHeader}};
    m.md5OfSystemAttributes = md5OfCheckedAttributes(sys);
  }
}

void SqsService::admit(Queue& q, Message m) {
  if (!store_.durable() || (q.spilled == 0 && q.messages.size() < kWindow)) {
    addMessage(q, std::move(m));
    return;
  }
  if (q.spilled == 0) q.spillFrom = m.seq;
  ++q.spilled;
  if (m.visibleAt > m.sent) q.spilledDelays.insert(m.visibleAt);
}

bool SqsService::fillWindow(Queue& q, bool force) {
  if (q.spilled == 0) return false;
  if (!force) {
    TimePoint now = clock_.now();
    size_t visible = 0;
    for (auto it = q.byVisibility.begin();
         it != q.byVisibility.end() && it->first <= now && visible < kLowWater; ++it) {
      ++visible;
    }
    if (visible >= kLowWater) return false;
  }
  auto page = store_.page(q.arn, q.spillFrom, kPage);
  if (!page) return false;  // the store is unreadable: the window serves what it has
  bool any = false;
  for (Message& m : *page) {
    q.spillFrom = m.seq + 1;
    if (q.faulted.erase(m.seq)) continue;  // already in the window
    unspill(q, m);
    digest(m);
    addMessage(q, std::move(m));
    any = true;
  }
  if (q.spilled == 0) {
    q.faulted.clear();
    q.spilledDelays.clear();
  }
  return any;
}

void SqsService::armRetentionSweep() {
  if (!store_.durable()) return;  // sluice run: nothing outlives the run
  engine_.loop.schedule(clock_.now() + kRetentionSweep, [this] {
    TimePoint now = clock_.now();
    SqsStore::Changes changes;
    for (auto& [arn, q] : queues_) dropExpired(*q, now, changes);
    if (!changes.empty()) store_.commit(std::move(changes), [](Result<void>) {});
    armRetentionSweep();
  });
}

void SqsService::dropExpired(Queue& q, TimePoint now, SqsStore::Changes& changes) {
  auto expired = [&](const Message& m) {
    return m.sent + std::chrono::seconds(q.config.retentionPeriod) <= now;
  };
  std::vector<uint64_t> gone;
  for (const auto& [seq, m] : q.messages) {
    if (expired(m)) gone.push_back(seq);
  }
  for (uint64_t seq : gone) {
    changes.deleteMessage(q.arn, seq);
    removeMessage(q, seq);
  }
  // Stored messages were sent in seq order, so the expired ones come first;
  // one moved to a dead-letter queue after a younger one (it keeps its send
  // time) goes when it is read.
  while (q.spilled > 0) {
    auto page = store_.page(q.arn, q.spillFrom, kPage);
    if (!page || page->empty()) return;
    for (const Message& m : *page) {
      if (q.faulted.erase(m.seq)) {  // in the window, dealt with above
        q.spillFrom = m.seq + 1;
        continue;
      }
      if (!expired(m)) return;
      changes.deleteMessage(q.arn, m.seq);
      q.spillFrom = m.seq + 1;
      unspill(q, m);
      if (q.spilled == 0) return;
    }
  }
}

void SqsService::countSpilled(Queue& q) {
  auto counted = std::make_shared<Result<uint64_t>>(uint64_t{0});
  uint64_t from = q.spillFrom, to = q.spillEstimatedTo, purges = q.purges;
  uint64_t estimate = to - from + 1;
  engine_.loop.runBlocking(
      [this, counted, arn = q.arn, from, to] { *counted = store_.count(arn, from, to); },
      [this, counted, arn = q.arn, estimate, purges] {
        Queue* queue = queueByArn(arn);
        if (!queue || queue->purges != purges || !*counted) return;
        // Every change since the estimate moved it by one real message, so
        // the gap between the estimate and the count is still the error.
        uint64_t gaps = estimate - **counted;
        queue->spilled = queue->spilled > gaps ? queue->spilled - gaps : 0;
        queue->spillEstimatedTo = 0;
      });
}

Message* SqsService::findMessage(Queue& q, uint64_t seq) {
  if (auto it = q.messages.find(seq); it != q.messages.end()) return &it->second;
  if (q.spilled == 0 || seq < q.spillFrom || q.faulted.count(seq)) return nullptr;
  // In the store only: a message received before a restart whose handle
  // comes back. It joins the window now.
  auto stored = store_.message(q.arn, seq);
  if (!stored || !*stored) return nullptr;
  Message m = std::move(**stored);
  digest(m);
  q.faulted.insert(seq);
  unspill(q, m);
  addMessage(q, std::move(m));
  return &q.messages.at(seq);
}

}  // namespace sluice::services::sqs
