#include "geo/store/parallel_rtree_build.hpp"

namespace wardmap::store {

namespace {

constexpr std::size_t batch_size = 8192;
constexpr std::size_t max_queued_batches = 64; // bounds memory if the worker falls behind

} // namespace

ParallelRTreeBuild::ParallelRTreeBuild(std::filesystem::path scratch, std::int64_t page_size)
    : m_scratch(std::move(scratch)), m_page_size(page_size) {
    std::filesystem::remove(m_scratch);
    m_pending.reserve(batch_size);
    m_worker = std::thread([this] { run(); });
}

ParallelRTreeBuild::~ParallelRTreeBuild() {
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_ready.notify_all();
    if (m_worker.joinable()) {
        m_worker.join();
    }
    std::error_code ignored;
    std::filesystem::remove(m_scratch, ignored);
}

void ParallelRTreeBuild::add(
    std::int64_t id, double min_x, double max_x, double min_y, double max_y) {
    m_pending.push_back({id, min_x, max_x, min_y, max_y, false});
    if (m_pending.size() >= batch_size) {
        flush();
    }
}

void ParallelRTreeBuild::remove(std::int64_t id) {
    m_pending.push_back({id, 0, 0, 0, 0, true});
    if (m_pending.size() >= batch_size) {
        flush();
    }
}

void ParallelRTreeBuild::flush() {
    if (m_pending.empty()) {
        return;
    }
    std::unique_lock lock(m_mutex);
    m_ready.wait(lock, [this] { return m_queue.size() < max_queued_batches || m_error; });
    m_queue.push_back(std::move(m_pending));
    lock.unlock();
    m_ready.notify_all();
    m_pending = {};
    m_pending.reserve(batch_size);
}

void ParallelRTreeBuild::run() {
    try {
        auto db = Database::open(m_scratch, {.mode = OpenMode::create});
        db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=" +
                std::to_string(m_page_size) + "; PRAGMA cache_size=-65536;");
        db.exec("CREATE VIRTUAL TABLE tree USING rtree(pkid, xmin, xmax, ymin, ymax)");
        db.exec("BEGIN");
        auto put = db.prepare("INSERT OR REPLACE INTO tree VALUES (?, ?, ?, ?, ?)");
        auto drop = db.prepare("DELETE FROM tree WHERE pkid = ?");
        for (;;) {
            std::vector<Op> batch;
            {
                std::unique_lock lock(m_mutex);
                m_ready.wait(lock, [this] { return !m_queue.empty() || m_done; });
                if (m_queue.empty()) {
                    break;
                }
                batch = std::move(m_queue.front());
                m_queue.erase(m_queue.begin());
            }
            m_ready.notify_all();
            for (const Op& op : batch) {
                if (op.remove) {
                    drop.bind(1, op.id).run();
                } else {
                    put.bind(1, op.id).bind(2, op.min_x).bind(3, op.max_x);
                    put.bind(4, op.min_y).bind(5, op.max_y).run();
                }
            }
        }
        db.exec("COMMIT");
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_error = std::current_exception();
        m_ready.notify_all();
    }
}

void ParallelRTreeBuild::finish_into(Database& target, const std::string& index) {
    flush();
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_ready.notify_all();
    m_worker.join();
    if (m_error) {
        std::rethrow_exception(m_error);
    }
    // ATTACH is not allowed inside the caller's transaction: copy row by row instead.
    auto scratch = Database::open(m_scratch, {.mode = OpenMode::read_only});
    for (const char* part : {"_node", "_rowid", "_parent"}) {
        const std::string table = "\"" + index + part + "\"";
        target.exec("DELETE FROM " + table);
        auto read = scratch.prepare(std::string("SELECT * FROM tree") + part);
        auto write = target.prepare("INSERT INTO " + table + " VALUES (?, ?)");
        while (read.step()) {
            for (int col = 0; col < 2; ++col) {
                if (read.is_null(col)) {
                    write.bind_null(col + 1);
                } else if (read.column_type(col) == SQLITE_BLOB) {
                    write.bind(col + 1, read.blob(col));
                } else {
                    write.bind(col + 1, read.int64(col));
                }
            }
            write.run();
        }
    }
}

} // namespace wardmap::store
