#include "server/http/requests/open311_format.hpp"

#include "geo/geojson_writer.hpp"

#include <array>
#include <stdexcept>

namespace wardmap::http {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD

/// Length of the UTF-8 sequence at `i` and its code point; 0 when it is not valid UTF-8.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    std::size_t n = 0;
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1FU;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0FU;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07U;
    } else {
        return 0;
    }
    if (i + n > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6U) | (b(i + k) & 0x3FU);
    }
    static constexpr std::array<char32_t, 5> min_for_length{0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

bool xml_allowed(char32_t cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

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

void append_xml_text(std::string& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        // Copy each run of ASCII that needs no escape at once.
        std::size_t run = i;
        while (run < text.size()) {
            const auto c = static_cast<unsigned char>(text[run]);
            if (c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>' || c == '"' ||
                c == '\'') {
                break;
            }
            ++run;
        }
        out.append(text.data() + i, run - i);
        i = run;
        if (i == text.size()) {
            break;
        }
        char32_t cp = 0;
        const std::size_t n = decode(text, i, cp);
        if (n == 0) {
            out += replacement;
            ++i;
            continue;
        }
        if (!xml_allowed(cp)) {
            out += replacement;
        } else if (n > 1) {
            out.append(text.substr(i, n));
        } else {
            switch (text[i]) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\r':
                out += "&#13;"; // a bare CR would be normalised away by parsers
                break;
            default:
                out += text[i];
            }
        }
        i += n;
    }
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
