// Point-in-ward speed: services::WardIndex (per-thread GEOS STRtree + prepared geometries)
// against SpatiaLite answering the same question through its R*Tree and ST_Contains, on the
// demo borough. See bench/README.md.
//
//   wardmap_bench_ward_lookup [--points N] [--peer-points N]

#include "geo/bng_transform.hpp"
#include "geo/store/migrations.hpp"
#include "importers/demo/demo_borough.hpp"
#include "server/services/wards/ward_index.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace wardmap;
using Clock = std::chrono::steady_clock;

// The demo borough's extent in EPSG:27700.
constexpr double min_e = 345600, max_e = 366300, min_n = 410900, max_n = 428500;

const char* peer_sql = "SELECT w.code FROM wards w JOIN idx_wards_geom i ON i.pkid = w.id "
                       "JOIN boundary_sets b ON b.id = w.boundary_set_id "
                       "WHERE i.xmin <= ?1 AND i.xmax >= ?1 AND i.ymin <= ?2 AND i.ymax >= ?2 "
                       "AND b.valid_from <= ?3 AND (b.valid_to IS NULL OR b.valid_to > ?3) "
                       "AND ST_Contains(w.geom, MakePoint(?1, ?2, 27700)) ORDER BY w.code LIMIT 1";

struct Run {
    double us_per_point = 0; // wall time / points per thread
    std::size_t hits = 0;    // points in a ward, summed over threads
};

/// Runs `work(thread, hits, start)` on `threads` threads at once. Each sets `start` when its
/// setup (statement, first lookup building the thread's trees) is done; the slowest thread's
/// time from there to its end is the run's time.
Run timed(int threads,
          std::size_t points,
          const std::function<void(int, std::size_t&, Clock::time_point&)>& work) {
    const auto n = static_cast<std::size_t>(threads);
    std::vector<std::size_t> hits(n, 0);
    std::vector<double> elapsed_us(n, 0);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < n; ++t) {
        pool.emplace_back([&, t] {
            auto start = Clock::now();
            work(static_cast<int>(t), hits[t], start);
            elapsed_us[t] = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    Run run;
    for (std::size_t t = 0; t < n; ++t) {
        run.us_per_point = std::max(run.us_per_point, elapsed_us[t] / static_cast<double>(points));
        run.hits += hits[t];
    }
    return run;
}

std::size_t parse_count(const char* text) {
    char* end = nullptr;
    const auto value = std::strtoull(text, &end, 10);
    if (!end || *end != '\0' || value == 0) {
        std::fprintf(stderr, "not a positive count: %s\n", text);
        std::exit(2);
    }
    return static_cast<std::size_t>(value);
}

} // namespace

int main(int argc, char** argv) {
    std::size_t n_points = 1000000;
    std::size_t n_peer = 100000; // SpatiaLite is far slower: fewer points keep the run short
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--points") == 0) {
            n_points = parse_count(argv[i + 1]);
        } else if (std::strcmp(argv[i], "--peer-points") == 0) {
            n_peer = parse_count(argv[i + 1]);
        } else {
            std::fprintf(stderr, "usage: %s [--points N] [--peer-points N]\n", argv[0]);
            return 2;
        }
    }
    n_peer = std::min(n_peer, n_points);

    const auto dir = std::filesystem::temp_directory_path() /
                     ("wardmap-bench-lookup-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const auto db_path = dir / "demo.sqlite";
    int status = 0;
    try {
        store::migrate(db_path);
        {
            auto db = store::Database::open(db_path);
            importers::generate_demo_borough(db, *geo::BngTransform::create());
        }
        auto db = store::Database::open(db_path);
        const auto load_start = Clock::now();
        const auto index = services::WardIndex::load(db);
        const std::chrono::duration<double, std::milli> load_ms = Clock::now() - load_start;

        std::mt19937_64 rng(2320);
        std::uniform_real_distribution<double> e(min_e, max_e), n(min_n, max_n);
        std::vector<geo::EastNorth> points(n_points);
        for (auto& p : points) {
            p = {e(rng), n(rng)};
        }

        std::printf("ward lookup: %zu wards in %zu boundary sets (demo borough), index loaded in "
                    "%.1f ms; %zu random points in E %.0f-%.0f N %.0f-%.0f (SpatiaLite: first "
                    "%zu); %u CPUs\n\n",
                    index->wards().size(), index->boundary_set_count(), load_ms.count(), n_points,
                    min_e, max_e, min_n, max_n, n_peer, std::thread::hardware_concurrency());
        std::printf("%-8s %-8s %12s %8s %14s %8s %10s\n", "date", "threads", "ours us/pt", "hits",
                    "spatialite us", "hits", "ratio");

        const auto today = core::today_utc();
        for (const auto& [label, on] :
             {std::pair{std::string("current"), today},
              std::pair{std::string("2019"), *core::parse_iso_date("2019-06-01")}}) {
            // clang 14 cannot capture a structured binding in a lambda (C++20 P1091).
            const core::Date date = on;
            const std::string iso = date.iso();
            for (int threads : {1, 2}) {
                // Every thread looks up every point; the first lookup on a thread builds its
                // trees, so it is made before the clock starts.
                const auto ours =
                    timed(threads, n_points, [&](int, std::size_t& hits, auto& start) {
                        (void)index->find(points[0], date);
                        start = Clock::now();
                        for (const auto& p : points) {
                            hits += index->find(p, date) != nullptr ? 1 : 0;
                        }
                    });
                std::vector<store::Database> connections;
                for (int t = 0; t < threads; ++t) {
                    connections.push_back(store::Database::open(db_path));
                }
                std::size_t ours_on_peer_points = 0;
                for (std::size_t i = 0; i < n_peer; ++i) {
                    ours_on_peer_points += index->find(points[i], date) != nullptr ? 1 : 0;
                }
                const auto peer =
                    timed(threads, n_peer, [&](int t, std::size_t& hits, auto& start) {
                        auto stmt = connections[static_cast<std::size_t>(t)].prepare(peer_sql);
                        start = Clock::now();
                        for (std::size_t i = 0; i < n_peer; ++i) {
                            stmt.reset();
                            stmt.bind(1, points[i].easting)
                                .bind(2, points[i].northing)
                                .bind(3, iso);
                            hits += stmt.step() ? 1 : 0;
                        }
                    });
                const auto per_thread = static_cast<std::size_t>(threads);
                std::printf(
                    "%-8s %-8d %12.3f %7.1f%% %14.3f %7.1f%% %9.1fx%s\n", label.c_str(), threads,
                    ours.us_per_point,
                    100.0 * static_cast<double>(ours.hits) /
                        static_cast<double>(n_points * per_thread),
                    peer.us_per_point,
                    100.0 * static_cast<double>(peer.hits) /
                        static_cast<double>(n_peer * per_thread),
                    peer.us_per_point / ours.us_per_point,
                    peer.hits == ours_on_peer_points * per_thread ? "" : "  (hit counts differ!)");
                if (peer.hits != ours_on_peer_points * per_thread) {
                    status = 1;
                }
            }
        }
        std::printf("\nus/pt: the slowest thread's time / points per thread (each thread looks up "
                    "every point), so with 2 threads it stays flat when lookups scale.\n"
                    "ratio: SpatiaLite us/pt / ours (higher is better for ours).\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wardmap_bench_ward_lookup: %s\n", e.what());
        status = 2;
    }
    std::filesystem::remove_all(dir);
    return status;
}
