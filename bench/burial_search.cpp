// The public grave search (issue #15's goal: a name search over 250,000 interments, p99
// <= 10 ms at 4 connections). Two jobs, on a store `wardmap demo-data` wrote:
//   fill     adds synthetic interments to the demo's graves until the register holds N
//            (default 250,000), surnames drawn with a long-tailed distribution (the demo's 63
//            Lancashire surnames first, then 1,000 made of real surname parts; rank r is drawn
//            with weight 1 / (r + 10), so the commonest name is about 2 % of the register, as
//            Smith is of England's), then indexes their name keys the way `wardmap serve` does
//            at start (timed), and writes a file of URL-encoded queries (burial_search.sh turns
//            them into paths for bench/ogcapi_paths.lua) drawn from the same distribution, a third
//            of them misspelled (Smith -> Smyth) and a quarter with a forename;
//   compare  in-process, 4 threads for S seconds each: BurialSearch::search (the route's
//            code: a lookup of the keys' primary key) against the peer a council without keys
//            would run, the same query as a scan of the whole register calling the sound-key
//            function on every surname (SQLite's soundex() scan, with our better key so the two
//            return the same rows), and prints p50/p99 and the ratio.
// PlotBox and BACAS are commercial and genealogy sites closed: neither can run here.
// Usage: wardmap_bench_burial_search fill STORE [interments] [queries-out]
//        wardmap_bench_burial_search compare STORE QUERIES [seconds]
// Nothing asserts speed (bench/README.md has the figures).

#include "server/services/burials/burial_search.hpp"

#include "core/dates.hpp"
#include "core/working_days.hpp"

#include "geo/store/burial_name_keys.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace wardmap;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* demo_surnames[] = {
    "Smith",      "Taylor",   "Ainscough",  "Haydock",    "Whittle",     "Livesey",   "Baxendale",
    "Cowburn",    "Worden",   "Bretherton", "Sumner",     "Marsden",     "Tootell",   "Halliwell",
    "Greenhalgh", "Rigby",    "Parkinson",  "Hindle",     "Catterall",   "Clayton",   "Gaskell",
    "Heaton",     "Miller",   "Sharples",   "Walmsley",   "Fazackerley", "Aspinall",  "Brindle",
    "Crook",      "Dewhurst", "Eccleston",  "Fairclough", "Gorton",      "Holden",    "Iddon",
    "Jolly",      "Kay",      "Leyland",    "Moss",       "Nightingale", "Ormerod",   "Pilkington",
    "Riley",      "Shaw",     "Unsworth",   "Vickers",    "Wilding",     "Yates",     "Hussain",
    "Patel",      "Khan",     "Kowalski",   "O'Neill",    "Murphy",      "Nowak",     "Begum",
    "Ahmed",      "Smyth",    "Thompson",   "Thomson",    "McDonald",    "Macdonald", "Ainscow"};
constexpr const char* prefixes[] = {
    "Ash",   "Brad", "Black", "Brom",  "Cart",  "Dal", "Ed",   "Fair", "Green", "Hal",
    "Hart",  "Hol",  "Kirk",  "Lang",  "Mar",   "Mid", "Nor",  "Old",  "Pen",   "Rad",
    "Red",   "Sal",  "Shel",  "Stan",  "Thorn", "Wal", "Wes",  "Whit", "Win",   "Wood",
    "Ather", "Bar",  "Bel",   "Cliff", "Crom",  "Dun", "Farn", "Hay",  "Lin",   "Rams"};
constexpr const char* suffixes[] = {"worth", "ton",   "ley",   "field",  "ford",  "ham",  "hurst",
                                    "by",    "dale",  "wood",  "cliffe", "well",  "bury", "stead",
                                    "more",  "croft", "shaw",  "bottom", "stall", "cock", "man",
                                    "son",   "er",    "ridge", "wick"};
constexpr const char* forenames[] = {"John",   "Mary",  "William",  "Elizabeth", "Thomas",
                                     "Annie",  "James", "Margaret", "George",    "Alice",
                                     "Joseph", "Sarah", "Robert",   "Ellen",     "Albert",
                                     "Doris",  "Harry", "Edith",    "Arthur",    "Florence"};

std::vector<std::string> surname_list() {
    std::vector<std::string> out(std::begin(demo_surnames), std::end(demo_surnames));
    for (const char* p : prefixes) {
        for (const char* s : suffixes) {
            out.push_back(std::string(p) + s);
        }
    }
    return out;
}

/// Rank r (0-based) with weight 1 / (r + 10): inverse of the continuous CDF.
std::size_t draw_rank(std::mt19937_64& rng, std::size_t n) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    const double a = 10.5, b = static_cast<double>(n) + 10.5;
    const double x = a * std::pow(b / a, u) - a;
    return std::min(n - 1, static_cast<std::size_t>(x));
}

