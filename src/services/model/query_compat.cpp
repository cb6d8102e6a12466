// The query-protocol wire facts of SQS. SQS moved to awsJson 1.0 (botocore
// 1.31, late 2023) and its JSON model dropped the query protocol's element
// names and error codes; AWS still serves the query protocol that older SDKs
// speak, with these names. They are facts about the wire, as the 2012-11-05
// query-protocol model recorded them.
#include <array>
#include <string_view>

#include "services/model/service_model.hpp"

namespace sluice::services::model {

namespace {

struct MemberName {
  std::string_view shape, member, wireName;
};
// Structure members whose query name differs from the member name.
constexpr std::array<MemberName, 16> kSqsMembers{{
    {"CreateQueueRequest", "Attributes", "Attribute"},
    {"CreateQueueRequest", "tags", "Tag"},
    {"GetQueueAttributesResult", "Attributes", "Attribute"},
    {"ListQueueTagsResult", "Tags", "Tag"},
    {"Message", "Attributes", "Attribute"},
    {"Message", "MessageAttributes", "MessageAttribute"},
    {"MessageAttributeValue", "StringListValues", "StringListValue"},
    {"MessageAttributeValue", "BinaryListValues", "BinaryListValue"},
    {"MessageSystemAttributeValue", "StringListValues", "StringListValue"},
    {"MessageSystemAttributeValue", "BinaryListValues", "BinaryListValue"},
    {"SendMessageBatchRequestEntry", "MessageAttributes", "MessageAttribute"},
    {"SendMessageBatchRequestEntry", "MessageSystemAttributes", "MessageSystemAttribute"},
    {"SendMessageRequest", "MessageAttributes", "MessageAttribute"},
    {"SendMessageRequest", "MessageSystemAttributes", "MessageSystemAttribute"},
    {"SetQueueAttributesRequest", "Attributes", "Attribute"},
    {"ListMessageMoveTasksResult", "Results", "ListMessageMoveTasksResultEntry"},
}};

struct ListName {
  std::string_view shape, memberName;
};
// List element names (flattened lists repeat them in place of the member name).
constexpr std::array<ListName, 18> kSqsLists{{
    {"AWSAccountIdList", "AWSAccountId"},
    {"ActionNameList", "ActionName"},
    {"AttributeNameList", "AttributeName"},
    {"BatchResultErrorEntryList", "BatchResultErrorEntry"},
    {"BinaryList", "BinaryListValue"},
    {"ChangeMessageVisibilityBatchRequestEntryList", "ChangeMessageVisibilityBatchRequestEntry"},
    {"ChangeMessageVisibilityBatchResultEntryList", "ChangeMessageVisibilityBatchResultEntry"},
    {"DeleteMessageBatchRequestEntryList", "DeleteMessageBatchRequestEntry"},
    {"DeleteMessageBatchResultEntryList", "DeleteMessageBatchResultEntry"},
    {"ListMessageMoveTasksResultEntryList", "ListMessageMoveTasksResultEntry"},
    {"MessageAttributeNameList", "MessageAttributeName"},
    {"MessageSystemAttributeList", "MessageSystemAttributeName"},
    {"MessageList", "Message"},
    {"QueueUrlList", "QueueUrl"},
    {"SendMessageBatchRequestEntryList", "SendMessageBatchRequestEntry"},
    {"SendMessageBatchResultEntryList", "SendMessageBatchResultEntry"},
    {"StringList", "StringListValue"},
    {"TagKeyList", "TagKey"},
}};

struct MapNames {
  std::string_view shape, key, value;
};
constexpr std::array<MapNames, 5> kSqsMaps{{
    {"MessageBodyAttributeMap", "Name", "Value"},
    {"MessageBodySystemAttributeMap", "Name", "Value"},
    {"MessageSystemAttributeMap", "Name", "Value"},
    {"QueueAttributeMap", "Name", "Value"},
    {"TagMap", "Key", "Value"},
}};

struct ErrorCode {
  std::string_view shape, code;
  int status;
};
// Error shapes whose query code is not their name.
constexpr std::array<ErrorCode, 14> kSqsErrors{{
    {"BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
    {"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400},
    {"EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400},
    {"InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400},
    {"MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400},
    {"OverLimit", "OverLimit", 403},
    {"PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403},
    {"QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400},
    {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400},
    {"QueueNameExists", "QueueAlreadyExists", 400},
    {"ResourceNotFoundException", "ResourceNotFoundException", 404},
    {"TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400},
    {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400},
    {"RequestThrottled", "RequestThrottled", 403},
}};

}  // namespace

void applyQueryCompatibility(ServiceModel& model) {
  if (model.name_ != "sqs" || !model.metadata_.awsQueryCompatible) return;
  model.metadata_.xmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";
  for (const auto& m : kSqsMembers) {
    auto it = model.shapes_.find(m.shape);
    if (it == model.shapes_.end()) continue;
    for (Member& member : it->second.members) {
      if (member.name == m.member) member.locationName = std::string(m.wireName);
    }
  }
  for (const auto& l : kSqsLists) {
    if (auto it = model.shapes_.find(l.shape); it != model.shapes_.end()) {
      it->second.member.locationName = std::string(l.memberName);
    }
  }
  for (const auto& m : kSqsMaps) {
    if (auto it = model.shapes_.find(m.shape); it != model.shapes_.end()) {
      it->second.key.locationName = std::string(m.key);
      it->second.value.locationName = std::string(m.value);
    }
  }
  for (auto& [name, shape] : model.shapes_) {
    if (!shape.exception || !shape.errorCode.empty()) continue;
    shape.errorCode = name;
    shape.errorHttpStatus = 400;
    shape.senderFault = true;
  }
  for (const auto& e : kSqsErrors) {
    if (auto it = model.shapes_.find(e.shape); it != model.shapes_.end()) {
      it->second.errorCode = std::string(e.code);
      it->second.errorHttpStatus = e.status;
    }
  }
  // ReceiveMessage's (deprecated) AttributeNames shares QueueAttributeName's
  // enum with GetQueueAttributes, yet AWS accepts message attribute names
  // there (ApproximateReceiveCount, ...): give it a list of plain strings.
  if (auto list = model.shapes_.find("AttributeNameList"); list != model.shapes_.end()) {
    Shape& name = model.shapes_["ReceiveMessageAttributeName"];
    name.name = "ReceiveMessageAttributeName";
    name.type = ShapeType::String;
    Shape copy = list->second;
    copy.name = "ReceiveMessageAttributeNameList";
    copy.member.shapeName = name.name;
    copy.member.shape = &name;
    Shape& names = model.shapes_[copy.name] = std::move(copy);
    if (auto req = model.shapes_.find("ReceiveMessageRequest"); req != model.shapes_.end()) {
      for (Member& m : req->second.members) {
        if (m.name != "AttributeNames") continue;
        m.shapeName = names.name;
        m.shape = &names;
      }
    }
  }
  for (auto& [name, op] : model.operations_) {
    if (op.output && op.resultWrapper.empty()) op.resultWrapper = name + "Result";
  }
}

}  // namespace sluice::services::model
