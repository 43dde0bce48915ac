#include "server/services/shared/import_history.hpp"

namespace wardmap::services {

std::vector<ImportRecord> ImportHistory::list(int limit) const {
    auto db = m_pool.acquire();
    auto st = db->prepare(
        "SELECT id, kind, source, sha256, started_at, finished_at, status, read_count, inserted, "
        "updated, deleted, rejected, repaired, detail FROM imports ORDER BY id DESC LIMIT ?");
    st.bind(1, limit);
    std::vector<ImportRecord> out;
    while (st.step()) {
        ImportRecord r;
        r.id = st.int64(0);
        r.kind = st.text(1);
        r.source = st.text(2);
        r.sha256 = st.text(3);
        r.started_at = st.text(4);
        r.finished_at = st.text(5);
        r.status = st.text(6);
        r.read = st.int64(7);
        r.inserted = st.int64(8);
        r.updated = st.int64(9);
        r.deleted = st.int64(10);
        r.rejected = st.int64(11);
        r.repaired = st.int64(12);
        r.detail = st.text(13);
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace wardmap::services
