#include <gtest/gtest.h>

#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {
namespace {

struct NameCase {
  const char* text;
  const char* qualifierMember;
  const char* name;  // nullptr: refused
  const char* qualifier;
};

TEST(LambdaFunctionName, EveryFormLambdaAccepts) {
  const NameCase cases[] = {
      {"my-fn", "", "my-fn", ""},
      {"my_fn:live", "", "my_fn", "live"},
      {"my-fn:$LATEST", "", "my-fn", "$LATEST"},
      {"my-fn", "3", "my-fn", "3"},
      {"123456789012:function:my-fn", "", "my-fn", ""},
      {"123456789012:function:my-fn:7", "", "my-fn", "7"},
      {"arn:aws:lambda:us-east-1:123456789012:function:my-fn", "", "my-fn", ""},
      {"arn:aws:lambda:eu-west-1:123456789012:function:my-fn:prod", "prod", "my-fn", "prod"},
      // Refused: a qualifier contradicting the Qualifier member, bad names, other services.
      {"my-fn:1", "2", nullptr, nullptr},
      {"bad name", "", nullptr, nullptr},
      {"", "", nullptr, nullptr},
      {"arn:aws:sqs:us-east-1:123456789012:queue", "", nullptr, nullptr},
      {"arn:aws:lambda:us-east-1:123456789012:layer:l:1", "", nullptr, nullptr},
      {"a:b:c", "", nullptr, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto ref = parseFunctionName(c.text, c.qualifierMember);
    if (!c.name) {
      ASSERT_FALSE(ref.ok());
      EXPECT_EQ(ref.error().code, "InvalidParameterValueException");
      continue;
    }
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    EXPECT_EQ(ref->name, c.name);
    EXPECT_EQ(ref->qualifier, c.qualifier);
  }
}

}  // namespace
}  // namespace sluice::services::lambda
