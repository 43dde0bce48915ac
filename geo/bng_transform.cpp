#include "geo/bng_transform.hpp"

#include "geo/errors.hpp"
#include "geo/ostn15.hpp"
#include "geo/proj_context.hpp"

#include <proj.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace wardmap::geo {

namespace {

constexpr const char* ntv2_grid_name = "uk_os_OSTN15_NTv2_OSGBtoETRS.tif";
constexpr double builtin_accuracy_m = 0.1;
constexpr double helmert_default_accuracy_m = 2.0;
// A point inside the NTv2 grid and every other method's area, for probing PROJ's choice.
constexpr EastNorth probe_point{400000.0, 300000.0};

std::string join_paths(const std::vector<std::filesystem::path>& paths) {
    std::string out;
    for (const auto& p : paths) {
        if (!out.empty()) {
            out += ':';
        }
        out += p.string();
    }
    return out;
}

std::string describe(EastNorth p) {
    std::ostringstream out;
    out.precision(3);
    out << std::fixed << "E " << p.easting << ", N " << p.northing;
    return out.str();
}

std::string describe(LonLat p) {
    std::ostringstream out;
    out.precision(7);
    out << "lon " << p.lon << ", lat " << p.lat;
    return out.str();
}

// The National Grid's defined area; the PROJ methods are held to it as the built-in one is.
void check_in_national_grid(EastNorth p) {
    if (!(p.easting >= 0.0 && p.easting <= Ostn15Grid::max_easting && p.northing >= 0.0 &&
          p.northing <= Ostn15Grid::max_northing)) {
        throw GeoError("position outside the National Grid area (" + describe(p) + ")");
    }
}

} // namespace

namespace detail {

/// A PROJ EPSG:27700 -> EPSG:4326 (lon/lat order) operation recipe. PJ objects are not
/// thread-safe, so each thread lazily builds its own context + PJ, cached thread_local and
/// keyed by this recipe's id; entries of destroyed recipes are pruned on the next miss.
class ProjBngOperation : public std::enable_shared_from_this<ProjBngOperation> {
  public:
    ProjBngOperation(std::vector<std::filesystem::path> search_paths, bool accurate_only)
        : m_search_paths(std::move(search_paths)), m_accurate_only(accurate_only), m_id(next_id()) {
    }

    /// The operation in `ctx`; null when accurate_only and no <= 1 m operation (i.e. the NTv2
    /// grid) is available. Throws GeoError when PROJ itself is unusable (no proj.db).
    [[nodiscard]] ProjPtr build(PJ_CONTEXT* ctx) const {
        const ProjPtr src(proj_create(ctx, "EPSG:27700"));
        const ProjPtr dst(proj_create(ctx, "EPSG:4326"));
        if (!src || !dst) {
            throw GeoError("PROJ cannot create EPSG:27700/EPSG:4326 (" +
                           proj_error_message(ctx, proj_context_errno(ctx)) +
                           "); is proj.db on the search path " + join_paths(m_search_paths) + "?");
        }
        // ACCURACY=1 leaves only OSTN15 (EPSG "OSGB36 to WGS 84 (9)", 1 m); PROJ returns null
        // when its grid is missing instead of silently using the 2 m Helmert.
        const char* const accurate_options[] = {"ACCURACY=1", nullptr};
        const ProjPtr op(proj_create_crs_to_crs_from_pj(
            ctx, src.get(), dst.get(), nullptr, m_accurate_only ? accurate_options : nullptr));
        if (!op) {
            return nullptr;
        }
        return ProjPtr(proj_normalize_for_visualization(ctx, op.get()));
    }

    /// EPSG:27700 -> lon/lat with this thread's PJ; `label` names the method in errors.
    [[nodiscard]] LonLat to_wgs84(EastNorth p, const std::string& label) const {
        return to_wgs84(this_thread(), p, label);
    }

    void
    to_wgs84(std::span<const EastNorth> in, std::span<LonLat> out, const std::string& label) const {
        const Entry& entry = this_thread();
        for (std::size_t i = 0; i < in.size(); ++i) {
            out[i] = to_wgs84(entry, in[i], label);
        }
    }

