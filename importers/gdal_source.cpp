#include "importers/gdal_source.hpp"

#include "geo/c_handle.hpp"
#include "geo/utf8.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <memory>
#include <mutex>

namespace wardmap::importers {

namespace {

/// GDAL prints errors to stderr by default; while opening we want them as our message instead.
class QuietGdalErrors {
  public:
    QuietGdalErrors() {
        CPLErrorReset();
        CPLPushErrorHandler(CPLQuietErrorHandler);
    }
    ~QuietGdalErrors() { CPLPopErrorHandler(); }
    QuietGdalErrors(const QuietGdalErrors&) = delete;
    QuietGdalErrors& operator=(const QuietGdalErrors&) = delete;
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

bool is_csv_path(const std::filesystem::path& p) {
    auto ext = p.extension().string();
    return iequals(ext, ".csv") || iequals(ext, ".tsv");
}

std::optional<SourceCrs> crs_of(const OGRSpatialReference& srs) {
    OGRSpatialReference copy(srs);
    copy.AutoIdentifyEPSG();
    const char* auth = copy.GetAuthorityName(nullptr);
    const char* code = copy.GetAuthorityCode(nullptr);
    const std::string key = std::string(auth ? auth : "") + ":" + (code ? code : "");
    if (key == "EPSG:27700") {
        return SourceCrs::bng;
    }
    if (key == "EPSG:4326" || key == "EPSG:4258" || key == "OGC:CRS84" || key == "EPSG:4979") {
        return SourceCrs::wgs84;
    }
    if (copy.IsGeographic()) {
        // Unlabelled geographic CRSs (e.g. a .prj with only a datum name).
        const char* datum = copy.GetAttrValue("DATUM");
        const std::string d = datum ? datum : "";
        if (d.find("WGS_1984") != std::string::npos || d.find("WGS 1984") != std::string::npos ||
            d.find("World Geodetic System 1984") != std::string::npos ||
            d.find("European_Terrestrial_Reference_System_1989") != std::string::npos) {
            return SourceCrs::wgs84;
        }
    }
    if (copy.IsProjected()) {
        OGRSpatialReference bng;
        bng.importFromEPSG(27700);
        const char* options[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                                 "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", nullptr};
        if (copy.IsSame(&bng, options)) {
            return SourceCrs::bng;
        }
    }
    return std::nullopt;
}

} // namespace

std::string describe(const SourcePlace& place) {
    std::string s = place.file;
    if (place.line > 0) {
        s += place.is_csv_line ? ":" + std::to_string(place.line)
                               : ", feature " + std::to_string(place.line);
    }
    s += ": ";
    if (!place.field.empty()) {
        s += "field '" + place.field + "': ";
    }
    return s;
}

std::optional<SourceCrs> parse_crs(std::string_view text) {
    std::string t = trim(text);
    for (auto& c : t) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (t.starts_with("EPSG:")) {
        t = t.substr(5);
    }
    if (t == "27700") {
        return SourceCrs::bng;
    }
    if (t == "4326" || t == "4258" || t == "CRS84" || t == "OGC:CRS84") {
        return SourceCrs::wgs84;
    }
    return std::nullopt;
}

GdalSource::GdalSource(SourceOptions options) : m_options(std::move(options)) {
    static std::once_flag registered;
    std::call_once(registered, [] { GDALAllRegister(); });
    const std::string file = m_options.path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(m_options.path, ec)) {
        throw ImportError(place(0), "no such file");
    }
    if (std::filesystem::file_size(m_options.path, ec) == 0) {
        throw ImportError(place(0), "the file is empty");
    }
    m_csv = is_csv_path(m_options.path);
    if (!m_csv && !m_options.columns.empty()) {
        throw ImportError(place(0), "--columns/--columns-from apply to CSV files only");
    }
    CPLStringList open_options;
    if (m_csv) {
        // Numbers are parsed by us, so messages can name the bad field and line.
        open_options.AddNameValue("AUTODETECT_TYPE", "NO");
        open_options.AddNameValue("HEADERS", m_options.columns.empty() ? "YES" : "NO");
    }
    {
        QuietGdalErrors quiet;
        m_dataset.reset(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                          open_options.List(), nullptr));
        if (!m_dataset || m_dataset->GetLayerCount() < 1) {
            const std::string why = CPLGetLastErrorMsg();
            throw ImportError(place(0), "not a vector dataset GDAL can read (GeoJSON, Shapefile, "
                                        "GeoPackage, CSV, ...)" +
                                            (why.empty() ? std::string() : ": " + why));
        }
        m_layer = m_options.layer.empty() ? m_dataset->GetLayer(0)
                                          : m_dataset->GetLayerByName(m_options.layer.c_str());
    }
    if (m_layer == nullptr) {
        std::string have;
        for (const auto& name : layer_names()) {
            have += (have.empty() ? "'" : ", '") + name + "'";
        }
        throw ImportError(place(0),
                          "no layer '" + m_options.layer + "' (--layer); the file has " + have);
    }
    {
        QuietGdalErrors quiet;
        m_count = m_layer->GetFeatureCount(FALSE);
    }
    if (m_csv && !m_options.columns.empty()) {
        const int have = m_layer->GetLayerDefn()->GetFieldCount();
        if (have != static_cast<int>(m_options.columns.size())) {
            throw ImportError(place(1), "the file has " + std::to_string(have) +
                                            " columns but --columns/--columns-from names " +
                                            std::to_string(m_options.columns.size()));
        }
        // A header row that repeats the given names is skipped, not read as data.
        OGRFeatureUniquePtr first(m_layer->GetNextFeature());
        m_skip_header = first != nullptr;
        for (int i = 0; first && i < have; ++i) {
            m_skip_header = m_skip_header && iequals(trim(first->GetFieldAsString(i)),
                                                     m_options.columns[static_cast<size_t>(i)]);
        }
        m_layer->ResetReading();
        if (m_skip_header && m_count > 0) {
            --m_count;
        }
    }
}

