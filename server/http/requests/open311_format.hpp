#pragma once

#include "core/xml_text.hpp"

#include "server/http/message.hpp"
#include "server/services/shared/errors.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wardmap::http {

/// Open311 positions to 6 decimals of a degree (about 10 cm), as FixMyStreet sends them; the
/// tracking document shows its reporter the same figures.
inline constexpr int open311_coordinate_decimals = 6;

/// Open311 picks the format by the path's extension.
enum class Open311Format { json, xml };

/// "services.json" -> {"services", json}; nullopt without a .json or .xml suffix.
std::optional<std::pair<std::string, Open311Format>> split_format(std::string_view name);

/// The element name of one item of a list element: services -> service, service_requests ->
/// request, service_request_updates -> request_update, errors -> error, attributes ->
/// attribute, values -> value, endpoints -> endpoint, formats -> format; else "item".
std::string_view xml_item_name(std::string_view list_name);

/// The XML escaper (core/xml_text.hpp), where the Open311 writer's callers look for it.
using core::append_xml_text;

/// Writes one Open311 document straight onto a string, in either wire format from the same
/// calls (no DOM: a list of 1,000 requests is half a megabyte). JSON: objects and bare arrays,
/// booleans as true/false, null for an absent value. XML: the declaration, then the `root`
/// element; an object's fields are child elements in order, a list's items repeat under
/// xml_item_name(list), null is an empty element. Field names are written as given, unescaped:
/// they are the spec's names, never a client's text.
///
///   Open311Writer w(format, "service_requests");
///   w.begin_list();
///   w.begin_object().field("service_request_id", "7").end();
///   w.end();
///   Response r = open311_response(w);
class Open311Writer {
  public:
    Open311Writer(Open311Format format, std::string_view root);

    /// Opens an object: the document itself when nothing is open yet, an item of the open
    /// list, or the field `name` of the open object.
    Open311Writer& begin_object(std::string_view name = {});
    /// Opens a list, in the same places as begin_object.
    Open311Writer& begin_list(std::string_view name = {});
    /// Closes the innermost open object or list.
    Open311Writer& end();

    Open311Writer& field(std::string_view name, std::string_view value);
    Open311Writer& field(std::string_view name, const char* value) {
        return field(name, std::string_view(value));
    }
    Open311Writer& field(std::string_view name, const std::string& value) {
        return field(name, std::string_view(value));
    }
    /// null (an empty element in XML) when `value` is absent.
    Open311Writer& field(std::string_view name, const std::optional<std::string>& value);
    Open311Writer& field(std::string_view name, bool value);
    Open311Writer& field(std::string_view name, std::int64_t value);
    Open311Writer& field(std::string_view name, int value) {
        return field(name, static_cast<std::int64_t>(value));
    }
    /// Fixed notation with at most `decimals` places, trailing zeros trimmed.
    Open311Writer& field(std::string_view name, double value, int decimals);
    /// The field only when `value` is present (Open311 leaves out what a request lacks).
    Open311Writer& field_if(std::string_view name, const std::optional<std::string>& value);
    Open311Writer& null_field(std::string_view name);
    /// A text item of the open list (discovery's formats).
    Open311Writer& item(std::string_view value);

    /// The document; everything opened must have been closed.
    [[nodiscard]] std::string finish();
    [[nodiscard]] Open311Format format() const { return m_format; }
    /// Room for `bytes` of output up front: a long list then grows without copying itself.
    void reserve(std::size_t bytes) { m_out.reserve(bytes); }

  private:
    struct Frame {
        bool list = false;
        std::string element; ///< XML element name
        bool first = true;
    };
    /// Starts a value: the comma and key (JSON) or the opening tag (XML) of `name` in the
    /// open object, or of an item in the open list. Returns the XML element name.
    std::string_view open_value(std::string_view name, bool empty_element);
    void close_value(std::string_view element);

    Open311Format m_format;
    std::string m_root;
    std::string m_out;
    std::vector<Frame> m_open;
    bool m_started = false;
};

/// The response in the format written: JSON as `application/json; charset=utf-8`, XML as
/// `text/xml; charset=utf-8`, both open to any origin.
Response open311_response(Open311Writer& writer, int status = 200);

/// An error as Open311 documents it: a list of {code, description}, one per problem, with
/// the HTTP status of the error (400, 403, 404, 413, ...). The format follows the path's
/// extension (JSON when it has none).
Response open311_error(const services::DomainError& error, const Request& request);

} // namespace wardmap::http
