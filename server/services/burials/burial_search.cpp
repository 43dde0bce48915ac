#include "server/services/burials/burial_search.hpp"

#include "geo/store/burial_name_keys.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <charconv>

namespace wardmap::services {

namespace {

std::string age_text(const store::Statement& st, int col) {
    // col: years, months, weeks, days, stillborn
    if (st.int64(col + 4) != 0) {
        return "stillborn";
    }
    static constexpr const char* units[] = {"year", "month", "week", "day"};
    std::string out;
    for (int k = 0; k < 4; ++k) {
        if (st.is_null(col + k)) {
            continue;
        }
        const std::int64_t v = st.int64(col + k);
        out += (out.empty() ? "" : " ") + std::to_string(v) + " " + units[k] + (v == 1 ? "" : "s");
    }
    return out;
}

std::optional<std::int64_t> whole_number(const std::string& text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return v;
}

} // namespace

BurialSearch::BurialSearch(store::ConnectionPool& pool, BurialSearchPolicy policy)
    : m_pool(pool), m_policy(policy) {}

std::int64_t BurialSearch::index_missing() const {
    auto db = m_pool.acquire();
    return store::index_missing_interment_names(*db);
}

BurialSearchResult BurialSearch::search(const BurialSearchQuery& q, const core::Date& today) const {
    if (q.name.size() > 200) {
        invalid_parameter("name", "is longer than 200 characters");
    }
    const auto name = store::parse_name_query(q.name);
    if (!name) {
        invalid_parameter("name", "needs a surname of at least two letters (\"Smith\", \"John "
                                  "Smith\" or \"Smith, John\")");
    }
    const auto check_year = [](const char* field, const std::optional<int>& year) {
        if (year && (*year < 1500 || *year > 9999)) {
            invalid_parameter(field, "must be a year from 1500 to 9999");
        }
    };
    check_year("year_from", q.year_from);
    check_year("year_to", q.year_to);
    if (q.year_from && q.year_to && *q.year_from > *q.year_to) {
        invalid_parameter("year_to", "is before year_from");
    }
    if (q.limit < 1 || q.limit > BurialSearchQuery::max_limit) {
        invalid_parameter("limit", "must be from 1 to 100");
    }
    if (q.page < 1 || q.page > 10000) {
        invalid_parameter("page", "must be from 1 to 10000");
    }
    auto db = m_pool.acquire();
    std::optional<std::int64_t> cemetery;
    if (q.cemetery) {
        auto st = db->prepare_cached(
            "SELECT id FROM cemeteries WHERE id = ?1 OR name = ?2 COLLATE NOCASE LIMIT 1");
        const auto id = whole_number(*q.cemetery);
        st.bind(1, id.value_or(-1)).bind(2, *q.cemetery);
        if (!st.step()) {
            invalid_parameter("cemetery", "is not a cemetery of the register: '" +
                                              q.cemetery->substr(0, 60) + "'");
        }
        cemetery = st.int64(0);
    }

    // Step 1: the page's ids in order, and how many match, from the key rows alone (0026
    // copied into them what the filter and the order need; the wide interment and grave rows
    // are read for the page only, in step 2).
    //
    // A forename matches a word of the burial's forenames it begins ("Eliz" finds Elizabeth),
    // or one that sounds the same when the sound has three consonants or more (Catherine,
    // Katherine); shorter sounds are too common to tell names apart (John, Joan, Jean, Jane).
    // A match is exact when its surname is spelled as asked and each asked forename is a
    // whole word of its forenames.
    std::string forenames_match, forenames_exact;
    for (std::size_t k = 0; k < name->forenames.size(); ++k) {
        const std::string s = "?" + std::to_string(40 + 2 * k),
                          key = "?" + std::to_string(41 + 2 * k);
        forenames_match += " AND (instr(n.forename_spellings, ' ' || " + s + ") > 0" +
                           (name->forename_keys[k].size() >= 3
                                ? " OR instr(n.forename_keys, ' ' || " + key + " || ' ') > 0"
                                : std::string()) +
                           ")";
        forenames_exact += " AND instr(n.forename_spellings, ' ' || " + s + " || ' ') > 0";
    }
    const std::string filter =
        "n.buried_on <= date(?2, '-' || ?3 || ' days') AND (?4 IS NULL OR n.buried_on >= ?4) "
        "AND (?5 IS NULL OR n.buried_on <= ?5) AND (?6 IS NULL OR n.cemetery_id = ?6)" +
        forenames_match + (m_policy.exclude_infants ? " AND n.infant = 0" : "");
    const std::string exact = "n.surname_spelling = ?1" + forenames_exact;
    // Binds what `filter` (and `exact`, when `spelling`) uses; ?20.. are the keys.
    const auto bind_filter = [&](store::Statement& st, bool spelling, bool keys) {
        if (spelling) {
            st.bind(1, name->surname);
        }
        st.bind(2, today.iso()).bind(3, std::int64_t{m_policy.embargo_days});
        if (q.year_from) {
            st.bind(4, std::to_string(*q.year_from) + "-01-01");
        }
        if (q.year_to) {
            st.bind(5, std::to_string(*q.year_to) + "-12-31");
        }
        st.bind(6, cemetery);
        for (std::size_t k = 0; keys && k < name->keys.size(); ++k) {
            st.bind(static_cast<int>(20 + k), name->keys[k]);
        }
        for (std::size_t k = 0; k < name->forenames.size(); ++k) {
            st.bind(static_cast<int>(40 + 2 * k), name->forenames[k]);
            if (name->forename_keys[k].size() >= 3) { // bound only where the SQL has it
                st.bind(static_cast<int>(41 + 2 * k), name->forename_keys[k]);
            }
        }
    };
    const std::int64_t limit = q.limit, offset = std::int64_t{q.limit} * (q.page - 1);
    std::int64_t count = 0; // every match; -1: not known from the page
    BurialSearchResult out;
    if (name->keys.size() == 1) {
        // One key (a surname of one word: nearly every search). The answer is the key's exact
        // matches, then the rest, each in the order of an index of 0027 (surname, forenames,
        // burial date, id): two ranges read in index order that stop after the page, with
        // nothing sorted and nothing but those indexes read.
        const auto take = [&](const std::string& sql, bool is_exact, std::int64_t n,
                              std::int64_t skip) {
            auto st = db->prepare_cached(sql);
            bind_filter(st, true, true);
            st.bind(7, n).bind(8, skip);
            std::int64_t got = 0;
            while (st.step()) {
                BurialSearchHit h;
                h.interment_id = st.int64(0);
                h.exact = is_exact;
                out.hits.push_back(std::move(h));
                ++got;
            }
            return got;
        };
        const std::string order =
            " ORDER BY n.surname, n.forenames, n.buried_on, n.interment_id LIMIT ?7 OFFSET ?8";
        const std::int64_t exact_got =
            take("SELECT n.interment_id FROM interment_name_keys AS n INDEXED BY "
                 "interment_name_keys_exact_order WHERE n.key = ?20 AND " +
                     exact + " AND " + filter + order,
                 true, limit, offset);
        if (exact_got < limit) {
            // The exact matches ended on this page (or before it): how many there are places
            // the page in the rest. Counted only when the page holds none of them (then there
            // are at most `offset`).
            std::int64_t exact_count = offset + exact_got;
            if (exact_got == 0 && offset > 0) {
                auto st =
                    db->prepare_cached("SELECT count(*) FROM interment_name_keys AS n INDEXED BY "
                                       "interment_name_keys_exact_order WHERE n.key = ?20 AND " +
                                       exact + " AND " + filter);
                bind_filter(st, true, true);
                st.step();
                exact_count = st.int64(0);
            }
            take("SELECT n.interment_id FROM interment_name_keys AS n INDEXED BY "
                 "interment_name_keys_order WHERE n.key = ?20 AND " +
                     filter + " AND NOT (" + exact + ")" + order,
                 false, limit - exact_got, std::max<std::int64_t>(0, offset - exact_count));
        }
        const auto on_page = static_cast<std::int64_t>(out.hits.size());
        if (on_page == 0) {
            count = 0; // past the last page, as before
        } else if (on_page < limit) {
            count = offset + on_page; // the page is the last
        } else {
            // Counted up to the cap only: a common surname's thousands are not all read.
            auto st = db->prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM interment_name_keys AS n INDEXED BY "
                "interment_name_keys_order WHERE n.key = ?20 AND " +
                filter + " LIMIT ?9)");
            bind_filter(st, false, true);
            st.bind(9, std::int64_t{m_policy.total_cap} + 1);
            st.step();
            count = st.int64(0);
        }
    } else {
        // Several keys ("Smith-Jones": the whole surname's and each word's): an interment under
        // several of them is counted once, so their matches are gathered, then sorted. Rare,
        // and each word's key range is read whole.
        std::string keys;
        for (std::size_t k = 0; k < name->keys.size(); ++k) {
            keys += (k ? ", ?" : "?") + std::to_string(20 + k);
        }
        auto st = db->prepare_cached(
            "WITH hits AS (SELECT n.interment_id AS id, (" + exact +
            ") AS exact, n.surname, n.forenames, n.buried_on FROM interment_name_keys n WHERE "
            "n.key IN (" +
            keys + ") AND " + filter +
            " GROUP BY n.interment_id) SELECT h.id, h.exact, count(*) OVER () FROM hits h "
            "ORDER BY h.exact DESC, h.surname, h.forenames, h.buried_on, h.id LIMIT ?7 OFFSET "
            "?8");
        bind_filter(st, true, true);
        st.bind(7, limit).bind(8, offset);
        while (st.step()) {
            BurialSearchHit h;
            h.interment_id = st.int64(0);
            h.exact = st.int64(1) != 0;
            count = st.int64(2);
            out.hits.push_back(std::move(h));
        }
    }
    out.total = std::min<std::int64_t>(count, m_policy.total_cap);
    out.total_capped = count > m_policy.total_cap;

