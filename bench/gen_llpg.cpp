// Writes a synthetic gazetteer for the LLPG import and search benchmarks (bench/llpg_import.sh):
// a DTF 7.3 file, the same properties as a points CSV for ogr2ogr, and type-ahead queries for
// wrk. See bench/README.md.
//
//   wardmap_bench_gen_llpg --dtf FILE [--points FILE] [--queries-out FILE] [--addresses N]
//                          [--queries N] [--seed S] [--lf]

#include "bench/llpg_synth.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace {

void usage(const char* argv0) {
    std::fprintf(stderr,
                 "usage: %s --dtf FILE [--points FILE] [--queries-out FILE] [--addresses N] "
                 "[--queries N] [--seed S] [--lf]\n"
                 "  --dtf FILE          the DTF 7.3 gazetteer (CRLF line ends unless --lf)\n"
                 "  --points FILE       uprn,x,y,address CSV of the same BLPUs, for ogr2ogr\n"
                 "  --queries-out FILE  URL-encoded type-ahead queries, one a line, for wrk\n"
                 "  --addresses N       addresses (LPIs, one BLPU each); default 1000000\n"
                 "  --queries N         how many queries; default 5000\n"
                 "  --seed S            default 2320; the same seed gives the same files\n",
                 argv0);
}

bool parse_count(const char* text, unsigned long long& out) {
    char* end = nullptr;
    out = std::strtoull(text, &end, 10);
    return end != text && *end == '\0';
}

} // namespace

int main(int argc, char** argv) {
    wardmap::bench::SynthOptions options;
    wardmap::bench::SynthPaths paths;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--lf") {
            options.line_ending = wardmap::importers::LineEnding::lf;
            continue;
        }
        if (i + 1 >= argc) {
            usage(argv[0]);
            return 1;
        }
        const char* value = argv[++i];
        unsigned long long n = 0;
        if (arg == "--dtf") {
            paths.dtf = value;
        } else if (arg == "--points") {
            paths.points = value;
        } else if (arg == "--queries-out") {
            paths.queries = value;
        } else if (arg == "--addresses" && parse_count(value, n)) {
            options.addresses = static_cast<std::int64_t>(n);
        } else if (arg == "--queries" && parse_count(value, n)) {
            options.queries = static_cast<std::size_t>(n);
        } else if (arg == "--seed" && parse_count(value, n)) {
            options.seed = n;
        } else {
            usage(argv[0]);
            return 1;
        }
    }
    if (paths.dtf.empty()) {
        usage(argv[0]);
        return 1;
    }
    try {
        const auto s = wardmap::bench::generate_llpg(options, paths);
        std::printf("gen_llpg: seed %llu: %lld addresses (%lld flats, %lld named houses) on %lld "
                    "streets, %lld postcodes, in %.2f s\n",
                    static_cast<unsigned long long>(options.seed),
                    static_cast<long long>(s.addresses), static_cast<long long>(s.flats),
                    static_cast<long long>(s.named), static_cast<long long>(s.streets),
                    static_cast<long long>(s.postcodes), s.seconds);
        std::printf("  %s: %llu bytes (DTF 7.3)\n", paths.dtf.c_str(),
                    static_cast<unsigned long long>(s.dtf_bytes));
        if (!paths.points.empty()) {
            std::printf("  %s: %llu bytes (points CSV)\n", paths.points.c_str(),
                        static_cast<unsigned long long>(s.points_bytes));
        }
        if (!paths.queries.empty()) {
            std::printf("  %s: %lld queries\n", paths.queries.c_str(),
                        static_cast<long long>(s.queries));
        }
        std::printf("  extent E %.0f-%.0f N %.0f-%.0f (EPSG:27700)\n", wardmap::bench::synth_min_e,
                    wardmap::bench::synth_max_e, wardmap::bench::synth_min_n,
                    wardmap::bench::synth_max_n);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "wardmap_bench_gen_llpg: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wardmap_bench_gen_llpg: %s\n", e.what());
        return 2;
    }
    return 0;
}
