// `wardmap import llpg FILE`: a gazetteer transfer file (NLPG DTF 7.3 or AddressBase Premium CSV,
// see docs/llpg-format.md) -> streets, properties and addresses, applying each record's change
// type so a change-only file updates the store and replaying a file changes nothing.

#include "geo/errors.hpp"
#include "geo/geos_context.hpp"
#include "geo/postcode.hpp"
#include "importers/dtf_reader.hpp"
#include "importers/gazetteer_keys.hpp"
#include "importers/gazetteer_writer.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <charconv>
#include <map>
#include <unordered_map>

namespace wardmap::importers {

namespace {

/// The layouts a record type may come in, told apart by field count (docs/llpg-format.md).
enum class Layout { dtf, abp, abp_latlon };

/// A record could not be used; the import goes on (and fails at the end unless --skip-bad).
struct RecordProblem {
    std::string field;
    std::string reason;
};

/// Typed access to a record's fields, naming the field in every problem.
class Fields {
  public:
    explicit Fields(const DtfRecord& r) : m_r(r) {}

    [[nodiscard]] std::string_view raw(std::size_t i) const { return m_r.field(i); }

    [[nodiscard]] std::optional<std::int64_t> optional_integer(std::size_t i,
                                                               const char* name) const {
        const auto s = trimmed(i);
        if (s.empty()) {
            return std::nullopt;
        }
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size()) {
            throw RecordProblem{name, "'" + std::string(s) + "' is not a whole number"};
        }
        return v;
    }

    [[nodiscard]] std::int64_t
    integer(std::size_t i, const char* name, std::int64_t min, std::int64_t max) const {
        const auto v = optional_integer(i, name);
        if (!v) {
            throw RecordProblem{name, "is empty"};
        }
        if (*v < min || *v > max) {
            throw RecordProblem{name, std::to_string(*v) + " is out of range (" +
                                          std::to_string(min) + " to " + std::to_string(max) + ")"};
        }
        return *v;
    }

    [[nodiscard]] double number(std::size_t i, const char* name, double min, double max) const {
        const auto s = trimmed(i);
        double v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
            throw RecordProblem{name, "'" + std::string(s) + "' is not a number"};
        }
        if (!(v >= min && v <= max)) {
            throw RecordProblem{name, std::string(s) + " is outside British National Grid"};
        }
        return v;
    }

    [[nodiscard]] std::string text(std::size_t i) const { return std::string(trimmed(i)); }

    [[nodiscard]] std::optional<int> optional_small(std::size_t i, const char* name) const {
        const auto v = optional_integer(i, name);
        if (v && (*v < 0 || *v > 99999)) {
            throw RecordProblem{name, std::to_string(*v) + " is out of range"};
        }
        return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
    }

  private:
    [[nodiscard]] std::string_view trimmed(std::size_t i) const {
        auto s = m_r.field(i);
        while (!s.empty() && s.front() == ' ') {
            s.remove_prefix(1);
        }
        while (!s.empty() && s.back() == ' ') {
            s.remove_suffix(1);
        }
        return s;
    }
    const DtfRecord& m_r;
};

constexpr double max_easting = 700'000;
constexpr double max_northing = 1'300'000;

int logical_status(const Fields& f, std::size_t i) {
    const auto v = f.integer(i, "LOGICAL_STATUS", 1, 9);
    if (v != 1 && v != 3 && v != 6 && v != 8) {
        throw RecordProblem{"LOGICAL_STATUS",
                            std::to_string(v) +
                                " is not 1 (approved), 3 (alternative), 6 (provisional) or 8 "
                                "(historical)"};
    }
    return static_cast<int>(v);
}

AddressableObject addressable_object(const Fields& f, std::size_t first, const char* prefix) {
    AddressableObject o;
    const std::string p(prefix);
    o.start_number = f.optional_small(first, (p + "_START_NUMBER").c_str());
    o.start_suffix = f.text(first + 1);
    o.end_number = f.optional_small(first + 2, (p + "_END_NUMBER").c_str());
    o.end_suffix = f.text(first + 3);
    o.text = f.text(first + 4);
    if (!o.start_number) {
        o.start_suffix.clear();
    }
    if (!o.end_number) {
        o.end_suffix.clear();
    }
    return o;
}

