#include "server/http/csv.hpp"

namespace wardmap::http {

void append_csv_cell(std::string& out, std::string_view value) {
    // OWASP's CSV injection advice: neutralise the characters that start a formula.
    const bool formula = !value.empty() &&
                         std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
    const bool quote = formula || value.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote) {
        out += '"';
    }
    if (formula) {
        out += '\'';
    }
    for (const char c : value) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    if (quote) {
        out += '"';
    }
}

void append_csv_row(std::string& out, std::initializer_list<std::string_view> cells) {
    bool first = true;
    for (const auto cell : cells) {
        if (!first) {
            out += ',';
        }
        append_csv_cell(out, cell);
        first = false;
    }
    out += "\r\n";
}

} // namespace wardmap::http