    // Step 2: what the public may see of each, for this page only. Nothing else is read.
    auto row = db->prepare_cached(
        "SELECT i.forenames, i.surname, i.age_years, i.age_months, i.age_weeks, i.age_days, "
        "i.stillborn, i.died_on, i.buried_on, c.id, c.name, s.name, g.grave_number, g.id, "
        "X(ST_Centroid(g.geom_wgs84)), Y(ST_Centroid(g.geom_wgs84)), d.disinterred_on, rc.name, "
        "rg.grave_number, rg.id FROM interments i JOIN grave_spaces g ON g.id = i.grave_id JOIN "
        "cemetery_sections s ON s.id = g.section_id JOIN cemeteries c ON c.id = g.cemetery_id "
        "LEFT JOIN disinterments d ON d.interment_id = i.id LEFT JOIN grave_spaces rg ON rg.id = "
        "d.reinterred_grave_id LEFT JOIN cemeteries rc ON rc.id = rg.cemetery_id WHERE i.id = ?1");
    for (auto& h : out.hits) {
        row.bind(1, h.interment_id);
        if (row.step()) {
            h.forenames = row.optional_text(0);
            h.surname = std::string(row.text(1));
            if (auto a = age_text(row, 2); !a.empty()) {
                h.age = std::move(a);
            }
            h.died_on = row.optional_text(7);
            h.buried_on = std::string(row.text(8));
            h.cemetery_id = row.int64(9);
            h.cemetery = std::string(row.text(10));
            h.section = std::string(row.text(11));
            h.grave_number = std::string(row.text(12));
            h.grave_id = row.int64(13);
            if (!row.is_null(14)) {
                h.lon = row.real(14);
                h.lat = row.real(15);
            }
            h.disinterred_on = row.optional_text(16);
            h.reinterred_cemetery = row.optional_text(17);
            h.reinterred_grave_number = row.optional_text(18);
            if (!row.is_null(19)) {
                h.reinterred_grave_id = row.int64(19);
            }
        }
        row.reset();
    }
    return out;
}

} // namespace wardmap::services
