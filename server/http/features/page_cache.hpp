#pragma once

// Finished GET responses kept in memory, keyed by everything that shapes their bytes and
// tagged with the store's data version (store::DataVersion) they were made from. Web maps ask
// for the same pages again and again (every pan back, every client on the same view); served
// from here a page costs a hash lookup and a copy instead of a query and a GeoJSON encode, and
// an If-None-Match costs nothing. Any commit to the store empties it: an answer is never older
// than the data. Least recently used pages go first when it is over its byte budget.

#include "server/http/message.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace wardmap::http {

struct PageCacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t pages = 0;
    std::size_t bytes = 0;
};

class PageCache {
  public:
    /// 0 bytes: caches nothing.
    explicit PageCache(std::size_t max_bytes);
    PageCache(const PageCache&) = delete;
    PageCache& operator=(const PageCache&) = delete;

    [[nodiscard]] bool enabled() const { return m_max_bytes > 0; }

    /// The page stored under `key` for data `version`, with its gzip form in `gzip_body` when
    /// `want_gzip` and one has been made (see add_gzip).
    std::optional<Response> find(const std::string& key, std::int64_t version, bool want_gzip);
    /// Keeps a 200 response (others are not cached). Pages over an eighth of the budget are
    /// not kept: one export must not flush every map view.
    void store(const std::string& key, std::int64_t version, const Response& response);
    /// Keeps the gzip form of a stored page, made by the first client that wanted it.
    void add_gzip(const std::string& key, std::int64_t version, std::string gzip);

    [[nodiscard]] PageCacheStats stats() const;

  private:
    struct Entry {
        std::string key;
        Response response;
        std::shared_ptr<const std::string> gzip;
        std::size_t bytes = 0;
    };
    using Lru = std::list<Entry>; // most recently used first

    void drop_all_before(std::int64_t version); // with m_mutex held
    void evict();                               // with m_mutex held

    std::size_t m_max_bytes;
    mutable std::mutex m_mutex;
    std::int64_t m_version = 0;
    Lru m_lru;
    std::unordered_map<std::string, Lru::iterator> m_index;
    std::size_t m_bytes = 0;
    std::uint64_t m_hits = 0;
    std::uint64_t m_misses = 0;
};

} // namespace wardmap::http
