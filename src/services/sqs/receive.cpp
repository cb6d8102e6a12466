// ReceiveMessage: visibility, receive counts, dead-letter moves, FIFO group
// ordering, receive-attempt ids, and long polling without busy loops: an
// empty receive with a wait parks its reply on the queue; a send, a
// visibility change or a timer at the next moment a message becomes visible
// wakes it, and its wait timeout answers it empty.
#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/sqs/message_md5.hpp"
#include "services/sqs/sqs_service.hpp"

namespace sluice::services::sqs {

namespace {

constexpr Duration kAttemptWindow = std::chrono::minutes(5);
// Pages a FIFO receive reads past groups blocked in the window.
constexpr int kFifoPages = 10;

AwsError invalidParameter(const std::string& message) {
  return {"InvalidParameterValue", message, 400};
}

std::string millisText(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::set<std::string> namesOf(const Json* list) {
  std::set<std::string> out;
  if (list && list->is_array()) {
    for (const Json& n : list->as_array()) {
      if (n.is_string()) out.insert(std::string(n.get_string()));
    }
  }
  return out;
}

// Which of the message's attributes a receive asked for.
struct Selection {
  std::set<std::string> system;  // "All" or names
  std::set<std::string> user;    // "All", ".*", "prefix.*" or names

  bool wantsSystem(const std::string& name) const {
    return system.count("All") || system.count(name);
  }
  bool wantsUser(const std::string& name) const {
    if (user.count("All") || user.count(".*") || user.count(name)) return true;
    for (const std::string& u : user) {
      if (u.size() > 2 && u.ends_with(".*") &&
          name.starts_with(std::string_view(u).substr(0, u.size() - 1))) {
        return true;
      }
    }
    return false;
  }
};

Selection selectionOf(const Json& in) {
  Input input(in);
  Selection s;
  s.system = namesOf(input.get("AttributeNames"));
  for (auto& n : namesOf(input.get("MessageSystemAttributeNames"))) s.system.insert(n);
  s.user = namesOf(input.get("MessageAttributeNames"));
  return s;
}

Json render(const Message& m, const Queue& q, const Selection& sel) {
  JsonObject out;
  out["MessageId"] = m.id;
  out["ReceiptHandle"] = m.receipt;
  out["MD5OfBody"] = m.md5OfBody;
  out["Body"] = m.body;
  JsonObject attrs;
  auto put = [&](const char* name, std::string value) {
    if (sel.wantsSystem(name)) attrs[name] = std::move(value);
  };
  put("SenderId", m.senderId);
  put("SentTimestamp", millisText(m.sent));
  put("ApproximateReceiveCount", std::to_string(m.receiveCount));
  if (m.firstReceive) put("ApproximateFirstReceiveTimestamp", millisText(*m.firstReceive));
  if (q.config.fifo) {
    put("MessageDeduplicationId", m.deduplicationId);
    put("SequenceNumber", sequenceNumber(m.seq));
  }
  if (!m.groupId.empty()) put("MessageGroupId", m.groupId);
  if (!m.traceHeader.empty()) put("AWSTraceHeader", m.traceHeader);
  if (!m.deadLetterSourceArn.empty()) put("DeadLetterQueueSourceArn", m.deadLetterSourceArn);
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  if (m.attributes.is_object() && !m.attributes.as_object().empty() && !sel.user.empty()) {
    JsonObject chosen;
    for (const auto& kv : m.attributes.as_object()) {
      if (sel.wantsUser(std::string(kv.key()))) chosen[kv.key()] = kv.value();
    }
    if (!chosen.empty()) {
      // The digest of what is returned: the SDKs check it against these.
      Json chosenJson(std::move(chosen));
      out["MD5OfMessageAttributes"] = md5OfCheckedAttributes(chosenJson);
      out["MessageAttributes"] = std::move(chosenJson);
    }
  }
  return Json(std::move(out));
}

}  // namespace

Result<JsonArray> SqsService::receiveNow(Queue& q, const Json& in, const CallContext&,
                                         SqsStore::Changes& changes) {
  Input input(in);
  TimePoint now = clock_.now();
  int64_t max = input.optionalInt("MaxNumberOfMessages").value().value_or(1);
  int64_t vt = input.optionalInt("VisibilityTimeout").value().value_or(q.config.visibilityTimeout);
  auto attemptId = input.optionalString("ReceiveRequestAttemptId").value();
  Selection sel = selectionOf(in);
  TimePoint hiddenUntil = now + std::chrono::seconds(vt);
  JsonArray out;

  // FIFO retry of an earlier receive: the same messages and handles, visibility reset.
  if (q.config.fifo && attemptId) {
    if (q.attempts.size() > 1000) {
      std::erase_if(q.attempts, [&](const auto& kv) { return kv.second.expires <= now; });
    }
    auto it = q.attempts.find(*attemptId);
    if (it != q.attempts.end() && it->second.expires > now) {
      bool intact = !it->second.messages.empty();
      for (const auto& [seq, receipt] : it->second.messages) {
        auto m = q.messages.find(seq);
        intact = intact && m != q.messages.end() && m->second.receipt == receipt;
      }
      if (intact) {
        for (const auto& [seq, receipt] : it->second.messages) {
          Message& m = q.messages.at(seq);
          setVisibility(q, m, hiddenUntil);
          changes.updateMessage(q.arn, m);
          out.push_back(render(m, q, sel));
        }
        return out;
      }
    }
  }

  std::vector<uint64_t> picked;
  auto deliverable = [&](Message& m) {
    // Expired by the retention period: gone.
    if (m.sent + std::chrono::seconds(q.config.retentionPeriod) <= now) {
      changes.deleteMessage(q.arn, m.seq);
      removeMessage(q, m.seq);
      return false;
    }
    // Received too often: to the dead-letter queue instead.
    if (q.config.maxReceiveCount > 0 && m.receiveCount >= q.config.maxReceiveCount &&
        queueByArn(q.config.deadLetterTargetArn)) {
      moveToDeadLetter(q, m, changes);
      return false;
    }
    return true;
  };

  if (!q.config.fifo) {
    fillWindow(q);
    std::set<uint64_t> seen;
    while (static_cast<int64_t>(picked.size()) < max) {
      auto it = q.byVisibility.begin();
      while (it != q.byVisibility.end() && it->first <= now && seen.count(it->second)) ++it;
      if (it == q.byVisibility.end() || it->first > now) {
        // Some may have been dropped (expired, dead-lettered) on the way.
        if (fillWindow(q)) continue;
        break;
      }
      uint64_t seq = it->second;
      seen.insert(seq);
      if (deliverable(q.messages.at(seq))) picked.push_back(seq);
    }
  } else {
    pickFromGroups(q, max, now, picked, deliverable);
    // Groups blocked by messages in flight may fill the window: the store
    // may hold others, a page at a time.
    for (int pages = 0;
         static_cast<int64_t>(picked.size()) < max && pages < kFifoPages && fillWindow(q, true);
         ++pages) {
      picked.clear();
      pickFromGroups(q, max, now, picked, deliverable);
    }
  }

  std::vector<std::pair<uint64_t, std::string>> attempt;
  for (uint64_t seq : picked) {
    Message& m = q.messages.at(seq);
    ++m.receiveCount;
    if (!m.firstReceive) m.firstReceive = now;
    m.receipt = base64Encode(std::to_string(seq) + ":" + m.id + ":" + engine_.ids.uuid());
    setVisibility(q, m, hiddenUntil);
    changes.updateMessage(q.arn, m);
    out.push_back(render(m, q, sel));
    attempt.emplace_back(seq, m.receipt);
  }
  if (q.config.fifo && attemptId && !attempt.empty()) {
    q.attempts[*attemptId] = {std::move(attempt), now + kAttemptWindow};
  }
  return out;
}

void SqsService::pickFromGroups(Queue& q, int64_t max, TimePoint now, std::vector<uint64_t>& picked,
                                const std::function<bool(Message&)>& deliverable) {
  // Groups in the order of their oldest message; a group with a message in
  // flight is blocked, so its order holds.
  std::vector<std::pair<uint64_t, std::string>> heads;
  for (const auto& [group, seqs] : q.groups) {
    if (!seqs.empty()) heads.emplace_back(seqs.front(), group);
  }
  std::sort(heads.begin(), heads.end());
  for (const auto& [head, group] : heads) {
    if (static_cast<int64_t>(picked.size()) >= max) break;
    auto g = q.groups.find(group);
    if (g == q.groups.end()) continue;
    bool blocked = false;
    for (uint64_t seq : g->second) {
      const Message& m = q.messages.at(seq);
      if (m.receiveCount == 0) break;
      if (m.inFlight(now)) blocked = true;
    }
    if (blocked) continue;
    std::vector<uint64_t> seqs(g->second.begin(), g->second.end());
    for (uint64_t seq : seqs) {
      if (static_cast<int64_t>(picked.size()) >= max) break;
      Message& m = q.messages.at(seq);
      if (m.visibleAt > now) break;
      if (deliverable(m)) picked.push_back(seq);
    }
  }
}

void SqsService::moveToDeadLetter(Queue& source, Message& m, SqsStore::Changes& changes) {
  Queue* dlq = queueByArn(source.config.deadLetterTargetArn);
  Message moved = m;
  moved.seq = dlq->nextSeq++;
  moved.deadLetterSourceArn = source.arn;
  moved.visibleAt = clock_.now();
  moved.receipt.clear();
  changes.deleteMessage(source.arn, m.seq);
  changes.saveMessage(dlq->arn, moved);
  removeMessage(source, m.seq);
  admit(*dlq, std::move(moved));
  if (!dlq->waiters.empty()) {
    // After the caller's commit: wake the dead-letter queue's long polls.
    engine_.loop.post([this, arn = dlq->arn] {
      if (Queue* d = queueByArn(arn)) wakeWaiters(*d);
    });
  }
}

void SqsService::receiveMessage(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  Input input(in);
  auto max = input.optionalInt("MaxNumberOfMessages");
  if (!max) return reply(max.error());
  if (*max && (**max < 1 || **max > 10)) {
    return reply(invalidParameter("Value " + std::to_string(**max) +
                                  " for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                                  "between 1 and 10, if provided."));
  }
  auto vt = input.optionalInt("VisibilityTimeout");
  if (!vt) return reply(vt.error());
  if (*vt && (**vt < 0 || **vt > 43200)) {
    return reply(invalidParameter("Value " + std::to_string(**vt) +
                                  " for parameter VisibilityTimeout is invalid. Reason: Must be "
                                  ">= 0 and <= 43200, if provided."));
  }
  auto wait = input.optionalInt("WaitTimeSeconds");
  if (!wait) return reply(wait.error());
  if (*wait && (**wait < 0 || **wait > 20)) {
    return reply(invalidParameter("Value " + std::to_string(**wait) +
                                  " for parameter WaitTimeSeconds is invalid. Reason: Must be >= "
                                  "0 and <= 20, if provided."));
  }
  auto attempt = input.optionalString("ReceiveRequestAttemptId");
  if (!attempt) return reply(attempt.error());
  if (auto r = input.optionalString("QueueUrl"); !r) return reply(r.error());

  SqsStore::Changes changes;
  auto messages = receiveNow(**q, in, ctx, changes);
  if (!messages) return reply(messages.error());
  int64_t waitSeconds = *wait ? **wait : (*q)->config.receiveWaitTime;
  if (messages->empty() && waitSeconds > 0) {
    if (!changes.empty()) store_.commit(std::move(changes), [](Result<void>) {});
    return park(**q, in, ctx, std::move(reply), waitSeconds);
  }
  JsonObject out;
  if (!messages->empty()) out["Messages"] = std::move(*messages);
  commitThenReply(std::move(changes), Json(std::move(out)), std::move(reply));
}

void SqsService::park(Queue& q, const Json& in, const CallContext& ctx, Reply reply,
                      int64_t waitSeconds) {
  uint64_t id = nextWaiter_++;
  Waiter w;
  w.id = id;
  w.request = in;
  w.ctx = ctx;
  w.reply = std::move(reply);
  // The wait ends on the injected clock (a virtual clock moved past it) or
  // after as much real time, whichever comes first: a client never waits
  // longer than it asked, whatever the clock mode.
  auto seconds = std::chrono::seconds(waitSeconds);
  w.virtualTimer =
      engine_.loop.schedule(clock_.now() + seconds, [this, id] { finishWaiter(id, true); });
  w.realTimer = engine_.loop.scheduleReal(seconds, [this, id] { finishWaiter(id, true); });
  waiters_.emplace(id, std::make_pair(q.arn, std::move(w)));
  q.waiters.push_back(id);
  armWakeTimer(q);
}

void SqsService::finishWaiter(uint64_t id, bool) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Waiter w = std::move(it->second.second);
  std::string arn = it->second.first;
  waiters_.erase(it);
  engine_.loop.cancel(w.virtualTimer);
  engine_.loop.cancel(w.realTimer);
  if (Queue* q = queueByArn(arn)) {
    std::erase(q->waiters, id);
    armWakeTimer(*q);
  }
  w.reply(Json(JsonObject{}));
}

void SqsService::wakeWaiters(Queue& q) {
  while (!q.waiters.empty()) {
    uint64_t id = q.waiters.front();
    auto it = waiters_.find(id);
    if (it == waiters_.end()) {
      q.waiters.pop_front();
      continue;
    }
    Waiter& w = it->second.second;
    SqsStore::Changes changes;
    auto messages = receiveNow(q, w.request, w.ctx, changes);
    if (!messages || messages->empty()) {
      if (!changes.empty()) store_.commit(std::move(changes), [](Result<void>) {});
      break;
    }
    q.waiters.pop_front();
    engine_.loop.cancel(w.virtualTimer);
    engine_.loop.cancel(w.realTimer);
    Reply reply = std::move(w.reply);
    waiters_.erase(it);
    JsonObject out;
    out["Messages"] = std::move(*messages);
    commitThenReply(std::move(changes), Json(std::move(out)), std::move(reply));
  }
  armWakeTimer(q);
}

void SqsService::armWakeTimer(Queue& q) {
  if (q.waiters.empty()) {
    if (q.wakeTimer) engine_.loop.cancel(q.wakeTimer);
    q.wakeTimer = 0;
    return;
  }
  TimePoint now = clock_.now();
  // The next moment a message becomes visible, in the window or the store.
  std::optional<TimePoint> at;
  if (auto next = q.byVisibility.upper_bound({now, UINT64_MAX}); next != q.byVisibility.end()) {
    at = next->first;
  }
  if (auto d = q.spilledDelays.upper_bound(now); d != q.spilledDelays.end() && (!at || *d < *at)) {
    at = *d;
  }
  if (!at) return;
  if (q.wakeTimer && q.wakeAt <= *at) return;
  if (q.wakeTimer) engine_.loop.cancel(q.wakeTimer);
  q.wakeAt = *at;
  q.wakeTimer = engine_.loop.schedule(*at, [this, arn = q.arn] {
    Queue* queue = queueByArn(arn);
    if (!queue) return;
    queue->wakeTimer = 0;
    wakeWaiters(*queue);
  });
}

}  // namespace sluice::services::sqs
