#pragma once

// Builds an R*Tree on a second core while the main thread loads the table it indexes.
//
// SQLite's R*Tree costs ~15 us per insert, the largest single cost of loading a million
// properties, and a connection can only do one thing at a time. So during a bulk load into an
// empty table the entries go to a worker thread that fills an identical R*Tree in a scratch
// database file; at the end its three shadow tables (node, rowid, parent) are copied into the
// target's empty ones in a few bulk INSERTs. Same SQLite, same page size, same definition: the
// copied tree is exactly the tree SQLite would have built, as rtreecheck() confirms in tests.

#include "geo/store/database.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wardmap::store {

class ParallelRTreeBuild {
  public:
    /// `scratch` is a file path the worker may create and remove; `page_size` must be the
    /// target database's.
    ParallelRTreeBuild(std::filesystem::path scratch, std::int64_t page_size);
    ~ParallelRTreeBuild();
    ParallelRTreeBuild(const ParallelRTreeBuild&) = delete;
    ParallelRTreeBuild& operator=(const ParallelRTreeBuild&) = delete;

    /// An entry (a later add with the same id replaces it).
    void add(std::int64_t id, double min_x, double max_x, double min_y, double max_y);
    /// The entry is gone.
    void remove(std::int64_t id);

    /// Waits for the worker, then replaces the (empty) R*Tree `index` of `target` with the
    /// one built, inside the caller's transaction. Rethrows a worker failure as StoreError.
    void finish_into(Database& target, const std::string& index);

  private:
    struct Op {
        std::int64_t id;
        double min_x, max_x, min_y, max_y;
        bool remove;
    };
    void flush();
    void run();

    std::filesystem::path m_scratch;
    std::int64_t m_page_size;
    std::vector<Op> m_pending; // filled by the caller, handed over in batches
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::vector<std::vector<Op>> m_queue;
    bool m_done = false;
    std::exception_ptr m_error;
    std::thread m_worker;
};

} // namespace wardmap::store
