#include "importers/import.hpp"

#include "geo/errors.hpp"
#include "geo/store/bulk_journal.hpp"
#include "importers/import_kinds.hpp"

#include <array>
#include <fstream>
#include <future>
#include <sodium.h>
#include <sstream>

namespace wardmap::importers {

namespace {

constexpr std::array kinds{
    ImportKind{"wards", "ward boundary polygons into a versioned boundary set", &import_wards,
               &check_ward_options},
    ImportKind{"postcodes", "postcode points (OS Code-Point Open or any point file)",
               &import_postcodes, &check_postcode_options},
    ImportKind{"streets", "street centrelines by USRN (LineString or MultiLineString)",
               &import_streets, &check_street_options},
    ImportKind{"councillors", "councillors and parties per ward (JSON or CSV)", &import_councillors,
               &check_councillor_options, &is_councillors_json, &import_councillors_json},
    ImportKind{"llpg",
               "gazetteer transfer file (NLPG DTF 7.3 or AddressBase Premium CSV): streets, "
               "properties and addresses, change types I/U/D applied",
               nullptr, &check_llpg_options, &always_reads_file_itself, &import_llpg},
    ImportKind{"addresses",
               "any point file of properties with a field mapping (UPRN, address parts or "
               "single-line text, postcode) into properties and searchable addresses",
               &import_addresses, &check_address_options},
    ImportKind{"assets",
               "street assets of one --type (litter bins, benches, trees, verges, street "
               "segments, ...) from any point, line or polygon file with a reference column; "
               "matched by reference: inserted, updated, unchanged, and retired when missing "
               "from a full file",
               &import_assets, &check_asset_options},
    ImportKind{"cemeteries",
               "cemetery boundaries (Polygon or MultiPolygon) matched by name; --map NAME=FIELD "
               "for name, address, opened",
               &import_cemeteries, &check_cemetery_options},
    ImportKind{"sections",
               "cemetery sections (Polygon) matched by cemetery and name; --map NAME=FIELD for "
               "cemetery, name, code, kind, denomination, consecrated; --cemetery NAME",
               &import_sections, &check_section_options},
    ImportKind{"graves",
               "grave spaces (Polygon) matched by cemetery and grave number; --map NAME=FIELD "
               "for cemetery, section, row, grave_number, grave_type, max_coffins, "
               "max_cremated_remains, depth_used_m, ground_notes, unavailable_reason; "
               "--cemetery NAME",
               &import_graves, &check_grave_options},
    ImportKind{"burial-register",
               "a burial register CSV (register number, grave, names, dates, age, ...) appended "
               "to each cemetery's register; rows naming an unknown grave, burying before the "
               "death, with an age that does not parse or over a grave's capacity are rejected",
               &import_burial_register, &check_register_options},
    ImportKind{"empty-properties",
               "the register of empty homes (CSV or any table) by UPRN, which must be in the "
               "gazetteer: source, empty_since, furnished, status, risk, owner, notes; inserted, "
               "updated or unchanged, never deleted; --map NAME=FIELD",
               &import_empty_properties, &check_empty_property_options},
    ImportKind{"planning",
               "planning applications: planning.data.gov.uk's planning-application dataset "
               "(CSV or GeoJSON) or PlanIt's (CSV or JSON), --format national|planit else told "
               "by the header, --map NAME=FIELD; matched by reference, status changes logged",
               &import_planning, &check_planning_options, &is_planit_json, &import_planning_json},
    ImportKind{"constraints",
               "a constraint layer (Polygon or MultiPolygon) of one --kind: "
               "conservation_area, tree_preservation_order, listed_building or article_4; "
               "matched by reference; --map NAME=FIELD for reference, name, designation_date, "
               "grade, description, documentation_url",
               &import_constraints, &check_constraint_options},
    ImportKind{"land-charges",
               "local land charges (Polygon or MultiPolygon) matched by reference; --map "
               "NAME=FIELD for reference, register_part, charge_type, description, "
               "registered_date, originating_authority, instrument_reference, status",
               &import_land_charges, &check_land_charge_options},
};

/// The checks GdalSource makes, for files a kind reads itself.
void require_file(const std::filesystem::path& path) {
    const SourcePlace place{path.string(), 0, false, {}};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw ImportError(place, "no such file");
    }
    if (std::filesystem::file_size(path, ec) == 0) {
        throw ImportError(place, "the file is empty");
    }
}

void record(store::Database& db, const ImportReport& r) {
    auto st = db.prepare(
        "INSERT INTO imports (kind, source, sha256, started_at, finished_at, status, read_count, "
        "inserted, updated, deleted, rejected, repaired, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, r.kind).bind(2, r.source).bind(3, r.sha256).bind(4, r.started_at);
    st.bind(5, r.finished_at).bind(6, r.status).bind(7, r.read).bind(8, r.inserted);
    // An asset import's retirements are its deletions: the rows leave the live register.
    st.bind(9, r.updated).bind(10, r.deleted + r.retired).bind(11, r.rejected).bind(12, r.repaired);
    st.bind(13, r.detail);
    st.run();
}

} // namespace

std::span<const ImportKind> import_kinds() {
    return kinds;
}

const ImportKind* find_import_kind(std::string_view name) {
    for (const auto& k : kinds) {
        if (name == k.name) {
            return &k;
        }
    }
    return nullptr;
}

std::optional<geo::BBox> parse_bbox(const std::string& text) {
    std::istringstream in(text);
    geo::BBox b;
    char c1 = 0;
    char c2 = 0;
    char c3 = 0;
    if (!(in >> b.min_x >> c1 >> b.min_y >> c2 >> b.max_x >> c3 >> b.max_y) || c1 != ',' ||
        c2 != ',' || c3 != ',' || !(b.min_x < b.max_x && b.min_y < b.max_y)) {
        return std::nullopt;
    }
    return b;
}

namespace {
constexpr std::uintmax_t bulk_journal_bytes = 32U << 20;
} // namespace

std::string sha256_file(const std::filesystem::path& path) {
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium failed to initialise");
    }
    std::ifstream in(path, std::ios::binary);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::array<char, 1 << 16> buf{};
    while (in) {
        in.read(buf.data(), buf.size());
        const auto n = in.gcount();
        crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                                  static_cast<unsigned long long>(n));
    }
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state, digest.data());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return hex.data();
}

