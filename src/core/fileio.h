// Whole-file reads and crash-safe writes. Every artifact is written to "<path>.tmp.<pid>", synced,
// then renamed over <path>, so a crash or a full disk never leaves a half-written file behind; the next
// successful write of <path> removes the temporaries of writers that were killed.
#pragma once
#include <string>
#include <string_view>

namespace wg {

std::string read_file(const std::string& path);
void write_file_atomic(const std::string& path, std::string_view bytes);
bool file_exists(const std::string& path);
// True when both paths exist and name the same file or folder (however they are spelled).
bool same_file(const std::string& a, const std::string& b);
// mkdir -p; fails with the folder's name when it cannot be made or written.
void make_dirs(const std::string& dir);
std::string parent_dir(const std::string& path);

// A fresh folder "<system temp>/<prefix><pid>", removed with everything in it when the object goes
// (also when an error unwinds the stack).
struct TempDir {
    std::string path;
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string at(const std::string& name) const { return path + "/" + name; }
};

}  // namespace wg
