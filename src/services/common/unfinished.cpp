#include "services/common/unfinished.hpp"

namespace sluice::services {

std::vector<std::pair<Scope, Json>> unfinishedDocuments(DocumentStore& docs,
                                                        const std::string& sql) {
  std::vector<std::pair<Scope, Json>> cut;
  if (!docs.store()) return cut;
  auto lease = docs.store()->readers().acquire();
  if (!lease) return cut;
  auto st = lease->db().prepare(sql);
  if (!st) return cut;
  for (;;) {
    auto row = st->step();
    if (!row || !*row) break;
    auto doc = parseJson(st->columnText(2));
    if (!doc) continue;
    Scope scope;
    scope.account = std::string(st->columnText(0));
    scope.region = std::string(st->columnText(1));
    cut.emplace_back(std::move(scope), std::move(*doc));
  }
  return cut;
}

}  // namespace sluice::services
