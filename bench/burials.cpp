// Burials (issue #15's goals), in-process on a fresh SpatiaLite file holding one cemetery of
// 10,000 graves (100 rows of 100, 2.4 m x 1.2 m) with about 15,000 interments, 7,000 grants
// and their events:
//   layer    every grave of the cemetery as GeoJSON through the `graves` collection
//            (FeatureService::items, the code /ogc/collections/graves/items runs): goal <= 50 ms
//   status   the derived status of every grave in the cemetery's box in one set-based query
//            (services::graves_status_in_box, /api/burials/graves/status)
// Peers measured in the same run (PlotBox and BACAS are commercial and cannot run here):
//   plain    the same 10,000 polygons as GeoJSON without the derived status (the floor the
//            status adds to)
//   per-grave  one status query per grave (what the set-based query avoids)
// Usage: wardmap_bench_burials [graves] [runs]   (defaults 10000 15). Nothing asserts speed.

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/burials/grave_status.hpp"
#include "server/services/features/feature_service.hpp"
#include "server/services/features/layer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace wardmap;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

/// Median and worst of `runs` timings (after one warm-up run).
std::pair<double, double> time_it(int runs, const std::function<void()>& f) {
    f();
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        f();
        t.push_back(ms_since(start));
    }
    std::sort(t.begin(), t.end());
    return {t[t.size() / 2], t.back()};
}

void fill(store::Database& db, int graves) {
    store::Transaction tx(db);
    const double e0 = 358000, n0 = 418000;
    const int per_row = 100;
    const int rows = (graves + per_row - 1) / per_row;
    const double w = per_row * 1.5 + 4, h = rows * 3.3 + 4;
    char sql[1024];
    std::snprintf(sql, sizeof sql,
                  "INSERT INTO cemeteries (id, name, address, geom, geom_wgs84) VALUES (1, "
                  "'Bench Cemetery', 'Bench Road', CastToMultiPolygon(BuildMbr(%f, %f, %f, %f, "
                  "27700)), CastToMultiPolygon(Transform(BuildMbr(%f, %f, %f, %f, 27700), "
                  "4326)))",
                  e0, n0, e0 + w, n0 + h, e0, n0, e0 + w, n0 + h);
    db.exec(sql);
    std::snprintf(sql, sizeof sql,
                  "INSERT INTO cemetery_sections (id, cemetery_id, name, kind, geom, geom_wgs84) "
                  "VALUES (1, 1, 'A', 'traditional', BuildMbr(%f, %f, %f, %f, 27700), "
                  "Transform(BuildMbr(%f, %f, %f, %f, 27700), 4326))",
                  e0, n0, e0 + w, n0 + h, e0, n0, e0 + w, n0 + h);
    db.exec(sql);
    db.exec("INSERT INTO burial_registers (id, cemetery_id, name) VALUES (1, 1, 'Register')");
    auto grave = db.prepare(
        "INSERT INTO grave_spaces (id, cemetery_id, section_id, grave_number, grave_type, "
        "max_coffins, max_cremated_remains, unavailable_reason, geom, geom_wgs84) VALUES (?1, 1, "
        "1, ?2, ?3, 3, 2, ?4, BuildMbr(?5, ?6, ?7, ?8, 27700), Transform(BuildMbr(?5, ?6, ?7, "
        "?8, 27700), 4326))");
    auto grant = db.prepare("INSERT INTO burial_grants (grave_id, deed_number, granted_on) "
                            "VALUES (?1, ?2, ?3)");
    auto event = db.prepare("INSERT INTO burial_grant_events (grant_id, kind, effective_on, "
                            "recorded_at, recorded_by) VALUES (?1, 'purchase', ?2, 'x', 'x')");
    auto bury = db.prepare("INSERT INTO interments (register_id, register_number, grave_id, "
                           "buried_on, surname, kind, entered_at, entered_by) VALUES (1, ?1, ?2, "
                           "?3, 'Bench', ?4, 'x', 'x')");
    std::mt19937 rng(15);
    std::int64_t number = 0;
    for (int g = 1; g <= graves; ++g) {
        const int row = (g - 1) / per_row, col = (g - 1) % per_row;
        const double x = e0 + 2 + col * 1.5, y = n0 + 2 + row * 3.3;
        const char* type = rng() % 100 < 8 ? "public" : "private";
        grave.bind(1, g).bind(2, "B-" + std::to_string(row + 1) + "-" + std::to_string(col + 1));
        grave.bind(3, type);
        if (rng() % 100 < 2) {
            grave.bind(4, "tree");
        } else {
            grave.bind_null(4);
        }
        grave.bind(5, x).bind(6, y).bind(7, x + 1.2).bind(8, y + 2.4).run();
        const int year = 1930 + static_cast<int>(rng() % 95);
        char day[16];
        std::snprintf(day, sizeof day, "%04d-%02d-%02d", year, 1 + static_cast<int>(rng() % 12),
                      1 + static_cast<int>(rng() % 28));
        const int n = static_cast<int>(rng() % 4); // 0..3 burials
        if (std::string(type) == "private" && (n > 0 || rng() % 10 == 0)) {
            grant.bind(1, g).bind(2, "BENCH/" + std::to_string(g)).bind(3, day).run();
            event.bind(1, db.last_insert_rowid()).bind(2, day).run();
        }
        for (int k = 0; k < n; ++k) {
            bury.bind(1, ++number)
                .bind(2, g)
                .bind(3, day)
                .bind(4, k < 3 ? "coffin" : "cremated_remains");
            bury.run();
        }
    }
    tx.commit();
    db.exec("ANALYZE");
}

} // namespace