ImportReport run_import(store::Database& db,
                        const geo::BngTransform& transform,
                        const ImportKind& kind,
                        const ImportOptions& options,
                        Progress& progress) {
    ImportReport report;
    report.kind = kind.name;
    report.source = options.source.path.string();
    report.started_at = utc_now();
    report.status = "failed";
    try {
        if (const auto problem = kind.check_options(options); !problem.empty()) {
            throw ImportError({report.source, 0, false, {}}, problem);
        }
        const bool read_itself = kind.reads_file_itself && kind.reads_file_itself(options);
        std::optional<GdalSource> source;
        if (read_itself) {
            require_file(options.source.path);
        } else {
            source.emplace(options.source);
        }
        // The file's hash on another thread while the import reads it (a second full read
        // of a 250 MB gazetteer otherwise).
        auto sha256 = std::async(std::launch::async, sha256_file, options.source.path);
        // One transaction may touch every page of a big table: a cache that holds the indexes
        // being built keeps SQLite from spilling and re-reading them (256 MiB at most).
        db.exec("PRAGMA cache_size = -262144");
        // A big load is written once, not to the WAL and then again by the checkpoint, when
        // nobody else has the database open (small ones are not worth the header rewrites).
        std::error_code size_error;
        const auto source_bytes = std::filesystem::file_size(options.source.path, size_error);
        std::optional<store::BulkJournal> journal;
        if (!size_error && source_bytes >= bulk_journal_bytes) {
            journal.emplace(db);
        }
        store::Transaction tx(db);
        progress.start("import " + report.kind, source ? source->feature_count() : -1);
        if (source) {
            if (auto note = source->layer_note(); !note.empty()) {
                report.notes.push_back(std::move(note));
            }
            ImportContext ctx{*source, db, transform, options, report, progress};
            kind.run(ctx);
        } else {
            FileImportContext ctx{options.source.path, db, transform, options, report, progress};
            kind.run_file(ctx);
        }
        progress.finish();
        if (report.read == 0) {
            throw ImportError(source ? source->place(0) : SourcePlace{report.source, 0, false, {}},
                              "the file has no rows or features to import");
        }
        if (report.rejected > 0 && !options.skip_bad) {
            report.error = std::to_string(report.rejected) +
                           " rows rejected; nothing was imported (fix them, or pass --skip-bad "
                           "to keep the good rows)";
            report.inserted = report.updated = report.deleted = report.repaired = 0;
            report.retired = report.unchanged = 0;
            report.sha256 = sha256.get();
            return report; // tx rolls back
        }
        // Every row rejected (--skip-bad) is a failure; rows that are as the store has them
        // already (a replayed file) are not.
        if (report.rejected > 0 && report.rejected >= report.read) {
            report.error = "no row could be imported; nothing was changed";
            report.inserted = report.updated = report.deleted = 0;
            report.retired = report.unchanged = 0;
            report.sha256 = sha256.get();
            return report;
        }
        report.status = report.rejected > 0 ? "partial" : "ok";
        report.sha256 = sha256.get();
        report.finished_at = utc_now();
        record(db, report);
        tx.commit();
        report.ok = true;
    } catch (const ImportError& e) {
        report.error = e.what();
    } catch (const geo::GeoError& e) {
        report.error = report.source + ": " + e.what();
    }
    if (!report.ok) {
        report.status = "failed";
        report.inserted = report.updated = report.deleted = report.repaired = 0;
        report.retired = report.unchanged = 0;
    }
    if (report.finished_at.empty()) {
        report.finished_at = utc_now();
    }
    return report;
}

} // namespace wardmap::importers