const char* layout_name(Layout l) {
    return l == Layout::dtf ? "DTF 7.3" : "AddressBase Premium";
}

/// Everything one import of a transfer file keeps between records.
class LlpgImport {
  public:
    explicit LlpgImport(FileImportContext& ctx)
        : m_ctx(ctx), m_reader(ctx.path, ctx.options.source.encoding),
          m_extent(ctx.db, ctx.options.bbox),
          m_writer(ctx.db, ctx.transform, is_bulk(ctx.db, m_reader.size())),
          m_postcode_of_address(ctx.db.prepare(
              "SELECT postcode FROM addresses WHERE uprn = ? AND postcode IS NOT NULL LIMIT 1")) {}

    void run() {
        DtfRecord r;
        bool first = true;
        std::int64_t records = 0;
        while (m_reader.next(r)) {
            ++records;
            if (first) {
                first = false;
                header(r);
                continue;
            }
            if (m_trailer) {
                fatal(r, "",
                      "a record after the trailer (record 99) on line " +
                          std::to_string(m_trailer_line) +
                          ": records are out of order or two files were joined");
            }
            const auto type = record_type(r);
            if (type == 10) {
                fatal(r, "RECORD_IDENTIFIER",
                      "a second header (record 10): records are out of order or two files were "
                      "joined");
            }
            if (type == 99) {
                m_trailer = true;
                m_trailer_line = r.line;
                trailer_count(r, records);
                continue;
            }
            ++m_ctx.report.read;
            if ((m_ctx.report.read & 0x3FFF) == 0) {
                m_ctx.progress.update(m_ctx.report.read);
            }
            try {
                data_record(type, r);
            } catch (const RecordProblem& p) {
                reject(r, p.field, p.reason);
            } catch (const geo::GeoError& e) {
                reject(r, "X_COORDINATE", e.what());
            }
        }
        if (first) {
            throw ImportError(place(0, ""), "the file is empty");
        }
        if (!m_trailer) {
            throw ImportError(place(m_last_line, ""),
                              "no trailer record (99) at the end: the file looks truncated, "
                              "nothing was imported");
        }
        finish();
    }

  private:
    /// A file with more records than the store has addresses is (re)loading most of the
    /// gazetteer: indexes are then cheaper built once at the end than kept up row by row.
    static bool is_bulk(store::Database& db, std::uint64_t file_size) {
        constexpr std::uint64_t bytes_per_record = 150; // DTF 7.3 LPI and BLPU lines average
        const auto addresses = db.query_int("SELECT COUNT(*) FROM addresses").value_or(0);
        return static_cast<std::uint64_t>(addresses) < file_size / bytes_per_record;
    }

    SourcePlace place(std::int64_t line, const std::string& field) const {
        return {m_reader.file(), line, true, field};
    }

    [[noreturn]] void
    fatal(const DtfRecord& r, const std::string& field, const std::string& reason) const {
        throw ImportError(place(r.line, field), reason);
    }

    void reject(const DtfRecord& r, const std::string& field, const std::string& reason) {
        m_ctx.report.reject(place(r.line, field), reason);
    }