    /// lon/lat -> EPSG:27700 with this thread's PJ.
    [[nodiscard]] EastNorth to_bng(LonLat p, const std::string& label) const {
        if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) {
            throw GeoError("non-finite position (" + describe(p) + ")");
        }
        const Entry& entry = this_thread();
        const PJ_COORD out = proj_trans(entry.pj.get(), PJ_INV, proj_coord(p.lon, p.lat, 0, 0));
        if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) {
            throw GeoError("cannot transform " + describe(p) + " to EPSG:27700 (" + label +
                           "): " + take_error(entry));
        }
        const EastNorth result{out.xy.x, out.xy.y};
        check_in_national_grid(result);
        return result;
    }

  private:
    struct Entry {
        std::weak_ptr<const ProjBngOperation> owner;
        ProjContextPtr ctx; // declared before pj: pj must be destroyed first
        ProjPtr pj;
    };

    static LonLat to_wgs84(const Entry& entry, EastNorth p, const std::string& label) {
        check_in_national_grid(p);
        const PJ_COORD out =
            proj_trans(entry.pj.get(), PJ_FWD, proj_coord(p.easting, p.northing, 0, 0));
        if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) {
            throw GeoError("cannot transform " + describe(p) + " to WGS84 (" + label +
                           "): " + take_error(entry));
        }
        return {out.xy.x, out.xy.y};
    }

    // Reads and clears the PJ's error so the next point starts clean.
    static std::string take_error(const Entry& entry) {
        const int err = proj_errno(entry.pj.get());
        proj_errno_reset(entry.pj.get());
        return proj_error_message(entry.ctx.get(), err);
    }

    // This thread's context + PJ for this recipe, built on first use (~10 ms).
    [[nodiscard]] const Entry& this_thread() const {
        auto& cache = thread_cache();
        if (const auto it = cache.find(m_id); it != cache.end()) {
            return it->second;
        }
        std::erase_if(cache, [](const auto& kv) { return kv.second.owner.expired(); });
        Entry entry;
        entry.owner = weak_from_this();
        entry.ctx = make_proj_context(m_search_paths);
        entry.pj = build(entry.ctx.get());
        if (!entry.pj) {
            throw GeoError(std::string("PROJ can no longer find ") + ntv2_grid_name +
                           " on its search path " + join_paths(m_search_paths));
        }
        return cache.emplace(m_id, std::move(entry)).first->second;
    }

    static std::uint64_t next_id() {
        static std::atomic<std::uint64_t> counter{0};
        return ++counter;
    }
    static std::unordered_map<std::uint64_t, Entry>& thread_cache() {
        thread_local std::unordered_map<std::uint64_t, Entry> cache;
        return cache;
    }

    std::vector<std::filesystem::path> m_search_paths;
    bool m_accurate_only;
    std::uint64_t m_id;
};

} // namespace detail

namespace {

struct ProbeResult {
    std::string name;
    double accuracy_m = -1;
    std::string grid_path; // first grid the operation used, if any
    std::string grid_name;
};

// Runs one transform and reports the operation PROJ actually used, so info() and the
// accuracy check rest on what happened, not on what we asked for.
ProbeResult probe(PJ_CONTEXT* ctx, PJ* pj) {
    const PJ_COORD out =
        proj_trans(pj, PJ_FWD, proj_coord(probe_point.easting, probe_point.northing, 0, 0));
    if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) {
        throw GeoError("PROJ failed on a probe point inside Great Britain: " +
                       proj_error_message(ctx, proj_errno(pj)));
    }
    const ProjPtr last(proj_trans_get_last_used_operation(pj));
    if (!last) {
        throw GeoError("PROJ did not report the operation it used");
    }
    ProbeResult r;
    const char* name = proj_get_name(last.get());
    r.name = name ? name : "";
    r.accuracy_m = proj_coordoperation_get_accuracy(ctx, last.get());
    if (proj_coordoperation_get_grid_used_count(ctx, last.get()) > 0) {
        const char* short_name = nullptr;
        const char* full_name = nullptr;
        if (proj_coordoperation_get_grid_used(ctx, last.get(), 0, &short_name, &full_name, nullptr,
                                              nullptr, nullptr, nullptr, nullptr)) {
            r.grid_name = short_name ? short_name : "";
            r.grid_path = full_name ? full_name : "";
        }
    }
    return r;
}

} // namespace

const char* to_string(TransformMethod method) {
    switch (method) {
    case TransformMethod::ostn15_builtin:
        return "ostn15_builtin";
    case TransformMethod::ostn15_ntv2_proj:
        return "ostn15_ntv2_proj";
    case TransformMethod::helmert_approximate:
        return "helmert_approximate";
    }
    return "unknown";
}

BngTransform::BngTransform(Private,
                           TransformInfo info,
                           std::shared_ptr<const Ostn15Grid> grid,
                           std::shared_ptr<const detail::ProjBngOperation> proj)
    : m_info(std::move(info)), m_grid(std::move(grid)), m_proj(std::move(proj)) {}

BngTransform::~BngTransform() = default;

