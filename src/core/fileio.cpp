#include "core/fileio.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

namespace wg {

std::string read_file(const std::string& path) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) fail("%s: cannot open: %s", path.c_str(), strerror(errno));
    std::string out;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    bool bad = ferror(f);
    fclose(f);
    if (bad) fail("%s: read error", path.c_str());
    return out;
}

// Removes "<path>.tmp.<pid>" files (in `dir`, the folder of path) left by writers that were killed
// before their rename: a file whose pid names no running process can never be finished. (A reused pid
// only keeps a stale file around.)
static void sweep_dead_temporaries(const std::string& path, const std::string& dir) {
    std::string prefix = path.substr(dir.empty() ? 0 : dir.size() + 1) + ".tmp.";
    DIR* d = opendir(dir.empty() ? "." : dir.c_str());
    if (!d) return;
    while (const dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size() || name.size() > prefix.size() + 10)
            continue;
        if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
        long long pid = std::stoll(name.substr(prefix.size()));
        if (pid > 0 && pid <= INT32_MAX && pid != getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            unlink((dir.empty() ? name : dir + "/" + name).c_str());
    }
    closedir(d);
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("%s: cannot write: %s", path.c_str(), strerror(errno));
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t w = write(fd, bytes.data() + off, bytes.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            unlink(tmp.c_str());
            fail("%s: write failed: %s", path.c_str(), strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        fail("%s: sync failed: %s", path.c_str(), strerror(e));
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        fail("%s: rename failed: %s", path.c_str(), strerror(e));
    }
    // The rename itself lives in the folder: sync it too, so that after a power cut the folder names
    // either the old file or the new one, never a missing one.
    std::string dir = parent_dir(path);
    int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    sweep_dead_temporaries(path, dir);
}

bool file_exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa, sb;
    return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void make_dirs(const std::string& dir) {
    if (dir.empty()) return;
    std::string cur;
    for (size_t i = 0; i <= dir.size(); i++) {
        if (i == dir.size() || dir[i] == '/') {
            if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
                fail("%s: cannot create folder: %s", cur.c_str(), strerror(errno));
        }
        if (i < dir.size()) cur += dir[i];
    }
    if (access(dir.c_str(), W_OK) != 0) fail("%s: folder is not writable", dir.c_str());
}

std::string parent_dir(const std::string& path) {
    size_t p = path.find_last_of('/');
    return p == std::string::npos ? std::string() : path.substr(0, p);
}

TempDir::TempDir(const std::string& prefix) {
    namespace fs = std::filesystem;
    path = (fs::temp_directory_path() / (prefix + std::to_string(getpid()))).string();
    fs::remove_all(path);
    fs::create_directories(path);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace wg
