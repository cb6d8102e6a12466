// SendMessage and SendMessageBatch: message checks (size, characters,
// attributes), delays, FIFO groups and deduplication.
#include <regex>

#include "services/common/input.hpp"
#include "services/sqs/batch.hpp"
#include "services/sqs/message_md5.hpp"
#include "services/sqs/sqs_service.hpp"

namespace sluice::services::sqs {

namespace {

constexpr size_t kMaxAttributes = 10;
constexpr size_t kMaxBatchEntries = 10;
constexpr size_t kMaxBatchBytes = 262144;

AwsError invalidParameter(const std::string& message) {
  return {"InvalidParameterValue", message, 400};
}

// The characters SQS accepts in bodies and string attributes:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (valid UTF-8).
std::optional<uint32_t> firstInvalidCharacter(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c, len = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1f, len = 2;
    } else if ((c >> 4) == 0xe) {
      cp = c & 0x0f, len = 3;
    } else if ((c >> 3) == 0x1e) {
      cp = c & 0x07, len = 4;
    } else {
      return c;
    }
    if (i + len > s.size()) return c;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return c;
      cp = (cp << 6) | (cc & 0x3f);
    }
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return cp;
    i += len;
  }
  return std::nullopt;
}

std::string hexCodePoint(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#x%X", cp);
  return buf;
}

bool isNumberText(std::string_view s) {
  static const std::regex kNumber(R"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)");
  return std::regex_match(s.begin(), s.end(), kNumber);
}

bool validAttributeName(std::string_view n) {
  if (n.empty() || n.size() > 256 || n.front() == '.' || n.back() == '.') return false;
  if (n.find("..") != std::string_view::npos) return false;
  std::string lower;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return !lower.starts_with("aws.") && !lower.starts_with("amazon.");
}

// Checks MessageAttributes and returns their size in bytes (names, types, values).
Result<size_t> checkMessageAttributes(const Json* attrs) {
  if (!attrs || attrs->is_null()) return size_t{0};
  if (!attrs->is_object()) return AwsError::validation("MessageAttributes must be a map");
  const JsonObject& o = attrs->as_object();
  if (o.size() > kMaxAttributes) {
    return invalidParameter("Number of message attributes [" + std::to_string(o.size()) +
                            "] exceeds the allowed maximum [" + std::to_string(kMaxAttributes) +
                            "].");
  }
  size_t bytes = 0;
  for (const auto& kv : o) {
    std::string name(kv.key());
    if (!validAttributeName(name)) {
      return invalidParameter("Message (user) attribute name '" + name + "' is invalid.");
    }
    const JsonObject* v = kv.value().is_object() ? &kv.value().as_object() : nullptr;
    const Json* type = v ? v->if_contains("DataType") : nullptr;
    std::string dataType = type && type->is_string() ? std::string(type->get_string()) : "";
    if (dataType.empty()) {
      return invalidParameter("The message attribute '" + name +
                              "' must contain non-empty message attribute type.");
    }
    std::string_view base = std::string_view(dataType).substr(0, dataType.find('.'));
    if (base != "String" && base != "Number" && base != "Binary") {
      return invalidParameter("The type of message (user) attribute '" + name +
                              "' is invalid. You must use only the following supported type "
                              "prefixes: Binary, Number, String.");
    }
    const char* member = base == "Binary" ? "BinaryValue" : "StringValue";
    const Json* value = v->if_contains(member);
    if (!value || !value->is_string() || value->get_string().empty()) {
      return invalidParameter("The message attribute '" + name +
                              "' must contain non-empty message attribute value for message "
                              "attribute type '" +
                              std::string(base) + "'.");
    }
    std::string_view text = value->get_string();
    if (base == "Number" && !isNumberText(text)) {
      return invalidParameter("Can't cast the value of message (user) attribute '" + name +
                              "' to a number.");
    }
    if (base == "String") {
      if (auto bad = firstInvalidCharacter(text)) {
        return AwsError{"InvalidMessageContents",
                        "Invalid binary character '" + hexCodePoint(*bad) +
                            "' was found in the message attribute '" + name + "'.",
                        400};
      }
    }
    bytes += name.size() + dataType.size() + text.size();
  }
  return bytes;
}

}  // namespace

