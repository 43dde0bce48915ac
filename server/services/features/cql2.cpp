#include "server/services/features/cql2.hpp"

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/geojson_writer.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

namespace wardmap::services {

namespace {

enum class Tok { end, word, quoted, string, number, lparen, rparen, comma, op };

struct Token {
    Tok kind = Tok::end;
    std::string text; // words as written; strings unescaped; ops as "=", "<>", ...
    std::size_t pos = 0;
};

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

/// What a scalar expression is, for type checks.
enum class Kind { numeric, text, temporal, boolean, geometry, null };

struct Scalar {
    SqlFragment frag;
    Kind kind = Kind::text;
    bool is_property = false;
    bool is_literal_string = false;
    std::string literal; // a string literal's value (LIKE patterns)
    std::string name;    // property name, for messages
};

Kind kind_of(PropertyType type) {
    switch (type) {
    case PropertyType::integer:
    case PropertyType::number:
        return Kind::numeric;
    case PropertyType::date:
    case PropertyType::datetime:
        return Kind::temporal;
    default:
        return Kind::text;
    }
}

const char* kind_name(Kind k) {
    switch (k) {
    case Kind::numeric:
        return "a number";
    case Kind::text:
        return "a string";
    case Kind::temporal:
        return "a date";
    case Kind::boolean:
        return "a boolean";
    case Kind::geometry:
        return "a geometry";
    default:
        return "null";
    }
}

void append(SqlFragment& to, const SqlFragment& from) {
    to.sql += from.sql;
    to.params.insert(to.params.end(), from.params.begin(), from.params.end());
}

/// '%' and '_' wildcards (backslash escapes) to a case-sensitive GLOB pattern.
std::string like_to_glob(std::string_view pattern) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[++i];
            if (next == '*' || next == '?' || next == '[') {
                out += '[';
                out += next;
                out += ']';
            } else {
                out += next;
            }
        } else if (c == '%') {
            out += '*';
        } else if (c == '_') {
            out += '?';
        } else if (c == '*' || c == '?' || c == '[') {
            out += '[';
            out += c;
            out += ']';
        } else {
            out += c;
        }
    }
    return out;
}

class Parser {
  public:
    Parser(std::string_view text,
           const Layer& layer,
           FeatureCrs crs,
           const SpatialPredicate& spatial)
        : m_tokens(tokenize(text)), m_layer(layer), m_crs(crs), m_spatial(spatial) {}

    SqlFragment parse() {
        if (peek().kind == Tok::end) {
            fail_at(0, "the filter is empty");
        }
        SqlFragment out = or_expr();
        if (peek().kind != Tok::end) {
            fail_at(peek().pos,
                    "expected AND, OR or the end of the filter, found " + describe(peek()));
        }
        return out;
    }

  private:
    const Token& peek(std::size_t ahead = 0) const {
        return m_tokens[std::min(m_at + ahead, m_tokens.size() - 1)];
    }
    Token next() { return m_tokens[std::min(m_at++, m_tokens.size() - 1)]; }
    bool is_keyword(const Token& t, const char* word) const {
        return t.kind == Tok::word && upper(t.text) == word;
    }
    bool accept_keyword(const char* word) {
        if (is_keyword(peek(), word)) {
            ++m_at;
            return true;
        }
        return false;
    }
    void expect(Tok kind, const char* what) {
        if (peek().kind != kind) {
            fail_at(peek().pos, std::string("expected ") + what + ", found " + describe(peek()));
        }
        ++m_at;
    }

    SqlFragment or_expr() {
        SqlFragment left = and_expr();
        while (accept_keyword("OR")) {
            SqlFragment right = and_expr();
            SqlFragment both{"(" + left.sql + " OR ", left.params};
            append(both, right);
            both.sql += ")";
            left = std::move(both);
        }
        return left;
    }

    SqlFragment and_expr() {
        SqlFragment left = not_expr();
        while (accept_keyword("AND")) {
            SqlFragment right = not_expr();
            SqlFragment both{"(" + left.sql + " AND ", left.params};
            append(both, right);
            both.sql += ")";
            left = std::move(both);
        }
        return left;
    }

    SqlFragment not_expr() {
        if (accept_keyword("NOT")) {
            SqlFragment inner = not_expr();
            // NULL-safe: a NOT over an unknown comparison excludes the feature, as in SQL.
            inner.sql = "(NOT " + inner.sql + ")";
            return inner;
        }
        return primary();
    }