std::shared_ptr<const BngTransform> BngTransform::create(const TransformOptions& options) {
    std::vector<std::string> missing;

    // Absent data falls through to the next method; data that is present but broken throws
    // (from Ostn15Grid), because a misinstalled file should be fixed, not worked around.
    std::shared_ptr<const Ostn15Grid> grid;
    const auto dir = options.ostn15_dir ? options.ostn15_dir : Ostn15Grid::find_default_dir();
    if (dir && Ostn15Grid::has_data_files(*dir)) {
        grid = std::make_shared<const Ostn15Grid>(*dir);
    } else if (dir) {
        missing.push_back("no OSTN15 shift files (ostn_east_shift_<mm>, ostn_north_shift_<mm>) "
                          "in " +
                          dir->string());
    } else {
        missing.emplace_back("no OSTN15 shift data (WARDMAP_OSTN15_DIR is unset and "
                             "/usr/share/perl5/auto/share/dist/Geo-Coordinates-OSGB is absent)");
    }
    const auto builtin = [&grid] {
        TransformInfo info{TransformMethod::ostn15_builtin,
                           "OSTN15 (built-in, OS shift grid from " + grid->dir().string() + ")",
                           builtin_accuracy_m, grid->dir().string()};
        return std::make_shared<const BngTransform>(Private{}, std::move(info), grid, nullptr);
    };
    if (grid && !options.prefer_proj_grid) {
        return builtin();
    }

    auto search_paths = default_proj_search_paths();
    search_paths.insert(search_paths.end(), options.proj_search_paths.begin(),
                        options.proj_search_paths.end());

    {
        auto op = std::make_shared<const detail::ProjBngOperation>(search_paths, true);
        const ProjContextPtr ctx = make_proj_context(search_paths);
        if (const ProjPtr pj = op->build(ctx.get())) {
            const ProbeResult used = probe(ctx.get(), pj.get());
            if (used.grid_name.find("OSTN15") == std::string::npos) {
                throw GeoError("PROJ chose '" + used.name + "' for EPSG:27700 -> WGS84, which " +
                               "does not use the OSTN15 grid");
            }
            // EPSG's 1 m for this operation covers ETRS89 vs WGS84; against OSTN15 itself the
            // NTv2 grid agrees to a few centimetres (realdata tests), as the built-in form does.
            TransformInfo info{TransformMethod::ostn15_ntv2_proj, used.name, builtin_accuracy_m,
                               used.grid_path.empty() ? used.grid_name : used.grid_path};
            return std::make_shared<const BngTransform>(Private{}, std::move(info), nullptr,
                                                        std::move(op));
        }
    }
    missing.push_back(std::string("PROJ cannot find ") + ntv2_grid_name + " on its search path " +
                      join_paths(search_paths));

    if (grid) {
        return builtin();
    }

    if (options.allow_approximate) {
        auto op = std::make_shared<const detail::ProjBngOperation>(search_paths, false);
        const ProjContextPtr ctx = make_proj_context(search_paths);
        const ProjPtr pj = op->build(ctx.get());
        if (!pj) {
            throw GeoError("PROJ has no EPSG:27700 -> EPSG:4326 operation at all");
        }
        const ProbeResult used = probe(ctx.get(), pj.get());
        const char* db = proj_context_get_database_path(ctx.get());
        TransformInfo info{TransformMethod::helmert_approximate, used.name,
                           used.accuracy_m > 0 ? used.accuracy_m : helmert_default_accuracy_m,
                           db ? db : "proj.db"};
        return std::make_shared<const BngTransform>(Private{}, std::move(info), nullptr,
                                                    std::move(op));
    }

    std::string message = "no accurate EPSG:27700 <-> WGS84 transformation (OSTN15) available: ";
    for (std::size_t i = 0; i < missing.size(); ++i) {
        message += (i ? "; " : "") + missing[i];
    }
    message += ". Fix: install the Debian package libgeo-coordinates-osgb-perl (or point "
               "WARDMAP_OSTN15_DIR at a directory holding its ostn_*_shift_* files), or put ";
    message += ntv2_grid_name;
    message += " in a directory listed in PROJ_DATA together with the system PROJ directory. "
               "Only if ~2 m errors are acceptable, allow the Helmert approximation "
               "(TransformOptions::allow_approximate).";
    throw NoAccurateTransform(message);
}

LonLat BngTransform::to_wgs84(EastNorth p) const {
    if (m_grid) {
        return m_grid->to_etrs89(p);
    }
    return m_proj->to_wgs84(p, m_info.name);
}

EastNorth BngTransform::to_bng(LonLat p) const {
    if (m_grid) {
        return m_grid->to_osgb36(p);
    }
    return m_proj->to_bng(p, m_info.name);
}

void BngTransform::to_wgs84(std::span<const EastNorth> in, std::span<LonLat> out) const {
    if (in.size() != out.size()) {
        throw std::invalid_argument("BngTransform::to_wgs84: input and output sizes differ");
    }
    if (m_grid) {
        for (std::size_t i = 0; i < in.size(); ++i) {
            out[i] = m_grid->to_etrs89(in[i]);
        }
    } else {
        m_proj->to_wgs84(in, out, m_info.name);
    }
}

} // namespace wardmap::geo
