#pragma once

// The body of POST /api/rounds and PUT /api/rounds/{code}: a round as staff type it, read
// strictly (unknown members, wrong types, bad dates and windows are 400 naming the field).
// Pure: nothing here touches the store; the service resolves asset references and checks
// the gazetteer. docs/streetscene.md, "Editing rounds".

#include "server/services/streetscene/schedule_service.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// One stop as given: a street, a property, an asset by id, or an asset by the reference
/// printed on it (with its type when the reference is not unique across types).
struct StopInput {
    StopTarget::Kind kind = StopTarget::Kind::street;
    std::int64_t id = 0;                   ///< USRN, UPRN or asset id; 0 for a reference
    std::string asset_reference;           ///< when the asset is named by its reference
    std::optional<std::string> asset_type; ///< narrows asset_reference
};

/// A round body, read.
struct RoundBody {
    std::optional<std::string> code; ///< required for POST; for PUT absent or the path's
    RoundDefinition definition;      ///< stops left empty: see `stops`
    std::vector<StopInput> stops;
    bool team_given = false; ///< "team" was in the body (it must equal the stored crew)
    std::optional<std::string> team;
};

/// Most stops a round may have.
inline constexpr std::size_t max_round_stops = 20'000;

/// Reads a round body. Throws DomainError (invalid_parameter naming the member, e.g.
/// "rrule", "season", "stops[3].uprn"; malformed_body when it is not an object).
RoundBody parse_round_body(const nlohmann::json& body);

/// The round as the API writes it (GET /api/rounds/{code}): the members parse_round_body
/// reads, so what is read can be sent back changed.
nlohmann::ordered_json round_body_json(const RoundDefinition& def);

} // namespace wardmap::services
