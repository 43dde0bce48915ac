#include "tests/support/shared_fixture.hpp"

#include "tests/support/test_paths.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace wardmap::testing {

namespace fs = std::filesystem;

namespace {

/// An exclusive flock(2) on a file, released when the process ends however it ends.
class FileLock {
  public:
    explicit FileLock(const fs::path& file)
        : m_fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (m_fd < 0) {
            throw std::system_error(errno, std::generic_category(), "open " + file.string());
        }
        while (::flock(m_fd, LOCK_EX) != 0) {
            if (errno != EINTR) {
                const int error = errno;
                ::close(m_fd);
                throw std::system_error(error, std::generic_category(), "flock " + file.string());
            }
        }
    }
    ~FileLock() { ::close(m_fd); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int m_fd;
};

void append_line(const fs::path& file, const std::string& line) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        const auto written = ::write(fd, line.data(), line.size());
        static_cast<void>(written); // the log is for people; a short write loses nothing else
        ::close(fd);
    }
}

/// Removes folders of `name` from other scopes, and temporary folders of makers that died
/// (the caller holds the lock, so no live maker of this name is writing one).
void remove_stale(const fs::path& root, const std::string& name, const std::string& current) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string file = entry.path().filename().string();
        if (!file.starts_with(name + "-")) {
            continue;
        }
        const std::string_view rest = std::string_view(file).substr(name.size() + 1);
        // <scope>-<key>: two 16-digit hashes (another name that starts with ours has more).
        if (rest.size() < 33 || rest[16] != '-') {
            continue;
        }
        const bool other_scope = !file.starts_with(current);
        const bool dead_maker = rest.substr(33).starts_with(".tmp-cc-");
        if (other_scope || dead_maker) {
            fs::remove_all(entry.path(), ec);
        }
    }
}

} // namespace

std::string fnv1a_hex(const std::string& text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
    return buf;
}

std::string file_identity(const fs::path& file) {
    const fs::path canonical = fs::canonical(file);
    struct stat st {};
    if (::stat(canonical.c_str(), &st) != 0) {
        throw std::system_error(errno, std::generic_category(), "stat " + canonical.string());
    }
    const long long mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL +
                               static_cast<long long>(st.st_mtim.tv_nsec);
    return canonical.string() + " " + std::to_string(static_cast<long long>(st.st_size)) + " " +
           std::to_string(mtime_ns);
}

std::string utc_date() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

fs::path shared_fixture(const std::string& name,
                        const std::string& scope,
                        const std::string& key,
                        const std::function<void(const fs::path&)>& make) {
    const fs::path root = binary_dir() / "test-fixtures";
    const std::string prefix = name + "-" + fnv1a_hex(scope) + "-";
    const fs::path folder = root / (prefix + fnv1a_hex(key));
    if (fs::is_directory(folder)) {
        return folder; // folders appear whole, by rename
    }
    fs::create_directories(root);
    const FileLock lock(root / (name + ".lock"));
    if (fs::is_directory(folder)) {
        return folder; // made while this process waited for the lock
    }
    remove_stale(root, name, prefix);
    fs::path building = folder;
    building += ".tmp-cc-" + std::to_string(::getpid());
    fs::create_directory(building);
    const auto started = std::chrono::steady_clock::now();
    try {
        make(building);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(building, ec);
        throw;
    }
    std::error_code ec;
    fs::rename(building, folder, ec);
    if (ec) {
        // Another kind of maker that takes no lock (the browser tests' node) got there first
        // with the same files: keep theirs.
        fs::remove_all(building, ec);
        if (!fs::is_directory(folder)) {
            throw std::runtime_error("could not move " + building.string() + " to " +
                                     folder.string());
        }
        return folder;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // One line per folder made: how many times a run made its fixtures, and how long each took.
    char line[512];
    std::snprintf(line, sizeof line, "%s made by pid %d in %.1f s for %s\n",
                  folder.filename().c_str(), static_cast<int>(::getpid()), seconds, key.c_str());
    append_line(root / "made.log", line);
    return folder;
}

} // namespace wardmap::testing
