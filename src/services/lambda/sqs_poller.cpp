#include "services/lambda/sqs_poller.hpp"

#include <algorithm>
#include <set>

#include "services/common/target_delivery.hpp"

namespace sluice::services::lambda {

namespace {

constexpr int64_t kLongPollSeconds = 20;
constexpr std::chrono::milliseconds kRetryAfterError{2000};

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// SQS's MessageAttributes as Lambda's SQS event spells them.
Json lambdaAttributes(const Json* attributes) {
  JsonObject out;
  if (!attributes || !attributes->is_object()) return out;
  for (const auto& kv : attributes->as_object()) {
    if (!kv.value().is_object()) continue;
    const JsonObject& a = kv.value().as_object();
    JsonObject v{{"stringListValues", JsonArray{}},
                 {"binaryListValues", JsonArray{}},
                 {"dataType", text(a, "DataType")}};
    if (a.contains("StringValue")) v["stringValue"] = text(a, "StringValue");
    if (a.contains("BinaryValue")) v["binaryValue"] = text(a, "BinaryValue");
    out[kv.key()] = std::move(v);
  }
  return out;
}

}  // namespace

Json SqsPoller::recordOf(const Json& message, const std::string& queueArn,
                         const std::string& region) {
  const JsonObject& m = message.as_object();
  JsonObject attributes;
  if (const Json* a = m.if_contains("Attributes"); a && a->is_object()) {
    attributes = a->as_object();
  }
  return JsonObject{{"messageId", text(m, "MessageId")},
                    {"receiptHandle", text(m, "ReceiptHandle")},
                    {"body", text(m, "Body")},
                    {"attributes", std::move(attributes)},
                    {"messageAttributes", lambdaAttributes(m.if_contains("MessageAttributes"))},
                    {"md5OfBody", text(m, "MD5OfBody")},
                    {"eventSource", "aws:sqs"},
                    {"eventSourceARN", queueArn},
                    {"awsRegion", region}};
}

SqsPoller::SqsPoller(PollerSettings settings, const OperationRegistry& registry,
                     engine::EventLoop& loop, RunBatch run)
    : settings_(std::move(settings)), registry_(registry), loop_(loop), run_(std::move(run)) {}

CallContext SqsPoller::context() const {
  CallContext ctx;
  ctx.scope = settings_.scope;
  return ctx;
}

void SqsPoller::start() {
  loop_.post([self = shared_from_this()] { self->resolveQueue(); });
}

void SqsPoller::later(std::chrono::milliseconds after, std::function<void()> task) {
  loop_.post([this, self = shared_from_this(), after, task = std::move(task)] {
    loop_.scheduleReal(after, task);
  });
}

void SqsPoller::resolveQueue() {
  if (stopped_) return;
  JsonObject in{{"QueueName", arnPart(settings_.queueArn, 5)},
                {"QueueOwnerAWSAccountId", arnPart(settings_.queueArn, 4)}};
  registry_.call("sqs", "GetQueueUrl", in, context(), [self = shared_from_this()](Result<Json> r) {
    self->loop_.post([self, r = std::move(r)] {
      if (!r) return self->later(kRetryAfterError, [self] { self->resolveQueue(); });
      self->queueUrl_ = text(r->as_object(), "QueueUrl");
      for (int i = 0; i < std::max(1, self->settings_.slots); ++i) {
        self->poll(std::make_shared<Slot>());
      }
    });
  });
}

void SqsPoller::poll(std::shared_ptr<Slot> slot) {
  if (stopped_) return;
  int64_t wanted = settings_.batchSize - static_cast<int64_t>(slot->messages.size());
  int64_t wait = kLongPollSeconds;
  if (slot->deadline) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(*slot->deadline -
                                                                 std::chrono::steady_clock::now());
    wait = std::clamp<int64_t>(left.count() + 1, 0, kLongPollSeconds);
  }
  JsonObject in{{"QueueUrl", queueUrl_},
                {"MaxNumberOfMessages", std::clamp<int64_t>(wanted, 1, 10)},
                {"WaitTimeSeconds", wait},
                {"AttributeNames", JsonArray{"All"}},
                {"MessageAttributeNames", JsonArray{"All"}}};
  registry_.call(
      "sqs", "ReceiveMessage", in, context(), [self = shared_from_this(), slot](Result<Json> r) {
        self->loop_.post(
            [self, slot, r = std::move(r)]() mutable { self->received(slot, std::move(r)); });
      });
}

