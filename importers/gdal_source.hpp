#pragma once

#include "importers/import_error.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::importers {

/// The two CRSs an import accepts: British National Grid as is, or WGS84/ETRS89 lon/lat
/// converted with geo::BngTransform (OSTN15), never PROJ's default Helmert.
enum class SourceCrs { bng, wgs84 };

/// "EPSG:27700", "27700", "EPSG:4326", "EPSG:4258", "CRS84" -> the CRS; nullopt otherwise.
std::optional<SourceCrs> parse_crs(std::string_view text);

struct SourceOptions {
    std::filesystem::path path;
    /// Text encoding of the file's strings (e.g. "LATIN1", "CP1252"); empty: UTF-8.
    std::string encoding;
    /// Column names for a CSV without (or with an ignored) header row.
    std::vector<std::string> columns;
    /// Overrides (or supplies) the file's CRS.
    std::optional<SourceCrs> crs;
    /// The layer to read (--layer); empty: the first.
    std::string layer;
};

/// One feature read from a source, with its place for messages.
struct SourceRow {
    OGRFeatureUniquePtr feature;
    std::int64_t line = 0; ///< CSV text line, else 1-based feature index
};

/// Reads one layer (SourceOptions::layer, else the first) of any OGR vector dataset. Owns the
/// GDALDatasetUniquePtr; the layer and features are borrowed from / owned per row. Every error is
/// an ImportError naming the file.
class GdalSource {
  public:
    explicit GdalSource(SourceOptions options);

    [[nodiscard]] const std::filesystem::path& path() const { return m_options.path; }
    [[nodiscard]] bool is_csv() const { return m_csv; }
    /// The layer's CRS (or --crs). Throws ImportError for a missing or unsupported CRS.
    [[nodiscard]] SourceCrs crs() const;
    /// Number of features when the driver knows it cheaply, else -1.
    [[nodiscard]] std::int64_t feature_count() const { return m_count; }
    [[nodiscard]] bool has_geometry() const;
    /// The layer being read, and every layer of the file.
    [[nodiscard]] std::string layer_name() const;
    [[nodiscard]] std::vector<std::string> layer_names() const;
    /// For a file of several layers read without --layer: which one was read and which were
    /// not. Empty otherwise.
    [[nodiscard]] std::string layer_note() const;

    /// The field's index, or -1. Names compare case-insensitively.
    [[nodiscard]] int field_index(const std::string& name) const;
    /// The first of `candidates` present, else nullopt.
    [[nodiscard]] std::optional<std::string>
    find_field(const std::vector<std::string>& candidates) const;
    /// The field's index; ImportError naming the option and the fields that exist when absent.
    [[nodiscard]] int require_field(const std::string& name, const std::string& option) const;
    /// A field named by an option (then required) or else the first of `defaults` present:
    /// its index, or -1 when the option is empty and no default is present.
    [[nodiscard]] int optional_field(const std::string& option_value,
                                     const std::string& option,
                                     const std::vector<std::string>& defaults) const;
    [[nodiscard]] std::vector<std::string> field_names() const;

    /// Next feature; false at the end.
    bool next(SourceRow& row);
    /// A field's text, recoded to UTF-8; ImportError when it is not valid UTF-8.
    [[nodiscard]] std::string text(const SourceRow& row, int field) const;
    /// A field as a number; ImportError when empty or not numeric.
    [[nodiscard]] double number(const SourceRow& row, int field) const;

    [[nodiscard]] SourcePlace place(std::int64_t line, const std::string& field = {}) const;
    [[nodiscard]] SourcePlace place(const SourceRow& row, int field) const;

  private:
    SourceOptions m_options;
    GDALDatasetUniquePtr m_dataset;
    OGRLayer* m_layer = nullptr; // owned by m_dataset
    bool m_csv = false;
    bool m_skip_header = false; // --columns given and the file's first row repeats them
    std::int64_t m_count = -1;
    std::int64_t m_index = 0;
};

/// Reads a header file's column names: the last non-empty line of a small CSV (Code-Point's
/// Code-Point_Open_Column_Headers.csv has short codes, then full names).
std::vector<std::string> read_columns_file(const std::filesystem::path& path);
/// Splits "a,b,c" into trimmed names.
std::vector<std::string> split_columns(const std::string& list);

} // namespace wardmap::importers
