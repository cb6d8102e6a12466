// RestJsonProtocol against the embedded models: routing by method and URI
// template, members from labels / query string / headers / body, and the
// response's header, status-code and payload bindings.
#include <gtest/gtest.h>

#include "gateway/protocol_rest_json.hpp"

namespace sluice::gateway {
namespace {

class RestJsonProtocolTest : public ::testing::Test {
 protected:
  // Registers `service.operation` answering `answer` and recording its input.
  void fake(const std::string& service, const std::string& operation, Result<Json> answer) {
    registry.addService(service, "");
    registry.add(
        service, operation,
        [this, answer](const Json& in, const services::CallContext&, services::Reply reply) {
          seen = in;
          reply(answer);
        });
  }

  HttpResponse send(std::string service, HttpRequest http) {
    RoutedRequest r;
    r.http = std::move(http);
    r.service = std::move(service);
    r.ctx.requestId = "req-1";
    HttpResponse out;
    protocol.handle(std::move(r), [&](HttpResponse resp) { out = std::move(resp); });
    return out;
  }

  static std::string header(const HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  services::OperationRegistry registry;
  RestJsonProtocol protocol{registry};
  Json seen;
};

TEST_F(RestJsonProtocolTest, ClaimsOnlyRegisteredRestJsonServicesWithoutTarget) {
  HttpRequest http{"GET", "/schedules", {}, "", ""};
  EXPECT_FALSE(protocol.claims(http, "scheduler"));  // not registered yet
  fake("scheduler", "ListSchedules", Json(JsonObject{}));
  EXPECT_TRUE(protocol.claims(http, "scheduler"));
  fake("states", "ListStateMachines", Json(JsonObject{}));
  EXPECT_FALSE(protocol.claims(http, "states"));  // awsJson service
  http.headers.emplace_back("X-Amz-Target", "AWSStepFunctions.ListStateMachines");
  EXPECT_FALSE(protocol.claims(http, "scheduler"));
}

TEST_F(RestJsonProtocolTest, QueryStringMembersAreTypedByTheModel) {
  fake("scheduler", "ListSchedules", Json(JsonObject{{"Schedules", JsonArray{}}}));
  auto r = send("scheduler",
                {"GET", "/schedules?ScheduleGroup=g%2D1&MaxResults=5&State=ENABLED", {}, "", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(toJsonText(seen), R"({"GroupName":"g-1","MaxResults":5,"State":"ENABLED"})");
  EXPECT_EQ(r.body, R"({"Schedules":[]})");
}

TEST_F(RestJsonProtocolTest, LabelsAndBodyMakeTheInput) {
  fake("scheduler", "CreateScheduleGroup", Json(JsonObject{{"ScheduleGroupArn", "arn:x"}}));
  auto r =
      send("scheduler",
           {"POST", "/schedule-groups/reports", {}, R"({"Tags":[{"Key":"k","Value":"v"}]})", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen.at("Name").as_string(), "reports");
  EXPECT_EQ(seen.at("Tags").as_array().size(), 1u);
  // The same path with another verb is another operation.
  fake("scheduler", "DeleteScheduleGroup", Json(JsonObject{}));
  send("scheduler", {"DELETE", "/schedule-groups/reports", {}, "", ""});
  EXPECT_EQ(toJsonText(seen), R"({"Name":"reports"})");
}

TEST_F(RestJsonProtocolTest, ErrorsCarryTheCodeHeaderAndMessage) {
  fake("scheduler", "GetSchedule",
       AwsError{"ResourceNotFoundException", "Schedule x does not exist.", 404});
  auto r = send("scheduler", {"GET", "/schedules/x", {}, "", ""});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header(r, "x-amzn-ErrorType"), "ResourceNotFoundException");
  auto body = parseJson(r.body);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->at("message").as_string(), "Schedule x does not exist.");
  auto unknown = send("scheduler", {"PATCH", "/schedules/x", {}, "", ""});
  EXPECT_EQ(header(unknown, "x-amzn-ErrorType"), "UnknownOperationException");
  auto bad = send("scheduler", {"POST", "/schedule-groups/g", {}, "[1]", ""});
  EXPECT_EQ(header(bad, "x-amzn-ErrorType"), "SerializationException");
}

TEST_F(RestJsonProtocolTest, HeaderStatusAndPayloadBindings) {
  // Lambda Invoke: headers in, raw payload in and out, status from a member.
  fake("lambda", "Invoke",
       Json(JsonObject{
           {"StatusCode", 202}, {"FunctionError", "Unhandled"}, {"Payload", "{\"x\":1}"}}));
  auto r = send("lambda", {"POST",
                           "/2015-03-31/functions/f1/invocations?Qualifier=2",
                           {{"X-Amz-Invocation-Type", "Event"}},
                           "{\"in\":true}",
                           ""});
  EXPECT_EQ(seen.at("FunctionName").as_string(), "f1");
  EXPECT_EQ(seen.at("InvocationType").as_string(), "Event");
  EXPECT_EQ(seen.at("Qualifier").as_string(), "2");
  EXPECT_EQ(seen.at("Payload").as_string(), "{\"in\":true}");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(header(r, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(r.body, "{\"x\":1}");
}

}  // namespace
}  // namespace sluice::gateway
