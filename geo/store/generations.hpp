#pragma once

// Counters in wardmap_meta ("<dataset>_generation") that writers move on, in their own
// transaction, when they change a dataset a running server keeps in memory: the address
// search index ("addresses") and the point-in-ward index ("wards"). A server compares them
// with the generation its copy was built from and rebuilds when they differ.

#include <string>
#include <string_view>

namespace wardmap::store {

class Database;

void mark_changed(Database& db, std::string_view dataset);
/// "0" when the dataset was never marked.
[[nodiscard]] std::string generation(Database& db, std::string_view dataset);

} // namespace wardmap::store
