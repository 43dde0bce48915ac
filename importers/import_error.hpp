#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace wardmap::importers {

/// Where in a source a problem is: the file, a line (CSV) or feature index (other formats; 0
/// when the problem is the whole file) and a field (empty when none applies).
struct SourcePlace {
    std::string file;
    std::int64_t line = 0;
    bool is_csv_line = false; ///< `line` is a text line (CSV), else a 1-based feature index
    std::string field;
};

/// "file:LINE: field 'F': " (or "file, feature N, ...") for messages.
std::string describe(const SourcePlace& place);

/// An import cannot go on: bad file, missing column, unknown CRS. Names file, line and field.
class ImportError : public std::runtime_error {
  public:
    ImportError(SourcePlace place, const std::string& reason)
        : std::runtime_error(describe(place) + reason), m_place(std::move(place)),
          m_reason(reason) {}
    [[nodiscard]] const SourcePlace& place() const { return m_place; }
    [[nodiscard]] const std::string& reason() const { return m_reason; }

  private:
    SourcePlace m_place;
    std::string m_reason;
};

} // namespace wardmap::importers
