#include "services/sqs/sqs_service.hpp"

#include "services/common/input.hpp"
#include "services/sqs/attributes.hpp"
#include "services/sqs/message_md5.hpp"

namespace sluice::services::sqs {

SqsService::SqsService(engine::EngineContext engine, const Clock& clock,
                       store::sqlite::SqliteStore* store)
    : engine_(engine), clock_(clock), store_(store) {}

SqsService::~SqsService() = default;

Result<void> SqsService::load() {
  auto loaded = store_.load(clock_.now(), kWindow);
  if (!loaded) return loaded.error();
  for (auto& q : *loaded) {
    index(*q);
    std::string arn = q->arn;
    queues_[arn] = std::move(q);
  }
  engine_.loop.post([this] {  // timers and blocking work are the loop's
    armRetentionSweep();
    for (auto& [arn, q] : queues_) {
      if (q->spillEstimatedTo) countSpilled(*q);
    }
  });
  return {};
}

void SqsService::registerOperations(OperationRegistry& registry) {
  registry.addService("sqs", "AmazonSQS");
  // Every operation runs on the engine loop, where all of SQS's state lives.
  auto add = [&](const char* name, Op fn) {
    registry.add("sqs", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      engine_.loop.post([this, fn, in, ctx, reply = std::move(reply)]() mutable {
        (this->*fn)(in, ctx, std::move(reply));
      });
    });
  };
  add("CreateQueue", &SqsService::createQueue);
  add("GetQueueUrl", &SqsService::getQueueUrl);
  add("ListQueues", &SqsService::listQueues);
  add("GetQueueAttributes", &SqsService::getQueueAttributes);
  add("SetQueueAttributes", &SqsService::setQueueAttributes);
  add("DeleteQueue", &SqsService::deleteQueue);
  add("PurgeQueue", &SqsService::purgeQueue);
  add("TagQueue", &SqsService::tagQueue);
  add("UntagQueue", &SqsService::untagQueue);
  add("ListQueueTags", &SqsService::listQueueTags);
  add("ListDeadLetterSourceQueues", &SqsService::listDeadLetterSourceQueues);
  add("SendMessage", &SqsService::sendMessage);
  add("SendMessageBatch", &SqsService::sendMessageBatch);
  add("ReceiveMessage", &SqsService::receiveMessage);
  add("DeleteMessage", &SqsService::deleteMessage);
  add("DeleteMessageBatch", &SqsService::deleteMessageBatch);
  add("ChangeMessageVisibility", &SqsService::changeMessageVisibility);
  add("ChangeMessageVisibilityBatch", &SqsService::changeMessageVisibilityBatch);
  add("StartMessageMoveTask", &SqsService::startMessageMoveTask);
  add("ListMessageMoveTasks", &SqsService::listMessageMoveTasks);
  add("CancelMessageMoveTask", &SqsService::cancelMessageMoveTask);
}

void SqsService::commitThenReply(SqsStore::Changes changes, Result<Json> result, Reply reply,
                                 const Queue* wake) {
  // Messages outside the window are read from the store, so long polls
  // that may want them (parked now, or parking before the commit ends)
  // look once the commit is done.
  std::string arn = wake && wake->spilled > 0 ? wake->arn : "";
  store_.commit(std::move(changes), [this, arn, result = std::move(result),
                                     reply = std::move(reply)](Result<void> committed) mutable {
    if (!committed) return reply(committed.error());
    reply(std::move(result));
    if (arn.empty()) return;
    engine_.loop.post([this, arn] {
      if (Queue* q = queueByArn(arn)) wakeWaiters(*q);
    });
  });
}

void SqsService::index(Queue& q) {
  q.config = configOf(q.attributes);
  q.byVisibility.clear();
  q.groups.clear();
  for (auto& [seq, m] : q.messages) {
    digest(m);
    q.byVisibility.emplace(m.visibleAt, seq);
    if (q.config.fifo) q.groups[m.groupId].push_back(seq);
  }
}

void SqsService::addMessage(Queue& q, Message m) {
  uint64_t seq = m.seq;
  q.byVisibility.emplace(m.visibleAt, seq);
  if (q.config.fifo) q.groups[m.groupId].push_back(seq);
  q.messages.emplace(seq, std::move(m));
}

void SqsService::removeMessage(Queue& q, uint64_t seq) {
  auto it = q.messages.find(seq);
  if (it == q.messages.end()) return;
  q.byVisibility.erase({it->second.visibleAt, seq});
  if (q.config.fifo) {
    auto g = q.groups.find(it->second.groupId);
    if (g != q.groups.end()) {
      auto& seqs = g->second;
      if (!seqs.empty() && seqs.front() == seq) {
        seqs.pop_front();
      } else {
        seqs.erase(std::remove(seqs.begin(), seqs.end(), seq), seqs.end());
      }
      if (seqs.empty()) q.groups.erase(g);
    }
  }
  q.messages.erase(it);
}

void SqsService::setVisibility(Queue& q, Message& m, TimePoint visibleAt) {
  q.byVisibility.erase({m.visibleAt, m.seq});
  m.visibleAt = visibleAt;
  q.byVisibility.emplace(visibleAt, m.seq);
}

std::string SqsService::urlOf(const Queue& q, const CallContext& ctx) const {
  std::string host = ctx.host.empty() ? "localhost:4566" : ctx.host;
  return "http://" + host + "/" + q.account + "/" + q.name;
}

Queue* SqsService::queueByArn(const std::string& arn) {
  auto it = queues_.find(arn);
  return it == queues_.end() ? nullptr : it->second.get();
}

Result<Queue*> SqsService::queueByUrl(const Json& in, const CallContext& ctx) {
  auto url = Input(in).requiredString("QueueUrl");
  if (!url) return url.error();
  // http(s)://host/<account>/<name>: the last two path segments name the queue.
  std::string_view path = *url;
  if (auto scheme = path.find("://"); scheme != std::string_view::npos) {
    auto slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  auto last = path.rfind('/');
  std::string name(last == std::string_view::npos ? path : path.substr(last + 1));
  std::string account = ctx.scope.account;
  if (last != std::string_view::npos && last > 0) {
    std::string_view head = path.substr(0, last);
    account = std::string(head.substr(head.rfind('/') + 1));
  }
  Scope scope = ctx.scope;
  scope.account = account;
  if (Queue* q = queueByArn(arn::sqsQueue(scope, name))) return q;
  return AwsError{"QueueDoesNotExist", "The specified queue does not exist.", 400};
}

}  // namespace sluice::services::sqs
