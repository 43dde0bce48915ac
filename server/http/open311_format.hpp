#pragma once

#include "server/http/message.hpp"
#include "server/services/errors.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace wardmap::http {

/// Open311 picks the format by the path's extension.
enum class Open311Format { json, xml };

/// "services.json" -> {"services", json}; nullopt without a .json or .xml suffix.
std::optional<std::pair<std::string, Open311Format>> split_format(std::string_view name);

/// The element name of one item of a list element: services -> service, service_requests ->
/// request, service_request_updates -> request_update, errors -> error, attributes ->
/// attribute, values -> value, endpoints -> endpoint, formats -> format; else "item".
std::string_view xml_item_name(std::string_view list_name);

/// Escapes text for XML content: & < > " ' as entities; characters XML 1.0 forbids (C0
/// controls but tab, newline and return; U+FFFE, U+FFFF) and bytes that are not UTF-8 become
/// U+FFFD.
void append_xml_text(std::string& out, std::string_view text);

/// A document in Open311's XML: the declaration, then `root` holding `value`, objects as
/// child elements in order, arrays as repeated items (xml_item_name), null as an empty
/// element, booleans as true/false.
std::string to_open311_xml(const nlohmann::ordered_json& value, std::string_view root);

/// The response in the format asked for: JSON as the value itself (a bare array for lists),
/// `application/json; charset=utf-8`; XML under `root`, `text/xml; charset=utf-8`.
Response open311_response(const nlohmann::ordered_json& value,
                          std::string_view root,
                          Open311Format format,
                          int status = 200);

/// An error as Open311 documents it: a list of {code, description}, one per problem, with
/// the HTTP status of the error (400, 403, 404, 413, ...). The format follows the path's
/// extension (JSON when it has none).
Response open311_error(const services::DomainError& error, const Request& request);

} // namespace wardmap::http
