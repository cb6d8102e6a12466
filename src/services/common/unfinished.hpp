// Start-up's look for work a crash cut short: the documents of the rows a
// query selects (its columns: account, region, doc), each with its scope.
// The service marks them FAILED and stores them again.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "services/common/documents.hpp"

namespace sluice::services {

std::vector<std::pair<Scope, Json>> unfinishedDocuments(DocumentStore& docs,
                                                        const std::string& sql);

}  // namespace sluice::services
