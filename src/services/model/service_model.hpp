// A service's API model, read from the botocore model compiled into the binary
// (scripts/gen_service_models.py): operations with their HTTP bindings and
// input/output shapes, and shapes with their members and constraints. The
// gateway reads protocol and routing facts here; validateInput() checks a
// request against it before an operation runs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::model {

enum class ShapeType {
  Structure,
  List,
  Map,
  String,
  Boolean,
  Integer,
  Long,
  Float,
  Double,
  Timestamp,
  Blob,
};

struct Shape;

// A numeric bound as the model writes it: kept exact for integers (AWS prints
// it back in messages) and as a double for the rest.
struct Bound {
  double value = 0;
  long long integer = 0;
  bool isInteger = false;
  std::string text;  // as AWS prints it: "1000", "0.5"
};

// A member of a structure, or the element/key/value of a list/map.
struct Member {
  std::string name;  // as in the model ("stateMachineArn", "QueueUrl")
  std::string shapeName;
  const Shape* shape = nullptr;
  bool required = false;
  // Wire bindings for the REST/query protocols.
  std::string location;      // "uri", "querystring", "header", "headers", "statusCode"
  std::string locationName;  // wire name when it differs from `name`
  bool flattened = false;
  bool xmlAttribute = false;
  std::string xmlNamespace;  // xmlNamespace.uri
  std::string xmlNamespacePrefix;
  bool idempotencyToken = false;
  bool hostLabel = false;
  bool jsonValue = false;  // a header carrying base64 JSON
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::Structure;
  std::vector<Member> members;  // structures, in model order
  Member member;                // list element
  Member key;                   // map key
  Member value;                 // map value
  std::optional<Bound> min;     // length for strings/blobs/lists/maps, value for numbers
  std::optional<Bound> max;
  std::string pattern;  // Java regular expression, as AWS prints it
  std::vector<std::string> enumValues;
  std::string timestampFormat;  // "iso8601", "unixTimestamp", "rfc822", or empty
  std::string locationName;     // xml element name of a list member / structure
  std::string xmlNamespace;
  std::string payload;  // member carrying the HTTP body (REST protocols)
  bool flattened = false;
  bool sensitive = false;
  bool exception = false;
  bool fault = false;
  bool isUnion = false;
  bool document = false;
  bool streaming = false;
  bool eventStream = false;
  // Error shapes: the code and status the wire uses when they differ from the name.
  std::string errorCode;
  int errorHttpStatus = 0;
  bool senderFault = false;

  const Member* findMember(std::string_view memberName) const;
};

struct Operation {
  std::string name;
  std::string httpMethod;  // "POST"
  std::string requestUri;  // "/", "/2015-03-31/functions/{FunctionName}/invocations"
  int responseCode = 200;
  const Shape* input = nullptr;   // may be null (no input)
  const Shape* output = nullptr;  // may be null (no output)
  std::string inputLocationName;  // restXml: root element of the payload
  std::string inputXmlNamespace;
  std::string resultWrapper;  // query: "<Op>Result" element of the response
  std::vector<const Shape*> errors;
  bool idempotent = false;
};

struct ServiceMetadata {
  std::string protocol;             // "json", "rest-json", "rest-xml", "query"
  std::string targetPrefix;         // X-Amz-Target prefix for "json" ("AWSStepFunctions")
  std::string jsonVersion;          // "1.0" / "1.1": Content-Type application/x-amz-json-<v>
  std::string signingName;          // SigV4 service in the credential scope
  std::string endpointPrefix;       // host prefix ("states")
  std::string apiVersion;           // "2016-11-23": Version= of the query protocol
  std::string serviceId;            // "SFN"
  std::string xmlNamespace;         // query/restXml response namespace
  bool awsQueryCompatible = false;  // json service that also speaks the query protocol (SQS)
};