    SqlFragment primary() {
        if (peek().kind == Tok::lparen) {
            ++m_at;
            SqlFragment inner = or_expr();
            expect(Tok::rparen, "')'");
            return inner;
        }
        if (is_keyword(peek(), "S_INTERSECTS")) {
            return spatial_predicate();
        }
        if ((is_keyword(peek(), "TRUE") || is_keyword(peek(), "FALSE")) &&
            (peek(1).kind == Tok::end || peek(1).kind == Tok::rparen ||
             is_keyword(peek(1), "AND") || is_keyword(peek(1), "OR"))) {
            return {is_keyword(next(), "TRUE") ? "1" : "0", {}};
        }
        return predicate();
    }

    SqlFragment predicate() {
        const Token first = peek();
        Scalar left = scalar();
        const Token& t = peek();
        if (t.kind == Tok::op) {
            const std::string op = next().text;
            Scalar right = scalar();
            check_comparable(left, right, first.pos);
            SqlFragment out{"(" + left.frag.sql + " " + op + " ", left.frag.params};
            append(out, right.frag);
            out.sql += ")";
            return out;
        }
        const bool negated = accept_keyword("NOT");
        if (accept_keyword("LIKE")) {
            const Token pattern_token = peek();
            Scalar pattern = scalar();
            if (!pattern.is_literal_string) {
                fail_at(pattern_token.pos, "LIKE needs a string pattern such as 'Market%'");
            }
            if (left.kind != Kind::text && left.kind != Kind::temporal) {
                fail_at(first.pos,
                        "LIKE compares strings, and " + left.name + " is " + kind_name(left.kind));
            }
            SqlFragment out{"(" + left.frag.sql + (negated ? " NOT GLOB ?)" : " GLOB ?)"),
                            left.frag.params};
            out.params.emplace_back(like_to_glob(pattern.literal));
            return out;
        }
        if (accept_keyword("BETWEEN")) {
            Scalar low = scalar();
            if (!accept_keyword("AND")) {
                fail_at(peek().pos,
                        "expected AND in BETWEEN ... AND ..., found " + describe(peek()));
            }
            Scalar high = scalar();
            check_comparable(left, low, first.pos);
            check_comparable(left, high, first.pos);
            SqlFragment out{"(" + left.frag.sql + (negated ? " NOT BETWEEN " : " BETWEEN "),
                            left.frag.params};
            append(out, low.frag);
            out.sql += " AND ";
            append(out, high.frag);
            out.sql += ")";
            return out;
        }
        if (accept_keyword("IN")) {
            expect(Tok::lparen, "'(' after IN");
            SqlFragment out{"(" + left.frag.sql + (negated ? " NOT IN (" : " IN ("),
                            left.frag.params};
            for (bool first_item = true;; first_item = false) {
                Scalar item = scalar();
                check_comparable(left, item, first.pos);
                out.sql += first_item ? "" : ", ";
                append(out, item.frag);
                if (peek().kind == Tok::comma) {
                    ++m_at;
                    continue;
                }
                expect(Tok::rparen, "',' or ')' in the IN list");
                break;
            }
            out.sql += "))";
            return out;
        }
        if (negated) {
            fail_at(peek().pos,
                    "expected LIKE, BETWEEN or IN after NOT, found " + describe(peek()));
        }
        if (accept_keyword("IS")) {
            const bool not_null = accept_keyword("NOT");
            if (!accept_keyword("NULL")) {
                fail_at(peek().pos, "expected NULL after IS, found " + describe(peek()));
            }
            return {"(" + left.frag.sql + (not_null ? " IS NOT NULL)" : " IS NULL)"),
                    left.frag.params};
        }
        fail_at(t.pos, "expected a comparison (=, <>, <, <=, >, >=), LIKE, BETWEEN, IN or IS "
                       "NULL, found " +
                           describe(t));
    }

    void check_comparable(const Scalar& a, const Scalar& b, std::size_t pos) const {
        if (a.kind == Kind::null || b.kind == Kind::null) {
            fail_at(pos, "compare with NULL using IS NULL or IS NOT NULL");
        }
        if (a.kind == Kind::geometry || b.kind == Kind::geometry) {
            fail_at(pos, "geometries are compared with S_INTERSECTS, not operators");
        }
        auto compatible = [](Kind x, Kind y) {
            return x == y || (x == Kind::temporal && y == Kind::text) ||
                   (x == Kind::text && y == Kind::temporal) ||
                   (x == Kind::boolean && y == Kind::numeric) ||
                   (x == Kind::numeric && y == Kind::boolean);
        };
        if (!compatible(a.kind, b.kind)) {
            const Scalar& prop = a.is_property ? a : b;
            const Scalar& other = a.is_property ? b : a;
            fail_at(pos, (prop.is_property ? "property " + prop.name : std::string("a value")) +
                             " is " + kind_name(prop.kind) + " and cannot be compared with " +
                             kind_name(other.kind));
        }
    }