void SqsPoller::received(std::shared_ptr<Slot> slot, Result<Json> r) {
  // Stopped (mapping disabled or deleted): what was received reappears after
  // its visibility timeout.
  if (stopped_) return;
  if (!r) {
    // The queue went away or refused: try again shortly (the mapping stays).
    if (!slot->messages.empty()) return dispatch(slot);
    return later(kRetryAfterError, [self = shared_from_this(), slot] { self->poll(slot); });
  }
  if (const Json* ms = r->as_object().if_contains("Messages"); ms && ms->is_array()) {
    for (const Json& m : ms->as_array()) slot->messages.push_back(m);
  }
  bool full = static_cast<int64_t>(slot->messages.size()) >= settings_.batchSize;
  if (!slot->messages.empty() && settings_.windowSeconds > 0 && !slot->deadline) {
    slot->deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(settings_.windowSeconds);
  }
  bool windowOver = !slot->deadline || std::chrono::steady_clock::now() >= *slot->deadline;
  if (!slot->messages.empty() && (full || windowOver)) return dispatch(slot);
  poll(slot);
}

void SqsPoller::dispatch(std::shared_ptr<Slot> slot) {
  std::vector<Json> records;
  std::vector<std::string> filteredOut;
  for (const Json& m : slot->messages) {
    Json record = recordOf(m, settings_.queueArn, settings_.scope.region);
    bool keep = settings_.filters.empty();
    if (!keep) {
      // Filters see the body as JSON when it is JSON.
      Json seen = record;
      if (auto body = parseJson(seen.as_object().at("body").get_string())) {
        seen.as_object()["body"] = std::move(*body);
      }
      for (const auto& f : settings_.filters) keep = keep || f.matches(seen);
    }
    if (keep) {
      records.push_back(std::move(record));
    } else {
      filteredOut.push_back(text(m.as_object(), "ReceiptHandle"));
    }
  }
  slot->messages.clear();
  slot->deadline.reset();
  auto self = shared_from_this();
  // Messages no filter matches are deleted, as Lambda does for SQS.
  remove(std::move(filteredOut), [self, slot, records = std::move(records)]() mutable {
    if (records.empty()) return self->poll(slot);
    JsonArray all(records.begin(), records.end());
    std::string event = toJsonText(JsonObject{{"Records", std::move(all)}});
    // A batch in the function is the server's work until it is settled.
    self->loop_.beginJob();
    self->run_(event, [self, slot, records = std::move(records)](Result<BatchResult> r) mutable {
      self->loop_.post([self, slot, records = std::move(records), r = std::move(r)]() mutable {
        self->settle(slot, std::move(records), std::move(r));
        self->loop_.endJob();
      });
    });
  });
}

void SqsPoller::settle(std::shared_ptr<Slot> slot, std::vector<Json> records,
                       Result<BatchResult> r) {
  std::vector<std::string> done;
  if (r && !r->functionError) {
    std::set<std::string> failed;
    bool valid = true;
    if (settings_.reportItemFailures) {
      // {"batchItemFailures": [{"itemIdentifier": messageId}, ...]}; anything
      // else that is not empty or null fails the whole batch.
      auto response = parseJson(r->payload);
      const Json* list = response && response->is_object()
                             ? response->as_object().if_contains("batchItemFailures")
                             : nullptr;
      if (list && list->is_array()) {
        for (const Json& item : list->as_array()) {
          const Json* id =
              item.is_object() ? item.as_object().if_contains("itemIdentifier") : nullptr;
          if (!id || !id->is_string() || id->get_string().empty()) valid = false;
          if (id && id->is_string()) failed.insert(std::string(id->get_string()));
        }
      } else if (response && !response->is_null() &&
                 !(response->is_object() && (!list || list->is_null()))) {
        valid = false;
      }
    }
    if (valid) {
      for (const Json& rec : records) {
        const JsonObject& o = rec.as_object();
        if (!failed.count(text(o, "messageId"))) done.push_back(text(o, "receiptHandle"));
      }
    }
  }
  auto self = shared_from_this();
  bool throttled = !r;
  remove(std::move(done), [self, slot, throttled] {
    if (throttled) {
      return self->later(kRetryAfterError, [self, slot] { self->poll(slot); });
    }
    self->poll(slot);
  });
}

void SqsPoller::remove(std::vector<std::string> handles, std::function<void()> then) {
  if (handles.empty()) return then();
  auto left = std::make_shared<size_t>((handles.size() + 9) / 10);
  for (size_t i = 0; i < handles.size(); i += 10) {
    JsonArray entries;
    for (size_t j = i; j < std::min(handles.size(), i + 10); ++j) {
      entries.push_back(
          JsonObject{{"Id", std::to_string(j)}, {"ReceiptHandle", std::move(handles[j])}});
    }
    registry_.call("sqs", "DeleteMessageBatch",
                   JsonObject{{"QueueUrl", queueUrl_}, {"Entries", std::move(entries)}}, context(),
                   [self = shared_from_this(), left, then](Result<Json>) {
                     self->loop_.post([left, then] {
                       if (--*left == 0) then();
                     });
                   });
  }
}

}  // namespace sluice::services::lambda
