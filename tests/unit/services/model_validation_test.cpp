// Model-driven request validation. The expected messages are AWS's: the
// framework's formats ("N validation error(s) detected: Value '...' at 'path'
// failed to satisfy constraint: ...", SerializationException texts) applied to
// the constraints of the real botocore models.
#include <gtest/gtest.h>

#include <string>

#include "services/model/service_model.hpp"

namespace sluice::services::model {
namespace {

const ServiceModel& modelOf(std::string_view service) {
  const ServiceModel* m = ServiceModel::get(service);
  if (!m) throw std::runtime_error("no model for " + std::string(service));
  return *m;
}

TEST(ServiceModel, EveryEmbeddedModelLoadsAndCompilesItsPatterns) {
  auto names = ServiceModel::services();
  for (std::string_view expected : {"athena", "events", "glue", "lambda", "logs", "s3", "scheduler",
                                    "sns", "sqs", "ssm", "states"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (std::string_view name : names) {
    const ServiceModel* m = ServiceModel::get(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->name(), name);
    EXPECT_FALSE(m->operations().empty()) << name;
    EXPECT_TRUE(m->unsupportedPatterns().empty())
        << name << ": " << (m->unsupportedPatterns().empty() ? "" : m->unsupportedPatterns()[0]);
    for (const auto& [opName, op] : m->operations()) EXPECT_EQ(op.name, opName);
  }
  EXPECT_EQ(ServiceModel::get("nosuchservice"), nullptr);
  // Parsed once: every lookup hands out the same model object.
  const ServiceModel* first = ServiceModel::get("states");
  const ServiceModel* again = ServiceModel::get("states");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, again);
}

TEST(ServiceModel, GatewayFactsForEachProtocol) {
  const auto& states = modelOf("states").metadata();
  EXPECT_EQ(states.protocol, "json");
  EXPECT_EQ(states.targetPrefix, "AWSStepFunctions");
  EXPECT_EQ(states.jsonVersion, "1.0");
  EXPECT_EQ(states.signingName, "states");

  const auto& sqs = modelOf("sqs").metadata();
  EXPECT_EQ(sqs.protocol, "json");
  EXPECT_EQ(sqs.targetPrefix, "AmazonSQS");
  EXPECT_TRUE(sqs.awsQueryCompatible);
  EXPECT_EQ(modelOf("ssm").metadata().jsonVersion, "1.1");

  const ServiceModel& lambda = modelOf("lambda");
  EXPECT_EQ(lambda.metadata().protocol, "rest-json");
  const Operation* invoke = lambda.operation("Invoke");
  ASSERT_NE(invoke, nullptr);
  EXPECT_EQ(invoke->httpMethod, "POST");
  EXPECT_EQ(invoke->requestUri, "/2015-03-31/functions/{FunctionName}/invocations");
  const Member* fn = invoke->input->findMember("FunctionName");
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn->location, "uri");
  EXPECT_TRUE(fn->required);
  EXPECT_EQ(invoke->input->payload, "Payload");

  const ServiceModel& sns = modelOf("sns");
  EXPECT_EQ(sns.metadata().protocol, "query");
  EXPECT_EQ(sns.metadata().apiVersion, "2010-03-31");
  ASSERT_NE(sns.operation("Publish"), nullptr);
  EXPECT_EQ(sns.operation("Publish")->resultWrapper, "PublishResult");

  const ServiceModel& s3 = modelOf("s3");
  EXPECT_EQ(s3.metadata().protocol, "rest-xml");
  const Operation* put = s3.operation("PutObject");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->httpMethod, "PUT");
  EXPECT_EQ(put->input->findMember("Bucket")->location, "uri");
  EXPECT_EQ(put->input->findMember("ContentType")->locationName, "Content-Type");
  const Operation* create = s3.operation("CreateBucket");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->input->findMember("CreateBucketConfiguration")->locationName,
            "CreateBucketConfiguration");

  // Error shapes carry the wire code and status when they differ from the
  // shape name. (SQS's legacy query codes such as
  // AWS.SimpleQueueService.NonExistentQueue are no longer in its model.)
  const Shape* missing = sns.shape("NotFoundException");
  ASSERT_NE(missing, nullptr);
  EXPECT_TRUE(missing->exception);
  EXPECT_EQ(missing->errorCode, "NotFound");
  EXPECT_EQ(missing->errorHttpStatus, 404);
  EXPECT_TRUE(missing->senderFault);
}

