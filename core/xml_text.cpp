#include "core/xml_text.hpp"

#include <array>

namespace wardmap::core {

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

} // namespace

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

std::string xml_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_xml_text(out, text);
    return out;
}

} // namespace wardmap::core
