// Retry and Catch arrays: field ranges, ErrorEquals shape and the rule that
// States.ALL stands alone in the last entry.
#include <algorithm>

#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

namespace {

constexpr long long kMaxInt = 99999999;

// ErrorEquals: a non-empty array of strings; States.ALL alone.
std::vector<std::string> readErrorEquals(CompileContext& ctx, const JsonObject& obj,
                                         const std::string& loc) {
  std::vector<std::string> out;
  auto it = obj.find("ErrorEquals");
  std::string fieldLoc = childLocation(loc, "ErrorEquals");
  if (it == obj.end()) {
    ctx.schema("These fields are required: [ErrorEquals]", loc);
    return out;
  }
  if (!it->value().is_array()) {
    ctx.schema("Expected value of type: Array", fieldLoc);
    return out;
  }
  if (it->value().get_array().empty()) {
    ctx.schema("Array must contain at least 1 item", fieldLoc);
  }
  size_t i = 0;
  for (const auto& e : it->value().get_array()) {
    if (!e.is_string()) {
      ctx.schema("Expected value of type: String", childLocation(fieldLoc, i));
    } else {
      out.emplace_back(e.get_string());
    }
    ++i;
  }
  bool hasAll = std::find(out.begin(), out.end(), errors::kAll) != out.end();
  if (hasAll && out.size() > 1) {
    ctx.schema("States.ALL must appear alone in ErrorEquals", fieldLoc);
  }
  return out;
}

// A States.ALL entry anywhere but last shadows the entries after it.
void checkAllIsLast(CompileContext& ctx, const std::vector<std::vector<std::string>>& lists,
                    const std::string& loc) {
  for (size_t i = 0; i + 1 < lists.size(); ++i) {
    if (std::find(lists[i].begin(), lists[i].end(), errors::kAll) != lists[i].end()) {
      ctx.schema("States.ALL must be the last element in the array",
                 childLocation(childLocation(loc, i), "ErrorEquals"));
    }
  }
}

const JsonArray* readArray(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                           const std::string& loc) {
  const Json& v = obj.at(key);
  if (!v.is_array()) {
    ctx.schema("Expected value of type: Array", childLocation(loc, key));
    return nullptr;
  }
  return &v.get_array();
}

}  // namespace

void compileRetry(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  const JsonArray* entries = readArray(ctx, obj, "Retry", loc);
  if (!entries) return;
  std::string retryLoc = childLocation(loc, "Retry");
  std::vector<std::vector<std::string>> lists;
  size_t i = 0;
  for (const auto& entry : *entries) {
    std::string entryLoc = childLocation(retryLoc, i++);
    if (!entry.is_object()) {
      ctx.schema("Expected value of type: Object", entryLoc);
      continue;
    }
    const auto& r = entry.get_object();
    checkAllowedFields(ctx, r,
                       {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                        "MaxDelaySeconds", "JitterStrategy", "Comment"},
                       entryLoc);
    Retrier retrier;
    retrier.errorEquals = readErrorEquals(ctx, r, entryLoc);
    lists.push_back(retrier.errorEquals);
    if (auto v = readInteger(ctx, r, "IntervalSeconds", entryLoc, 1, kMaxInt)) {
      retrier.intervalSeconds = double(*v);
    }
    if (auto v = readInteger(ctx, r, "MaxAttempts", entryLoc, 0, kMaxInt)) {
      retrier.maxAttempts = static_cast<int>(*v);
    }
    if (auto v = readNumber(ctx, r, "BackoffRate", entryLoc, 1.0, 1e9)) retrier.backoffRate = *v;
    if (auto v = readInteger(ctx, r, "MaxDelaySeconds", entryLoc, 1, kMaxInt)) {
      retrier.maxDelaySeconds = double(*v);
    }
    if (auto v = readString(ctx, r, "JitterStrategy", entryLoc)) {
      if (*v == "FULL") {
        retrier.fullJitter = true;
      } else if (*v != "NONE") {
        ctx.schema("Value is not one of [FULL, NONE]", childLocation(entryLoc, "JitterStrategy"));
      }
    }
    readString(ctx, r, "Comment", entryLoc);
    st.retry.push_back(std::move(retrier));
  }
  checkAllIsLast(ctx, lists, retryLoc);
}

void compileCatch(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  const JsonArray* entries = readArray(ctx, obj, "Catch", loc);
  if (!entries) return;
  std::string catchLoc = childLocation(loc, "Catch");
  bool jsonata = st.queryLanguage == QueryLanguage::JSONata;
  std::vector<std::vector<std::string>> lists;
  size_t i = 0;
  for (const auto& entry : *entries) {
    std::string entryLoc = childLocation(catchLoc, i++);
    if (!entry.is_object()) {
      ctx.schema("Expected value of type: Object", entryLoc);
      continue;
    }
    const auto& c = entry.get_object();
    if (jsonata) {
      checkAllowedFields(ctx, c, {"ErrorEquals", "Next", "Output", "Assign", "Comment"}, entryLoc);
    } else {
      checkAllowedFields(ctx, c, {"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"},
                         entryLoc);
    }
    Catcher catcher;
    catcher.raw = entry;
    catcher.errorEquals = readErrorEquals(ctx, c, entryLoc);
    lists.push_back(catcher.errorEquals);
    if (!c.contains("Next")) ctx.schema("These fields are required: [Next]", entryLoc);
    readString(ctx, c, "Next", entryLoc);
    if (jsonata) {
      readJsonataOutputAssign(ctx, c, entryLoc, catcher.jsonata,
                              "Catch[" + std::to_string(i - 1) + "]/");
    } else {
      catcher.resultPath = readOptionalPath(ctx, c, "ResultPath", entryLoc, true);
      catcher.assign = readTemplate(ctx, c, "Assign", entryLoc);
    }
    readString(ctx, c, "Comment", entryLoc);
    st.catchers.push_back(std::move(catcher));
  }
  checkAllIsLast(ctx, lists, catchLoc);
}

}  // namespace sluice::asl::detail
