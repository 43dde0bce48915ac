#pragma once

// Helpers the request service's files share (intake, reads, updates, tracking, KPIs); not
// part of the services' interface.

#include "core/w3c_time.hpp"

#include "geo/store/database.hpp"
#include "server/services/requests/service_catalogue.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services::request_detail {

/// What pollers of servicerequestupdates read for a reporter's reopening: the reporter's own
/// text stays between them and the council.
inline constexpr const char* reporter_reopened_note = "Reopened by the reporter";

/// The columns PublicRequest is read from (RequestService::scan).
inline constexpr const char* public_columns =
    "r.id, r.category_code, r.status, r.description, r.address, r.uprn, r.postcode, "
    "r.created_at, r.updated_at, r.closed_at, r.expected_at, r.media_url, r.source, "
    "r.ward_code, r.usrn, r.priority, r.duplicate_of, r.geom_wgs84, r.status_note, r.geom, "
    "r.photo_id ";

/// mySociety's upper-case update statuses -> ours; "unchanged" keeps the current one.
std::optional<std::string> status_from_update(std::string text);
/// Characters, not bytes, of UTF-8 text.
std::size_t utf8_length(std::string_view text);
std::optional<double> parse_number(const std::string& text);
/// A positive integer id, exactly; nullopt for anything else.
std::optional<std::int64_t> parse_id(const std::string& text);
/// Where an external `media_url` may point: an absolute http: or https: URL with a host, or
/// this server's own photos (`/media/photos/...`, as a path). Anything else (javascript:,
/// data:, file:, a relative path, spaces or control characters, over 2,048 characters) adds
/// a problem naming `media_url`: it is republished to every Open311 reader as a link.
void check_media_url(const std::optional<std::string>& url, std::vector<FieldProblem>& problems);
/// DomainError invalid_parameter listing every problem.
[[noreturn]] void fail_with(std::vector<FieldProblem> problems);
std::optional<core::UnixSeconds> parse_stored(std::optional<std::string_view> text);
/// Answers to the service's questions, checked against its definition, as a JSON object.
nlohmann::json check_attributes(const ServiceDefinition& service,
                                const std::map<std::string, std::vector<std::string>>& given,
                                std::vector<FieldProblem>& problems);
std::string choose_priority(const ServiceDefinition& service, const nlohmann::json& answers);
/// "in_progress" -> "in progress", for messages.
std::string words(std::string status);
std::optional<std::int64_t> optional_int(const store::Statement& st, int col);
/// Sets `to` from `from`, reusing the buffer `to` already holds.
void assign_optional(std::optional<std::string>& to, std::optional<std::string_view> from);

} // namespace wardmap::services::request_detail
