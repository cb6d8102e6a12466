// Which fields each state type accepts, per query language. Anything else is
// "Field 'X' is not supported" (SCHEMA_VALIDATION_FAILED at the state).
#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

namespace {

using Fields = std::vector<std::string_view>;

Fields with(Fields base, std::initializer_list<std::string_view> more) {
  base.insert(base.end(), more);
  return base;
}

// The entry for `type` in a table listed in StateType order.
const Fields& byType(StateType type, std::initializer_list<const Fields*> table) {
  return *table.begin()[static_cast<size_t>(type)];
}

const Fields& jsonPathFields(StateType type) {
  static const Fields kCommon = {"Type", "Comment", "QueryLanguage"};
  static const Fields kPass = with(kCommon, {"Next", "End", "InputPath", "OutputPath", "ResultPath",
                                             "Parameters", "Result", "Assign"});
  static const Fields kTask =
      with(kCommon,
           {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
            "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
            "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign"});
  static const Fields kChoice =
      with(kCommon, {"Choices", "Default", "InputPath", "OutputPath", "Assign"});
  static const Fields kWait =
      with(kCommon, {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp",
                     "SecondsPath", "TimestampPath", "Assign"});
  static const Fields kSucceed = with(kCommon, {"InputPath", "OutputPath"});
  static const Fields kFail = with(kCommon, {"Error", "ErrorPath", "Cause", "CausePath"});
  static const Fields kParallel =
      with(kCommon, {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters",
                     "ResultSelector", "Retry", "Catch", "Branches", "Assign"});
  static const Fields kMap = with(kCommon, {"Next",
                                            "End",
                                            "InputPath",
                                            "OutputPath",
                                            "ResultPath",
                                            "Parameters",
                                            "ResultSelector",
                                            "Retry",
                                            "Catch",
                                            "ItemProcessor",
                                            "Iterator",
                                            "ItemsPath",
                                            "ItemSelector",
                                            "ItemReader",
                                            "ItemBatcher",
                                            "ResultWriter",
                                            "MaxConcurrency",
                                            "MaxConcurrencyPath",
                                            "ToleratedFailureCount",
                                            "ToleratedFailureCountPath",
                                            "ToleratedFailurePercentage",
                                            "ToleratedFailurePercentagePath",
                                            "Label",
                                            "Assign"});
  return byType(type, {&kPass, &kTask, &kChoice, &kWait, &kSucceed, &kFail, &kParallel, &kMap});
}

const Fields& jsonataFields(StateType type) {
  static const Fields kCommon = {"Type", "Comment", "QueryLanguage"};
  static const Fields kPass = with(kCommon, {"Next", "End", "Output", "Assign"});
  static const Fields kTask =
      with(kCommon, {"Next", "End", "Arguments", "Output", "Assign", "Retry", "Catch", "Resource",
                     "TimeoutSeconds", "HeartbeatSeconds", "Credentials"});
  static const Fields kChoice = with(kCommon, {"Choices", "Default", "Output", "Assign"});
  static const Fields kWait =
      with(kCommon, {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"});
  static const Fields kSucceed = with(kCommon, {"Output"});
  static const Fields kFail = with(kCommon, {"Error", "Cause"});
  static const Fields kParallel =
      with(kCommon, {"Next", "End", "Arguments", "Output", "Assign", "Retry", "Catch", "Branches"});
  static const Fields kMap = with(
      kCommon, {"Next", "End", "Items", "ItemSelector", "ItemProcessor", "Iterator", "ItemReader",
                "ItemBatcher", "ResultWriter", "MaxConcurrency", "ToleratedFailureCount",
                "ToleratedFailurePercentage", "Label", "Output", "Assign", "Retry", "Catch"});
  return byType(type, {&kPass, &kTask, &kChoice, &kWait, &kSucceed, &kFail, &kParallel, &kMap});
}

}  // namespace

const std::vector<std::string_view>& allowedStateFields(StateType type, QueryLanguage language) {
  return language == QueryLanguage::JSONata ? jsonataFields(type) : jsonPathFields(type);
}

}  // namespace sluice::asl::detail
