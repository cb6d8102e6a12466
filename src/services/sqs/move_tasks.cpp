// Dead-letter queue redrive: StartMessageMoveTask moves the messages of a
// dead-letter queue back to their source queues (or to a given destination);
// ListMessageMoveTasks and CancelMessageMoveTask report and stop tasks. A
// task moves every message not in flight at once, so it completes in the
// request that starts it. Task records live in memory.
#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/sqs/sqs_service.hpp"

namespace sluice::services::sqs {

namespace {

AwsError sourceNotFound() {
  return {"ResourceNotFoundException",
          "The resource that you specified for the SourceArn parameter doesn't exist.", 404};
}

int64_t millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void SqsService::startMessageMoveTask(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto sourceArn = input.requiredString("SourceArn");
  if (!sourceArn) return reply(sourceArn.error());
  auto destinationArn = input.optionalString("DestinationArn");
  if (!destinationArn) return reply(destinationArn.error());
  auto rate = input.optionalInt("MaxNumberOfMessagesPerSecond");
  if (!rate) return reply(rate.error());
  Queue* source = queueByArn(*sourceArn);
  if (!source) return reply(sourceNotFound());
  bool isDeadLetterQueue = false;
  for (const auto& [arn, q] : queues_) {
    isDeadLetterQueue = isDeadLetterQueue || q->config.deadLetterTargetArn == source->arn;
  }
  if (!isDeadLetterQueue) {
    return reply(AwsError{"InvalidParameterValue",
                          "Source queue must be configured as a Dead Letter Queue.", 400});
  }
  Queue* destination = nullptr;
  if (*destinationArn) {
    destination = queueByArn(**destinationArn);
    if (!destination) {
      return reply(AwsError{"ResourceNotFoundException",
                            "The resource that you specified for the DestinationArn parameter "
                            "doesn't exist.",
                            404});
    }
  }
  TimePoint now = clock_.now();
  MoveTask task;
  task.handle = base64Encode("{\"taskId\":\"" + engine_.ids.uuid() + "\",\"sourceArn\":\"" +
                             source->arn + "\"}");
  task.sourceArn = source->arn;
  if (destination) task.destinationArn = destination->arn;
  task.maxPerSecond = *rate;
  task.started = now;

  SqsStore::Changes changes;
  std::set<Queue*> touched;
  // The messages not in flight: the window's, then the store's a page at a
  // time (each page moved before the next is read).
  task.toMove = static_cast<int64_t>(source->spilled);
  for (const auto& [seq, m] : source->messages) task.toMove += m.inFlight(now) ? 0 : 1;
  do {
    std::vector<uint64_t> seqs;
    for (const auto& [seq, m] : source->messages) {
      if (!m.inFlight(now)) seqs.push_back(seq);
    }
    for (uint64_t seq : seqs) {
      const Message& m = source->messages.at(seq);
      Queue* target = destination ? destination : queueByArn(m.deadLetterSourceArn);
      if (!target) continue;
      Message moved = m;
      moved.seq = target->nextSeq++;
      moved.deadLetterSourceArn.clear();
      moved.receiveCount = 0;
      moved.firstReceive.reset();
      moved.receipt.clear();
      moved.visibleAt = now;
      changes.deleteMessage(source->arn, seq);
      changes.saveMessage(target->arn, moved);
      removeMessage(*source, seq);
      admit(*target, std::move(moved));
      touched.insert(target);
      ++task.moved;
    }
  } while (fillWindow(*source, true));
  task.status = "COMPLETED";
  std::string handle = task.handle;
  source->moveTasks.push_back(std::move(task));
  JsonObject out;
  out["TaskHandle"] = handle;
  commitThenReply(std::move(changes), Json(std::move(out)), std::move(reply));
  for (Queue* q : touched) wakeWaiters(*q);
  (void)ctx;
}

void SqsService::listMessageMoveTasks(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto sourceArn = input.requiredString("SourceArn");
  if (!sourceArn) return reply(sourceArn.error());
  auto max = input.optionalInt("MaxResults");
  if (!max) return reply(max.error());
  Queue* source = queueByArn(*sourceArn);
  if (!source) return reply(sourceNotFound());
  int64_t limit = *max ? **max : 1;
  if (limit < 1 || limit > 10) {
    return reply(AwsError{"InvalidParameterValue",
                          "Value " + std::to_string(limit) +
                              " for parameter MaxResults is invalid. Reason: Must be between 1 "
                              "and 10.",
                          400});
  }
  JsonArray results;
  for (auto it = source->moveTasks.rbegin();
       it != source->moveTasks.rend() && static_cast<int64_t>(results.size()) < limit; ++it) {
    JsonObject r;
    if (it->status == "RUNNING") r["TaskHandle"] = it->handle;
    r["Status"] = it->status;
    r["SourceArn"] = it->sourceArn;
    if (!it->destinationArn.empty()) r["DestinationArn"] = it->destinationArn;
    if (it->maxPerSecond) r["MaxNumberOfMessagesPerSecond"] = *it->maxPerSecond;
    r["ApproximateNumberOfMessagesMoved"] = it->moved;
    r["ApproximateNumberOfMessagesToMove"] = it->toMove;
    r["StartedTimestamp"] = millis(it->started);
    results.push_back(std::move(r));
  }
  JsonObject out;
  out["Results"] = std::move(results);
  reply(Json(std::move(out)));
}

void SqsService::cancelMessageMoveTask(const Json& in, const CallContext&, Reply reply) {
  auto handle = Input(in).requiredString("TaskHandle");
  if (!handle) return reply(handle.error());
  for (auto& [arn, q] : queues_) {
    for (MoveTask& t : q->moveTasks) {
      if (t.handle != *handle || t.status != "RUNNING") continue;
      t.status = "CANCELLED";
      JsonObject out;
      out["ApproximateNumberOfMessagesMoved"] = t.moved;
      return reply(Json(std::move(out)));
    }
  }
  reply(AwsError{"ResourceNotFoundException", "Task does not exist.", 404});
}

}  // namespace sluice::services::sqs