SourceCrs GdalSource::crs() const {
    if (m_options.crs) {
        return *m_options.crs;
    }
    const OGRSpatialReference* srs = m_layer->GetSpatialRef();
    if (srs == nullptr) {
        throw ImportError(place(0), "the file has no CRS; pass --crs EPSG:27700 (British National "
                                    "Grid) or --crs EPSG:4326 (WGS84 lon/lat)");
    }
    if (auto crs = crs_of(*srs)) {
        return *crs;
    }
    const char* name = srs->GetName();
    throw ImportError(place(0), std::string("unsupported CRS '") + (name ? name : "?") +
                                    "': only EPSG:27700 and WGS84/ETRS89 lon/lat are imported; "
                                    "reproject it first or pass --crs if the file's CRS is wrong");
}

bool GdalSource::has_geometry() const {
    return m_layer->GetGeomType() != wkbNone;
}

std::string GdalSource::layer_name() const {
    return m_layer->GetName();
}

std::vector<std::string> GdalSource::layer_names() const {
    std::vector<std::string> names;
    for (int i = 0; i < m_dataset->GetLayerCount(); ++i) {
        names.emplace_back(m_dataset->GetLayer(i)->GetName());
    }
    return names;
}

std::string GdalSource::layer_note() const {
    const auto names = layer_names();
    if (!m_options.layer.empty() || names.size() < 2) {
        return {};
    }
    std::string others;
    for (std::size_t i = 1; i < names.size(); ++i) {
        others += (others.empty() ? "'" : ", '") + names[i] + "'";
    }
    return "the file has " + std::to_string(names.size()) + " layers; read the first, '" +
           names[0] + "', not " + others + " (choose one with --layer)";
}

int GdalSource::field_index(const std::string& name) const {
    if (!m_options.columns.empty()) {
        for (std::size_t i = 0; i < m_options.columns.size(); ++i) {
            if (iequals(m_options.columns[i], name)) {
                return static_cast<int>(i);
            }
        }
        return -1;
    }
    return m_layer->GetLayerDefn()->GetFieldIndex(name.c_str());
}

