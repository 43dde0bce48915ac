#include "importers/llpg_export.hpp"

#include "geo/store/migrations.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace wardmap::importers {

namespace {

/// The first schema with the structured SAO/PAO columns this export reads.
constexpr int required_schema_version = 4;

constexpr int default_custodian_code = 2320;

/// One read transaction around the whole export, so the file is one consistent snapshot
/// while a server goes on writing. Deferred BEGIN: takes no write lock.
class ReadSnapshot {
  public:
    explicit ReadSnapshot(store::Database& db) : m_db(db) { m_db.exec("BEGIN"); }
    ~ReadSnapshot() {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) { // NOLINT(bugprone-empty-catch): nothing was written; a destructor
        }               // must not throw
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  private:
    store::Database& m_db;
};

bool is_iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

bool is_time(std::string_view s) {
    return s.size() == 8 && s[2] == ':' && s[5] == ':';
}

std::optional<std::string> meta(store::Database& db, const char* key) {
    auto st = db.prepare("SELECT value FROM wardmap_meta WHERE key = ?");
    st.bind(1, key);
    if (st.step() && !st.is_null(0)) {
        return std::string(st.text(0));
    }
    return std::nullopt;
}

void check_database(store::Database& db) {
    if (db.query_int("PRAGMA application_id").value_or(0) != store::application_id) {
        throw store::StoreError(db.path().string() + " is not a wardmap database", SQLITE_ERROR);
    }
    const int version = store::schema_version(db);
    if (version < required_schema_version) {
        throw store::StoreError(db.path().string() + " is at schema version " +
                                    std::to_string(version) + "; the LLPG export needs " +
                                    std::to_string(required_schema_version) +
                                    " (run wardmap migrate)",
                                SQLITE_ERROR);
    }
}

int resolve_custodian_code(store::Database& db, const LlpgExportOptions& options) {
    if (options.custodian_code) {
        return *options.custodian_code;
    }
    if (const auto text = meta(db, "custodian_code")) {
        int code = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), code);
        if (ec == std::errc() && end == text->data() + text->size()) {
            return code;
        }
    }
    return default_custodian_code;
}

std::string resolve_custodian_name(store::Database& db, const LlpgExportOptions& options) {
    if (!options.custodian_name.empty()) {
        return options.custodian_name;
    }
    if (auto name = meta(db, "custodian_name")) {
        return *name;
    }
    if (auto name = db.query_text("SELECT name FROM council_area ORDER BY id LIMIT 1")) {
        return *name;
    }
    return "wardmap";
}

std::string text_or_empty(const store::Statement& st, int col) {
    return st.is_null(col) ? std::string() : std::string(st.text(col));
}

/// The SAO or PAO of an address row: the structured columns from `col` on (start number,
/// start suffix, end number, end suffix, text) when any of them is set, else `display`
/// (saon/paon as the demo and older imports hold it) parsed.
AddressableObject addressable_object(const store::Statement& st, int col, int display_col) {
    bool structured = false;
    for (int i = 0; i < 5; ++i) {
        structured = structured || !st.is_null(col + i);
    }
    if (!structured) {
        return st.is_null(display_col) ? AddressableObject{}
                                       : parse_addressable_object(st.text(display_col));
    }
    AddressableObject o;
    if (!st.is_null(col)) {
        o.start_number = static_cast<int>(st.int64(col));
    }
    o.start_suffix = text_or_empty(st, col + 1);
    if (!st.is_null(col + 2)) {
        o.end_number = static_cast<int>(st.int64(col + 2));
    }
    o.end_suffix = text_or_empty(st, col + 3);
    o.text = text_or_empty(st, col + 4);
    return o;
}

void write_streets(store::Database& db, DtfWriter& writer, int custodian, const std::string& date) {
    auto st = db.prepare("SELECT usrn, street_type, state, X(StartPoint(geom)), "
                         "Y(StartPoint(geom)), X(EndPoint(geom)), Y(EndPoint(geom)), "
                         "descriptor, locality, town, admin_area FROM streets ORDER BY usrn");
    std::vector<DescriptorRecord> descriptors;
    while (st.step()) {
        StreetRecord s;
        s.usrn = st.int64(0);
        s.record_type = static_cast<int>(st.int64(1));
        s.swa_org_ref_naming = custodian;
        if (!st.is_null(2)) {
            s.state = static_cast<int>(st.int64(2));
            s.state_date = date;
        }
        s.record_entry_date = date;
        s.last_update_date = date;
        s.start_date = date;
        if (st.is_null(3)) {
            throw DtfError("street " + std::to_string(s.usrn) +
                           " has no line geometry; DTF 7.3 needs its start and end");
        }
        s.start_x = st.real(3);
        s.start_y = st.real(4);
        s.end_x = st.real(5);
        s.end_y = st.real(6);
        writer.write(s);

        DescriptorRecord d;
        d.usrn = s.usrn;
        d.descriptor = std::string(st.text(7));
        d.locality = text_or_empty(st, 8);
        d.town = std::string(st.text(9));
        d.administrative_area = text_or_empty(st, 10);
        descriptors.push_back(std::move(d));
    }
    for (const DescriptorRecord& d : descriptors) {
        writer.write(d);
    }
}