class ServiceModel {
 public:
  // The model of `service` (Sluice's service name = the SigV4 signing name:
  // "states", "sqs", "s3", ...), parsed once on first use; thread-safe. Null
  // when no model is embedded for it. The object lives for the process.
  static const ServiceModel* get(std::string_view service);
  // Every service with an embedded model.
  static std::vector<std::string_view> services();

  // Parses a model JSON text (the generator's format). Throws std::runtime_error
  // on a malformed model: models are build artefacts, not user input.
  static std::unique_ptr<ServiceModel> parse(std::string_view json);

  const std::string& name() const { return name_; }
  const ServiceMetadata& metadata() const { return metadata_; }
  const Operation* operation(std::string_view name) const;
  const Shape* shape(std::string_view name) const;
  const std::map<std::string, Operation, std::less<>>& operations() const { return operations_; }

  // Matches `value` against the shape's pattern (Java regex semantics, whole
  // string). True when the shape has no pattern or it could not be compiled.
  bool matchesPattern(const Shape& shape, std::string_view value) const;
  // Patterns of this model that could not be translated to a Boost regex
  // (they accept every value); empty for every embedded model, tests check.
  const std::vector<std::string>& unsupportedPatterns() const { return unsupportedPatterns_; }

  ~ServiceModel();
  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

 private:
  ServiceModel();
  struct Patterns;
  // Restores the query-protocol wire names a JSON model dropped (query_compat.cpp).
  friend void applyQueryCompatibility(ServiceModel& model);

  std::string name_;
  ServiceMetadata metadata_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, Shape, std::less<>> shapes_;
  std::unique_ptr<Patterns> patterns_;
  std::vector<std::string> unsupportedPatterns_;
};

// For an awsQueryCompatible service whose JSON model no longer carries the
// query protocol's wire facts (SQS since botocore moved it to awsJson): puts
// back the element names (`Attribute.1.Name`, `SendMessageBatchRequestEntry.1.Id`),
// the XML namespace and the query error codes (`AWS.SimpleQueueService.NonExistentQueue`)
// the service still speaks. ServiceModel::parse applies it; a no-op for others.
void applyQueryCompatibility(ServiceModel& model);

// Checks an operation's input against the model as AWS's server-side
// validation does, before the operation runs (call it once, where both doors
// meet, so the gateway and the workflow engine see the same errors):
//  - first the JSON must have the model's types, else SerializationException
//    with the framework's message ("NUMBER_VALUE can not be converted to a
//    String", "Expected list or null", "Start of structure or map found where
//    not expected.", an empty message for a fraction where an integer
//    belongs). As on AWS, a string is accepted for a boolean (it reads as
//    true) and null list elements are skipped. Codecs of the query/XML
//    protocols must hand over model-typed JSON (numbers as numbers);
//  - then missing required members, string/list/map lengths (strings in
//    UTF-16 units, as Java counts), numeric ranges, enum values and patterns
//    give one ValidationException (ValidationError for the query protocol)
//    listing up to 10 violations in model member order ("2 validation errors
//    detected: Value null at 'name' failed to satisfy constraint: Member must
//    not be null; ...") with AWS's paths ('loggingConfiguration.level',
//    'tags.1.member.key'; member names with a lower-case first letter).
//    Sensitive values are not echoed ("Value at 'definition' ...").
// Members the model does not know are ignored, as AWS does. An operation the
// model does not know passes (the registry answers it).
Result<void> validateInput(const ServiceModel& model, std::string_view operation,
                           const Json& input);

// Whole-string match of a Java regular expression as the models write them
// (compiled on every call: for tests and one-off checks; validation uses the
// patterns each ServiceModel compiles once). Throws std::runtime_error when
// the pattern uses Java features Sluice does not translate.
bool javaPatternMatches(std::string_view pattern, std::string_view value);

// The JSON Java types AWS's JSON protocol reports in SerializationException.
std::string_view javaTypeName(ShapeType type);

}  // namespace sluice::services::model
