#include "importers/dtf_writer.hpp"

#include "importers/gazetteer_keys.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace wardmap::importers {

namespace {

/// Large enough that a 1M-address file is a few hundred writes.
constexpr std::size_t flush_at = 1 << 20;

void check_uprn(std::int64_t uprn, const char* what) {
    if (uprn < 1 || uprn > max_uprn) {
        throw DtfError(std::string(what) + " " + std::to_string(uprn) +
                       " is outside 1-999999999999");
    }
}

void check_usrn(std::int64_t usrn, const char* what) {
    if (usrn < 1 || usrn > max_usrn) {
        throw DtfError(std::string(what) + " " + std::to_string(usrn) + " is outside 1-99999999");
    }
}

} // namespace

DtfWriter::DtfWriter(std::filesystem::path path, const DtfHeader& header, DtfWriterOptions options)
    : m_path(std::move(path)), m_header(header),
      m_eol(options.line_ending == LineEnding::crlf ? "\r\n" : "\n") {
    m_partial = m_path;
    m_partial += ".partial";
    m_out.open(m_partial, std::ios::binary | std::ios::trunc);
    if (!m_out) {
        throw DtfError("cannot create " + m_partial.string());
    }
    m_buffer.reserve(flush_at + 4096);
    begin(10);
    field_text(header.custodian_name);
    field_int(header.custodian_code);
    field_bare(header.process_date);
    field_int(header.volume_number);
    field_bare(header.entry_date);
    field_bare(header.time_stamp);
    field_text("7.3");
    field_text(std::string_view(&header.file_type, 1));
    end_record();
}

DtfWriter::~DtfWriter() {
    if (!m_closed) {
        try {
            m_out.close();
            std::error_code ec;
            std::filesystem::remove(m_partial, ec);
        } catch (...) { // NOLINT(bugprone-empty-catch): a destructor must not throw
        }
    }
}

void DtfWriter::write(const StreetRecord& r) {
    check_usrn(r.usrn, "street USRN");
    begin_data(11, Section::streets, r.change_type);
    field_int(r.usrn);
    field_int(r.record_type);
    field_int(r.swa_org_ref_naming);
    field_int(r.state);
    field_bare(r.state_date);
    field_int(r.street_surface);
    field_int(r.street_classification);
    field_int(r.version);
    field_bare(r.record_entry_date);
    field_bare(r.last_update_date);
    field_bare(r.start_date);
    field_bare(r.end_date);
    field_coordinate(r.start_x);
    field_coordinate(r.start_y);
    field_coordinate(r.end_x);
    field_coordinate(r.end_y);
    field_int(r.tolerance);
    end_record();
}

void DtfWriter::write(const DescriptorRecord& r) {
    check_usrn(r.usrn, "street descriptor USRN");
    begin_data(15, Section::descriptors, r.change_type);
    field_int(r.usrn);
    field_text(r.descriptor);
    field_text(r.locality);
    field_text(r.town);
    field_text(r.administrative_area);
    field_text(r.language);
    end_record();
}

void DtfWriter::write(const BlpuRecord& r) {
    check_uprn(r.uprn, "BLPU UPRN");
    if (r.parent_uprn) {
        check_uprn(*r.parent_uprn, "parent UPRN");
    }
    begin_data(21, Section::blpus, r.change_type);
    field_int(r.uprn);
    field_int(r.logical_status);
    field_int(r.blpu_state);
    field_bare(r.blpu_state_date);
    field_text(r.blpu_class);
    field_int(r.parent_uprn);
    field_coordinate(r.x);
    field_coordinate(r.y);
    field_int(r.rpc);
    field_int(r.local_custodian_code);
    field_bare(r.start_date);
    field_bare(r.end_date);
    field_bare(r.last_update_date);
    field_bare(r.entry_date);
    field_text(r.organisation);
    field_text(r.ward_code);
    field_text(r.parish_code);
    field_text(r.custodian_one);
    field_text(r.custodian_two);
    field_text(r.can_key);
    end_record();
}

