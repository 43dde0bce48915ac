#pragma once

// Reads a DTF 7.3 file back for tests: each line split into fields the way the format says
// (comma-separated, text in double quotes with inner quotes doubled), quotes removed.

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::testing {

struct DtfRecord {
    std::vector<std::string> fields;
    std::vector<bool> quoted; ///< per field: was it written in quotes
    std::string line;         ///< as in the file, without its line end
    bool crlf = false;        ///< the line ended in CRLF

    [[nodiscard]] int id() const { return fields.empty() ? -1 : std::stoi(fields[0]); }
};

/// Splits one line; throws std::runtime_error on an unterminated quote or a quote in the
/// middle of an unquoted field.
inline DtfRecord split_dtf_line(std::string_view line) {
    DtfRecord r;
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
        r.crlf = true;
    }
    r.line = std::string(line);
    std::size_t i = 0;
    for (;;) {
        std::string field;
        bool quoted = false;
        if (i < line.size() && line[i] == '"') {
            quoted = true;
            ++i;
            for (;;) {
                if (i >= line.size()) {
                    throw std::runtime_error("unterminated quote: " + r.line);
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
        } else {
            while (i < line.size() && line[i] != ',') {
                if (line[i] == '"') {
                    throw std::runtime_error("stray quote: " + r.line);
                }
                field += line[i++];
            }
        }
        r.fields.push_back(std::move(field));
        r.quoted.push_back(quoted);
        if (i >= line.size()) {
            break;
        }
        if (line[i] != ',') {
            throw std::runtime_error("text after a closing quote: " + r.line);
        }
        ++i;
    }
    return r;
}

/// Every record of the file, in order.
inline std::vector<DtfRecord> read_dtf(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + path.string());
    }
    std::vector<DtfRecord> records;
    std::string line;
    while (std::getline(in, line)) {
        records.push_back(split_dtf_line(line));
    }
    return records;
}

} // namespace wardmap::testing
