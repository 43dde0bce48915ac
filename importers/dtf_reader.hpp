#pragma once

#include "geo/c_handle.hpp"

// Reads a gazetteer transfer file (NLPG DTF 7.3 / AddressBase Premium CSV) record by record.
// Bytes come through GDAL's virtual file layer, so /vsizip/ and /vsigzip/ paths work as they do
// for every other import; the record-per-line CSV is split here because OGR's CSV driver
// assumes one table with one header, and a DTF file is many record types in one stream.

#include "importers/import_error.hpp"

#include <cpl_vsi.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::importers {

/// One record: its line and its fields, unquoted (valid until the next call to next()).
struct DtfRecord {
    std::int64_t line = 0;
    std::vector<std::string_view> fields;

    [[nodiscard]] std::string_view field(std::size_t i) const {
        return i < fields.size() ? fields[i] : std::string_view{};
    }
};

class DtfReader {
  public:
    /// Opens the file; ImportError naming it when it cannot be read. `encoding` empty: UTF-8
    /// (checked per field); otherwise fields are recoded from it (e.g. LATIN1) to UTF-8.
    DtfReader(const std::filesystem::path& path, std::string encoding);
    ~DtfReader();
    DtfReader(const DtfReader&) = delete;
    DtfReader& operator=(const DtfReader&) = delete;

    /// Next non-empty record; false at the end. ImportError for an unterminated quote or text
    /// that is not valid in the file's encoding.
    bool next(DtfRecord& record);

    [[nodiscard]] std::uint64_t size() const { return m_size; }
    [[nodiscard]] std::uint64_t bytes_read() const { return m_consumed; }
    [[nodiscard]] const std::string& file() const { return m_file; }

  private:
    bool read_line(std::string_view& line);
    void split(std::string_view line, DtfRecord& record);

    std::string m_file;
    std::string m_encoding;
    geo::CHandle<VSILFILE, VSIFCloseL> m_fp;
    std::uint64_t m_size = 0;
    std::uint64_t m_consumed = 0;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0; // unread bytes are [m_begin, m_end)
    std::size_t m_end = 0;
    bool m_eof = false;
    std::int64_t m_line = 0;
    std::string m_scratch; // unquoted field text
    std::string m_recoded; // fields recoded from m_encoding
};

} // namespace wardmap::importers
