#pragma once

// Writes an NLPG DTF 7.3 gazetteer file, the layout docs/llpg-format.md gives: header (10), all
// streets (11), all street descriptors (15), all BLPUs (21), all LPIs (24), trailer (99). Used by
// `wardmap export llpg` and by the benchmark's synthetic gazetteer, so both write alike.

#include "importers/address_text.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wardmap::importers {

/// The DTF file cannot be written (I/O error, or a record whose key is out of range).
class DtfError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Record 10. Dates are YYYY-MM-DD, the time stamp HH:MM:SS; they are written as given.
struct DtfHeader {
    std::string custodian_name;
    int custodian_code = 2320;
    std::string process_date;
    int volume_number = 0;
    std::string entry_date;
    std::string time_stamp = "00:00:00";
    char file_type = 'F'; ///< 'F' full supply, 'C' change-only
};

/// Record 11. Empty dates and unset optionals are written as empty fields.
struct StreetRecord {
    char change_type = 'I';
    std::int64_t usrn = 0;
    int record_type = 1; ///< 1 designated name, 2 description, 3 numbered, 4 unofficial, 9
    int swa_org_ref_naming = 0;
    std::optional<int> state;
    std::string state_date;
    std::optional<int> street_surface;
    std::optional<int> street_classification;
    int version = 1;
    std::string record_entry_date;
    std::string last_update_date;
    std::string start_date;
    std::string end_date;
    double start_x = 0, start_y = 0, end_x = 0, end_y = 0;
    int tolerance = 10;
};

/// Record 15.
struct DescriptorRecord {
    char change_type = 'I';
    std::int64_t usrn = 0;
    std::string descriptor;
    std::string locality;
    std::string town;
    std::string administrative_area;
    std::string language = "ENG";
};

/// Record 21.
struct BlpuRecord {
    char change_type = 'I';
    std::int64_t uprn = 0;
    int logical_status = 1;
    std::optional<int> blpu_state;
    std::string blpu_state_date;
    std::string blpu_class;
    std::optional<std::int64_t> parent_uprn;
    double x = 0, y = 0;
    int rpc = 1; ///< representative point code: 1 visual centre
    int local_custodian_code = 0;
    std::string start_date;
    std::string end_date;
    std::string last_update_date;
    std::string entry_date;
    std::string organisation;
    std::string ward_code;
    std::string parish_code;
    std::string custodian_one;
    std::string custodian_two;
    std::string can_key;
};

/// Record 24. The SAO and PAO are written as their number ranges and text.
struct LpiRecord {
    char change_type = 'I';
    std::int64_t uprn = 0;
    std::string lpi_key;
    std::string language = "ENG";
    int logical_status = 1;
    std::string start_date;
    std::string end_date;
    std::string entry_date;
    std::string last_update_date;
    AddressableObject sao;
    AddressableObject pao;
    std::int64_t usrn = 0;
    std::string level;
    std::string postal_address = "Y";
    std::string postcode;
    std::string post_town;
    std::string official_flag = "Y";
    std::string custodian_one;
    std::string custodian_two;
    std::string can_key;
};

enum class LineEnding { crlf, lf };

struct DtfWriterOptions {
    /// CRLF is what councils' and Ordnance Survey's files use; LF for Unix tools.
    LineEnding line_ending = LineEnding::crlf;
};

/// Writes one DTF 7.3 file. The file is built as `<path>.partial` and renamed to `path` by
/// close(), which writes the trailer (99) with the record count of the whole file (header and
/// trailer included); a writer destroyed without close() removes the partial file, so a reader
/// never sees a truncated gazetteer. Records must come in the file's order (streets, then
/// descriptors, then BLPUs, then LPIs): an earlier type after a later one throws
/// std::logic_error. PRO_ORDER is the record's position among the data records (1, 2, ...).
/// Formatting uses std::to_chars into a buffer flushed in large blocks (locale-independent).
/// Not thread-safe; one writer per file.
class DtfWriter {
  public:
    DtfWriter(std::filesystem::path path, const DtfHeader& header, DtfWriterOptions options = {});
    ~DtfWriter();
    DtfWriter(const DtfWriter&) = delete;
    DtfWriter& operator=(const DtfWriter&) = delete;

    void write(const StreetRecord& r);
    void write(const DescriptorRecord& r);
    void write(const BlpuRecord& r);
    void write(const LpiRecord& r);

    /// Writes the trailer, flushes and renames into place. Throws DtfError on I/O failure.
    void close();

    /// Data records written so far, by type.
    [[nodiscard]] std::int64_t streets() const { return m_counts[0]; }
    [[nodiscard]] std::int64_t descriptors() const { return m_counts[1]; }
    [[nodiscard]] std::int64_t blpus() const { return m_counts[2]; }
    [[nodiscard]] std::int64_t lpis() const { return m_counts[3]; }
    /// Every record in the file once closed (header, data records, trailer).
    [[nodiscard]] std::int64_t records() const { return m_records; }
    /// Bytes written to the file so far (all of it after close()).
    [[nodiscard]] std::uint64_t bytes() const { return m_bytes + m_buffer.size(); }

  private:
    enum class Section { streets, descriptors, blpus, lpis };
    void begin(int record_id);
    void begin_data(int record_id, Section section, char change_type);
    void end_record();
    void field_int(std::int64_t v);
    void field_int(const std::optional<int>& v);
    void field_int(const std::optional<std::int64_t>& v);
    void field_text(std::string_view s);
    void field_bare(std::string_view s);
    void field_coordinate(double v);
    void flush_if_full();
    void flush();

    std::filesystem::path m_path;
    std::filesystem::path m_partial;
    DtfHeader m_header;
    std::string_view m_eol;
    std::ofstream m_out;
    std::string m_buffer;
    std::uint64_t m_bytes = 0;
    std::array<std::int64_t, 4> m_counts{};
    std::int64_t m_records = 0;
    std::int64_t m_pro_order = 0;
    Section m_section = Section::streets;
    bool m_closed = false;
};

} // namespace wardmap::importers
