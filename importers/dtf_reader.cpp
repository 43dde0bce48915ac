#include "importers/dtf_reader.hpp"

#include "geo/c_handle.hpp"
#include "geo/utf8.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>

#include <cstring>

namespace wardmap::importers {

namespace {

constexpr std::size_t chunk = 1 << 20;

bool is_ascii(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

} // namespace

DtfReader::DtfReader(const std::filesystem::path& path, std::string encoding)
    : m_file(path.string()), m_encoding(std::move(encoding)) {
    VSIStatBufL stat{};
    if (VSIStatL(m_file.c_str(), &stat) != 0 || VSI_ISDIR(stat.st_mode)) {
        throw ImportError({m_file, 0, true, {}}, "cannot read the file");
    }
    m_size = static_cast<std::uint64_t>(stat.st_size);
    m_fp.reset(VSIFOpenL(m_file.c_str(), "rb"));
    if (!m_fp) {
        throw ImportError({m_file, 0, true, {}}, "cannot open the file");
    }
    m_buffer.resize(chunk);
}

DtfReader::~DtfReader() = default;

bool DtfReader::read_line(std::string_view& line) {
    for (;;) {
        const char* begin = m_buffer.data() + m_begin;
        const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', m_end - m_begin));
        if (nl != nullptr) {
            std::size_t len = static_cast<std::size_t>(nl - begin);
            m_consumed += len + 1;
            m_begin += len + 1;
            if (len > 0 && begin[len - 1] == '\r') {
                --len;
            }
            line = std::string_view(begin, len);
            ++m_line;
            return true;
        }
        if (m_eof) {
            if (m_begin == m_end) {
                return false;
            }
            line = std::string_view(begin, m_end - m_begin);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            m_consumed += m_end - m_begin;
            m_begin = m_end;
            ++m_line;
            return true;
        }
        // Keep the partial line, grow for a line longer than the buffer, then refill.
        const std::size_t left = m_end - m_begin;
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, left);
        m_begin = 0;
        m_end = left;
        if (m_end == m_buffer.size()) {
            m_buffer.resize(m_buffer.size() * 2);
        }
        const std::size_t got =
            VSIFReadL(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_fp.get());
        m_end += got;
        if (got == 0) {
            m_eof = true;
        }
    }
}

void DtfReader::split(std::string_view line, DtfRecord& record) {
    record.fields.clear();
    record.line = m_line;
    // Unquoted text is copied to m_scratch; reserve so views into it stay valid.
    m_scratch.clear();
    m_scratch.reserve(line.size());
    std::size_t i = 0;
    for (;;) {
        if (i < line.size() && line[i] == '"') {
            const std::size_t start = m_scratch.size();
            ++i;
            for (;;) {
                if (i >= line.size()) {
                    throw ImportError({m_file, m_line, true, {}},
                                      "field " + std::to_string(record.fields.size() + 1) +
                                          " has an opening quote and no closing quote");
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        m_scratch += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                m_scratch += line[i++];
            }
            record.fields.emplace_back(m_scratch.data() + start, m_scratch.size() - start);
            // Anything between the closing quote and the comma is kept out.
            while (i < line.size() && line[i] != ',') {
                ++i;
            }
        } else {
            const auto comma = line.find(',', i);
            const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
            record.fields.push_back(line.substr(i, end - i));
            i = end;
        }
        if (i >= line.size()) {
            break;
        }
        ++i; // the comma
        if (i == line.size()) {
            record.fields.emplace_back();
            break;
        }
    }
}

bool DtfReader::next(DtfRecord& record) {
    std::string_view line;
    do {
        if (!read_line(line)) {
            return false;
        }
        if (m_line == 1 && line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") {
            line.remove_prefix(3); // UTF-8 byte order mark
        }
    } while (line.find_first_not_of(" \t") == std::string_view::npos);
    split(line, record);
    if (is_ascii(line)) {
        return true;
    }
    if (m_encoding.empty()) {
        for (std::size_t f = 0; f < record.fields.size(); ++f) {
            if (!geo::is_valid_utf8(record.fields[f])) {
                throw ImportError({m_file, m_line, true, "field " + std::to_string(f + 1)},
                                  "text is not valid UTF-8 (for a Latin-1 file pass --encoding "
                                  "LATIN1)");
            }
        }
        return true;
    }
    // Recode the non-ASCII fields; views then point into m_recoded.
    m_recoded.clear();
    std::vector<std::pair<std::size_t, std::size_t>> spans(record.fields.size(), {0, 0});
    std::vector<bool> recoded(record.fields.size(), false);
    for (std::size_t f = 0; f < record.fields.size(); ++f) {
        if (is_ascii(record.fields[f])) {
            continue;
        }
        const std::string in(record.fields[f]);
        const geo::CHandle<char, VSIFree> out(
            CPLRecode(in.c_str(), m_encoding.c_str(), CPL_ENC_UTF8));
        spans[f] = {m_recoded.size(), std::strlen(out.get())};
        m_recoded += out.get();
        recoded[f] = true;
    }
    for (std::size_t f = 0; f < record.fields.size(); ++f) {
        if (recoded[f]) {
            record.fields[f] = std::string_view(m_recoded).substr(spans[f].first, spans[f].second);
        }
    }
    return true;
}

} // namespace wardmap::importers