std::string misspelt(std::string s, std::mt19937_64& rng) {
    // What a searcher types for a name heard, not seen: y for i, a doubled or dropped
    // letter, a final e.
    if (const auto i = s.find('i', 1); i != std::string::npos && rng() % 2 == 0) {
        s[i] = 'y';
    } else if (s.size() > 4 && s.back() == 'e') {
        s.pop_back();
    } else {
        s += 'e';
    }
    return s;
}

std::string url_encoded(const std::string& s) {
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.') {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

int fill(const std::string& path, std::int64_t target, const std::string& queries_out) {
    auto db = store::Database::open(path);
    const auto surnames = surname_list();
    std::mt19937_64 rng(1926);
    std::vector<std::int64_t> graves;
    {
        auto st = db.prepare("SELECT g.id FROM grave_spaces g JOIN cemetery_sections s ON s.id = "
                             "g.section_id WHERE s.kind <> 'baby' AND g.grave_type <> 'baby'");
        while (st.step()) {
            graves.push_back(st.int64(0));
        }
    }
    const std::int64_t have = db.query_int("SELECT count(*) FROM interments").value_or(0);
    const auto start = Clock::now();
    {
        store::Transaction tx(db);
        auto reg = db.prepare("SELECT b.id, g.id FROM grave_spaces g JOIN burial_registers b ON "
                              "b.cemetery_id = g.cemetery_id WHERE g.id = ?1");
        auto next = db.prepare("SELECT coalesce(max(register_number), 0) + 1 FROM interments "
                               "WHERE register_id = ?1");
        auto ins = db.prepare(
            "INSERT INTO interments (register_id, register_number, grave_id, buried_on, "
            "forenames, surname, age_years, died_on, kind, entered_at, entered_by) VALUES (?1, "
            "?2, ?3, ?4, ?5, ?6, ?7, ?4, 'coffin', '2026-01-01T00:00:00Z', 'bench')");
        std::map<std::int64_t, std::int64_t> numbers;
        const long first = core::days_since_epoch(core::Date{1900, 1, 1});
        const long last = core::days_since_epoch(core::today_utc()) - 60;
        for (std::int64_t k = have; k < target; ++k) {
            const std::int64_t grave = graves[rng() % graves.size()];
            reg.bind(1, grave);
            reg.step();
            const std::int64_t register_id = reg.int64(0);
            reg.reset();
            auto& number = numbers[register_id];
            if (number == 0) {
                next.bind(1, register_id);
                next.step();
                number = next.int64(0);
                next.reset();
            }
            const long day =
                first + static_cast<long>(rng() % static_cast<unsigned long>(last - first));
            ins.bind(1, register_id).bind(2, number++).bind(3, grave);
            ins.bind(4, core::date_from_days(day).iso());
            ins.bind(5, std::string(forenames[rng() % std::size(forenames)]));
            ins.bind(6, surnames[draw_rank(rng, surnames.size())]);
            ins.bind(7, static_cast<std::int64_t>(1 + rng() % 100)).run();
        }
        tx.commit();
    }
    const double fill_s = std::chrono::duration<double>(Clock::now() - start).count();
    const auto t = Clock::now();
    const auto indexed = store::index_missing_interment_names(db);
    const double index_s = std::chrono::duration<double>(Clock::now() - t).count();
    std::printf("fill: %lld interments in the register (%lld added in %.1f s); name keys of "
                "%lld indexed in %.1f s\n",
                static_cast<long long>(target), static_cast<long long>(target - have), fill_s,
                static_cast<long long>(indexed), index_s);
    if (!queries_out.empty()) {
        std::ofstream out(queries_out);
        for (int q = 0; q < 2000; ++q) {
            std::string name = surnames[draw_rank(rng, surnames.size())];
            if (rng() % 3 == 0) {
                name = misspelt(name, rng);
            }
            if (rng() % 4 == 0) {
                name = std::string(forenames[rng() % std::size(forenames)]) + " " + name;
            }
            out << url_encoded(name) << "\n";
        }
    }
    return 0;
}

std::string url_decoded(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

struct Timings {
    std::vector<double> ms;
    std::mutex mutex;
};

void run_threads(int threads,
                 double seconds,
                 const std::vector<std::string>& names,
                 const std::function<void(const std::string&)>& one,
                 Timings& out) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::vector<double> mine;
            std::size_t i = static_cast<std::size_t>(t) * names.size() / threads;
            const auto end = Clock::now() + std::chrono::duration<double>(seconds);
            while (Clock::now() < end) {
                const auto s = Clock::now();
                one(names[i++ % names.size()]);
                mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
            }
            std::lock_guard lock(out.mutex);
            out.ms.insert(out.ms.end(), mine.begin(), mine.end());
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    std::sort(out.ms.begin(), out.ms.end());
}

double pct(const std::vector<double>& v, double p) {
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

int compare(const std::string& path, const std::string& queries, double seconds) {
    std::vector<std::string> names;
    {
        std::ifstream in(queries);
        for (std::string line; std::getline(in, line);) {
            if (!line.empty()) {
                names.push_back(url_decoded(line));
            }
        }
    }
    const int threads = 4;
    store::ConnectionPool pool(path, threads, {.mode = store::OpenMode::read_only});
    pool.for_each_connection([](store::Database& db) {
        db.create_function("bench_sound_key", 1, [](sqlite3_context* ctx, int, sqlite3_value** v) {
            const auto* t = sqlite3_value_text(v[0]);
            const auto keys = store::surname_keys(t ? reinterpret_cast<const char*>(t) : "");
            const std::string k = keys.empty() ? std::string() : keys.front();
            sqlite3_result_text(ctx, k.c_str(), static_cast<int>(k.size()), SQLITE_TRANSIENT);
        });
    });
    const services::BurialSearch search(pool, {});
    const core::Date today = core::today_utc();
    std::atomic<long> keyed_rows{0}, keyed_capped{0}, scan_rows{0};
    Timings keyed, scan;
    run_threads(
        threads, seconds, names,
        [&](const std::string& name) {
            services::BurialSearchQuery q;
            q.name = name;
            const auto r = search.search(q, today);
            keyed_rows += static_cast<long>(r.total); // counted up to the policy's cap (1000)
            keyed_capped += r.total_capped ? 1 : 0;
        },
        keyed);
    run_threads(
        threads, seconds, names,
        [&](const std::string& name) {
            const auto q = store::parse_name_query(name);
            auto db = pool.acquire();
            auto st = db->prepare_cached(
                "SELECT i.id, i.forenames, i.surname, i.buried_on, g.grave_number, "
                "count(*) OVER () FROM interments i JOIN grave_spaces g ON g.id = "
                "i.grave_id WHERE bench_sound_key(i.surname) = ?1 AND i.buried_on <= "
                "date(?2, '-30 days') AND i.stillborn = 0 AND (?3 IS NULL OR "
                "instr(' ' || lower(i.forenames) || ' ', ' ' || ?3 || ' ') > 0) ORDER "
                "BY lower(i.surname) = ?4 DESC, i.surname, i.forenames, i.buried_on "
                "LIMIT 20");
            st.bind(1, q->keys.front()).bind(2, today.iso());
            if (!q->forenames.empty()) {
                st.bind(3, q->forenames.front());
            }
            st.bind(4, q->surname);
            long n = 0;
            while (st.step()) {
                n = st.int64(5);
            }
            scan_rows += n;
        },
        scan);
    std::printf("compare: %zu queries cycled by %d threads for %.0f s each\n", names.size(),
                threads, seconds);
    std::printf("  keyed search (BurialSearch)   %7zu searches  p50 %7.2f ms  p99 %7.2f ms  "
                "(%.1f matches a search, each counted up to 1000; %.1f %% of searches more)\n",
                keyed.ms.size(), pct(keyed.ms, 0.5), pct(keyed.ms, 0.99),
                keyed.ms.empty() ? 0.0 : static_cast<double>(keyed_rows) / keyed.ms.size(),
                keyed.ms.empty() ? 0.0
                                 : 100.0 * static_cast<double>(keyed_capped) / keyed.ms.size());
    std::printf("  scan with a sound function    %7zu searches  p50 %7.2f ms  p99 %7.2f ms  "
                "(%.1f matches a search)\n",
                scan.ms.size(), pct(scan.ms, 0.5), pct(scan.ms, 0.99),
                scan.ms.empty() ? 0.0 : static_cast<double>(scan_rows) / scan.ms.size());
    std::printf("  ratio (scan p99 / keyed p99)  %.1fx\n",
                pct(scan.ms, 0.99) / std::max(1e-9, pct(keyed.ms, 0.99)));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() >= 2 && a[0] == "fill") {
        return fill(a[1], a.size() > 2 ? std::stoll(a[2]) : 250000, a.size() > 3 ? a[3] : "");
    }
    if (a.size() >= 3 && a[0] == "compare") {
        return compare(a[1], a[2], a.size() > 3 ? std::stod(a[3]) : 10);
    }
    std::fprintf(stderr,
                 "usage: wardmap_bench_burial_search fill STORE [interments] [queries-out]\n"
                 "       wardmap_bench_burial_search compare STORE QUERIES [seconds]\n");
    return 2;
}
