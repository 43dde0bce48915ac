#include "geo/proj_context.hpp"

#include "geo/errors.hpp"

#include <cstdlib>
#include <string_view>

namespace wardmap::geo {

namespace {

// PROJ splits PROJ_DATA on ';' on Windows and ':' elsewhere.
#ifdef _WIN32
constexpr char path_separator = ';';
#else
constexpr char path_separator = ':';
#endif

std::vector<std::filesystem::path> split_path_list(std::string_view list) {
    std::vector<std::filesystem::path> out;
    while (!list.empty()) {
        const auto pos = list.find(path_separator);
        const auto item = list.substr(0, pos);
        if (!item.empty()) {
            out.emplace_back(item);
        }
        if (pos == std::string_view::npos) {
            break;
        }
        list.remove_prefix(pos + 1);
    }
    return out;
}

} // namespace

ProjContextPtr make_proj_context(const std::vector<std::filesystem::path>& search_paths) {
    ProjContextPtr ctx(proj_context_create());
    if (!ctx) {
        throw GeoError("proj_context_create failed");
    }
    proj_log_level(ctx.get(), PJ_LOG_NONE);
    proj_context_set_enable_network(ctx.get(), 0);
    if (!search_paths.empty()) {
        std::vector<std::string> strings;
        strings.reserve(search_paths.size());
        for (const auto& p : search_paths) {
            strings.push_back(p.string());
        }
        std::vector<const char*> pointers;
        pointers.reserve(strings.size());
        for (const auto& s : strings) {
            pointers.push_back(s.c_str());
        }
        proj_context_set_search_paths(ctx.get(), static_cast<int>(pointers.size()),
                                      pointers.data());
    }
    return ctx;
}

PJ_CONTEXT* this_thread_proj_context() {
    thread_local const ProjContextPtr ctx = [] {
        ProjContextPtr c(proj_context_create());
        if (!c) {
            throw GeoError("proj_context_create failed");
        }
        return c;
    }();
    return ctx.get();
}

std::vector<std::filesystem::path> default_proj_search_paths() {
    // A throwaway context: PROJ reads the environment when a context first needs its paths,
    // and this must reflect the environment now, not when some older context was made.
    const ProjContextPtr ctx(proj_context_create());
    if (!ctx) {
        throw GeoError("proj_context_create failed");
    }
    proj_log_level(ctx.get(), PJ_LOG_NONE);
    std::vector<std::filesystem::path> out;
    if (const char* user = proj_context_get_user_writable_directory(ctx.get(), 0); user && *user) {
        out.emplace_back(user);
    }
    const char* env = std::getenv("PROJ_DATA");
    if (!env || !*env) {
        env = std::getenv("PROJ_LIB");
    }
    if (env && *env) {
        const auto listed = split_path_list(env);
        out.insert(out.end(), listed.begin(), listed.end());
    } else if (const char* db = proj_context_get_database_path(ctx.get()); db && *db) {
        out.push_back(std::filesystem::path(db).parent_path());
    }
    return out;
}

std::string proj_error_message(PJ_CONTEXT* ctx, int err) {
    const char* text = proj_context_errno_string(ctx, err);
    return text ? std::string(text) : "PROJ error " + std::to_string(err);
}

} // namespace wardmap::geo
