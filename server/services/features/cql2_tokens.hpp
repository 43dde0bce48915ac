#pragma once

// The CQL2 text tokenizer and a cursor over its tokens, shared by the filter parser
// (cql2.cpp) and the geometry-literal reader (cql2_geometry.cpp). Internal to features/.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wardmap::services::cql2 {

enum class Tok { end, word, quoted, string, number, lparen, rparen, comma, op };

struct Token {
    Tok kind = Tok::end;
    std::string text; // words as written; strings unescaped; ops as "=", "<>", ...
    std::size_t pos = 0;
};

std::string upper(std::string_view s);
/// A token as a message shows it: 'word', "quoted", or "the end of the filter".
std::string describe(const Token& t);
/// Throws DomainError invalid_parameter naming `filter`, with the position from 1.
[[noreturn]] void fail_at(std::size_t pos, const std::string& why);
/// Throws DomainError invalid_parameter naming `filter`: "parameter 'filter' <why>", for a
/// filter past one of the Cql2Limits.
[[noreturn]] void fail_limit(const std::string& why);
/// The tokens of `s`, ending with one Tok::end at `s.size()`.
std::vector<Token> tokenize(std::string_view s);

/// Reads a token list front to back; past the end it keeps answering the end token.
class TokenCursor {
  public:
    explicit TokenCursor(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

    [[nodiscard]] const Token& peek(std::size_t ahead = 0) const {
        return m_tokens[std::min(m_at + ahead, m_tokens.size() - 1)];
    }
    Token next() { return m_tokens[std::min(m_at++, m_tokens.size() - 1)]; }
    void skip() { ++m_at; }
    static bool is_keyword(const Token& t, const char* word) {
        return t.kind == Tok::word && upper(t.text) == word;
    }
    bool accept_keyword(const char* word);
    /// Fails with "expected <what>, found ..." unless the next token is `kind`.
    void expect(Tok kind, const char* what);
    /// A finite number token (fails naming `what` otherwise).
    double number(const char* what);

  protected:
    std::vector<Token> m_tokens;
    std::size_t m_at = 0;
};

} // namespace wardmap::services::cql2