int main(int argc, char** argv) {
    const int graves = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 15;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("wardmap-bench-burials-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "bench.sqlite";
    store::migrate(path);
    {
        auto db = store::Database::open(path);
        const auto start = Clock::now();
        fill(db, graves);
        std::printf(
            "store: %d graves, %lld interments, %lld grants (%.0f ms to write)\n", graves,
            static_cast<long long>(db.query_int("SELECT count(*) FROM interments").value_or(0)),
            static_cast<long long>(db.query_int("SELECT count(*) FROM burial_grants").value_or(0)),
            ms_since(start));
    }
    store::ConnectionPool pool(path, 2, {});
    auto transform = geo::BngTransform::create();
    services::FeatureService features(pool, transform, services::default_layers());
    // The peer layer: the same table and polygons, the grave number only.
    services::LayerRegistry plain_registry;
    {
        services::Layer plain = *services::default_layers().find("graves");
        plain.id = "graves_plain";
        plain.properties.resize(1);
        plain_registry.add(std::move(plain));
    }
    services::FeatureService plain_features(pool, transform, std::move(plain_registry));

    services::ItemsQuery q;
    q.limit = 10000;
    std::size_t bytes = 0;
    const auto [layer_ms, layer_worst] = time_it(runs, [&] {
        const auto page = features.items(features.layer("graves"), q);
        bytes = page.features.size();
    });
    const auto [plain_ms, plain_worst] = time_it(runs, [&] {
        const auto page = plain_features.items(plain_features.layer("graves_plain"), q);
    });
    geo::BBox box;
    box.min_x = 357990;
    box.min_y = 417990;
    box.max_x = 358200;
    box.max_y = 418400;
    const auto today = core::today_utc();
    std::size_t n = 0;
    const auto [status_ms, status_worst] = time_it(runs, [&] {
        auto db = pool.acquire();
        n = 0;
        services::graves_status_in_box(*db, box, today, [&](const services::GraveStatus&) { ++n; });
    });
    const auto [per_grave_ms, per_grave_worst] = time_it(std::max(3, runs / 5), [&] {
        auto db = pool.acquire();
        for (int g = 1; g <= graves; ++g) {
            (void)services::grave_status(*db, g, today);
        }
    });

    std::printf("\n%-34s %10s %10s %10s %8s\n", "measure", "median ms", "worst ms", "goal ms",
                "vs peer");
    std::printf("%-34s %10.1f %10.1f %10s %8.2f  (%zu bytes of GeoJSON)\n",
                "layer: graves as GeoJSON", layer_ms, layer_worst, "50", layer_ms / plain_ms,
                bytes);
    std::printf("%-34s %10.1f %10.1f %10s %8s\n", "  peer: the same without status", plain_ms,
                plain_worst, "-", "1.00");
    std::printf("%-34s %10.1f %10.1f %10s %8.2f  (%zu graves, one query)\n",
                "status: every grave in the box", status_ms, status_worst, "-",
                status_ms / per_grave_ms, n);
    std::printf("%-34s %10.1f %10.1f %10s %8s\n", "  peer: one query per grave", per_grave_ms,
                per_grave_worst, "-", "1.00");
    std::printf("\nlayer goal (<= 50 ms for %d graves): %s\n", graves,
                layer_ms <= 50 ? "met" : "NOT met");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
