#pragma once

// The type-ahead address index: every searchable address's words in memory, as sorted term
// postings over the addresses in street and house-number order. A keystroke costs
// microseconds at a million addresses where SQLite's FTS5 took milliseconds; the store stays
// the only copy of the data (the index is rebuilt from it at start and after imports).

#include "geo/store/connection_pool.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace wardmap::services {

class AddressIndex {
  public:
    /// At most this many matching addresses are ranked for one query (a broad query such as
    /// "r" ranks the first ones in street order).
    static constexpr std::size_t max_ranked = 20000;

    /// Reads the searchable addresses (approved, alternative, provisional) of `db`.
    static std::shared_ptr<const AddressIndex> build(store::Database& db);

    /// addresses.id of the best matches, best first, one per UPRN: every token must match a
    /// word of the address (the last as a prefix when `last_is_prefix`; "rd" also matches
    /// "road" and so on), and an address whose house or flat number is the first number typed
    /// ranks first, then approved before provisional before alternative addresses, then street
    /// and house-number order.
    [[nodiscard]] std::vector<std::int64_t>
    search(const std::vector<std::string>& tokens, bool last_is_prefix, std::size_t limit) const;

    [[nodiscard]] std::size_t size() const { return m_docs.size(); }
    [[nodiscard]] std::size_t term_count() const { return m_terms.size(); }
    [[nodiscard]] std::size_t memory_bytes() const;
    /// wardmap_meta.addresses_generation when it was built.
    [[nodiscard]] const std::string& generation() const { return m_generation; }

  private:
    struct Doc {
        std::int64_t id;
        std::int64_t uprn;
        std::uint32_t pao_number; ///< into m_numbers, 0 when none
        std::uint32_t sao_number;
        std::uint8_t status_score;
    };
    /// The terms a query token accepts: a range of m_terms (one exact term, or every term
    /// with a prefix) and an abbreviation's full word.
    struct TokenTerms {
        std::uint32_t first = 0, last = 0; ///< [first, last)
        std::uint32_t expansion = no_term;
        std::size_t postings = 0;
    };
    static constexpr std::uint32_t no_term = UINT32_MAX;

    [[nodiscard]] std::uint32_t find_term(std::string_view term) const;
    [[nodiscard]] TokenTerms token_terms(const std::string& token, bool prefix) const;
    [[nodiscard]] bool doc_has(std::uint32_t doc, const TokenTerms& t) const;

    std::vector<Doc> m_docs;                 ///< in street and house-number order
    std::vector<std::string> m_terms;        ///< sorted
    std::vector<std::uint32_t> m_term_start; ///< postings of term t: [m_term_start[t], [t+1])
    std::vector<std::uint32_t> m_postings;   ///< doc indexes, ascending per term
    std::vector<std::uint32_t> m_doc_start;  ///< terms of doc d: [m_doc_start[d], [d+1])
    std::vector<std::uint32_t> m_doc_terms;  ///< term ids, ascending per doc
    std::unordered_map<std::string, std::uint32_t> m_numbers; ///< "12a" -> id (from 1)
    std::string m_generation;
};

/// The index a running server searches: built at start, then rebuilt on a background thread
/// when an import has changed the addresses (checked at most once a second, on a search);
/// searches keep using the previous index until the new one is ready.
class LiveAddressIndex {
  public:
    explicit LiveAddressIndex(store::ConnectionPool& pool);
    ~LiveAddressIndex();
    LiveAddressIndex(const LiveAddressIndex&) = delete;
    LiveAddressIndex& operator=(const LiveAddressIndex&) = delete;

    /// The current index; `db` (the caller's pooled connection) reads the generation.
    [[nodiscard]] std::shared_ptr<const AddressIndex> current(store::Database& db);

  private:
    void rebuild();

    store::ConnectionPool& m_pool;
    std::mutex m_mutex;
    std::shared_ptr<const AddressIndex> m_index;
    std::chrono::steady_clock::time_point m_checked;
    bool m_rebuilding = false;
    std::thread m_rebuilder;
};

} // namespace wardmap::services
