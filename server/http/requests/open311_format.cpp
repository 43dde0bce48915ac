#include "server/http/requests/open311_format.hpp"

#include "core/xml_text.hpp"

#include "geo/geojson_writer.hpp"

#include <array>
#include <stdexcept>

namespace wardmap::http {

namespace {

std::string_view path_suffix_format(const std::string& path) {
    return path.ends_with(".xml") ? "xml" : "json";
}

} // namespace

std::optional<std::pair<std::string, Open311Format>> split_format(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
        return std::nullopt;
    }
    const auto ext = name.substr(dot + 1);
    if (ext == "json") {
        return std::pair{std::string(name.substr(0, dot)), Open311Format::json};
    }
    if (ext == "xml") {
        return std::pair{std::string(name.substr(0, dot)), Open311Format::xml};
    }
    return std::nullopt;
}

std::string_view xml_item_name(std::string_view list_name) {
    static constexpr std::pair<std::string_view, std::string_view> names[] = {
        {"services", "service"},
        {"service_requests", "request"},
        {"service_request_updates", "request_update"},
        {"errors", "error"},
        {"attributes", "attribute"},
        {"values", "value"},
        {"endpoints", "endpoint"},
        {"formats", "format"},
    };
    for (const auto& [list, item] : names) {
        if (list == list_name) {
            return item;
        }
    }
    return "item";
}

Open311Writer::Open311Writer(Open311Format format, std::string_view root)
    : m_format(format), m_root(root) {
    if (m_format == Open311Format::xml) {
        m_out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    }
}

std::string_view Open311Writer::open_value(std::string_view name, bool empty_element) {
    std::string_view element;
    if (m_open.empty()) {
        if (m_started) {
            throw std::logic_error("Open311Writer: a document has one root");
        }
        m_started = true;
        element = m_root;
    } else {
        Frame& top = m_open.back();
        if (m_format == Open311Format::json) {
            if (!top.first) {
                m_out += ',';
            }
            if (!top.list) {
                // Field names are the spec's, written as they are, as XML's element names are.
                m_out += '"';
                m_out += name;
                m_out += "\":";
            }
        }
        top.first = false;
        element = top.list ? xml_item_name(top.element) : name;
    }
    if (m_format == Open311Format::xml) {
        m_out += '<';
        m_out += element;
        m_out += empty_element ? "/>" : ">";
    }
    return element;
}

void Open311Writer::close_value(std::string_view element) {
    if (m_format == Open311Format::xml) {
        m_out += "</";
        m_out += element;
        m_out += '>';
    }
}

Open311Writer& Open311Writer::begin_object(std::string_view name) {
    std::string element(open_value(name, false));
    if (m_format == Open311Format::json) {
        m_out += '{';
    }
    m_open.push_back(Frame{.list = false, .element = std::move(element)});
    return *this;
}

Open311Writer& Open311Writer::begin_list(std::string_view name) {
    std::string element(open_value(name, false));
    if (m_format == Open311Format::json) {
        m_out += '[';
    }
    m_open.push_back(Frame{.list = true, .element = std::move(element)});
    return *this;
}

Open311Writer& Open311Writer::end() {
    if (m_open.empty()) {
        throw std::logic_error("Open311Writer: end() with nothing open");
    }
    const Frame closing = std::move(m_open.back());
    m_open.pop_back();
    if (m_format == Open311Format::json) {
        m_out += closing.list ? ']' : '}';
    } else {
        close_value(closing.element);
    }
    return *this;
}

Open311Writer& Open311Writer::field(std::string_view name, std::string_view value) {
    const auto element = open_value(name, false);
    if (m_format == Open311Format::json) {
        geo::append_json_string(m_out, value);
    } else {
        append_xml_text(m_out, value);
    }
    close_value(element);
    return *this;
}

Open311Writer& Open311Writer::field(std::string_view name,
                                    const std::optional<std::string>& value) {
    return value ? field(name, std::string_view(*value)) : null_field(name);
}

Open311Writer& Open311Writer::field_if(std::string_view name,
                                       const std::optional<std::string>& value) {
    return value ? field(name, std::string_view(*value)) : *this;
}

Open311Writer& Open311Writer::field(std::string_view name, bool value) {
    const auto element = open_value(name, false);
    m_out += value ? "true" : "false";
    close_value(element);
    return *this;
}

Open311Writer& Open311Writer::field(std::string_view name, std::int64_t value) {
    const auto element = open_value(name, false);
    geo::append_integer(m_out, value);
    close_value(element);
    return *this;
}

Open311Writer& Open311Writer::field(std::string_view name, double value, int decimals) {
    const auto element = open_value(name, false);
    geo::append_number(m_out, value, decimals);
    close_value(element);
    return *this;
}

Open311Writer& Open311Writer::null_field(std::string_view name) {
    open_value(name, true);
    if (m_format == Open311Format::json) {
        m_out += "null";
    }
    return *this;
}

Open311Writer& Open311Writer::item(std::string_view value) {
    if (m_open.empty() || !m_open.back().list) {
        throw std::logic_error("Open311Writer: item() outside a list");
    }
    return field({}, value);
}

std::string Open311Writer::finish() {
    if (!m_started || !m_open.empty()) {
        throw std::logic_error("Open311Writer: finish() before the document is complete");
    }
    if (m_format == Open311Format::xml) {
        m_out += '\n';
    }
    return std::move(m_out);
}

Response open311_response(Open311Writer& writer, int status) {
    const bool xml = writer.format() == Open311Format::xml;
    Response response =
        Response::text(writer.finish(),
                       xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8", status);
    // Open311 is a public read API used from browsers and apps alike.
    response.header("Access-Control-Allow-Origin", "*");
    return response;
}

Response open311_error(const services::DomainError& error, const Request& request) {
    // The spec knows 400, 403 and 404 (and we add 413 and 5xx): anything else a client
    // caused, such as a body in the wrong media type, is its "400 general error".
    int status = services::error_info(error.code()).http_status;
    if (status == 409 || status == 415 || status == 405) {
        status = 400;
    }
    const auto format =
        path_suffix_format(request.path) == "xml" ? Open311Format::xml : Open311Format::json;
    Open311Writer writer(format, "errors");
    writer.begin_list();
    if (error.problems().size() > 1) {
        for (const auto& p : error.problems()) {
            writer.begin_object()
                .field("code", status)
                .field("description", "'" + p.name + "' " + p.message)
                .end();
        }
    } else {
        writer.begin_object().field("code", status).field("description", error.detail()).end();
    }
    writer.end();
    Response response = open311_response(writer, status);
    for (const auto& [name, value] : error.headers) {
        response.header(name, value);
    }
    if (error.retry_after()) {
        response.header("Retry-After", std::to_string(*error.retry_after()));
    }
    return response;
}

} // namespace wardmap::http