    Scalar property(const Token& t) {
        Scalar s;
        s.is_property = true;
        s.name = t.text;
        if (t.text == "geometry") {
            s.kind = Kind::geometry;
            return s;
        }
        const LayerProperty* p = m_layer.property(t.text);
        if (!p || !p->queryable) {
            std::string names;
            for (const auto& q : m_layer.properties) {
                if (q.queryable) {
                    names += names.empty() ? "" : ", ";
                    names += q.name;
                }
            }
            invalid_parameter("filter", "names '" + t.text + "' (character " +
                                            std::to_string(t.pos + 1) +
                                            "), which is not a queryable of collection '" +
                                            m_layer.id + "'; queryables: " + names + ", geometry");
        }
        s.frag.sql = p->sql;
        s.kind = kind_of(p->type);
        return s;
    }

    std::string string_argument(const char* function) {
        expect(Tok::lparen, "'('");
        if (peek().kind != Tok::string) {
            fail_at(peek().pos,
                    std::string(function) + " takes a quoted string, found " + describe(peek()));
        }
        std::string value = next().text;
        expect(Tok::rparen, "')'");
        return value;
    }

    Scalar scalar() {
        const Token t = next();
        Scalar s;
        switch (t.kind) {
        case Tok::string:
            s.frag = {"?", {t.text}};
            s.kind = Kind::text;
            s.is_literal_string = true;
            s.literal = t.text;
            return s;
        case Tok::number: {
            s.kind = Kind::numeric;
            std::int64_t i = 0;
            const char* end = t.text.data() + t.text.size();
            const char* start = t.text.data() + (t.text.front() == '+' ? 1 : 0);
            if (auto [p, ec] = std::from_chars(start, end, i); ec == std::errc() && p == end) {
                s.frag = {"?", {i}};
                return s;
            }
            double d = 0;
            if (auto [p, ec] = std::from_chars(start, end, d);
                ec == std::errc() && p == end && std::isfinite(d)) {
                s.frag = {"?", {d}};
                return s;
            }
            fail_at(t.pos, "'" + t.text + "' is not a number");
        }
        case Tok::quoted:
            return property(t);
        case Tok::word: {
            const std::string word = upper(t.text);
            if (word == "TRUE" || word == "FALSE") {
                s.frag = {word == "TRUE" ? "1" : "0", {}};
                s.kind = Kind::boolean;
                return s;
            }
            if (word == "NULL") {
                s.kind = Kind::null;
                s.frag = {"NULL", {}};
                return s;
            }
            if (word == "DATE" && peek().kind == Tok::lparen) {
                const auto pos = peek().pos;
                const std::string value = string_argument("DATE");
                if (!core::parse_iso_date(value)) {
                    fail_at(pos, "DATE('" + value + "') is not a calendar date YYYY-MM-DD");
                }
                s.frag = {"?", {value}};
                s.kind = Kind::temporal;
                return s;
            }
            if (word == "TIMESTAMP" && peek().kind == Tok::lparen) {
                const auto pos = peek().pos;
                const std::string value = string_argument("TIMESTAMP");
                const auto normal = normalize_timestamp(value);
                if (!normal) {
                    fail_at(pos, "TIMESTAMP('" + value +
                                     "') is not an RFC 3339 time such as "
                                     "2024-03-01T10:00:00Z");
                }
                s.frag = {"?", {*normal}};
                s.kind = Kind::temporal;
                return s;
            }
            if ((word == "CASEI" || word == "LOWER") && peek().kind == Tok::lparen) {
                ++m_at;
                Scalar inner = scalar();
                expect(Tok::rparen, "')' after CASEI(...)");
                if (inner.kind != Kind::text) {
                    fail_at(t.pos, "CASEI takes a string");
                }
                inner.frag.sql = "lower(" + inner.frag.sql + ")";
                if (inner.is_literal_string) {
                    // Keep literal patterns literal for LIKE, lower-cased as SQLite would.
                    for (char& c : inner.literal) {
                        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    }
                }
                return inner;
            }
            if (is_reserved(word)) {
                fail_at(t.pos, "expected a property name or a value, found " + describe(t));
            }
            return property(t);
        }
        default:
            fail_at(t.pos, "expected a property name or a value, found " + describe(t));
        }
    }

