// The intrinsic functions against the data-driven cases of
// tests/data/cloudformation/intrinsics.json.
#include "services/cloudformation/intrinsics.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::services::cloudformation {
namespace {

Json loadCases() {
  std::ifstream in(std::filesystem::path(SLUICE_SOURCE_DIR) /
                   "tests/data/cloudformation/intrinsics.json");
  std::stringstream text;
  text << in.rdbuf();
  auto cases = parseJson(text.str());
  if (!cases) throw std::runtime_error("intrinsics.json does not parse");
  return *cases;
}

TEST(Intrinsics, ResolveAsTheCasesSay) {
  Json data = loadCases();
  std::map<std::string, Json> parameters;
  for (const auto& kv : data.at("parameters").as_object()) parameters[kv.key()] = kv.value();
  TemplateValues values(data.at("template"), {Scope{}, "demo", "arn:stack/demo/1"}, parameters,
                        [](const std::string&) { return std::nullopt; });
  for (const auto& kv : data.at("resources").as_object()) {
    ResourceValues r;
    r.physicalId = jsonString(jsonAt(kv.value(), {"ref"}));
    r.attributes = kv.value().at("attributes").as_object();
    values.setResource(std::string(kv.key()), r);
  }
  size_t checked = 0;
  for (const Json& c : data.at("cases").as_array()) {
    std::string name = jsonString(jsonAt(c, {"name"}));
    auto got = values.resolve(c.at("value"));
    if (const Json* error = jsonAt(c, {"error"})) {
      ASSERT_FALSE(got) << name;
      EXPECT_EQ(got.error().code, "ValidationError") << name;
      EXPECT_TRUE(got.error().message.starts_with(jsonString(error)))
          << name << ": " << got.error().message;
    } else if (jsonAt(c, {"removed"})) {
      ASSERT_TRUE(got) << name << ": " << got.error().message;
      EXPECT_FALSE(*got) << name;
    } else {
      ASSERT_TRUE(got) << name << ": " << got.error().message;
      ASSERT_TRUE(*got) << name;
      EXPECT_TRUE(jsonEquals(**got, c.at("expect")))
          << name << ": got " << toJsonText(**got) << ", expected " << toJsonText(c.at("expect"));
    }
    ++checked;
  }
  EXPECT_EQ(checked, data.at("cases").as_array().size());
  EXPECT_GE(checked, 25u);
}

TEST(Intrinsics, ConditionsEvaluateOnce) {
  Json data = loadCases();
  TemplateValues values(data.at("template"), {Scope{}, "demo", "id"}, {{"Env", Json("prod")}}, {});
  EXPECT_TRUE(*values.condition("IsProd"));
  EXPECT_FALSE(*values.condition("IsDev"));
  EXPECT_FALSE(values.condition("Undefined"));
}

}  // namespace
}  // namespace sluice::services::cloudformation
