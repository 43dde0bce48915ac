#include "server/services/features/cql2_tokens.hpp"

#include "server/services/shared/errors.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace wardmap::services::cql2 {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string describe(const Token& t) {
    switch (t.kind) {
    case Tok::end:
        return "the end of the filter";
    case Tok::string:
        return "'" + t.text + "'";
    case Tok::quoted:
        return "\"" + t.text + "\"";
    default:
        return "'" + t.text + "'";
    }
}

[[noreturn]] void fail_at(std::size_t pos, const std::string& why) {
    invalid_parameter("filter",
                      "has a syntax error at character " + std::to_string(pos + 1) + ": " + why);
}

void fail_limit(const std::string& why) {
    invalid_parameter("filter", why);
}

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    auto is_word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':';
    };
    while (i < s.size()) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        Token t;
        t.pos = i;
        if (c == '(' || c == ')' || c == ',') {
            t.kind = c == '(' ? Tok::lparen : c == ')' ? Tok::rparen : Tok::comma;
            t.text = std::string(1, c);
            ++i;
        } else if (c == '\'') {
            t.kind = Tok::string;
            ++i;
            for (;;) {
                if (i >= s.size()) {
                    fail_at(t.pos, "the string is not closed with '");
                }
                if (s[i] == '\'') {
                    if (i + 1 < s.size() && s[i + 1] == '\'') {
                        t.text += '\'';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                t.text += s[i++];
            }
        } else if (c == '"') {
            t.kind = Tok::quoted;
            const auto close = s.find('"', i + 1);
            if (close == std::string_view::npos || close == i + 1) {
                fail_at(i, "a quoted property name needs a closing \"");
            }
            t.text = std::string(s.substr(i + 1, close - i - 1));
            i = close + 1;
        } else if (c == '=' || c == '<' || c == '>') {
            t.kind = Tok::op;
            t.text = std::string(1, c);
            ++i;
            if (i < s.size() &&
                ((c == '<' && (s[i] == '>' || s[i] == '=')) || (c == '>' && s[i] == '='))) {
                t.text += s[i++];
            }
        } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                   ((c == '-' || c == '+' || c == '.') && i + 1 < s.size() &&
                    (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.'))) {
            t.kind = Tok::number;
            std::size_t j = i + 1;
            while (j < s.size() &&
                   (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == 'e' ||
                    s[j] == 'E' ||
                    ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E')))) {
                ++j;
            }
            t.text = std::string(s.substr(i, j - i));
            i = j;
        } else if (is_word(c)) {
            t.kind = Tok::word;
            std::size_t j = i;
            while (j < s.size() && is_word(s[j])) {
                ++j;
            }
            t.text = std::string(s.substr(i, j - i));
            i = j;
        } else {
            fail_at(i, std::string("unexpected character '") + c + "'");
        }
        out.push_back(std::move(t));
    }
    Token end;
    end.pos = s.size();
    out.push_back(end);
    return out;
}

bool TokenCursor::accept_keyword(const char* word) {
    if (is_keyword(peek(), word)) {
        ++m_at;
        return true;
    }
    return false;
}

void TokenCursor::expect(Tok kind, const char* what) {
    if (peek().kind != kind) {
        fail_at(peek().pos, std::string("expected ") + what + ", found " + describe(peek()));
    }
    ++m_at;
}

double TokenCursor::number(const char* what) {
    const Token t = peek();
    double v = 0;
    if (t.kind == Tok::number) {
        const char* start = t.text.data() + (t.text.front() == '+' ? 1 : 0);
        const char* end = t.text.data() + t.text.size();
        if (auto [p, ec] = std::from_chars(start, end, v);
            ec == std::errc() && p == end && std::isfinite(v)) {
            ++m_at;
            return v;
        }
    }
    fail_at(t.pos, std::string("expected a number (") + what + "), found " + describe(t));
}

} // namespace wardmap::services::cql2