    static bool is_reserved(const std::string& word) {
        static const std::array<const char*, 11> reserved = {
            "AND", "OR",           "NOT",  "LIKE",      "BETWEEN", "IN",
            "IS",  "S_INTERSECTS", "DATE", "TIMESTAMP", "CASEI"};
        return std::any_of(reserved.begin(), reserved.end(),
                           [&](const char* r) { return word == r; });
    }

    SqlFragment spatial_predicate() {
        ++m_at;
        expect(Tok::lparen, "'(' after S_INTERSECTS");
        std::optional<GeometryLiteral> literal;
        bool have_property = false;
        for (int arg = 0; arg < 2; ++arg) {
            if (arg == 1) {
                expect(Tok::comma, "',' between the two geometries of S_INTERSECTS");
            }
            const Token& t = peek();
            if ((t.kind == Tok::word && t.text == "geometry") ||
                (t.kind == Tok::quoted && t.text == "geometry")) {
                ++m_at;
                have_property = true;
                continue;
            }
            if (t.kind == Tok::word && !literal && is_geometry_keyword(upper(t.text))) {
                literal = geometry_literal();
                continue;
            }
            if (t.kind == Tok::word || t.kind == Tok::quoted) {
                if (m_layer.property(t.text)) {
                    fail_at(t.pos, "property " + t.text +
                                       " is not a geometry; the geometry is 'geometry'");
                }
            }
            fail_at(t.pos, "S_INTERSECTS takes the property 'geometry' and a geometry literal "
                           "(POINT, LINESTRING, POLYGON, MULTI..., BBOX), found " +
                               describe(t));
        }
        expect(Tok::rparen, "')' after S_INTERSECTS(...)");
        if (!have_property || !literal) {
            fail_at(peek().pos, "S_INTERSECTS needs the property 'geometry' and one literal");
        }
        return m_spatial(*literal);
    }

    static bool is_geometry_keyword(const std::string& w) {
        return w == "POINT" || w == "LINESTRING" || w == "POLYGON" || w == "MULTIPOINT" ||
               w == "MULTILINESTRING" || w == "MULTIPOLYGON" || w == "BBOX";
    }

