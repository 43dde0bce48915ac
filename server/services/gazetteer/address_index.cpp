#include "server/services/gazetteer/address_index.hpp"

#include "geo/store/address_search_text.hpp"
#include "geo/store/database.hpp"
#include "geo/store/generations.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <queue>
#include <span>
#include <utility>

namespace wardmap::services {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 24> abbreviations{{
    {"rd", "road"},        {"st", "street"},       {"ave", "avenue"},  {"av", "avenue"},
    {"ln", "lane"},        {"cl", "close"},        {"dr", "drive"},    {"cres", "crescent"},
    {"cresc", "crescent"}, {"sq", "square"},       {"pl", "place"},    {"gdns", "gardens"},
    {"gr", "grove"},       {"gro", "grove"},       {"ter", "terrace"}, {"terr", "terrace"},
    {"ct", "court"},       {"pk", "park"},         {"hse", "house"},   {"apt", "flat"},
    {"apartment", "flat"}, {"bldgs", "buildings"}, {"mt", "mount"},    {"wk", "walk"},
}};

bool is_number_token(std::string_view t) {
    return !t.empty() && t[0] >= '0' && t[0] <= '9';
}

/// "12a", "2-4": a house or flat number as search results compare it with the number typed.
std::string number_text(const store::Statement& st, int start, int suffix, int end) {
    if (st.is_null(start)) {
        return {};
    }
    std::string s = std::to_string(st.int64(start));
    for (const char c : st.text(suffix)) {
        s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (end >= 0 && !st.is_null(end)) {
        s += "-" + std::to_string(st.int64(end));
    }
    return s;
}

/// A position in one term's postings that only moves forward: seek(doc) is true when the
/// term is in `doc`. Galloping, so a short list of candidates skips through a long list.
struct PostingsCursor {
    std::span<const std::uint32_t> postings;
    std::size_t at;
    bool seek(std::uint32_t doc) {
        std::size_t step = 1;
        std::size_t low = at;
        while (at < postings.size() && postings[at] < doc) {
            low = at + 1;
            at = std::min(postings.size(), at + step);
            step *= 2;
        }
        // postings[low - 1] < doc <= postings[at] (or the end): the first >= doc in between.
        at = static_cast<std::size_t>(
            std::lower_bound(postings.begin() + static_cast<std::ptrdiff_t>(low),
                             postings.begin() + static_cast<std::ptrdiff_t>(at), doc) -
            postings.begin());
        return at < postings.size() && postings[at] == doc;
    }
};

/// One address as read, before the index puts the addresses in order.
struct LoadedAddress {
    std::int64_t id = 0;
    std::int64_t uprn = 0;
    std::uint32_t street = 0; ///< into the street names, ranked after loading
    std::int64_t pao_start = -1;
    std::int64_t sao_start = -1;
    std::string pao_rest; ///< suffix, \x01, text: compares as the two in turn
    std::string sao_rest;
    std::uint32_t pao_number = 0;
    std::uint32_t sao_number = 0;
    std::uint8_t status_score = 0;
};

/// A read transaction: the generation and the addresses come from one snapshot.
class ReadSnapshot {
  public:
    explicit ReadSnapshot(store::Database& db) : m_db(db) { m_db.exec("BEGIN"); }
    ~ReadSnapshot() {
        try {
            m_db.exec("COMMIT");
        } catch (...) { // a read transaction has nothing to lose
        }
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  private:
    store::Database& m_db;
};

std::uint32_t intern(std::unordered_map<std::string, std::uint32_t>& ids, std::string_view text) {
    const auto [it, added] =
        ids.try_emplace(std::string(text), static_cast<std::uint32_t>(ids.size()));
    return it->second;
}

/// Strings to dense ids in first-seen order (0, 1, ...), by open addressing over the strings
/// themselves: ten million lookups of a few tens of thousands of words make no std::string.
class Interner {
  public:
    std::uint32_t id(std::string_view text) {
        if ((m_strings.size() + 1) * 2 > m_slots.size()) {
            grow();
        }
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = std::hash<std::string_view>{}(text)&mask;; i = (i + 1) & mask) {
            const std::uint32_t slot = m_slots[i];
            if (slot == empty) {
                m_slots[i] = static_cast<std::uint32_t>(m_strings.size());
                m_strings.emplace_back(text);
                return m_slots[i];
            }
            if (m_strings[slot] == text) {
                return slot;
            }
        }
    }
    [[nodiscard]] const std::vector<std::string>& strings() const { return m_strings; }

  private:
    static constexpr std::uint32_t empty = UINT32_MAX;
    void grow() {
        m_slots.assign(std::max<std::size_t>(1024, m_slots.size() * 2), empty);
        const std::size_t mask = m_slots.size() - 1;
        for (std::uint32_t s = 0; s < m_strings.size(); ++s) {
            std::size_t i = std::hash<std::string_view>{}(m_strings[s]) & mask;
            while (m_slots[i] != empty) {
                i = (i + 1) & mask;
            }
            m_slots[i] = s;
        }
    }
    std::vector<std::uint32_t> m_slots;
    std::vector<std::string> m_strings;
};

} // namespace

std::shared_ptr<const AddressIndex> AddressIndex::build(store::Database& db) {
    const auto started = std::chrono::steady_clock::now();
    auto index = std::make_shared<AddressIndex>();
    ReadSnapshot snapshot(db);
    index->m_generation = store::generation(db, "addresses");

    std::vector<LoadedAddress> loaded;
    Interner streets;
    Interner vocabulary; // term -> id in first-seen order
    std::vector<std::uint32_t> raw_start{0};
    std::vector<std::uint32_t> raw_terms;
    auto st = db.prepare(
        "SELECT id, uprn, logical_status, single_line, ifnull(postcode, ''), ifnull(street, ''), "
        "pao_start_number, ifnull(pao_start_suffix, ''), pao_end_number, ifnull(pao_text, ''), "
        "sao_start_number, ifnull(sao_start_suffix, ''), ifnull(sao_text, '') "
        "FROM addresses WHERE logical_status IN (1, 3, 6)");
    while (st.step()) {
        LoadedAddress a;
        a.id = st.int64(0);
        a.uprn = st.int64(1);
        const auto status = st.int64(2);
        a.status_score = status == 1 ? 10 : status == 6 ? 5 : 2;
        a.street = streets.id(st.text(5));
        a.pao_start = st.is_null(6) ? -1 : st.int64(6);
        a.pao_rest = std::string(st.text(7)) + '\x01' + std::string(st.text(9));
        a.sao_start = st.is_null(10) ? -1 : st.int64(10);
        a.sao_rest = std::string(st.text(11)) + '\x01' + std::string(st.text(12));
        if (auto n = number_text(st, 6, 7, 8); !n.empty()) {
            a.pao_number = 1 + intern(index->m_numbers, n);
        }
        if (auto n = number_text(st, 10, 11, -1); !n.empty()) {
            a.sao_number = 1 + intern(index->m_numbers, n);
        }
        // The words without the trailing postcode, then the postcode with and without space.
        std::string_view line = st.text(3);
        const std::string_view postcode = st.text(4);
        if (!postcode.empty() && line.size() >= postcode.size() &&
            line.substr(line.size() - postcode.size()) == postcode) {
            line.remove_suffix(postcode.size());
        }
        const std::string words = store::search_words(line) + ' ' + store::postcode_terms(postcode);
        std::size_t from = 0;
        while (from < words.size()) {
            auto to = words.find(' ', from);
            if (to == std::string::npos) {
                to = words.size();
            }
            if (to > from) {
                raw_terms.push_back(vocabulary.id(std::string_view(words).substr(from, to - from)));
            }
            from = to + 1;
        }
        raw_start.push_back(static_cast<std::uint32_t>(raw_terms.size()));
        loaded.push_back(std::move(a));
    }
    // intern() numbers from 0; stored ids start at 1 so that 0 means "no number".
    for (auto& entry : index->m_numbers) {
        ++entry.second;
    }

    // Streets ranked by name, then addresses in street and house-number order.
    std::vector<std::uint32_t> by_name(streets.strings().size());
    std::iota(by_name.begin(), by_name.end(), 0U);
    std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t x, std::uint32_t y) {
        return streets.strings()[x] < streets.strings()[y];
    });
    std::vector<std::uint32_t> street_rank(by_name.size());
    for (std::size_t r = 0; r < by_name.size(); ++r) {
        street_rank[by_name[r]] = static_cast<std::uint32_t>(r);
    }
    // Street and house number in one integer; the rest only breaks its ties.
    std::vector<std::uint64_t> sort_key(loaded.size());
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        const auto number = std::clamp<std::int64_t>(loaded[i].pao_start + 1, 0, UINT32_MAX);
        sort_key[i] = (std::uint64_t{street_rank[loaded[i].street]} << 32) |
                      static_cast<std::uint64_t>(number);
    }
    std::vector<std::uint32_t> order(loaded.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        if (sort_key[x] != sort_key[y]) {
            return sort_key[x] < sort_key[y];
        }
        const auto& a = loaded[x];
        const auto& b = loaded[y];
        return std::tie(a.pao_rest, a.sao_start, a.sao_rest, a.id) <
               std::tie(b.pao_rest, b.sao_start, b.sao_rest, b.id);
    });

    // Terms in sorted order, so a prefix is a range of term ids.
    const auto& words_seen = vocabulary.strings();
    std::vector<std::uint32_t> by_term(words_seen.size());
    std::iota(by_term.begin(), by_term.end(), 0U);
    std::sort(by_term.begin(), by_term.end(),
              [&](std::uint32_t x, std::uint32_t y) { return words_seen[x] < words_seen[y]; });
    std::vector<std::uint32_t> final_id(words_seen.size());
    index->m_terms.reserve(by_term.size());
    for (std::size_t t = 0; t < by_term.size(); ++t) {
        final_id[by_term[t]] = static_cast<std::uint32_t>(t);
        index->m_terms.push_back(words_seen[by_term[t]]);
    }

    index->m_docs.reserve(loaded.size());
    index->m_doc_start.reserve(loaded.size() + 1);
    index->m_doc_start.push_back(0);
    index->m_doc_terms.reserve(raw_terms.size());
    std::vector<std::uint32_t> term_count(index->m_terms.size() + 1, 0);
    for (const auto x : order) {
        const auto& a = loaded[x];
        index->m_docs.push_back({a.id, a.uprn, a.pao_number, a.sao_number, a.status_score});
        const auto begin = index->m_doc_terms.size();
        for (auto i = raw_start[x]; i < raw_start[x + 1]; ++i) {
            index->m_doc_terms.push_back(final_id[raw_terms[i]]);
        }
        const auto first = index->m_doc_terms.begin() + static_cast<std::ptrdiff_t>(begin);
        std::sort(first, index->m_doc_terms.end());
        index->m_doc_terms.erase(std::unique(first, index->m_doc_terms.end()),
                                 index->m_doc_terms.end());
        for (auto it = first; it != index->m_doc_terms.end(); ++it) {
            ++term_count[*it + 1];
        }
        index->m_doc_start.push_back(static_cast<std::uint32_t>(index->m_doc_terms.size()));
    }
    std::partial_sum(term_count.begin(), term_count.end(), term_count.begin());
    index->m_term_start = term_count;
    index->m_postings.resize(index->m_doc_terms.size());
    for (std::uint32_t d = 0; d < index->m_docs.size(); ++d) {
        for (auto i = index->m_doc_start[d]; i < index->m_doc_start[d + 1]; ++i) {
            index->m_postings[term_count[index->m_doc_terms[i]]++] = d;
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("address search index: {} addresses, {} words, {:.0f} MB, built in {:.2f} s "
                 "(generation {})",
                 index->m_docs.size(), index->m_terms.size(),
                 static_cast<double>(index->memory_bytes()) / 1048576.0, seconds,
                 index->m_generation);
    return index;
}

std::size_t AddressIndex::memory_bytes() const {
    std::size_t bytes =
        m_docs.capacity() * sizeof(Doc) + (m_term_start.capacity() + m_postings.capacity() +
                                           m_doc_start.capacity() + m_doc_terms.capacity()) *
                                              sizeof(std::uint32_t);
    for (const auto& t : m_terms) {
        bytes += sizeof(std::string) + (t.size() > 15 ? t.capacity() : 0);
    }
    return bytes + m_numbers.size() * 64;
}

std::uint32_t AddressIndex::find_term(std::string_view term) const {
    const auto it = std::lower_bound(m_terms.begin(), m_terms.end(), term);
    return it != m_terms.end() && *it == term ? static_cast<std::uint32_t>(it - m_terms.begin())
                                              : no_term;
}

AddressIndex::TokenTerms AddressIndex::token_terms(const std::string& token, bool prefix) const {
    TokenTerms t;
    if (prefix) {
        const auto first = std::lower_bound(m_terms.begin(), m_terms.end(), token);
        const auto last = std::partition_point(first, m_terms.end(), [&](const std::string& term) {
            return term.compare(0, token.size(), token) == 0;
        });
        t.first = static_cast<std::uint32_t>(first - m_terms.begin());
        t.last = static_cast<std::uint32_t>(last - m_terms.begin());
    } else if (const auto id = find_term(token); id != no_term) {
        t.first = id;
        t.last = id + 1;
    }
    for (const auto& [abbr, full] : abbreviations) {
        if (token == abbr) {
            t.expansion = find_term(full);
            break;
        }
    }
    t.postings = m_term_start[t.last] - m_term_start[t.first];
    if (t.expansion != no_term) {
        t.postings += m_term_start[t.expansion + 1] - m_term_start[t.expansion];
    }
    return t;
}

bool AddressIndex::doc_has(std::uint32_t doc, const TokenTerms& t) const {
    const auto* begin = m_doc_terms.data() + m_doc_start[doc];
    const auto* end = m_doc_terms.data() + m_doc_start[doc + 1];
    const auto* it = std::lower_bound(begin, end, t.first);
    if (it != end && *it < t.last) {
        return true;
    }
    return t.expansion != no_term && std::binary_search(begin, end, t.expansion);
}

std::vector<std::int64_t> AddressIndex::search(const std::vector<std::string>& tokens,
                                               bool last_is_prefix,
                                               std::size_t limit) const {
    if (tokens.empty() || limit == 0) {
        return {};
    }
    std::vector<TokenTerms> terms;
    terms.reserve(tokens.size());
    std::size_t driver = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        terms.push_back(token_terms(tokens[i], last_is_prefix && i + 1 == tokens.size()));
        if (terms.back().postings == 0) {
            return {};
        }
        if (terms.back().postings < terms[driver].postings) {
            driver = i;
        }
    }
    std::uint32_t number = 0; // the first number typed, when some address has it
    for (const auto& t : tokens) {
        if (is_number_token(t)) {
            if (const auto it = m_numbers.find(t); it != m_numbers.end()) {
                number = it->second;
            }
            break;
        }
    }
    const int best_possible = (number != 0 ? 100 : 0) + 10;

    // Candidates: the postings of the rarest token, merged in doc order (a prefix's terms each
    // have a list); each is checked against the other tokens' terms.
    std::vector<std::span<const std::uint32_t>> lists;
    const auto postings_of = [this](std::uint32_t term) {
        return std::span<const std::uint32_t>(m_postings.data() + m_term_start[term],
                                              m_term_start[term + 1] - m_term_start[term]);
    };
    for (auto term = terms[driver].first; term < terms[driver].last; ++term) {
        lists.push_back(postings_of(term));
    }
    if (terms[driver].expansion != no_term) {
        lists.push_back(postings_of(terms[driver].expansion));
    }

    struct Match {
        int score;
        std::uint32_t doc;
    };
    std::vector<Match> matches;
    std::vector<std::int64_t> best_uprns; // distinct UPRNs scoring best_possible
    // Returns false once no later address can rank higher than those found.
    // The other tokens: a token of a few terms is checked by walking those terms' postings
    // alongside the candidates (they come in doc order), sequential reads instead of a cache
    // miss per candidate into its term list; a token of many terms through the term list.
    struct Check {
        std::vector<PostingsCursor> cursors; // empty: look in the doc's own terms
        std::size_t token;
    };
    std::vector<Check> checks;
    for (std::size_t i = 0; i < terms.size(); ++i) {
        if (i == driver) {
            continue;
        }
        Check check{{}, i};
        if (terms[i].last - terms[i].first <= 4) {
            for (auto term = terms[i].first; term < terms[i].last; ++term) {
                check.cursors.push_back({postings_of(term), 0});
            }
            if (terms[i].expansion != no_term) {
                check.cursors.push_back({postings_of(terms[i].expansion), 0});
            }
        }
        checks.push_back(std::move(check));
    }
    // Cheap checks first: a candidate usually fails on the rarest other word.
    std::sort(checks.begin(), checks.end(), [&](const Check& a, const Check& b) {
        return std::make_pair(a.cursors.empty(), terms[a.token].postings) <
               std::make_pair(b.cursors.empty(), terms[b.token].postings);
    });
    const auto consider = [&](std::uint32_t doc) {
        for (auto& check : checks) {
            bool found = false;
            if (check.cursors.empty()) {
                found = doc_has(doc, terms[check.token]);
            } else {
                for (auto& cursor : check.cursors) {
                    found = cursor.seek(doc) || found;
                }
            }
            if (!found) {
                return true;
            }
        }
        const Doc& d = m_docs[doc];
        int score = d.status_score;
        if (number != 0) {
            score += d.pao_number == number ? 100 : d.sao_number == number ? 90 : 0;
        }
        matches.push_back({score, doc});
        if (score == best_possible &&
            std::find(best_uprns.begin(), best_uprns.end(), d.uprn) == best_uprns.end()) {
            best_uprns.push_back(d.uprn);
        }
        return best_uprns.size() < limit && matches.size() < max_ranked;
    };
    if (lists.size() == 1) {
        for (const auto doc : lists[0]) {
            if (!consider(doc)) {
                break;
            }
        }
    } else {
        using Cursor = std::pair<std::uint32_t, std::uint32_t>; // doc, list
        std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heap;
        std::vector<std::size_t> position(lists.size(), 0);
        for (std::uint32_t l = 0; l < lists.size(); ++l) {
            if (!lists[l].empty()) {
                heap.emplace(lists[l][0], l);
            }
        }
        std::optional<std::uint32_t> previous;
        while (!heap.empty()) {
            const auto [doc, l] = heap.top();
            heap.pop();
            if (++position[l] < lists[l].size()) {
                heap.emplace(lists[l][position[l]], l);
            }
            if (previous == doc) {
                continue; // two of the token's terms in one address
            }
            previous = doc;
            if (!consider(doc)) {
                break;
            }
        }
    }

    std::stable_sort(matches.begin(), matches.end(),
                     [](const Match& a, const Match& b) { return a.score > b.score; });
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> uprns;
    for (const auto& m : matches) {
        const Doc& d = m_docs[m.doc];
        if (std::find(uprns.begin(), uprns.end(), d.uprn) != uprns.end()) {
            continue; // an alternative address of a property already listed
        }
        uprns.push_back(d.uprn);
        ids.push_back(d.id);
        if (ids.size() == limit) {
            break;
        }
    }
    return ids;
}