void DtfWriter::write(const LpiRecord& r) {
    check_uprn(r.uprn, "LPI UPRN");
    check_usrn(r.usrn, "LPI USRN");
    begin_data(24, Section::lpis, r.change_type);
    field_int(r.uprn);
    field_text(r.lpi_key);
    field_text(r.language);
    field_int(r.logical_status);
    field_bare(r.start_date);
    field_bare(r.end_date);
    field_bare(r.entry_date);
    field_bare(r.last_update_date);
    for (const AddressableObject* o : {&r.sao, &r.pao}) {
        field_int(o->start_number);
        field_text(o->start_suffix);
        field_int(o->end_number);
        field_text(o->end_suffix);
        field_text(o->text);
    }
    field_int(r.usrn);
    field_text(r.level);
    field_text(r.postal_address);
    field_text(r.postcode);
    field_text(r.post_town);
    field_text(r.official_flag);
    field_text(r.custodian_one);
    field_text(r.custodian_two);
    field_text(r.can_key);
    end_record();
}

void DtfWriter::close() {
    if (m_closed) {
        return;
    }
    begin(99);
    field_int(0);             // NEXT_VOLUME_NUMBER: none, the supply is one volume
    field_int(m_records + 1); // RECORD_COUNT: this trailer included
    field_bare(m_header.entry_date);
    field_bare(m_header.time_stamp);
    end_record();
    flush();
    m_out.close();
    if (!m_out) {
        throw DtfError("cannot write " + m_partial.string());
    }
    std::error_code ec;
    std::filesystem::rename(m_partial, m_path, ec);
    if (ec) {
        throw DtfError("cannot rename " + m_partial.string() + " to " + m_path.string() + ": " +
                       ec.message());
    }
    m_closed = true;
}

void DtfWriter::begin(int record_id) {
    char digits[8];
    const auto end = std::to_chars(digits, digits + sizeof digits, record_id).ptr;
    m_buffer.append(digits, end);
}

void DtfWriter::begin_data(int record_id, Section section, char change_type) {
    if (m_closed) {
        throw std::logic_error("DtfWriter: record written after close()");
    }
    if (section < m_section) {
        throw std::logic_error("DtfWriter: DTF 7.3 order is streets (11), descriptors (15), "
                               "BLPUs (21), LPIs (24); a record " +
                               std::to_string(record_id) + " came after a later type");
    }
    m_section = section;
    ++m_counts[static_cast<std::size_t>(section)];
    begin(record_id);
    field_text(std::string_view(&change_type, 1));
    field_int(++m_pro_order);
}

void DtfWriter::end_record() {
    m_buffer.append(m_eol);
    ++m_records;
    flush_if_full();
}

void DtfWriter::field_int(std::int64_t v) {
    char digits[24];
    digits[0] = ',';
    const auto end = std::to_chars(digits + 1, digits + sizeof digits, v).ptr;
    m_buffer.append(digits, end);
}

void DtfWriter::field_int(const std::optional<int>& v) {
    if (v) {
        field_int(static_cast<std::int64_t>(*v));
    } else {
        m_buffer.push_back(',');
    }
}

void DtfWriter::field_int(const std::optional<std::int64_t>& v) {
    if (v) {
        field_int(*v);
    } else {
        m_buffer.push_back(',');
    }
}

void DtfWriter::field_text(std::string_view s) {
    m_buffer.push_back(',');
    if (s.empty()) {
        return; // an empty optional value is nothing between the commas
    }
    m_buffer.push_back('"');
    for (const char c : s) {
        if (c == '"') {
            m_buffer.append("\"\"");
        } else if (static_cast<unsigned char>(c) < 0x20) {
            m_buffer.push_back(' '); // one record per line: no line breaks or tabs inside text
        } else {
            m_buffer.push_back(c);
        }
    }
    m_buffer.push_back('"');
}

void DtfWriter::field_bare(std::string_view s) {
    m_buffer.push_back(',');
    m_buffer.append(s);
}

void DtfWriter::field_coordinate(double v) {
    if (!std::isfinite(v)) {
        throw DtfError("a coordinate is not a finite number");
    }
    char digits[40];
    digits[0] = ',';
    const auto result =
        std::to_chars(digits + 1, digits + sizeof digits, v, std::chars_format::fixed, 2);
    if (result.ec != std::errc()) {
        throw DtfError("coordinate out of range");
    }
    m_buffer.append(digits, result.ptr);
}

void DtfWriter::flush_if_full() {
    if (m_buffer.size() >= flush_at) {
        flush();
    }
}

void DtfWriter::flush() {
    m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
    if (!m_out) {
        throw DtfError("cannot write " + m_partial.string());
    }
    m_bytes += m_buffer.size();
    m_buffer.clear();
}

} // namespace wardmap::importers
