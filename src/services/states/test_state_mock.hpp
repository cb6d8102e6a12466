// TestState mocks: checking a mocked Task result against the response shape
// of the API the Task stands for (mock.fieldValidationMode).
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"
#include "engine/integration.hpp"

namespace sluice::services::states {

// STRICT: required members present and every present member of the model's
// type; PRESENT: present members only; NONE: nothing. Members are matched
// in PascalCase (as Task results name them). Resources without a model
// (lambda:invoke, .sync results, activities) are not checked.
Result<void> validateMockResult(const engine::ParsedResource& resource,
                                asl::IntegrationPattern pattern, const Json& result,
                                std::string_view mode);

}  // namespace sluice::services::states
