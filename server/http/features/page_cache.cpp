#include "server/http/features/page_cache.hpp"

namespace wardmap::http {

namespace {

std::size_t size_of(const Response& response, const std::string& key) {
    std::size_t n = key.size() + response.body.size() + response.content_type.size() + 128;
    for (const auto& [name, value] : response.headers) {
        n += name.size() + value.size() + 32;
    }
    return n;
}

} // namespace

PageCache::PageCache(std::size_t max_bytes) : m_max_bytes(max_bytes) {}

void PageCache::drop_all_before(std::int64_t version) {
    if (version == m_version) {
        return;
    }
    m_lru.clear();
    m_index.clear();
    m_bytes = 0;
    m_version = version;
}

std::optional<Response>
PageCache::find(const std::string& key, std::int64_t version, bool want_gzip) {
    if (!enabled()) {
        return std::nullopt;
    }
    std::lock_guard lock(m_mutex);
    drop_all_before(version);
    const auto it = m_index.find(key);
    if (it == m_index.end()) {
        ++m_misses;
        return std::nullopt;
    }
    ++m_hits;
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    const Entry& entry = *it->second;
    Response out = entry.response;
    if (want_gzip && entry.gzip) {
        out.gzip_body = *entry.gzip;
    }
    return out;
}

void PageCache::store(const std::string& key, std::int64_t version, const Response& response) {
    if (!enabled() || response.status != 200) {
        return;
    }
    Entry entry{key, response, nullptr, 0};
    entry.response.gzip_body.reset();
    entry.bytes = size_of(entry.response, key);
    if (entry.bytes > m_max_bytes / 8) {
        return;
    }
    std::lock_guard lock(m_mutex);
    if (version < m_version) {
        return; // made from data older than what is cached now
    }
    drop_all_before(version);
    if (const auto it = m_index.find(key); it != m_index.end()) {
        m_bytes -= it->second->bytes;
        m_lru.erase(it->second);
        m_index.erase(it);
    }
    m_bytes += entry.bytes;
    m_lru.push_front(std::move(entry));
    m_index.emplace(key, m_lru.begin());
    evict();
}

void PageCache::add_gzip(const std::string& key, std::int64_t version, std::string gzip) {
    if (!enabled()) {
        return;
    }
    auto shared = std::make_shared<const std::string>(std::move(gzip));
    std::lock_guard lock(m_mutex);
    if (version != m_version) {
        return;
    }
    const auto it = m_index.find(key);
    if (it == m_index.end() || it->second->gzip) {
        return;
    }
    it->second->gzip = std::move(shared);
    it->second->bytes += it->second->gzip->size();
    m_bytes += it->second->gzip->size();
    evict();
}

void PageCache::evict() {
    while (m_bytes > m_max_bytes && !m_lru.empty()) {
        m_bytes -= m_lru.back().bytes;
        m_index.erase(m_lru.back().key);
        m_lru.pop_back();
    }
}

PageCacheStats PageCache::stats() const {
    std::lock_guard lock(m_mutex);
    return {m_hits, m_misses, m_lru.size(), m_bytes};
}

} // namespace wardmap::http