TEST(ServiceModel, StructureMembersKeepModelOrder) {
  const Shape* in = modelOf("states").shape("CreateStateMachineInput");
  ASSERT_NE(in, nullptr);
  ASSERT_GE(in->members.size(), 3u);
  EXPECT_EQ(in->members[0].name, "name");
  EXPECT_EQ(in->members[1].name, "definition");
  EXPECT_EQ(in->members[2].name, "roleArn");
  const Shape* type = modelOf("states").shape("StateMachineType");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->enumValues, (std::vector<std::string>{"STANDARD", "EXPRESS"}));
}

// Java regex semantics for the patterns the models use.
TEST(ServiceModel, JavaPatternsMatchAsJavaDoes) {
  struct P {
    const char* pattern;
    const char* value;
    bool matches;
  };
  const P cases[] = {
      {"^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "\xc3\x89quipe 1:a/b", true},
      {"^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "a#b", false},
      {"[\\w-_]*", "a-b_c9", true},  // '-' after \w is a literal
      {"[\\w-_]*", "a b", false},
      {"[\\w]*", "\xc3\xa9", false},  // Java's \w is ASCII
      {"[0-9A-Za-z\\.\\-_]*(?<!\\.)", "a.b", true},
      {"[0-9A-Za-z\\.\\-_]*(?<!\\.)", "ab.", false},
      {"[a-zA-Z0-9-_]+", "my-fn_1", true},    // '-' after a range is a literal
      {"[a-zA-Z0-9+-=._./@]+", "a<b", true},  // '+-=' is a range in Java
      {"(?i)all|[0-9]{12}", "ALL", true},
      {"(?i)all|[0-9]{12}", "alls", false},  // the match is whole
      {"[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*", "ok \t\xf0\x9f\x98\x80",
       true},  // supplementary characters
      {"[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*", "a\nb", false},
      {"\\p{ASCII}*", "abc", true},
      {"\\p{ASCII}*", "\xc3\xa9", false},
      {"[^\\x00-\\x1F\\x7F]+", "tab\there", false},
      {"^(?!\\s*$).+", "  ", false},
      {"^(?!\\s*$).+", " x", true},
      {"\\S{36,128}", "abc", false},
      {"((?!^\\d+$)^[0-9a-zA-Z-_]+$)", "123", false},
      {"((?!^\\d+$)^[0-9a-zA-Z-_]+$)", "12a", true},
  };
  for (const P& c : cases) {
    EXPECT_EQ(javaPatternMatches(c.pattern, c.value), c.matches) << c.pattern << " ~ " << c.value;
  }
}

struct Case {
  const char* service;
  const char* operation;
  std::string input;
  const char* code;  // empty: the input is valid
  std::string message;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << c.service << "." << c.operation << " " << c.input;
}

const std::string kArn = "arn:aws:states:us-east-1:000000000000:stateMachine:m";
const std::string k81(81, 'n');
const std::string kEmoji41 = [] {
  std::string s;
  for (int i = 0; i < 41; ++i) s += "\xf0\x9f\x98\x80";  // U+1F600: two UTF-16 units
  return s;
}();

std::string errors(int n, const std::string& list) {
  return std::to_string(n) +
         (n == 1 ? " validation error detected: " : " validation errors detected: ") + list;
}

const Case kCases[] = {
    // Valid input, and members the model does not know, pass.
    {"states", "StartExecution",
     R"({"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m"})", "", ""},
    {"states", "StartExecution",
     R"({"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","bogus":[1,{"x":2}]})",
     "", ""},
    {"states", "CreateStateMachine",
     R"({"name":"m","definition":"{}","roleArn":"arn:aws:iam::000000000000:role/r","type":"EXPRESS",
        "loggingConfiguration":{"level":"ALL","includeExecutionData":true,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:x"}}]},
        "tags":[{"key":"k","value":""}],"publish":false})",
     "", ""},
    {"states", "ListExecutions", R"({"maxResults":1000,"statusFilter":"RUNNING"})", "", ""},
    // The framework reads any string as a boolean.
    {"states", "CreateStateMachine",
     R"({"name":"m","definition":"{}","roleArn":"arn:aws:iam::000000000000:role/r","publish":"yes"})",
     "", ""},
    {"states", "ListStateMachines", "null", "", ""},
    // null is the same as absent.
    {"states", "StartExecution",
     R"({"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","name":null})",
     "", ""},

    // Missing required members, in model order.
    {"states", "StartExecution", "{}", "ValidationException",
     errors(
         1,
         "Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")},
    {"states", "CreateStateMachine", "{}", "ValidationException",
     errors(3,
            "Value null at 'name' failed to satisfy constraint: Member must not be null; "
            "Value null at 'definition' failed to satisfy constraint: Member must not be null; "
            "Value null at 'roleArn' failed to satisfy constraint: Member must not be null")},
    {"states", "DescribeExecution", R"({"executionArn":null})", "ValidationException",
     errors(1,
            "Value null at 'executionArn' failed to satisfy constraint: Member must not be null")},

    // String length.
    {"states", "StartExecution",
     (R"({"stateMachineArn":")" + kArn + R"(","name":")" + k81 + R"("})"), "ValidationException",
     errors(1, "Value '" + k81 +
                   "' at 'name' failed to satisfy constraint: Member must have length less than or "
                   "equal to 80")},
    {"states", "StartExecution", R"({"stateMachineArn":""})", "ValidationException",
     errors(1,
            "Value '' at 'stateMachineArn' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1")},
    // Length counts UTF-16 code units, as Java does: 80 'é' fit, 41 emoji do not.
    {"states", "StartExecution",
     (R"({"stateMachineArn":")" + kArn + R"(","name":")" +
      [] {
        std::string s;
        for (int i = 0; i < 80; ++i) s += "\xc3\xa9";
        return s;
      }() +
      R"("})"),
     "", ""},

    // Sensitive values are not echoed.
    {"states", "CreateStateMachine",
     R"({"name":"m","definition":"","roleArn":"arn:aws:iam::000000000000:role/r"})",
     "ValidationException",
     errors(1,
            "Value at 'definition' failed to satisfy constraint: Member must have length greater "
            "than or equal to 1")},

    // Numeric range.
    {"states", "ListExecutions", R"({"maxResults":1001})", "ValidationException",
     errors(1,
            "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value "
            "less than or equal to 1000")},
    {"states", "ListExecutions", R"({"maxResults":-1})", "ValidationException",
     errors(1,
            "Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value "
            "greater than or equal to 0")},
    {"ssm", "GetParametersByPath", R"({"Path":"/a","MaxResults":50})", "ValidationException",
     errors(1,
            "Value '50' at 'maxResults' failed to satisfy constraint: Member must have value less "
            "than or equal to 10")},

    // Enum.
    {"states", "CreateStateMachine",
     R"({"name":"m","definition":"{}","roleArn":"arn:aws:iam::000000000000:role/r","type":"FAST"})",
     "ValidationException",
     errors(1,
            "Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value "
            "set: [STANDARD, EXPRESS]")},
    {"ssm", "PutParameter", R"({"Name":"/a","Value":"v","Type":"string"})", "ValidationException",
     errors(1,
            "Value 'string' at 'type' failed to satisfy constraint: Member must satisfy enum "
            "value set: [String, StringList, SecureString]")},

    // Nested members: structures join with '.', list elements are '<n>.member'.
    {"states", "CreateStateMachine",
     R"({"name":"m","definition":"{}","roleArn":"arn:aws:iam::000000000000:role/r",
        "loggingConfiguration":{"level":"LOUD"}})",
     "ValidationException",
     errors(1,
            "Value 'LOUD' at 'loggingConfiguration.level' failed to satisfy constraint: Member "
            "must satisfy enum value set: [ALL, ERROR, FATAL, OFF]")},
    {"states", "TagResource",
     R"({"resourceArn":"arn:x","tags":[{"key":"a","value":"b"},{"key":"","value":"c"}]})",
     "ValidationException",
     errors(1,
            "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have "
            "length greater than or equal to 1")},
    {"ssm", "PutParameter", R"({"Name":"/a","Value":"v","Tags":[{"Key":"bad#key","Value":"v"}]})",
     "ValidationException",
     errors(1,
            "Value 'bad#key' at 'tags.1.member.key' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$")},
    {"ssm", "PutParameter", R"({"Name":"/a","Value":"v","Tags":[{"Key":"team"}]})",
     "ValidationException",
     errors(1,
            "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not "
            "be null")},

    // Patterns follow Java's semantics: \p{L} is any letter, the match is whole.
    {"ssm", "PutParameter",
     R"({"Name":"/a","Value":"v","Tags":[{"Key":"Équipe 1","Value":"données:x/y"}]})", "", ""},
    {"ssm", "GetParametersByPath", R"({"Path":"/a","ParameterFilters":[{"Key":"Bogus"}]})",
     "ValidationException",
     errors(1,
            "Value 'Bogus' at 'parameterFilters.1.member.key' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType")},
    {"ssm", "GetParametersByPath", R"({"Path":"/a","ParameterFilters":[{"Key":"tag:env"}]})", "",
     ""},

    // List length, and scalar list elements judged together.
    {"ssm", "GetParameters", R"({"Names":[]})", "ValidationException",
     errors(1,
            "Value '[]' at 'names' failed to satisfy constraint: Member must have length greater "
            "than or equal to 1")},
    {"ssm", "GetParameters", R"({"Names":["/a",""]})", "ValidationException",
     errors(1,
            "Value '[/a, ]' at 'names' failed to satisfy constraint: Member must satisfy "
            "constraint: [Member must have length less than or equal to 2048, Member must have "
            "length greater than or equal to 1]")},
    {"sqs", "GetQueueAttributes",
     R"({"QueueUrl":"http://localhost/000000000000/q","AttributeNames":["All","Colour"]})",
     "ValidationException",
     errors(1,
            "Value '[All, Colour]' at 'attributeNames' failed to satisfy constraint: Member must "
            "satisfy constraint: [Member must satisfy enum value set: [All, Policy, "
            "VisibilityTimeout, MaximumMessageSize, MessageRetentionPeriod, "
            "ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible, CreatedTimestamp, "
            "LastModifiedTimestamp, QueueArn, ApproximateNumberOfMessagesDelayed, DelaySeconds, "
            "ReceiveMessageWaitTimeSeconds, RedrivePolicy, FifoQueue, ContentBasedDeduplication, "
            "KmsMasterKeyId, KmsDataKeyReusePeriodSeconds, DeduplicationScope, "
            "FifoThroughputLimit, RedriveAllowPolicy, SqsManagedSseEnabled]]")},
    // Map keys are judged together too.
    {"sqs", "CreateQueue", R"({"QueueName":"q","Attributes":{"DelaySeconds":"0","Colour":"red"}})",
     "ValidationException",
     errors(1,
            "Value '{DelaySeconds=0, Colour=red}' at 'attributes' failed to satisfy constraint: "
            "Map keys must satisfy constraint: [Member must satisfy enum value set: [All, Policy, "
            "VisibilityTimeout, MaximumMessageSize, MessageRetentionPeriod, "
            "ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible, CreatedTimestamp, "
            "LastModifiedTimestamp, QueueArn, ApproximateNumberOfMessagesDelayed, DelaySeconds, "
            "ReceiveMessageWaitTimeSeconds, RedrivePolicy, FifoQueue, ContentBasedDeduplication, "
            "KmsMasterKeyId, KmsDataKeyReusePeriodSeconds, DeduplicationScope, "
            "FifoThroughputLimit, RedriveAllowPolicy, SqsManagedSseEnabled]]")},

    // Several errors are counted and joined with "; " (SQS member names start
    // upper-case in the model, lower-case in the path).
    {"sqs", "SendMessage", "{}", "ValidationException",
     errors(2,
            "Value null at 'queueUrl' failed to satisfy constraint: Member must not be null; "
            "Value null at 'messageBody' failed to satisfy constraint: Member must not be null")},
    {"states", "ListExecutions", R"({"maxResults":5000,"statusFilter":"DONE","nextToken":""})",
     "ValidationException",
     errors(3,
            "Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy "
            "enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]; "
            "Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value "
            "less than or equal to 1000; "
            "Value '' at 'nextToken' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1")},

    // Wrong JSON types: the framework's SerializationException, before any constraint.
    {"states", "StartExecution", R"({"stateMachineArn":5})", "SerializationException",
     "NUMBER_VALUE can not be converted to a String"},
    {"states", "StartExecution", R"({"stateMachineArn":true})", "SerializationException",
     "TRUE_VALUE can not be converted to a String"},
    {"states", "StartExecution", R"({"stateMachineArn":{"a":1}})", "SerializationException",
     "Start of structure or map found where not expected."},
    {"states", "StartExecution", R"({"stateMachineArn":["a"]})", "SerializationException",
     "Start of list found where not expected"},
    {"states", "ListExecutions", R"({"maxResults":"10"})", "SerializationException",
     "STRING_VALUE can not be converted to an Integer"},
    {"states", "ListExecutions", R"({"maxResults":false})", "SerializationException",
     "FALSE_VALUE can not be converted to an Integer"},
    {"sqs", "SendMessage", R"({"QueueUrl":"u","MessageBody":"b","DelaySeconds":"abc"})",
     "SerializationException", "STRING_VALUE can not be converted to an Integer"},
    {"states", "CreateStateMachine", R"({"name":"m","tags":"x"})", "SerializationException",
     "Expected list or null"},
    {"states", "CreateStateMachine", R"({"name":"m","tags":{"k":"v"}})", "SerializationException",
     "Start of structure or map found where not expected."},
    {"states", "CreateStateMachine", R"({"loggingConfiguration":3})", "SerializationException",
     "Expected null"},
    {"states", "CreateStateMachine", R"({"loggingConfiguration":[]})", "SerializationException",
     "Start of list found where not expected"},
    {"states", "CreateStateMachine", R"({"publish":1})", "SerializationException",
     "NUMBER_VALUE can not be converted to a Boolean"},
    {"sqs", "CreateQueue", R"({"QueueName":"q","Attributes":["DelaySeconds"]})",
     "SerializationException", "Start of list found where not expected"},
    {"sqs", "CreateQueue", R"({"QueueName":"q","Attributes":"DelaySeconds=1"})",
     "SerializationException", "Expected map or null"},
    {"states", "TagResource", R"({"resourceArn":"arn:x","tags":[{"key":7}]})",
     "SerializationException", "NUMBER_VALUE can not be converted to a String"},
    // AWS truncates nothing silently: a fraction for an integer has no message.
    {"states", "ListExecutions", R"({"maxResults":1.5})", "SerializationException", ""},

    // The query protocol's services call the error ValidationError.
    {"sns", "Publish", R"({"TopicArn":"arn:aws:sns:us-east-1:000000000000:t"})", "ValidationError",
     errors(1, "Value null at 'message' failed to satisfy constraint: Member must not be null")},
};

