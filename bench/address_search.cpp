// In-process timing of the type-ahead index: builds services::AddressIndex from a store, then
// runs each query of a queries file (one URL-encoded query a line, as bench/llpg_import.sh
// writes them) and prints the build time, the distribution of query times and the slowest
// queries. The HTTP figures are bench/llpg_import.sh's; this one says what the index costs.
//
//   wardmap_bench_address_search STORE.sqlite QUERIES.txt [LIMIT]

#include "geo/store/address_search_text.hpp"
#include "geo/store/database.hpp"
#include "server/services/gazetteer/address_index.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string url_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    using namespace wardmap;
    using clock = std::chrono::steady_clock;
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s STORE.sqlite QUERIES.txt [LIMIT]\n", argv[0]);
        return 1;
    }
    const std::size_t limit = argc > 3 ? std::stoul(argv[3]) : 10;
    auto db = store::Database::open(argv[1], {.mode = store::OpenMode::read_only});
    const auto started = clock::now();
    const auto index = services::AddressIndex::build(db);
    const double build_s = std::chrono::duration<double>(clock::now() - started).count();

    std::vector<std::string> queries;
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            queries.push_back(url_decode(line));
        }
    }
    struct Timing {
        double us;
        std::size_t query;
        std::size_t found;
    };
    std::vector<Timing> timings;
    for (int round = 0; round < 3; ++round) { // the first round warms the caches
        timings.clear();
        for (std::size_t q = 0; q < queries.size(); ++q) {
            const auto& text = queries[q];
            const auto t0 = clock::now();
            const auto ids = index->search(store::search_tokens(text),
                                           !text.empty() && text.back() != ' ', limit);
            const double us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
            timings.push_back({us, q, ids.size()});
        }
    }
    std::vector<double> us;
    for (const auto& t : timings) {
        us.push_back(t.us);
    }
    std::sort(us.begin(), us.end());
    const auto at = [&](double p) { return us[static_cast<std::size_t>(p * (us.size() - 1))]; };
    std::printf("index: %zu addresses, %zu words, %.0f MB, built in %.2f s\n", index->size(),
                index->term_count(), static_cast<double>(index->memory_bytes()) / 1048576.0,
                build_s);
    std::printf("%zu queries, limit %zu: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
                us.size(), limit, at(0.5), at(0.9), at(0.99), us.back());
    std::sort(timings.begin(), timings.end(),
              [](const Timing& a, const Timing& b) { return a.us > b.us; });
    std::printf("slowest:\n");
    for (std::size_t i = 0; i < std::min<std::size_t>(10, timings.size()); ++i) {
        std::printf("  %8.1f us  %2zu found  %s\n", timings[i].us, timings[i].found,
                    queries[timings[i].query].c_str());
    }
    return 0;
}
