// Athena's InvalidRequestException, whose AthenaErrorCode member says what
// kind of request it was (INVALID_INPUT, QUERY_EXECUTION_NOT_FOUND, ...).
#pragma once

#include <string>

#include "core/error.hpp"

namespace sluice::services::athena {

inline AwsError invalidRequest(std::string message, std::string code = "INVALID_INPUT") {
  return AwsError{"InvalidRequestException", std::move(message), 400}.with("AthenaErrorCode",
                                                                           std::move(code));
}

}  // namespace sluice::services::athena
