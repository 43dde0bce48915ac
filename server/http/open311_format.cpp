#include "server/http/open311_format.hpp"

#include <array>

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

void append_element(std::string& out, std::string_view name, const nlohmann::ordered_json& value) {
    if (value.is_null()) {
        out += '<';
        out += name;
        out += "/>";
        return;
    }
    out += '<';
    out += name;
    out += '>';
    if (value.is_object()) {
        for (const auto& [key, child] : value.items()) {
            append_element(out, key, child);
        }
    } else if (value.is_array()) {
        const auto item = xml_item_name(name);
        for (const auto& child : value) {
            append_element(out, item, child);
        }
    } else if (value.is_string()) {
        append_xml_text(out, value.get_ref<const std::string&>());
    } else {
        out += value.dump(); // numbers and true/false
    }
    out += "</";
    out += name;
    out += '>';
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

std::string to_open311_xml(const nlohmann::ordered_json& value, std::string_view root) {
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    append_element(out, root, value);
    out += '\n';
    return out;
}

Response open311_response(const nlohmann::ordered_json& value,
                          std::string_view root,
                          Open311Format format,
                          int status) {
    Response response =
        format == Open311Format::xml
            ? Response::text(to_open311_xml(value, root), "text/xml; charset=utf-8", status)
            : Response::text(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                             "application/json; charset=utf-8", status);
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
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    if (error.problems().size() > 1) {
        for (const auto& p : error.problems()) {
            list.push_back({{"code", status}, {"description", "'" + p.name + "' " + p.message}});
        }
    } else {
        list.push_back({{"code", status}, {"description", error.detail()}});
    }
    const auto format =
        path_suffix_format(request.path) == "xml" ? Open311Format::xml : Open311Format::json;
    Response response = open311_response(list, "errors", format, status);
    for (const auto& [name, value] : error.headers) {
        response.header(name, value);
    }
    if (error.retry_after()) {
        response.header("Retry-After", std::to_string(*error.retry_after()));
    }
    return response;
}

} // namespace wardmap::http