Result<Json> SqsService::enqueue(Queue& q, const Json& entry, const CallContext& ctx,
                                 SqsStore::Changes& changes) {
  Input input(entry);
  auto body = input.optionalString("MessageBody");
  if (!body) return body.error();
  if (!*body || (*body)->empty()) {
    return AwsError{"MissingParameter", "The request must contain the parameter MessageBody.", 400};
  }
  if (auto bad = firstInvalidCharacter(**body)) {
    return AwsError{"InvalidMessageContents",
                    "Invalid binary character '" + hexCodePoint(*bad) +
                        "' was found in the message body, the set of allowed characters is #x9 | "
                        "#xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                    400};
  }
  const Json* attrs = input.get("MessageAttributes");
  auto attrBytes = checkMessageAttributes(attrs);
  if (!attrBytes) return attrBytes.error();
  if (static_cast<int64_t>((*body)->size() + *attrBytes) > q.config.maximumMessageSize) {
    return invalidParameter(
        "One or more parameters are invalid. Reason: Message must be shorter "
        "than " +
        std::to_string(q.config.maximumMessageSize) + " bytes.");
  }
  auto delay = input.optionalInt("DelaySeconds");
  if (!delay) return delay.error();
  if (*delay && (**delay < 0 || **delay > 900)) {
    return invalidParameter("Value " + std::to_string(**delay) +
                            " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
                            ">= 0 and <= 900.");
  }
  auto groupId = input.optionalString("MessageGroupId");
  if (!groupId) return groupId.error();
  auto dedupId = input.optionalString("MessageDeduplicationId");
  if (!dedupId) return dedupId.error();
  std::string traceHeader;
  if (const Json* sys = input.get("MessageSystemAttributes"); sys && sys->is_object()) {
    for (const auto& kv : sys->as_object()) {
      const Json* v =
          kv.value().is_object() ? kv.value().as_object().if_contains("StringValue") : nullptr;
      if (kv.key() != "AWSTraceHeader" || !v || !v->is_string()) {
        return invalidParameter("Message system attribute name '" + std::string(kv.key()) +
                                "' is invalid.");
      }
      traceHeader = std::string(v->get_string());
    }
  }

  TimePoint now = clock_.now();
  Message m;
  m.body = std::move(**body);
  if (q.config.fifo) {
    if (*delay && **delay > 0) {
      return invalidParameter("Value " + std::to_string(**delay) +
                              " for parameter DelaySeconds is invalid. Reason: The request "
                              "include parameter that is not valid for this queue type.");
    }
    if (!*groupId || (*groupId)->empty()) {
      return AwsError{"MissingParameter", "The request must contain the parameter MessageGroupId.",
                      400};
    }
    std::string dedup = *dedupId ? **dedupId : std::string();
    if (dedup.empty()) {
      if (!q.config.contentBasedDeduplication) {
        return invalidParameter(
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
      }
      dedup = contentDeduplicationId(m.body);
    }
    m.groupId = **groupId;
    m.deduplicationId = dedup;
  } else {
    if (*dedupId) {
      return invalidParameter("Value " + **dedupId +
                              " for parameter MessageDeduplicationId is invalid. Reason: The "
                              "request include parameter that is not valid for this queue type.");
    }
    if (*groupId) m.groupId = **groupId;  // fair queues: kept, reported back
  }

  m.md5OfBody = md5Hex(m.body);
  auto md5Attrs = md5OfMessageAttributes(attrs ? *attrs : Json(nullptr));
  if (!md5Attrs) return md5Attrs.error();
  m.md5OfAttributes = *md5Attrs;
  if (!traceHeader.empty()) {
    JsonObject sys;
    sys["AWSTraceHeader"] = JsonObject{{"DataType", "String"}, {"StringValue", traceHeader}};
    m.md5OfSystemAttributes = md5OfCheckedAttributes(sys);
  }
  JsonObject out;
  out["MD5OfMessageBody"] = m.md5OfBody;
  if (!m.md5OfAttributes.empty()) out["MD5OfMessageAttributes"] = m.md5OfAttributes;
  if (!m.md5OfSystemAttributes.empty()) {
    out["MD5OfMessageSystemAttributes"] = m.md5OfSystemAttributes;
  }

  std::string dedupKey;
  if (q.config.fifo) {
    dedupKey = deduplicationKey(q.config.deduplicationScope, m.groupId, m.deduplicationId);
    if (auto first = q.deduplication.find(dedupKey, now)) {
      // Accepted, not delivered again: the first message's identity.
      out["MessageId"] = first->messageId;
      out["SequenceNumber"] = first->sequenceNumber;
      return Json(std::move(out));
    }
  }
  m.seq = q.nextSeq++;
  m.id = engine_.ids.uuid();
  m.attributes = attrs && attrs->is_object() ? *attrs : Json(JsonObject{});
  m.traceHeader = traceHeader;
  m.senderId = ctx.accessKeyId.empty() ? ctx.scope.account : ctx.accessKeyId;
  m.sent = now;
  int64_t delaySeconds = *delay ? **delay : q.config.delaySeconds;
  m.visibleAt = now + std::chrono::seconds(delaySeconds);
  out["MessageId"] = m.id;
  if (q.config.fifo) {
    std::string seqNumber = sequenceNumber(m.seq);
    out["SequenceNumber"] = seqNumber;
    DeduplicationWindow::Entry e{m.id, seqNumber, now + kDeduplicationInterval};
    q.deduplication.prune(now);
    q.deduplication.remember(dedupKey, e);
    changes.rememberDeduplication(q.arn, dedupKey, e);
  }
  changes.saveMessage(q.arn, m);
  admit(q, std::move(m));
  return Json(std::move(out));
}

void SqsService::sendMessage(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  SqsStore::Changes changes;
  auto out = enqueue(**q, in, ctx, changes);
  if (!out) return reply(out.error());
  commitThenReply(std::move(changes), std::move(out), std::move(reply), *q);
  wakeWaiters(**q);
}

// Checks shared by the batch operations: 1-10 entries with distinct, valid ids.
Result<const JsonArray*> checkBatch(const Json& in, std::string_view entryName) {
  const Json* entries = Input(in).get("Entries");
  if (!entries || !entries->is_array() || entries->as_array().empty()) {
    return AwsError{"EmptyBatchRequest",
                    "There should be at least one " + std::string(entryName) + " in the request.",
                    400};
  }
  const JsonArray& list = entries->as_array();
  if (list.size() > kMaxBatchEntries) {
    return AwsError{"TooManyEntriesInBatchRequest",
                    "Maximum number of entries per request are 10. You have sent " +
                        std::to_string(list.size()) + ".",
                    400};
  }
  std::set<std::string> ids;
  for (const Json& e : list) {
    const Json* id = e.is_object() ? e.as_object().if_contains("Id") : nullptr;
    std::string text = id && id->is_string() ? std::string(id->get_string()) : "";
    bool valid = !text.empty() && text.size() <= 80;
    for (char c : text) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') valid = false;
    }
    if (!valid) {
      return AwsError{"InvalidBatchEntryId",
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long.",
                      400};
    }
    if (!ids.insert(text).second) {
      return AwsError{"BatchEntryIdsNotDistinct", "Id " + text + " repeated.", 400};
    }
  }
  return &list;
}

JsonObject batchFailure(const Json& entry, const AwsError& e) {
  JsonObject f;
  f["Id"] = entry.as_object().at("Id");
  f["SenderFault"] = e.httpStatus < 500;
  f["Code"] = e.code;
  f["Message"] = e.message;
  return f;
}

void SqsService::sendMessageBatch(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  auto entries = checkBatch(in, "SendMessageBatchRequestEntry");
  if (!entries) return reply(entries.error());
  size_t total = 0;
  for (const Json& e : **entries) {
    if (const Json* b = e.as_object().if_contains("MessageBody"); b && b->is_string()) {
      total += b->get_string().size();
    }
    if (auto bytes = checkMessageAttributes(e.as_object().if_contains("MessageAttributes"))) {
      total += *bytes;
    }
  }
  if (total > kMaxBatchBytes) {
    return reply(AwsError{"BatchRequestTooLong",
                          "Batch requests cannot be longer than 262144 bytes. You have sent " +
                              std::to_string(total) + " bytes.",
                          400});
  }
  SqsStore::Changes changes;
  JsonArray ok, failed;
  for (const Json& e : **entries) {
    auto out = enqueue(**q, e, ctx, changes);
    if (!out) {
      failed.push_back(batchFailure(e, out.error()));
      continue;
    }
    out->as_object()["Id"] = e.as_object().at("Id");
    ok.push_back(std::move(*out));
  }
  JsonObject result;
  result["Successful"] = std::move(ok);
  result["Failed"] = std::move(failed);
  commitThenReply(std::move(changes), Json(std::move(result)), std::move(reply), *q);
  wakeWaiters(**q);
}

}  // namespace sluice::services::sqs