class ModelValidation : public ::testing::TestWithParam<Case> {};

TEST_P(ModelValidation, MatchesAws) {
  const Case& c = GetParam();
  auto input = parseJson(c.input);
  ASSERT_TRUE(input) << c.input;
  Result<void> r = validateInput(modelOf(c.service), c.operation, *input);
  if (std::string_view(c.code).empty()) {
    EXPECT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
    return;
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, c.code);
  EXPECT_EQ(r.error().message, c.message);
  EXPECT_EQ(r.error().httpStatus, 400);
}

INSTANTIATE_TEST_SUITE_P(Table, ModelValidation, ::testing::ValuesIn(kCases));

TEST(ModelValidationLimits, ListsAtMostTenViolations) {
  std::string tags;
  for (int i = 0; i < 12; ++i) tags += std::string(i ? "," : "") + R"({"key":""})";
  auto input = parseJson(R"({"resourceArn":"arn:x","tags":[)" + tags + "]}");
  ASSERT_TRUE(input);
  Result<void> r = validateInput(modelOf("states"), "TagResource", *input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("10 validation errors detected: ", 0), 0u) << r.error().message;
}

TEST(ModelValidationLimits, UnknownOperationPasses) {
  EXPECT_TRUE(validateInput(modelOf("states"), "NoSuchOperation", Json(JsonObject{})).ok());
}

}  // namespace
}  // namespace sluice::services::model
