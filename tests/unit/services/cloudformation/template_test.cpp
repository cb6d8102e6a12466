#include "services/cloudformation/template.hpp"

#include <gtest/gtest.h>

namespace sluice::services::cloudformation {
namespace {

TEST(TemplateText, YamlShortFormsBecomeLongForms) {
  auto t = parseTemplateText(
      "Resources:\n"
      "  Q:\n"
      "    Type: AWS::SQS::Queue\n"
      "    Properties:\n"
      "      A: !Ref Env\n"
      "      B: !GetAtt Other.Arn\n"
      "      C: !Sub 'x-${Env}'\n"
      "      D: !Join [',', [!Ref Env, b]]\n"
      "      E: !If [IsProd, !Select [0, !GetAZs ''], !Ref 'AWS::NoValue']\n"
      "      F: '007'\n"
      "      G: 007\n");
  ASSERT_TRUE(t) << t.error().message;
  const Json* p = jsonAt(*t, {"Resources", "Q", "Properties"});
  ASSERT_TRUE(p);
  EXPECT_EQ(toJsonText(p->at("A")), R"({"Ref":"Env"})");
  EXPECT_EQ(toJsonText(p->at("B")), R"({"Fn::GetAtt":["Other","Arn"]})");
  EXPECT_EQ(toJsonText(p->at("C")), R"({"Fn::Sub":"x-${Env}"})");
  EXPECT_EQ(toJsonText(p->at("D")), R"({"Fn::Join":[",",[{"Ref":"Env"},"b"]]})");
  EXPECT_EQ(toJsonText(p->at("E")),
            R"({"Fn::If":["IsProd",{"Fn::Select":[0,{"Fn::GetAZs":""}]},{"Ref":"AWS::NoValue"}]})");
  EXPECT_EQ(toJsonText(p->at("F")), R"("007")");
}

TEST(TemplateText, UnknownTagIsAFormatError) {
  auto t = parseTemplateText("Resources:\n  Q:\n    Type: !Nope x\n");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, "ValidationError");
}

TEST(CheckTemplate, OrdersByReferencesAndDependsOn) {
  auto body = parseJson(R"({"Resources": {
      "Machine": {"Type": "AWS::StepFunctions::StateMachine",
                  "Properties": {"X": {"Fn::Sub": "${Fn.Arn} ${Role}"}}},
      "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": "Role.Arn"}}},
      "Role": {"Type": "AWS::IAM::Role"},
      "Late": {"Type": "AWS::SQS::Queue", "DependsOn": ["Machine"]}}})");
  auto checked = checkTemplate(*body);
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(checked->creationOrder, (std::vector<std::string>{"Role", "Fn", "Machine", "Late"}));
  EXPECT_EQ(checked->dependencies["Machine"], (std::set<std::string>{"Fn", "Role"}));
}

TEST(CheckTemplate, ACycleThroughReferencesIsNamed) {
  auto body = parseJson(R"({"Resources": {
      "A": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Ref": "B"}}},
      "B": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Fn::GetAtt": ["C", "Arn"]}}},
      "C": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Fn::Sub": "${A}"}}},
      "D": {"Type": "AWS::SQS::Queue"}}})");
  auto checked = checkTemplate(*body);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().message, "Circular dependency between resources: [A, B, C]");
}

TEST(CheckTemplate, SubVariablesOfItsOwnMapAreNotReferences) {
  auto body = parseJson(R"({"Resources": {
      "A": {"Type": "AWS::SQS::Queue",
            "Properties": {"X": {"Fn::Sub": ["${Local}-${AWS::Region}", {"Local": "v"}]}}}}})");
  EXPECT_TRUE(checkTemplate(*body));
}

TEST(SplitSub, LiteralsVariablesAndEscapes) {
  auto pieces = splitSub("a${B}c${!D}${ E.F }");
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_FALSE(pieces[0].variable);
  EXPECT_EQ(pieces[0].text, "a");
  EXPECT_TRUE(pieces[1].variable);
  EXPECT_EQ(pieces[1].text, "B");
  EXPECT_EQ(pieces[2].text, "c${D}");
  EXPECT_EQ(pieces[3].text, "E.F");
}

}  // namespace
}  // namespace sluice::services::cloudformation