    int record_type(const DtfRecord& r) {
        m_last_line = r.line;
        const auto id = r.field(0);
        int type = 0;
        const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), type);
        if (id.empty() || ec != std::errc() || end != id.data() + id.size()) {
            fatal(r, "RECORD_IDENTIFIER",
                  "'" + std::string(id.substr(0, 40)) +
                      "' is not a record identifier (10, 11, 15, 21, 24, ... 99): this is not a "
                      "gazetteer transfer (DTF 7.3 / AddressBase Premium) file");
        }
        return type;
    }

    void header(const DtfRecord& r) {
        const auto type = record_type(r);
        if (type != 10) {
            fatal(r, "RECORD_IDENTIFIER",
                  "the first record must be the header (record 10), found record " +
                      std::to_string(type));
        }
        if (r.fields.size() != 9) {
            fatal(r, "",
                  "the header (record 10) has " + std::to_string(r.fields.size()) +
                      " fields, not 9");
        }
        Fields f(r);
        m_ctx.report.detail = f.text(1) + " (custodian " + f.text(2) + "), " +
                              (f.text(8) == "C" ? "change-only" : "full") + " supply of " +
                              f.text(3) + ", format " + f.text(7);
        const auto size = m_reader.size();
        const auto estimate =
            size > 0 && m_reader.bytes_read() > 0 ? static_cast<std::int64_t>(size / 120) : -1;
        m_ctx.progress.start("import llpg", estimate);
    }

    void trailer_count(const DtfRecord& r, std::int64_t records) {
        Fields f(r);
        try {
            const auto stated = f.optional_integer(2, "RECORD_COUNT");
            if (stated && *stated != records) {
                m_ctx.report.notes.push_back("the trailer says " + std::to_string(*stated) +
                                             " records, the file has " + std::to_string(records) +
                                             " (an extract of a larger supply?)");
            }
        } catch (const RecordProblem& p) {
            m_ctx.report.notes.push_back("the trailer's record count " + p.reason);
        }
    }

    /// The change type of a data record: 'I', 'U' or 'D'.
    static char change_type(const Fields& f) {
        const auto c = f.raw(1);
        if (c != "I" && c != "U" && c != "D") {
            throw RecordProblem{"CHANGE_TYPE", "'" + std::string(c) +
                                                   "' is not I (insert), U (update) or D "
                                                   "(delete)"};
        }
        return c[0];
    }

    static Layout layout(const DtfRecord& r,
                         int type,
                         std::initializer_list<int> counts,
                         std::initializer_list<Layout> layouts,
                         const char* expected) {
        auto layout_it = layouts.begin();
        for (const int n : counts) {
            if (static_cast<int>(r.fields.size()) == n) {
                return *layout_it;
            }
            ++layout_it;
        }
        throw RecordProblem{"", "record " + std::to_string(type) + " has " +
                                    std::to_string(r.fields.size()) + " fields; " + expected};
    }

    void count(Change c) {
        switch (c) {
        case Change::inserted:
            ++m_ctx.report.inserted;
            break;
        case Change::updated:
            ++m_ctx.report.updated;
            break;
        case Change::deleted:
            ++m_ctx.report.deleted;
            break;
        case Change::none:
            break;
        }
    }

    void data_record(int type, const DtfRecord& r) {
        switch (type) {
        case 11:
            street(r);
            return;
        case 15:
            descriptor(r);
            return;
        case 21:
            blpu(r);
            return;
        case 24:
            lpi(r);
            return;
        case 32:
            classification(r);
            return;
        default:
            ++m_skipped[type];
            --m_ctx.report.read; // only the records we load count as read
            return;
        }
    }

    void street(const DtfRecord& r) {
        const auto l = layout(r, 11, {20, 24}, {Layout::dtf, Layout::abp_latlon},
                              "expected 20 (DTF 7.3) or 24 (AddressBase Premium)");
        Fields f(r);
        const char change = change_type(f);
        StreetData s;
        s.usrn = f.integer(3, "USRN", 1, max_usrn);
        if (change == 'D') {
            const auto done = m_writer.remove_street(s.usrn);
            if (!done) {
                throw RecordProblem{"USRN", "street " + std::to_string(s.usrn) +
                                                " cannot be deleted: addresses still use it"};
            }
            count(*done);
            return;
        }
        s.record_type = static_cast<int>(f.integer(4, "RECORD_TYPE", 1, 9));
        if (s.record_type > 4 && s.record_type != 9) {
            throw RecordProblem{"RECORD_TYPE", std::to_string(s.record_type) +
                                                   " is not a street type (1, 2, 3, 4 or 9)"};
        }
        s.state = f.optional_small(6, "STATE").value_or(2);
        const std::size_t end_x = l == Layout::dtf ? 17 : 19;
        s.start = {f.number(15, "START_X", 0, max_easting),
                   f.number(16, "START_Y", 0, max_northing)};
        s.end = {f.number(end_x, "END_X", 0, max_easting),
                 f.number(end_x + 1, "END_Y", 0, max_northing)};
        count(m_writer.put_street(s));
    }

    void descriptor(const DtfRecord& r) {
        layout(r, 15, {9, 13}, {Layout::dtf, Layout::abp},
               "expected 9 (DTF 7.3) or 13 (AddressBase Premium)");
        Fields f(r);
        const char change = change_type(f);
        DescriptorData d;
        d.usrn = f.integer(3, "USRN", 1, max_usrn);
        if (change == 'D') {
            return; // the street keeps its last name until the street itself is deleted
        }
        d.descriptor = f.text(4);
        if (d.descriptor.empty()) {
            throw RecordProblem{"STREET_DESCRIPTOR", "is empty"};
        }
        d.locality = f.text(5);
        d.town = f.text(6);
        d.admin_area = f.text(7);
        d.language = f.text(8).empty() ? "ENG" : f.text(8);
        if (!m_writer.has_street(d.usrn)) {
            throw RecordProblem{"USRN", "no street (record 11) " + std::to_string(d.usrn) +
                                            " in the file before it or in the store"};
        }
        count(m_writer.put_descriptor(d));
    }

    void blpu(const DtfRecord& r) {
        const auto l = layout(r, 21, {23, 19, 22}, {Layout::dtf, Layout::abp, Layout::abp_latlon},
                              "expected 23 (DTF 7.3), 19 or 22 (AddressBase Premium)");
        Fields f(r);
        const char change = change_type(f);
        PropertyData p;
        p.uprn = f.integer(3, "UPRN", 1, max_uprn);
        if (change == 'D') {
            count(m_writer.remove_property(p.uprn));
            return;
        }
        p.logical_status = logical_status(f, 4);
        p.blpu_state = f.optional_small(5, "BLPU_STATE");
        std::size_t x = 0;
        if (l == Layout::dtf) {
            p.classification = f.text(7);
            p.parent_uprn = f.optional_integer(8, "PARENT_UPRN");
            x = 9;
        } else {
            p.parent_uprn = f.optional_integer(7, "PARENT_UPRN");
            x = 8;
            const std::size_t locator = l == Layout::abp ? 17 : 20;
            if (const auto pc = f.text(locator); !pc.empty()) {
                const auto normal = geo::normalise_postcode(pc);
                if (!normal) {
                    throw RecordProblem{"POSTCODE_LOCATOR", "'" + pc + "' is not a UK postcode"};
                }
                m_postcode_locator[p.uprn] = *normal;
            }
        }
        if (p.parent_uprn && (*p.parent_uprn < 1 || *p.parent_uprn > max_uprn)) {
            throw RecordProblem{"PARENT_UPRN", "is not a UPRN"};
        }
        p.at = {f.number(x, "X_COORDINATE", 0, max_easting),
                f.number(x + 1, "Y_COORDINATE", 0, max_northing)};
        if (!m_extent.intersects(
                geo::this_thread_geos().point(p.at.easting, p.at.northing).get())) {
            throw RecordProblem{"X_COORDINATE",
                                "outside the council's extent (" + m_extent.description() + ")"};
        }
        count(m_writer.put_property(p));
    }

    void lpi(const DtfRecord& r) {
        const auto l = layout(r, 24, {30, 26}, {Layout::dtf, Layout::abp},
                              "expected 30 (DTF 7.3) or 26 (AddressBase Premium)");
        m_layout = l;
        Fields f(r);
        const char change = change_type(f);
        AddressData a;
        a.uprn = f.integer(3, "UPRN", 1, max_uprn);
        a.lpi_key = f.text(4);
        if (a.lpi_key.empty() || a.lpi_key.size() > 14) {
            throw RecordProblem{"LPI_KEY", a.lpi_key.empty() ? "is empty"
                                                             : "'" + a.lpi_key +
                                                                   "' is longer than 14 "
                                                                   "characters"};
        }
        if (change == 'D') {
            count(m_writer.remove_address(a.lpi_key));
            return;
        }
        a.language = f.text(5).empty() ? "ENG" : f.text(5);
        a.logical_status = logical_status(f, 6);
        a.sao = addressable_object(f, 11, "SAO");
        a.pao = addressable_object(f, 16, "PAO");
        if (a.pao.empty()) {
            throw RecordProblem{"PAO_TEXT", "the address has neither a PAO number nor PAO text"};
        }
        if (const auto usrn = f.optional_integer(21, "USRN")) {
            if (*usrn < 1 || *usrn > max_usrn) {
                throw RecordProblem{"USRN", std::to_string(*usrn) + " is not a USRN"};
            }
            a.usrn = usrn;
        }
        std::string postcode;
        if (l == Layout::dtf) {
            postcode = f.text(24);
            a.post_town = f.text(25);
        } else if (auto it = m_postcode_locator.find(a.uprn); it != m_postcode_locator.end()) {
            postcode = it->second;
        }
        if (!m_writer.has_property(a.uprn)) {
            throw RecordProblem{"UPRN", "no BLPU (record 21) " + std::to_string(a.uprn) +
                                            " in the file before it or in the store"};
        }
        if (!postcode.empty()) {
            const auto normal = geo::normalise_postcode(postcode);
            if (!normal) {
                throw RecordProblem{"POSTCODE", "'" + postcode + "' is not a UK postcode"};
            }
            a.postcode = *normal;
        } else if (l != Layout::dtf) {
            m_postcode_of_address.bind(1, a.uprn);
            if (m_postcode_of_address.step()) {
                a.postcode = m_postcode_of_address.text(0);
            }
            m_postcode_of_address.reset();
        }
        count(m_writer.put_address(a));
    }

    void classification(const DtfRecord& r) {
        layout(r, 32, {12}, {Layout::abp}, "expected 12 (AddressBase Premium)");
        Fields f(r);
        const char change = change_type(f);
        const auto uprn = f.integer(3, "UPRN", 1, max_uprn);
        const auto code = f.text(5);
        if (change == 'D') {
            return; // the property keeps its class until a new one arrives
        }
        if (code.empty() || code.size() > 6) {
            throw RecordProblem{"CLASSIFICATION_CODE", "'" + code + "' is not a BLPU class"};
        }
        if (!m_writer.has_property(uprn)) {
            throw RecordProblem{"UPRN", "no BLPU (record 21) " + std::to_string(uprn) +
                                            " in the file before it or in the store"};
        }
        count(m_writer.set_classification(uprn, code));
    }

    void finish() {
        m_ctx.progress.update(m_ctx.report.read);
        m_writer.finish();
        auto& notes = m_ctx.report.notes;
        if (!m_skipped.empty()) {
            std::string s = "record types kept out (not part of the address model):";
            for (const auto& [type, n] : m_skipped) {
                s += " " + std::to_string(type) + " x" + std::to_string(n);
            }
            notes.push_back(s);
        }
        if (m_writer.streets_missing() > 0) {
            notes.push_back(std::to_string(m_writer.streets_missing()) +
                            " address(es) name a USRN that is in neither the file nor the store; "
                            "they were kept without a street");
        }
        if (const auto unnamed = m_writer.unnamed_streets(); unnamed > 0) {
            notes.push_back(std::to_string(unnamed) +
                            " street(s) have no descriptor (record 15) yet");
        }
        if (m_layout) {
            m_ctx.report.detail += ", " + std::string(layout_name(*m_layout)) + " layout";
        }
    }

    FileImportContext& m_ctx;
    DtfReader m_reader;
    CouncilExtent m_extent;
    GazetteerWriter m_writer;
    store::Statement m_postcode_of_address;
    std::unordered_map<std::int64_t, std::string> m_postcode_locator;
    std::map<int, std::int64_t> m_skipped;
    std::optional<Layout> m_layout;
    bool m_trailer = false;
    std::int64_t m_trailer_line = 0;
    std::int64_t m_last_line = 0;
};

} // namespace

std::string check_llpg_options(const ImportOptions& o) {
    if (o.source.crs && *o.source.crs != SourceCrs::bng) {
        return "a gazetteer transfer file is always in EPSG:27700; drop --crs";
    }
    if (!o.source.columns.empty()) {
        return "--columns does not apply to a gazetteer transfer file (its layout is fixed)";
    }
    return {};
}

bool always_reads_file_itself(const ImportOptions&) {
    return true;
}

void import_llpg(FileImportContext& ctx) {
    LlpgImport(ctx).run();
}

} // namespace wardmap::importers
