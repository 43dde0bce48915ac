#pragma once

// What the councillors kind reads from either format (JSON or a table through GDAL) and how it
// is stored.

#include "importers/import.hpp"
#include "importers/ward_matcher.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wardmap::importers {

struct Councillor {
    std::string name;
    std::optional<std::string> party; ///< nullopt when the file does not say
    std::optional<std::string> ref;   ///< the council's own id for the councillor
    std::optional<std::string> email;
};

/// The councillors a file gives for one ward of the matched boundary set, in its order.
struct WardCouncillors {
    std::string ward_code;
    std::vector<Councillor> councillors;
};

/// Replaces the councillors of exactly these wards (other wards keep theirs) and counts:
/// a councillor already listed for the ward (same name) is "updated", a new one "inserted",
/// one no longer listed "deleted". Sets report.detail.
void replace_councillors(store::Database& db,
                         const WardMatcher& wards,
                         const std::vector<WardCouncillors>& file,
                         ImportReport& report);

} // namespace wardmap::importers
