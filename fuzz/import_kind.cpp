// One import kind end to end (importers/import.cpp run_import), built once per kind by
// fuzz/CMakeLists.txt with WARDMAP_FUZZ_KIND and WARDMAP_FUZZ_FILE: the fuzz input is the
// file, read as `wardmap import KIND --skip-bad FILE` reads it (CSVs and GeoJSON through
// GDAL, then our field mapping and value conversion; councillors' JSON and DTF files by our
// own readers) into a migrated store that holds one ward set (for councillors). run_import
// never throws for a bad source: it reports "failed", so any exception is a finding.

#include "fuzz/fuzz_support.hpp"

#include "geo/store/migrations.hpp"
#include "importers/import.hpp"

#include <cpl_error.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace wardmap;

namespace {

constexpr const char* wards_geojson = R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"ons_code":"E05013064","name":"Adlington & Anderton"},"geometry":{"type":"Polygon","coordinates":[[[358000,417000],[359000,417000],[359000,418000],[358000,418000],[358000,417000]]]}},
{"type":"Feature","properties":{"ons_code":"E05013072","name":"Clayton East, Brindle & Hoghton"},"geometry":{"type":"Polygon","coordinates":[[[359000,417000],[360000,417000],[360000,418000],[359000,418000],[359000,417000]]]}}
]})";

struct Store {
    std::filesystem::path dir;
    std::filesystem::path db;
    std::filesystem::path file;
    std::shared_ptr<const geo::BngTransform> transform;
};

// Removed when libFuzzer leaves through exit().
std::filesystem::path& dir_to_remove() {
    static std::filesystem::path dir;
    return dir;
}

const Store& fixture() {
    static const Store s = [] {
        CPLSetErrorHandler(CPLQuietErrorHandler);
        Store made;
        made.dir =
            std::filesystem::temp_directory_path() /
            ("wardmap-fuzz-" + std::string(WARDMAP_FUZZ_KIND) + "-" + std::to_string(::getpid()));
        std::filesystem::create_directories(made.dir);
        made.db = made.dir / "store.sqlite";
        made.file = made.dir / WARDMAP_FUZZ_FILE;
        made.transform = geo::BngTransform::create();
        store::migrate(made.db);
        const auto wards = made.dir / "wards.geojson";
        std::ofstream(wards, std::ios::binary) << wards_geojson;
        importers::ImportOptions o;
        o.source.path = wards;
        o.set_label = "2020";
        o.valid_from = "2020-05-07";
        auto db = store::Database::open(made.db);
        importers::Progress quiet(importers::Progress::Mode::quiet);
        const auto report = importers::run_import(db, *made.transform,
                                                  *importers::find_import_kind("wards"), o, quiet);
        if (!report.ok) {
            fuzz::fail("could not set up the ward set:", report.to_text().c_str());
        }
        dir_to_remove() = made.dir;
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(dir_to_remove(), ignored);
        });
        return made;
    }();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& s = fixture();
    {
        std::ofstream out(s.file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    const auto* kind = importers::find_import_kind(WARDMAP_FUZZ_KIND);
    fuzz::check(kind != nullptr, "no such import kind");
    importers::ImportOptions options;
    options.source.path = s.file;
    options.skip_bad = true;
    if (std::string_view(WARDMAP_FUZZ_KIND) == "assets") {
        // Points from a CSV's columns, with every option that maps a column.
        options.asset_type = "litter_bin";
        options.source.crs = importers::SourceCrs::bng;
        options.attribute_fields = {"bin_type=model", "capacity_l=liner"};
    }
    if (kind->check_options != nullptr) {
        fuzz::check(kind->check_options(options).empty(), "the default options are refused");
    }
    try {
        auto db = store::Database::open(s.db);
        importers::Progress quiet(importers::Progress::Mode::quiet);
        const auto report = importers::run_import(db, *s.transform, *kind, options, quiet);
        fuzz::check(report.ok == (report.status != "failed"), "ok and status disagree");
        fuzz::check(report.rejections.size() <= importers::ImportReport::max_listed,
                    "more rejections listed than the limit");
        (void)report.to_text();
        (void)report.to_json();
    } catch (const std::exception& e) {
        fuzz::fail("run_import threw", e.what());
    }
    return 0;
}