void write_blpus(store::Database& db, DtfWriter& writer, int custodian, const std::string& date) {
    auto st = db.prepare("SELECT uprn, logical_status, classification, easting, northing, "
                         "parent_uprn, blpu_state FROM properties ORDER BY uprn");
    BlpuRecord b;
    b.local_custodian_code = custodian;
    b.start_date = date;
    b.last_update_date = date;
    b.entry_date = date;
    while (st.step()) {
        b.uprn = st.int64(0);
        b.logical_status = static_cast<int>(st.int64(1));
        b.blpu_class = std::string(st.text(2));
        b.x = st.real(3);
        b.y = st.real(4);
        b.parent_uprn = st.is_null(5) ? std::nullopt : std::optional<std::int64_t>(st.int64(5));
        if (st.is_null(6)) {
            b.blpu_state.reset();
            b.blpu_state_date.clear();
        } else {
            b.blpu_state = static_cast<int>(st.int64(6));
            b.blpu_state_date = date;
        }
        writer.write(b);
    }
}

void write_lpis(store::Database& db, DtfWriter& writer, int custodian, const std::string& date) {
    auto st = db.prepare(
        "SELECT a.id, a.uprn, a.lpi_key, a.language, a.logical_status, a.usrn, a.postcode, "
        "COALESCE(a.town, s.town), a.saon, a.paon, "
        "a.sao_start_number, a.sao_start_suffix, a.sao_end_number, a.sao_end_suffix, a.sao_text, "
        "a.pao_start_number, a.pao_start_suffix, a.pao_end_number, a.pao_end_suffix, a.pao_text "
        "FROM addresses a LEFT JOIN streets s ON s.usrn = a.usrn ORDER BY a.uprn, a.id");
    LpiRecord l;
    l.start_date = date;
    l.entry_date = date;
    l.last_update_date = date;
    while (st.step()) {
        const std::int64_t id = st.int64(0);
        l.uprn = st.int64(1);
        if (st.is_null(2)) {
            // The key DTF files carry: custodian code, "L", a 9-digit serial.
            char key[32];
            std::snprintf(key, sizeof key, "%04dL%09lld", custodian, static_cast<long long>(id));
            l.lpi_key = key;
        } else {
            l.lpi_key = std::string(st.text(2));
        }
        l.language = st.is_null(3) ? "ENG" : std::string(st.text(3));
        l.logical_status = static_cast<int>(st.int64(4));
        if (st.is_null(5)) {
            throw DtfError("address " + std::to_string(id) + " (UPRN " + std::to_string(l.uprn) +
                           ") has no USRN; a DTF 7.3 LPI needs its street");
        }
        l.usrn = st.int64(5);
        l.postcode = text_or_empty(st, 6);
        l.post_town = text_or_empty(st, 7);
        l.postal_address = l.postcode.empty() ? "N" : "Y";
        l.sao = addressable_object(st, 10, 8);
        l.pao = addressable_object(st, 15, 9);
        writer.write(l);
    }
}

} // namespace

LlpgExportSummary export_llpg(store::Database& db,
                              const std::filesystem::path& out,
                              const LlpgExportOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    if (!is_iso_date(options.date)) {
        throw std::invalid_argument("export date '" + options.date + "' is not YYYY-MM-DD");
    }
    if (!is_time(options.time_stamp)) {
        throw std::invalid_argument("time stamp '" + options.time_stamp + "' is not HH:MM:SS");
    }
    check_database(db);
    ReadSnapshot snapshot(db);

    LlpgExportSummary summary;
    summary.custodian_code = resolve_custodian_code(db, options);
    if (summary.custodian_code < 1 || summary.custodian_code > 9999) {
        throw std::invalid_argument("custodian code " + std::to_string(summary.custodian_code) +
                                    " is not 1-9999");
    }
    summary.custodian_name = resolve_custodian_name(db, options);

    DtfHeader header;
    header.custodian_name = summary.custodian_name;
    header.custodian_code = summary.custodian_code;
    header.process_date = options.date;
    header.entry_date = options.date;
    header.time_stamp = options.time_stamp;
    DtfWriter writer(out, header, options.writer);
    write_streets(db, writer, summary.custodian_code, options.date);
    write_blpus(db, writer, summary.custodian_code, options.date);
    write_lpis(db, writer, summary.custodian_code, options.date);
    writer.close();

    summary.streets = writer.streets();
    summary.descriptors = writer.descriptors();
    summary.blpus = writer.blpus();
    summary.lpis = writer.lpis();
    summary.records = writer.records();
    summary.bytes = writer.bytes();
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

} // namespace wardmap::importers
