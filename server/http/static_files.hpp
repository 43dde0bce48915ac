#pragma once

#include "server/http/message.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace wardmap::http {

/// Serves the web client's files from memory: explicit MIME types, strong ETags with
/// If-None-Match, Cache-Control, a cached gzip form, and no way out of the root
/// (dot segments and symlinks leaving it are refused). Reloads a file when its mtime changes.
/// Thread-safe.
class StaticFiles {
  public:
    explicit StaticFiles(std::filesystem::path root);

    /// `relative` is the decoded path below the root ("" means index.html). Throws
    /// DomainError(not_found) for anything that is not a servable file.
    Response serve(const std::string& relative, const Request& request);

    static std::string mime_type(const std::filesystem::path& file);

  private:
    struct Entry {
        std::filesystem::file_time_type mtime;
        std::string body;
        std::string gzip_body;
        std::string etag;
        std::string content_type;
    };
    std::filesystem::path resolve(const std::string& relative) const;

    std::filesystem::path m_root;
    std::mutex m_mutex;
    std::map<std::filesystem::path, Entry> m_cache;
};

} // namespace wardmap::http
