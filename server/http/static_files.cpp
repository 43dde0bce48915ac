#include "server/http/static_files.hpp"

#include "server/http/etag.hpp"
#include "server/http/gzip.hpp"
#include "server/services/shared/errors.hpp"

#include <fstream>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

StaticFiles::StaticFiles(std::filesystem::path root) {
    std::error_code ec;
    m_root = std::filesystem::weakly_canonical(root, ec);
    if (ec) {
        m_root = std::move(root);
    }
}

std::string StaticFiles::mime_type(const std::filesystem::path& file) {
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".geojson", "application/geo+json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".webmanifest", "application/manifest+json"},
    };
    const auto it = types.find(file.extension().string());
    return it == types.end() ? "application/octet-stream" : it->second;
}

std::filesystem::path StaticFiles::resolve(const std::string& relative) const {
    const DomainError missing(ErrorCode::not_found, "there is no page or endpoint at /" + relative);
    std::filesystem::path rel;
    std::size_t start = 0;
    while (start <= relative.size()) {
        const auto slash = relative.find('/', start);
        const std::string seg =
            relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!seg.empty()) {
            // Hidden files and dot segments are never served.
            if (seg.front() == '.' || seg.find('\\') != std::string::npos) {
                throw missing;
            }
            rel /= seg;
        }
        if (slash == std::string::npos) {
            break;
        }
        start = slash + 1;
    }
    std::error_code ec;
    auto full = std::filesystem::canonical(m_root / rel, ec);
    if (ec) {
        throw missing;
    }
    if (std::filesystem::is_directory(full, ec)) {
        full = std::filesystem::canonical(full / "index.html", ec);
        if (ec) {
            throw missing;
        }
    }
    // Symlinks may not lead out of the root.
    const auto root_text = m_root.string() + "/";
    if (full.string().rfind(root_text, 0) != 0 || !std::filesystem::is_regular_file(full, ec)) {
        throw missing;
    }
    return full;
}

Response StaticFiles::serve(const std::string& relative, const Request& request) {
    const auto file = resolve(relative);
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(file, ec);
    Response response;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_cache.find(file);
        if (it == m_cache.end() || it->second.mtime != mtime) {
            std::ifstream in(file, std::ios::binary);
            if (!in) {
                throw DomainError(ErrorCode::not_found,
                                  "the file /" + relative + " cannot be read");
            }
            Entry entry;
            entry.mtime = mtime;
            entry.body.assign(std::istreambuf_iterator<char>(in), {});
            entry.content_type = mime_type(file);
            entry.etag = content_etag(entry.body);
            if (is_compressible(entry.content_type) && entry.body.size() > 256) {
                entry.gzip_body = gzip_compress(entry.body, gzip_smallest);
            }
            it = m_cache.insert_or_assign(file, std::move(entry)).first;
        }
        const Entry& e = it->second;
        response.content_type = e.content_type;
        response.header("ETag", e.etag);
        const bool is_html = file.extension() == ".html";
        response.header("Cache-Control", is_html ? "no-cache" : "public, max-age=300");
        if (auto inm = request.header("If-None-Match"); inm && etag_matches(*inm, e.etag)) {
            response.status = 304;
            response.compressible = false;
            return response;
        }
        response.body = e.body;
        if (!e.gzip_body.empty()) {
            response.gzip_body = e.gzip_body;
        } else {
            response.compressible = false;
        }
    }
    return response;
}

} // namespace wardmap::http