std::optional<std::string>
GdalSource::find_field(const std::vector<std::string>& candidates) const {
    for (const auto& c : candidates) {
        if (const int i = field_index(c); i >= 0) {
            return field_names()[static_cast<size_t>(i)];
        }
    }
    return std::nullopt;
}

int GdalSource::require_field(const std::string& name, const std::string& option) const {
    const int i = field_index(name);
    if (i < 0) {
        std::string have;
        for (const auto& f : field_names()) {
            have += (have.empty() ? "" : ", ") + f;
        }
        throw ImportError(place(1, name),
                          "no such column (set it with " + option +
                              "); the file has: " + (have.empty() ? "no columns" : have));
    }
    return i;
}

int GdalSource::optional_field(const std::string& option_value,
                               const std::string& option,
                               const std::vector<std::string>& defaults) const {
    if (!option_value.empty()) {
        return require_field(option_value, option);
    }
    const auto found = find_field(defaults);
    return found ? field_index(*found) : -1;
}

std::vector<std::string> GdalSource::field_names() const {
    if (!m_options.columns.empty()) {
        return m_options.columns;
    }
    std::vector<std::string> names;
    const OGRFeatureDefn* defn = m_layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    }
    return names;
}

bool GdalSource::next(SourceRow& row) {
    row.feature.reset(m_layer->GetNextFeature());
    if (row.feature && m_index == 0 && m_skip_header) {
        ++m_index;
        row.feature.reset(m_layer->GetNextFeature());
    }
    if (!row.feature) {
        return false;
    }
    ++m_index;
    // A CSV with its own header row starts data on line 2.
    row.line = m_csv && m_options.columns.empty() ? m_index + 1 : m_index;
    return true;
}

std::string GdalSource::text(const SourceRow& row, int field) const {
    std::string s = trim(row.feature->GetFieldAsString(field));
    if (!m_options.encoding.empty()) {
        const geo::CHandle<char, &VSIFree> utf8(
            CPLRecode(s.c_str(), m_options.encoding.c_str(), CPL_ENC_UTF8));
        s = utf8.get();
    }
    if (!geo::is_valid_utf8(s)) {
        throw ImportError(
            place(row, field),
            "not valid UTF-8 text; pass --encoding LATIN1 (or CP1252) for such files");
    }
    return s;
}

double GdalSource::number(const SourceRow& row, int field) const {
    const std::string s = trim(row.feature->GetFieldAsString(field));
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        throw ImportError(place(row, field), "'" + s + "' is not a number");
    }
    return v;
}

SourcePlace GdalSource::place(std::int64_t line, const std::string& field) const {
    // In a file of several layers a feature number alone is ambiguous.
    std::string file = m_options.path.string();
    if (m_layer != nullptr && m_dataset->GetLayerCount() > 1) {
        file += " (layer " + layer_name() + ")";
    }
    return {std::move(file), line, m_csv, field};
}

SourcePlace GdalSource::place(const SourceRow& row, int field) const {
    const auto names = field_names();
    return place(row.line, field >= 0 && static_cast<size_t>(field) < names.size()
                               ? names[static_cast<size_t>(field)]
                               : std::string());
}

std::vector<std::string> split_columns(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const auto end = comma == std::string::npos ? list.size() : comma;
        std::string name = trim(std::string_view(list).substr(start, end - start));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
            name = name.substr(1, name.size() - 2);
        }
        out.push_back(name);
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

std::vector<std::string> read_columns_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw ImportError({path.string(), 0, true, {}}, "cannot read the column header file");
    }
    std::string line;
    std::string last;
    while (std::getline(in, line)) {
        if (!trim(line).empty()) {
            last = trim(line);
        }
    }
    if (last.empty()) {
        throw ImportError({path.string(), 0, true, {}}, "the column header file is empty");
    }
    return split_columns(last);
}

} // namespace wardmap::importers
