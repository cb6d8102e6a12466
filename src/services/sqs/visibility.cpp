// DeleteMessage(Batch) and ChangeMessageVisibility(Batch): what a consumer
// does with the receipt handle of a message it received.
#include <charconv>

#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/sqs/batch.hpp"
#include "services/sqs/sqs_service.hpp"

namespace sluice::services::sqs {

namespace {

struct Receipt {
  uint64_t seq = 0;
  std::string messageId;
};

// Handles are Base64 of "<seq>:<message id>:<nonce>" (receive.cpp).
Result<Receipt> parseReceipt(const std::string& handle) {
  AwsError invalid{"ReceiptHandleIsInvalid",
                   "The input receipt handle \"" + handle + "\" is not a valid receipt handle.",
                   400};
  auto text = base64Decode(handle);
  if (!text) return invalid;
  auto first = text->find(':');
  auto second = first == std::string::npos ? first : text->find(':', first + 1);
  if (second == std::string::npos) return invalid;
  Receipt r;
  auto [end, ec] = std::from_chars(text->data(), text->data() + first, r.seq);
  if (ec != std::errc() || end != text->data() + first) return invalid;
  r.messageId = text->substr(first + 1, second - first - 1);
  return r;
}

}  // namespace

// Deletes the message a handle names. A handle of a message already deleted
// (or received again since) succeeds without effect, as on AWS.
static Result<bool> deleteByHandle(Queue& q, const std::string& handle, SqsStore::Changes& changes,
                                   const std::function<Message*(uint64_t)>& find,
                                   const std::function<void(Queue&, uint64_t)>& remove) {
  auto r = parseReceipt(handle);
  if (!r) return r.error();
  Message* m = find(r->seq);
  if (!m || m->id != r->messageId || m->receipt != handle) return false;
  changes.deleteMessage(q.arn, r->seq);
  remove(q, r->seq);
  return true;
}

void SqsService::deleteMessage(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  auto handle = Input(in).requiredString("ReceiptHandle");
  if (!handle) return reply(handle.error());
  SqsStore::Changes changes;
  auto remove = [this](Queue& queue, uint64_t seq) { removeMessage(queue, seq); };
  auto find = [this, queue = *q](uint64_t seq) { return findMessage(*queue, seq); };
  auto deleted = deleteByHandle(**q, *handle, changes, find, remove);
  if (!deleted) return reply(deleted.error());
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
  // A FIFO group may be unblocked.
  if (*deleted && (*q)->config.fifo) wakeWaiters(**q);
}

void SqsService::deleteMessageBatch(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  auto entries = checkBatch(in, "DeleteMessageBatchRequestEntry");
  if (!entries) return reply(entries.error());
  SqsStore::Changes changes;
  JsonArray ok, failed;
  bool any = false;
  auto remove = [this](Queue& queue, uint64_t seq) { removeMessage(queue, seq); };
  auto find = [this, queue = *q](uint64_t seq) { return findMessage(*queue, seq); };
  for (const Json& e : **entries) {
    auto handle = Input(e).requiredString("ReceiptHandle");
    Result<bool> deleted =
        handle ? deleteByHandle(**q, *handle, changes, find, remove) : Result<bool>(handle.error());
    if (!deleted) {
      failed.push_back(batchFailure(e, deleted.error()));
      continue;
    }
    any = any || *deleted;
    ok.push_back(JsonObject{{"Id", e.as_object().at("Id")}});
  }
  JsonObject result;
  result["Successful"] = std::move(ok);
  result["Failed"] = std::move(failed);
  commitThenReply(std::move(changes), Json(std::move(result)), std::move(reply));
  if (any && (*q)->config.fifo) wakeWaiters(**q);
}

// Sets a received message's visibility timeout, counted from now.
static Result<void> changeVisibility(Queue& q, const Json& entry, TimePoint now,
                                     SqsStore::Changes& changes,
                                     const std::function<Message*(uint64_t)>& find,
                                     const std::function<void(Queue&, Message&, TimePoint)>& set) {
  Input input(entry);
  auto handle = input.requiredString("ReceiptHandle");
  if (!handle) return handle.error();
  auto timeout = input.optionalInt("VisibilityTimeout");
  if (!timeout) return timeout.error();
  if (!*timeout) return missingMember("VisibilityTimeout");
  if (**timeout < 0 || **timeout > 43200) {
    return AwsError{"InvalidParameterValue",
                    "Value " + std::to_string(**timeout) +
                        " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 "
                        "and 43200.",
                    400};
  }
  auto r = parseReceipt(*handle);
  if (!r) return r.error();
  Message* found = find(r->seq);
  if (!found || found->id != r->messageId || found->receipt != *handle) {
    return AwsError{"InvalidParameterValue",
                    "Value " + *handle +
                        " for parameter ReceiptHandle is invalid. Reason: Message does not exist "
                        "or is not available for visibility timeout change.",
                    400};
  }
  Message& m = *found;
  if (!m.inFlight(now)) return AwsError{"MessageNotInflight", "Message not inflight.", 400};
  set(q, m, now + std::chrono::seconds(**timeout));
  changes.updateMessage(q.arn, m);
  return {};
}

void SqsService::changeMessageVisibility(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  SqsStore::Changes changes;
  auto set = [this](Queue& queue, Message& m, TimePoint t) { setVisibility(queue, m, t); };
  auto find = [this, queue = *q](uint64_t seq) { return findMessage(*queue, seq); };
  if (auto ok = changeVisibility(**q, in, clock_.now(), changes, find, set); !ok) {
    return reply(ok.error());
  }
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
  wakeWaiters(**q);
}

void SqsService::changeMessageVisibilityBatch(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  auto entries = checkBatch(in, "ChangeMessageVisibilityBatchRequestEntry");
  if (!entries) return reply(entries.error());
  SqsStore::Changes changes;
  JsonArray ok, failed;
  auto set = [this](Queue& queue, Message& m, TimePoint t) { setVisibility(queue, m, t); };
  auto find = [this, queue = *q](uint64_t seq) { return findMessage(*queue, seq); };
  for (const Json& e : **entries) {
    if (auto r = changeVisibility(**q, e, clock_.now(), changes, find, set); !r) {
      failed.push_back(batchFailure(e, r.error()));
      continue;
    }
    ok.push_back(JsonObject{{"Id", e.as_object().at("Id")}});
  }
  JsonObject result;
  result["Successful"] = std::move(ok);
  result["Failed"] = std::move(failed);
  commitThenReply(std::move(changes), Json(std::move(result)), std::move(reply));
  wakeWaiters(**q);
}

}  // namespace sluice::services::sqs