    double number_token(const char* what) {
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

    // One position "x y [z]", converted to storage axes and appended as "x y".
    void position(GeometryLiteral& g) {
        const auto pos = peek().pos;
        double x = number_token("a coordinate");
        double y = number_token("the second coordinate");
        if (peek().kind == Tok::number) {
            (void)number_token("z");
        }
        if (!to_storage_axes(m_crs, x, y)) {
            fail_at(pos, "the coordinates are out of range for the filter-crs");
        }
        g.envelope.extend(x, y);
        geo::append_number(g.wkt, x, 9);
        g.wkt += ' ';
        geo::append_number(g.wkt, y, 9);
    }

    // "(x y, x y, ...)" with at least `min` positions.
    void position_list(GeometryLiteral& g, std::size_t min) {
        expect(Tok::lparen, "'('");
        g.wkt += '(';
        std::size_t n = 0;
        for (;;) {
            if (n) {
                g.wkt += ',';
            }
            position(g);
            ++n;
            if (peek().kind == Tok::comma) {
                ++m_at;
                continue;
            }
            break;
        }
        if (n < min) {
            fail_at(peek().pos, "needs at least " + std::to_string(min) + " positions");
        }
        expect(Tok::rparen, "',' or ')' in a coordinate list");
        g.wkt += ')';
    }

    // "((...), (...))": a list of position lists.
    void list_of_lists(GeometryLiteral& g, std::size_t min, bool polygons) {
        expect(Tok::lparen, "'('");
        g.wkt += '(';
        for (bool first = true;; first = false) {
            if (!first) {
                g.wkt += ',';
            }
            if (polygons) {
                list_of_lists(g, 4, false);
            } else {
                position_list(g, min);
            }
            if (peek().kind == Tok::comma) {
                ++m_at;
                continue;
            }
            break;
        }
        expect(Tok::rparen, "',' or ')'");
        g.wkt += ')';
    }

    GeometryLiteral geometry_literal() {
        const Token t = next();
        const std::string kind = upper(t.text);
        GeometryLiteral g;
        g.bng = m_crs == FeatureCrs::epsg27700;
        if (kind == "BBOX") {
            expect(Tok::lparen, "'(' after BBOX");
            std::vector<double> v;
            for (;;) {
                v.push_back(number_token("a BBOX bound"));
                if (peek().kind == Tok::comma) {
                    ++m_at;
                    continue;
                }
                break;
            }
            expect(Tok::rparen, "')' after the BBOX bounds");
            if (v.size() != 4 && v.size() != 6) {
                fail_at(t.pos, "BBOX takes 4 numbers (or 6 with heights)");
            }
            const std::size_t half = v.size() / 2;
            double x1 = v[0], y1 = v[1], x2 = v[half], y2 = v[half + 1];
            if (!to_storage_axes(m_crs, x1, y1) || !to_storage_axes(m_crs, x2, y2)) {
                fail_at(t.pos, "the BBOX is out of range for the filter-crs");
            }
            if (x1 > x2 || y1 > y2) {
                fail_at(t.pos, "the BBOX's lower corner must come first");
            }
            g.envelope.extend(x1, y1);
            g.envelope.extend(x2, y2);
            g.is_box = true;
            g.wkt = "POLYGON((";
            const double xs[] = {x1, x2, x2, x1, x1};
            const double ys[] = {y1, y1, y2, y2, y1};
            for (int i = 0; i < 5; ++i) {
                g.wkt += i ? "," : "";
                geo::append_number(g.wkt, xs[i], 9);
                g.wkt += ' ';
                geo::append_number(g.wkt, ys[i], 9);
            }
            g.wkt += "))";
            return g;
        }
        g.wkt = kind;
        if (kind == "POINT") {
            expect(Tok::lparen, "'(' after POINT");
            g.wkt += '(';
            position(g);
            expect(Tok::rparen, "')' after the point's coordinates");
            g.wkt += ')';
        } else if (kind == "LINESTRING") {
            position_list(g, 2);
        } else if (kind == "POLYGON") {
            list_of_lists(g, 4, false);
        } else if (kind == "MULTIPOINT") {
            // Both MULTIPOINT((1 2),(3 4)) and MULTIPOINT(1 2, 3 4).
            expect(Tok::lparen, "'(' after MULTIPOINT");
            g.wkt += '(';
            for (bool first = true;; first = false) {
                g.wkt += first ? "(" : ",(";
                const bool wrapped = peek().kind == Tok::lparen;
                if (wrapped) {
                    ++m_at;
                }
                position(g);
                if (wrapped) {
                    expect(Tok::rparen, "')'");
                }
                g.wkt += ')';
                if (peek().kind == Tok::comma) {
                    ++m_at;
                    continue;
                }
                break;
            }
            expect(Tok::rparen, "')' after the points");
            g.wkt += ')';
        } else if (kind == "MULTILINESTRING") {
            list_of_lists(g, 2, false);
        } else {
            list_of_lists(g, 4, true);
        }
        return g;
    }

    std::vector<Token> m_tokens;
    std::size_t m_at = 0;
    const Layer& m_layer;
    FeatureCrs m_crs;
    const SpatialPredicate& m_spatial;
};

} // namespace

bool to_storage_axes(FeatureCrs crs, double& x, double& y) {
    switch (crs) {
    case FeatureCrs::epsg4326:
        std::swap(x, y);
        break;
    case FeatureCrs::epsg3857:
        if (std::abs(x) > 20037508.35 || std::abs(y) > 20048966.11) {
            return false;
        }
        geo::web_mercator_to_lonlat(x, y, x, y);
        return true;
    case FeatureCrs::epsg27700:
        return std::isfinite(x) && std::isfinite(y);
    case FeatureCrs::crs84:
        break;
    }
    return std::abs(x) <= 180 && std::abs(y) <= 90;
}

std::optional<std::string> normalize_timestamp(std::string_view text) {
    const auto t = core::parse_rfc3339(text);
    return t ? std::optional<std::string>(core::format_utc(*t)) : std::nullopt;
}

SqlFragment compile_cql2(std::string_view text,
                         const Layer& layer,
                         FeatureCrs filter_crs,
                         const SpatialPredicate& spatial) {
    Parser parser(text, layer, filter_crs, spatial);
    return parser.parse();
}

} // namespace wardmap::services