LiveAddressIndex::LiveAddressIndex(store::ConnectionPool& pool)
    : m_pool(pool), m_checked(std::chrono::steady_clock::now()) {
    auto db = m_pool.acquire();
    m_index = AddressIndex::build(*db);
}

LiveAddressIndex::~LiveAddressIndex() {
    if (m_rebuilder.joinable()) {
        m_rebuilder.join();
    }
}

std::shared_ptr<const AddressIndex> LiveAddressIndex::current(store::Database& db) {
    const auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    auto index = m_index;
    if (m_rebuilding || now - m_checked < std::chrono::seconds(1)) {
        return index;
    }
    m_checked = now;
    lock.unlock();
    if (store::generation(db, "addresses") == index->generation()) {
        return index;
    }
    lock.lock();
    if (!m_rebuilding) {
        if (m_rebuilder.joinable()) {
            m_rebuilder.join();
        }
        m_rebuilding = true;
        m_rebuilder = std::thread([this] { rebuild(); });
    }
    return index;
}

void LiveAddressIndex::rebuild() {
    try {
        auto db = m_pool.acquire();
        auto fresh = AddressIndex::build(*db);
        const std::lock_guard lock(m_mutex);
        m_index = std::move(fresh);
    } catch (const std::exception& e) {
        // Searches go on with the previous index; the next check tries again.
        spdlog::warn("address search index: rebuild failed: {}", e.what());
    }
    const std::lock_guard lock(m_mutex);
    m_rebuilding = false;
    m_checked = std::chrono::steady_clock::now();
}

} // namespace wardmap::services
