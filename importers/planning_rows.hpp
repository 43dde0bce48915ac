#pragma once

// The pure part of `wardmap import planning FILE`: one row of a planning register, by canonical
// field names, -> a checked application, or the fields that are wrong (docs/planning.md). Two
// formats: planning.data.gov.uk's planning-application dataset ("national": hyphenated names,
// status and decision codes) and PlanIt's (planit.org.uk: uid, state, start_date, lat, lng).
// No database, no I/O, no geometry parsing (WKT stays text): fuzz/planning_row.cpp drives these
// directly.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::importers {

enum class PlanningFormat { national, planit };

/// "national" or "planit".
const char* to_string(PlanningFormat format);
std::optional<PlanningFormat> parse_planning_format(std::string_view text);

/// The format a file's column names say (case-insensitive): planning-application-status,
/// address-text or start-date -> national; uid with state or app_state -> planit.
std::optional<PlanningFormat> detect_planning_format(const std::vector<std::string>& columns);

/// YYYY-MM-DD, DD/MM/YYYY, YYYY/MM/DD (GDAL's GeoJSON dates) or an ISO date-time (the date part
/// kept) that exists; nullopt otherwise.
std::optional<std::string> parse_planning_date(std::string_view text);

/// The register's status and decision as the store keeps them: status pending, decided,
/// withdrawn or appeal; decision approved, refused, split or not_required (or none).
struct PlanningOutcome {
    std::string status;
    std::optional<std::string> decision;
};

/// A national planning-application-status code and planning-decision code (either may be
/// empty, not both). nullopt: a code this importer does not know.
std::optional<PlanningOutcome> national_outcome(std::string_view status,
                                                std::string_view decision,
                                                std::string* unknown_field = nullptr);
/// A PlanIt state: Permitted, Conditions, Rejected, Withdrawn, Undecided, Referred, Unresolved.
std::optional<PlanningOutcome> planit_outcome(std::string_view state);

struct PlanningRow {
    std::string reference;
    std::string app_type;
    std::string description;
    std::string address;
    std::optional<std::string> postcode;
    std::optional<std::int64_t> uprn;
    PlanningOutcome outcome;
    std::optional<std::string> decision_type; ///< lower case, e.g. delegated, committee
    std::string received_date;                ///< YYYY-MM-DD
    std::optional<std::string> validated_date, decided_date;
    std::optional<std::string> documentation_url;
    /// Where the site is, as the file gives it (checked for form only): WKT in EPSG:4326 unless
    /// the import says otherwise, and lon/lat.
    std::optional<std::string> point_wkt, geometry_wkt;
    std::optional<double> lon, lat;
};

struct PlanningProblem {
    std::string field; ///< canonical name (below)
    std::string reason;
};

/// Canonical names: reference, name, description, address, postcode, uprn, app_type, status,
/// decision, decision_type, received_date, validated_date, decided_date, documentation_url,
/// point, geometry, lon, lat. Missing keys are empty.
using PlanningFields = std::map<std::string, std::string, std::less<>>;

/// A row, or every problem with it (no reference, an unknown status code, a date that does not
/// parse, a decision before the application was received, a latitude out of range, ...).
/// Never throws.
std::optional<PlanningRow> parse_planning_row(const PlanningFields& fields,
                                              PlanningFormat format,
                                              std::vector<PlanningProblem>& problems);

/// A canonical field and the column names each format uses for it (first present wins).
struct PlanningColumn {
    const char* name;
    std::vector<std::string> national;
    std::vector<std::string> planit;
};
const std::vector<PlanningColumn>& planning_columns();

} // namespace wardmap::importers
