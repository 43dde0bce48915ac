#include "server/services/features/cql2.hpp"

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "server/services/features/cql2_geometry.hpp"
#include "server/services/features/cql2_tokens.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

namespace wardmap::services {

namespace {

using namespace cql2;

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

class Parser : TokenCursor {
  public:
    Parser(std::string_view text,
           const Layer& layer,
           FeatureCrs crs,
           const SpatialPredicate& spatial,
           const Cql2Limits& limits)
        : TokenCursor(tokenize(text)), m_layer(layer), m_crs(crs), m_spatial(spatial),
          m_limits(limits), m_vertices{limits.max_vertices} {}

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
    /// One level of nesting (a parenthesised group, NOT, CASEI/LOWER) for as long as it
    /// lives: the parser recurses once per level, and SQLite's parser stack (about 100
    /// entries in 3.40) overflows on the SQL of some 30 CASEI levels, so past
    /// `max_depth` the filter is refused before either can overflow.
    class Nesting {
      public:
        Nesting(Parser& parser, std::size_t pos) : m_parser(parser) {
            if (++m_parser.m_depth > m_parser.m_limits.max_depth) {
                fail_limit("nests deeper than " + std::to_string(m_parser.m_limits.max_depth) +
                           " levels (each parenthesis, NOT and CASEI is one; at character " +
                           std::to_string(pos + 1) + ")");
            }
        }
        ~Nesting() { --m_parser.m_depth; }
        Nesting(const Nesting&) = delete;
        Nesting& operator=(const Nesting&) = delete;

      private:
        Parser& m_parser;
    };

    /// Counts one predicate (comparison, LIKE, BETWEEN, IN, IS NULL, S_INTERSECTS, TRUE).
    void count_term(std::size_t pos) {
        if (++m_terms > m_limits.max_terms) {
            fail_limit("has more than " + std::to_string(m_limits.max_terms) +
                       " terms (comparisons, LIKE, BETWEEN, IN, IS NULL, S_INTERSECTS; the one "
                       "past the limit is at character " +
                       std::to_string(pos + 1) + ")");
        }
    }

    // A chain "a OR b OR c" compiles flat, "(a OR b OR c)": SQLite parses a flat chain in
    // constant parser stack, where each nested "((a OR b) OR c)" level would take one more.
    SqlFragment or_expr() {
        return chain("OR", [this] { return and_expr(); });
    }

    SqlFragment and_expr() {
        return chain("AND", [this] { return not_expr(); });
    }

    template <typename Operand> SqlFragment chain(const char* keyword, const Operand& operand) {
        SqlFragment first = operand();
        if (!is_keyword(peek(), keyword)) {
            return first;
        }
        SqlFragment out{"(" + first.sql, std::move(first.params)};
        while (accept_keyword(keyword)) {
            out.sql += std::string(" ") + keyword + " ";
            append(out, operand());
        }
        out.sql += ")";
        return out;
    }

    SqlFragment not_expr() {
        if (is_keyword(peek(), "NOT")) {
            const Nesting nested(*this, next().pos);
            SqlFragment inner = not_expr();
            // NULL-safe: a NOT over an unknown comparison excludes the feature, as in SQL.
            inner.sql = "(NOT " + inner.sql + ")";
            return inner;
        }
        return primary();
    }

    SqlFragment primary() {
        if (peek().kind == Tok::lparen) {
            const Nesting nested(*this, next().pos);
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
            count_term(peek().pos);
            return {is_keyword(next(), "TRUE") ? "1" : "0", {}};
        }
        return predicate();
    }

    SqlFragment predicate() {
        const Token first = peek();
        count_term(first.pos);
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
            for (std::size_t items = 1;; ++items) {
                if (items > m_limits.max_list) {
                    fail_limit("has an IN list of more than " + std::to_string(m_limits.max_list) +
                               " values (at character " + std::to_string(peek().pos + 1) + ")");
                }
                Scalar item = scalar();
                check_comparable(left, item, first.pos);
                out.sql += items == 1 ? "" : ", ";
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
                const Nesting nested(*this, t.pos);
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
        count_term(next().pos);
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
            if (t.kind == Tok::word && !literal && cql2::is_geometry_keyword(upper(t.text))) {
                literal = read_geometry_literal(*this, m_crs, m_vertices);
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

    const Layer& m_layer;
    FeatureCrs m_crs;
    const SpatialPredicate& m_spatial;
    const Cql2Limits& m_limits;
    std::size_t m_depth = 0;
    std::size_t m_terms = 0;
    VertexBudget m_vertices;
};

} // namespace

std::optional<std::string> normalize_timestamp(std::string_view text) {
    const auto t = core::parse_rfc3339(text);
    return t ? std::optional<std::string>(core::format_utc(*t)) : std::nullopt;
}

SqlFragment compile_cql2(std::string_view text,
                         const Layer& layer,
                         FeatureCrs filter_crs,
                         const SpatialPredicate& spatial,
                         const Cql2Limits& limits) {
    if (text.size() > limits.max_length) {
        fail_limit("is " + std::to_string(text.size()) + " characters long; the limit is " +
                   std::to_string(limits.max_length));
    }
    Parser parser(text, layer, filter_crs, spatial, limits);
    return parser.parse();
}

} // namespace wardmap::services
