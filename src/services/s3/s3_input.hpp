// Reading S3 operation inputs (boto3-shaped JSON) and building outputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "services/operation.hpp"

namespace sluice::services::s3 {

std::string str(const Json& in, std::string_view name);
std::optional<std::string> optStr(const Json& in, std::string_view name);
std::optional<int64_t> optInt(const Json& in, std::string_view name);
bool flag(const Json& in, std::string_view name);
// A timestamp member: epoch seconds, or an ISO-8601 / HTTP date string.
std::optional<TimePoint> optTime(const Json& in, std::string_view name);
// Epoch seconds, as outputs carry timestamps.
Json epoch(TimePoint t);

// The streaming Body: the HTTP door's payload, or the JSON string member.
std::string_view requestBody(const Json& in, const CallContext& ctx);
// Moves the body out of the payload (when the operation keeps it).
std::string takeRequestBody(const Json& in, const CallContext& ctx);

// Keys: at most 1024 bytes of UTF-8 (KeyTooLongError / InvalidArgument).
Result<void> checkKey(std::string_view key);

}  // namespace sluice::services::s3
