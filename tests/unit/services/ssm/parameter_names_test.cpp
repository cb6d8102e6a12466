#include "services/ssm/parameter_names.hpp"

#include <gtest/gtest.h>

namespace sluice::services::ssm {
namespace {

const Scope kScope;  // 000000000000, us-east-1

std::string codeOf(std::string_view name) {
  auto r = checkParameterName(name, kScope);
  return r ? "" : r.error().code;
}

TEST(ParameterNames, AcceptsTheDocumentedForms) {
  for (std::string_view name :
       {"MyParameter1", "/MyParameter2", "/Dev/Production/East/Project-ABC/MyParameter", "a.b-c_d",
        "/s3/lakehouse/name/raw",
        "/Level-1/L2/L3/L4/L5/L6/L7/L8/L9/L10/"
        "L11/L12/L13/L14/parameter-name"}) {
    EXPECT_EQ(codeOf(name), "") << name;
  }
}

TEST(ParameterNames, RefusesReservedPrefixesInAnyCase) {
  for (std::string_view name :
       {"awsTestParameter", "SSM-testparameter", "/aws/testparam1", "/AwS/x", "ssm", "/ssmthing"}) {
    EXPECT_EQ(codeOf(name), "ValidationException") << name;
  }
  EXPECT_EQ(codeOf("/Dev/aws"), "");  // only the first level is reserved
}

TEST(ParameterNames, RefusesBadCharactersAndEmptyLevels) {
  for (std::string_view name :
       {"has space", "semi;colon", "/a//b", "/a/", "/", "star*", "caf\xc3\xa9"}) {
    EXPECT_EQ(codeOf(name), "ValidationException") << name;
  }
}

TEST(ParameterNames, HierarchiesMustBeFullyQualified) {
  auto r = checkParameterName("MyParameter3/L1", kScope);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Parameter name must be a fully qualified name.");
}

TEST(ParameterNames, FifteenLevelsAtMost) {
  std::string name;
  for (int i = 1; i <= 15; ++i) name += "/l" + std::to_string(i);
  EXPECT_EQ(codeOf(name), "");
  EXPECT_EQ(codeOf(name + "/l16"), "HierarchyLevelLimitExceededException");
}

TEST(ParameterNames, LengthCountsTheArnPrefix) {
  // "arn:aws:ssm:us-east-1:000000000000:parameter/" is 45 characters.
  std::string prefix = "arn:aws:ssm:us-east-1:000000000000:parameter/";
  ASSERT_EQ(prefix.size(), 45u);
  EXPECT_EQ(codeOf("/" + std::string(1011 - 45, 'x')), "");
  EXPECT_EQ(codeOf("/" + std::string(1011 - 44, 'x')), "ValidationException");
}

TEST(ParameterNames, OneLevelNamesWithAndWithoutSlashAreOneParameter) {
  EXPECT_EQ(parameterKey("/TestParam1"), parameterKey("TestParam1"));
  EXPECT_NE(parameterKey("/Test/TestParam1"), parameterKey("TestParam1"));
  EXPECT_EQ(parameterArn(kScope, "/a/b"), "arn:aws:ssm:us-east-1:000000000000:parameter/a/b");
  EXPECT_EQ(parameterArn(kScope, "x"), "arn:aws:ssm:us-east-1:000000000000:parameter/x");
}

TEST(ParameterNames, ReadsSelectorsAndArns) {
  auto v = parseParameterRef("/app/db:3");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->name, "/app/db");
  EXPECT_EQ(v->version, 3);
  EXPECT_EQ(v->selector, ":3");
  auto l = parseParameterRef("/app/db:prod");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->label, "prod");
  auto a = parseParameterRef("arn:aws:ssm:us-east-1:000000000000:parameter/app/db:2");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "/app/db");
  EXPECT_EQ(a->version, 2);
  auto plain = parseParameterRef("arn:aws:ssm:us-east-1:000000000000:parameter/top");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(parameterKey(plain->name), "top");
  EXPECT_FALSE(parseParameterRef("/a:1:2").ok());
  EXPECT_FALSE(parseParameterRef("/a:").ok());
}

TEST(ParameterNames, PathsAndMembership) {
  EXPECT_TRUE(checkPath("/").ok());
  EXPECT_TRUE(checkPath("/a/b").ok());
  EXPECT_TRUE(checkPath("/a/b/").ok());
  EXPECT_FALSE(checkPath("a/b").ok());
  EXPECT_FALSE(checkPath("/aws/x").ok());
  EXPECT_TRUE(isUnderPath("/a/b", "/a", false));
  EXPECT_FALSE(isUnderPath("/a/b/c", "/a", false));
  EXPECT_TRUE(isUnderPath("/a/b/c", "/a", true));
  EXPECT_TRUE(isUnderPath("/a/b/c", "/a/", true));
  EXPECT_FALSE(isUnderPath("/ab/c", "/a", true));
  EXPECT_FALSE(isUnderPath("/a", "/a", true));
  EXPECT_TRUE(isUnderPath("top", "/", false));
  EXPECT_FALSE(isUnderPath("/a/b", "/", false));
}

TEST(ParameterNames, Labels) {
  EXPECT_TRUE(isValidLabel("prod"));
  EXPECT_TRUE(isValidLabel("Release_1.2-b"));
  EXPECT_FALSE(isValidLabel("1st"));
  EXPECT_FALSE(isValidLabel("awsLabel"));
  EXPECT_FALSE(isValidLabel("SSM"));
  EXPECT_FALSE(isValidLabel("has/slash"));
  EXPECT_FALSE(isValidLabel(std::string(101, 'a')));
  EXPECT_TRUE(isValidLabel(std::string(100, 'a')));
}

}  // namespace
}  // namespace sluice::services::ssm
