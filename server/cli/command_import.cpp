// `wardmap import KIND SOURCE [options]`: parses flags into importers::ImportOptions and hands
// over to importers::run_import; the import framework and the kinds live in importers/.

#include "geo/store/migrations.hpp"
#include "importers/import.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/bin_calendar.hpp"

#include <fstream>
#include <iostream>

namespace wardmap::cli {

namespace {

struct ImportFlags {
    std::string kind;
    std::string source;
    std::string crs;
    std::string columns;
    std::string columns_from;
    std::string invalid = "repair";
    std::string bbox;
    std::string report_json;
    bool quiet = false;
    importers::ImportOptions options;
    // bin-calendar
    std::vector<std::int64_t> uprns;
    std::vector<std::int64_t> usrns;
    std::string postcode;
    std::string round_prefix;
    std::string from;
    std::string to;
    bool open_ended = false;
};

constexpr const char* bin_calendar_kind = "bin-calendar";

std::optional<core::Date> date_flag(const std::string& name, const std::string& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    const auto d = core::parse_iso_date(text);
    if (!d) {
        services::invalid_parameter(name, "must be a date YYYY-MM-DD, not '" + text + "'");
    }
    return d;
}

/// `wardmap import bin-calendar FILE --uprn N... | --usrn N... | --postcode "PR6 7AD"`: the
/// calendar becomes one household-waste round per bin (services/streetscene/bin_calendar).
int run_bin_calendar_import(const CommonOptions& common, ImportFlags& flags) {
    std::ifstream in(flags.source, std::ios::binary);
    if (!in) {
        std::cerr << "wardmap import bin-calendar: " << flags.source << ": cannot read\n";
        return exit_usage;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    store::migrate(common.db);
    auto db = store::Database::open(common.db);
    services::BinCalendarOptions options;
    options.file = flags.source;
    options.from = date_flag("--from", flags.from);
    options.to = date_flag("--to", flags.to);
    options.open_ended = flags.open_ended;
    for (const auto u : flags.uprns) {
        options.stops.push_back({services::StopTarget::Kind::property, u});
    }
    for (const auto u : flags.usrns) {
        options.stops.push_back({services::StopTarget::Kind::street, u});
    }
    if (!flags.postcode.empty()) {
        auto q = db.prepare("SELECT DISTINCT uprn FROM addresses WHERE replace(upper(postcode), "
                            "' ', '') = replace(upper(?), ' ', '') ORDER BY usrn, uprn");
        q.bind(1, flags.postcode);
        std::size_t found = 0;
        while (q.step()) {
            options.stops.push_back({services::StopTarget::Kind::property, q.int64(0)});
            ++found;
        }
        if (found == 0) {
            services::invalid_parameter("--postcode",
                                        "no address has postcode '" + flags.postcode + "'");
        }
        options.label = flags.postcode;
    }
    if (options.stops.empty()) {
        std::cerr << "wardmap import bin-calendar: name the properties or streets the calendar "
                     "is for: --uprn, --usrn or --postcode\n";
        return exit_usage;
    }
    options.round_prefix = flags.round_prefix;
    if (options.round_prefix.empty()) {
        options.round_prefix = std::filesystem::path(flags.source).stem().string();
    }
    store::Transaction tx(db);
    const auto report = services::import_bin_calendar(db, text, options);
    std::cout << report.to_text();
    if (!report.ok) {
        std::cerr << "wardmap import bin-calendar: failed, the database is unchanged\n";
        return exit_failure;
    }
    tx.commit();
    return exit_ok;
}

std::string kind_list() {
    std::string s;
    for (const auto& k : importers::import_kinds()) {
        s += std::string(s.empty() ? "" : ", ") + k.name;
    }
    return s + ", " + bin_calendar_kind;
}

int run_import_command(const CommonOptions& common, ImportFlags& flags) {
    setup_logging(common.log_level, false);
    if (flags.kind == bin_calendar_kind) {
        return run_bin_calendar_import(common, flags);
    }
    const auto* kind = importers::find_import_kind(flags.kind);
    if (kind == nullptr) {
        std::cerr << "wardmap import: unknown kind '" << flags.kind << "' (this build imports "
                  << kind_list() << ")\n";
        return exit_usage;
    }
    auto& o = flags.options;
    o.source.path = flags.source;
    if (!std::filesystem::is_regular_file(o.source.path)) {
        std::cerr << "wardmap import " << flags.kind << ": " << flags.source << ": no such file\n";
        return exit_usage;
    }
    if (!flags.crs.empty()) {
        o.source.crs = importers::parse_crs(flags.crs);
        if (!o.source.crs) {
            std::cerr << "wardmap import: --crs '" << flags.crs
                      << "' is not EPSG:27700, EPSG:4326 or EPSG:4258\n";
            return exit_usage;
        }
    }
    if (!flags.bbox.empty()) {
        o.bbox = importers::parse_bbox(flags.bbox);
        if (!o.bbox) {
            std::cerr << "wardmap import: --bbox '" << flags.bbox
                      << "' is not minE,minN,maxE,maxN in EPSG:27700\n";
            return exit_usage;
        }
    }
    o.invalid = flags.invalid == "reject" ? importers::InvalidGeometry::reject
                                          : importers::InvalidGeometry::repair;
    // A columns file that cannot be read ends the command through run_guarded (exit 2).
    if (!flags.columns_from.empty()) {
        o.source.columns = importers::read_columns_file(flags.columns_from);
    } else if (!flags.columns.empty()) {
        o.source.columns = importers::split_columns(flags.columns);
    }
    auto transform = common.make_transform();
    store::migrate(common.db);
    auto db = store::Database::open(common.db);
    importers::Progress progress(flags.quiet ? importers::Progress::Mode::quiet
                                             : importers::Progress::Mode::automatic);
    const auto report = importers::run_import(db, *transform, *kind, o, progress);
    std::cout << report.to_text();
    if (!flags.report_json.empty()) {
        std::ofstream out(flags.report_json, std::ios::binary | std::ios::trunc);
        out << report.to_json();
        if (!out) {
            std::cerr << "wardmap import: cannot write " << flags.report_json << "\n";
            return exit_failure;
        }
    }
    if (!report.ok) {
        std::cerr << "wardmap import " << flags.kind
                  << ": failed, the database is unchanged: " << report.error << "\n";
        return exit_failure;
    }
    return exit_ok;
}

} // namespace

void add_import_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "import", "Load a council's files (wards, postcodes, ...) through GDAL, in one "
                  "transaction; exit 0 ok, 2 import failed (database unchanged), 1 usage");
    common.add_to(*cmd);
    auto f = std::make_shared<ImportFlags>();
    auto& o = f->options;
    cmd->add_option("kind", f->kind, "What the file holds: " + kind_list())->required();
    cmd->add_option("source", f->source, "The file (GeoJSON, Shapefile, GeoPackage, CSV, ...)")
        ->required();
    cmd->add_option("--layer", o.source.layer,
                    "The layer to read from a file of several (GeoPackage, ...); default the "
                    "first");
    cmd->add_option("--crs", f->crs,
                    "The file's CRS when it has none or a wrong one: EPSG:27700 or EPSG:4326");
    cmd->add_option("--encoding", o.source.encoding,
                    "Text encoding of the file (e.g. LATIN1, CP1252); default UTF-8");
    cmd->add_option("--columns", f->columns, "Column names for a CSV without a header row: a,b,c");
    cmd->add_option("--columns-from", f->columns_from,
                    "A CSV whose last line names the columns (Code-Point_Open_Column_Headers.csv)");
    cmd->add_option("--invalid", f->invalid, "Invalid geometry: repair (MakeValid) or reject")
        ->check(CLI::IsMember({"repair", "reject"}))
        ->capture_default_str();
    cmd->add_flag("--skip-bad", o.skip_bad,
                  "Keep the good rows when some are rejected (default: all or nothing)");
    cmd->add_option("--bbox", f->bbox,
                    "Council extent minE,minN,maxE,maxN (EPSG:27700) when the store has no "
                    "council_area");
    cmd->add_option("--report-json", f->report_json, "Also write the report as JSON to FILE");
    cmd->add_flag("--quiet", f->quiet, "No progress output");
    cmd->add_option("--set", o.set_label,
                    "wards: boundary set label (an existing one is replaced); councillors: the "
                    "set whose wards are meant (default the one in force today)");
    cmd->add_option("--valid-from", o.valid_from, "wards: first day the set is in force (ISO)");
    cmd->add_option("--valid-to", o.valid_to, "wards: first day it is no longer in force");
    cmd->add_flag("--supersede", o.supersede,
                  "wards: end the open-ended set the new one follows on --valid-from");
    cmd->add_option("--code-field", o.code_field,
                    "wards: ward code field (default WDnnCD, ons_code)");
    cmd->add_option("--name-field", o.name_field,
                    "wards: ward name field (default WDnnNM, name); streets: street name "
                    "(default name, street, descriptor, street_desc)");
    cmd->add_option("--postcode-field", o.postcode_field,
                    "postcodes: postcode field (default Postcode, pcds, PC); addresses: the "
                    "same (default postcode, if any)");
    cmd->add_option("--x-field", o.x_field,
                    "CSV: easting or longitude column (default Eastings; addresses: x; assets: "
                    "easting, x, longitude)");
    cmd->add_option("--y-field", o.y_field,
                    "CSV: northing or latitude column (default Northings; addresses: y; assets: "
                    "northing, y, latitude)");
    cmd->add_option("--usrn-field", o.usrn_field,
                    "streets: USRN field (default USRN); addresses: the street's USRN (default "
                    "USRN, if any)");
    cmd->add_option("--town-field", o.town_field,
                    "streets, addresses: town field (default town, post_town, if any)");
    cmd->add_option("--locality-field", o.locality_field,
                    "streets, addresses: locality field (default locality, if any)");
    cmd->add_option("--uprn-field", o.uprn_field,
                    "addresses: UPRN field (default UPRN); assets: the property's UPRN (default "
                    "UPRN, if any)");
    cmd->add_option("--address-field", o.address_field,
                    "addresses: single-line address text (default address, full_address, "
                    "single_line)");
    cmd->add_option("--saon-field", o.saon_field,
                    "addresses: secondary addressable object, e.g. Flat 2 (default saon)");
    cmd->add_option("--paon-field", o.paon_field,
                    "addresses: primary addressable object, e.g. 12 or Rose Cottage (default "
                    "paon)");
    cmd->add_option("--street-field", o.street_field, "addresses: street name (default street)");
    cmd->add_option("--classification-field", o.classification_field,
                    "addresses: BLPU class, e.g. RD04 (default classification, if any)");
    cmd->add_option("--ward-field", o.ward_field,
                    "councillors CSV: ward code or name (default ward_code, ward, ward_name)");
    cmd->add_option("--councillor-field", o.councillor_field,
                    "councillors CSV: councillor's name (default councillor, name)");
    cmd->add_option("--party-field", o.party_field, "councillors CSV: party (default party)");
    cmd->add_option("--type", o.asset_type,
                    "assets: the asset type (litter_bin, dog_bin, bench, street_tree, grit_bin, "
                    "nameplate, verge, amenity_grass, shrub_bed, play_area, street_segment)");
    cmd->add_option("--ref-field", o.ref_field,
                    "assets: the reference printed on the asset (default reference, asset_ref, "
                    "asset_id, ref, OBJECTID)");
    cmd->add_option("--installed-field", o.installed_field,
                    "assets: install date, YYYY-MM-DD or DD/MM/YYYY (default installed_on, "
                    "install_date, if any)");
    cmd->add_option("--condition-field", o.condition_field,
                    "assets: condition, e.g. GOOD/FAIR/POOR (default condition, if any)");
    cmd->add_option("--owner-field", o.owner_field,
                    "assets: owner, e.g. council or parish (default owner, if any)");
    cmd->add_option("--owner", o.owner,
                    "assets: the owner of rows without an owner field value (new rows default "
                    "to council)");
    cmd->add_option("--attr", o.attribute_fields,
                    "assets: a type attribute from a column, NAME=FIELD (repeatable), e.g. "
                    "--attr bin_type=MODEL --attr capacity_l=CAPACITY; a column named as the "
                    "attribute maps itself");
    cmd->add_flag("--partial", o.partial,
                  "assets: the file is not the type's whole register; retire nothing missing "
                  "from it");
    cmd->add_option("--cemetery", o.cemetery,
                    "sections, graves, burial-register: the cemetery (by name) of rows without a "
                    "cemetery column");
    cmd->add_option("--map", o.field_map,
                    "cemeteries, sections, graves, burial-register, empty-properties: read NAME "
                    "from column FIELD, "
                    "NAME=FIELD (repeatable), e.g. --map grave_number=PLOT_NO; planning, "
                    "constraints, land-charges: the same, e.g. --map reference=CASE_REF");
    cmd->add_option("--format", o.planning_format,
                    "planning: national (planning.data.gov.uk planning-application) or planit; "
                    "default told by the file's header");
    cmd->add_option("--kind", o.constraint_kind,
                    "constraints: conservation_area, tree_preservation_order, listed_building "
                    "or article_4");
    cmd->add_option("--uprn", f->uprns, "bin-calendar: a property the calendar is for (repeat)");
    cmd->add_option("--usrn", f->usrns, "bin-calendar: a street the calendar is for (repeat)");
    cmd->add_option("--postcode", f->postcode,
                    "bin-calendar: every property with this postcode in the gazetteer");
    cmd->add_option("--round-prefix", f->round_prefix,
                    "bin-calendar: rounds are PREFIX-<bin> (default the file's name)");
    cmd->add_option("--from", f->from,
                    "bin-calendar: first day of visits to plan (default the calendar's first)");
    cmd->add_option("--to", f->to,
                    "bin-calendar: last day of visits to plan (default the calendar's last)");
    cmd->add_flag("--open-ended", f->open_ended,
                  "bin-calendar: the pattern goes on after the calendar's last date (no UNTIL)");
    cmd->callback([&common, &exit_code, f] {
        exit_code = run_guarded("import", [&] { return run_import_command(common, *f); });
    });
}

} // namespace wardmap::cli
