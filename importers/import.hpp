#pragma once

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "geo/store/database.hpp"
#include "importers/gdal_source.hpp"
#include "importers/import_report.hpp"
#include "importers/progress.hpp"

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wardmap::importers {

enum class InvalidGeometry { repair, reject };

/// Every option of `wardmap import`; each kind reads the ones it needs. Plain value.
struct ImportOptions {
    SourceOptions source;
    InvalidGeometry invalid = InvalidGeometry::repair;
    bool skip_bad = false; ///< keep the good rows instead of all-or-nothing
    /// Council extent in EPSG:27700 when the store has no council_area geometry.
    std::optional<geo::BBox> bbox;
    // wards
    std::string code_field; ///< empty: WDnnCD, ons_code, code, ...
    std::string name_field; ///< empty: WDnnNM, name, ...
    std::string set_label;
    std::string valid_from; ///< ISO date
    std::string valid_to;   ///< ISO date or empty (open-ended)
    bool supersede = false; ///< close the open-ended set the new one follows
    // postcodes and other point CSVs
    std::string postcode_field; ///< empty: Postcode, pcd, pcds, PC, ...
    std::string x_field;        ///< CSV only; empty: Eastings, easting, x, lon, longitude, ...
    std::string y_field;
    // streets (name_field is the street name: empty: name, street, descriptor, street_desc)
    std::string usrn_field;     ///< empty: USRN
    std::string town_field;     ///< empty: town, town_name, post_town if present
    std::string locality_field; ///< empty: locality, locality_name if present
    // councillors (CSV; set_label picks the boundary set, empty: the current one)
    std::string ward_field;       ///< empty: ward_code, ward, ward_name, code
    std::string councillor_field; ///< empty: councillor, councillor_name, name
    std::string party_field;      ///< empty: party, party_name
    // addresses (also postcode_field, x_field/y_field, usrn_field, town_field, locality_field)
    std::string uprn_field;    ///< empty: UPRN
    std::string address_field; ///< single-line text; empty: address, full_address, ...
    std::string saon_field;    ///< parts instead of single-line text
    std::string paon_field;
    std::string street_field;
    std::string classification_field; ///< empty: classification, class if present
    // assets (also x_field/y_field for points, uprn_field, usrn_field)
    std::string asset_type;      ///< --type: a code of core::street_asset_types
    std::string ref_field;       ///< empty: reference, asset_ref, asset_id, ref, OBJECTID
    std::string installed_field; ///< empty: installed_on, install_date, ... if present
    std::string condition_field; ///< empty: condition if present
    std::string owner_field;     ///< empty: owner, ownership if present
    std::string owner;           ///< owner of every row without an owner field value
    std::vector<std::string> attribute_fields; ///< --attr NAME=FIELD, as typed
    bool partial = false; ///< not the type's whole register: retire nothing missing from it
    // cemeteries, sections, graves, burial-register
    std::string cemetery;               ///< --cemetery: rows without a cemetery column
    std::vector<std::string> field_map; ///< --map NAME=FIELD, as typed
    // planning (also field_map)
    std::string planning_format; ///< --format national|planit; empty: told by the header
    // constraints (also field_map)
    std::string constraint_kind; ///< --kind conservation_area|tree_preservation_order|...
};

/// "minx,miny,maxx,maxy" in EPSG:27700; nullopt when malformed.
std::optional<geo::BBox> parse_bbox(const std::string& text);

/// What a kind's body gets: the open source, the database inside the import's transaction,
/// the transform, the options and the report to fill.
struct ImportContext {
    GdalSource& source;
    store::Database& db;
    const geo::BngTransform& transform;
    const ImportOptions& options;
    ImportReport& report;
    Progress& progress;
};

/// ImportContext for a file that is not geodata (e.g. councillors' JSON), which the kind reads
/// itself instead of through GDAL.
struct FileImportContext {
    const std::filesystem::path& path;
    store::Database& db;
    const geo::BngTransform& transform;
    const ImportOptions& options;
    ImportReport& report;
    Progress& progress;
};

/// One kind of import: its name, a line of help and its body. The body reads the source,
/// writes through ctx.db and fills ctx.report (rejections included); it throws ImportError
/// when the whole import cannot go on.
struct ImportKind {
    const char* name;
    const char* help;
    void (*run)(ImportContext& ctx);
    /// Checks the kind's own options before anything is read (empty: fine).
    std::string (*check_options)(const ImportOptions& options);
    /// For kinds that also read non-geodata files: true when this source is such a file, which
    /// `run_file` then reads instead of GDAL and `run`. Null: every source goes through GDAL.
    bool (*reads_file_itself)(const ImportOptions& options) = nullptr;
    void (*run_file)(FileImportContext& ctx) = nullptr;
};

/// Every kind this build can import.
std::span<const ImportKind> import_kinds();
const ImportKind* find_import_kind(std::string_view name);

/// The shared frame of every import: checksum, open the source, one transaction around the
/// kind's body, all-or-nothing unless --skip-bad, a row in `imports` on success. Never throws
/// for a bad source: the report says "failed" and the database is untouched.
ImportReport run_import(store::Database& db,
                        const geo::BngTransform& transform,
                        const ImportKind& kind,
                        const ImportOptions& options,
                        Progress& progress);

/// SHA-256 of a file's bytes, lower-case hex (libsodium).
std::string sha256_file(const std::filesystem::path& path);

} // namespace wardmap::importers
