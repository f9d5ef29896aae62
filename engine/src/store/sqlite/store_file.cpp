#include "store_file.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <vector>

#include "kpi/error.hpp"

namespace kpi::storefile {
namespace {

constexpr char kSqliteMagic[] = "SQLite format 3";  // with its NUL: the first 16 bytes of every SQLite file
constexpr char kHowToSwitch[] = "init --journal rollback";

std::string kindOf(mode_t mode) {
    if (S_ISREG(mode)) return {};
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::string switchCommand(const std::filesystem::path& path) {
    return "kpi --store " + path.string() + " " + kHowToSwitch;
}

}  // namespace

const char* journalName(Journal journal) { return journal == Journal::Wal ? "wal" : "rollback"; }

std::optional<Journal> parseJournal(const std::string& text) {
    if (text == "wal") return Journal::Wal;
    if (text == "rollback" || text == "delete") return Journal::Rollback;
    return std::nullopt;
}

Filesystem classifyFilesystem(long type) {
    // statfs(2) f_type values (linux/magic.h). Network and cluster file
    // systems share the file between computers but not SQLite's memory-mapped
    // WAL index; FUSE may be either (sshfs, a cloud drive), so it counts as shared.
    switch (static_cast<unsigned long>(type) & 0xffffffffUL) {
        case 0x6969: return {"nfs", true};
        case 0x517B: return {"smb", true};
        case 0xFF534D42: return {"cifs", true};
        case 0xFE534D42: return {"smb2", true};
        case 0x5346414F:
        case 0x6B414653: return {"afs", true};
        case 0x00C36400: return {"ceph", true};
        case 0x73757245: return {"coda", true};
        case 0x564C: return {"ncp", true};
        case 0x01021997: return {"9p", true};
        case 0x7461636F: return {"ocfs2", true};
        case 0x01161970: return {"gfs2", true};
        case 0x0BD00BD0: return {"lustre", true};
        case 0x65735546: return {"fuse", true};
        case 0xEF53: return {"ext4", false};
        case 0x58465342: return {"xfs", false};
        case 0x9123683E: return {"btrfs", false};
        case 0x01021994: return {"tmpfs", false};
        case 0x794C7630: return {"overlay", false};
        default: return {"local", false};
    }
}

Filesystem filesystemOf(const std::filesystem::path& folder) {
    struct statfs info {};
    if (::statfs(folder.empty() ? "." : folder.c_str(), &info) != 0) return {"unknown", false};
    return classifyFilesystem(static_cast<long>(info.f_type));
}

Journal journalFor(const Filesystem& filesystem) { return filesystem.shared ? Journal::Rollback : Journal::Wal; }

namespace {

// The first 100 bytes of the file, read through SQLite's own VFS: its unix
// VFS keeps one record per inode and defers closing a descriptor while other
// connections of this process hold POSIX locks on the file. A plain open(2)
// and close(2) here would drop those locks (POSIX releases every lock of a
// process on a file when any of its descriptors closes): a writer elsewhere
// could then think it is alone, reset the WAL, and leave this process's
// readers on a stale snapshot for ever. nullopt when the file cannot be read.
std::optional<std::array<unsigned char, 100>> readHeader(const std::filesystem::path& path) {
    sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
    if (!vfs) return std::nullopt;
    // A main database's name must come from sqlite3_create_filename().
    const char* name = sqlite3_create_filename(path.c_str(), "", "", 0, nullptr);
    if (!name) return std::nullopt;
    std::vector<unsigned char> storage(static_cast<std::size_t>(vfs->szOsFile) + 16);
    auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
    int flags = 0;
    std::optional<std::array<unsigned char, 100>> header;
    if (vfs->xOpen(vfs, name, file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags) == SQLITE_OK) {
        std::array<unsigned char, 100> bytes{};
        const int rc = file->pMethods->xRead(file, bytes.data(), static_cast<int>(bytes.size()), 0);
        if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) header = bytes;  // a short file reads as zeros
        file->pMethods->xClose(file);
    }
    sqlite3_free_filename(name);
    return header;
}

}  // namespace

Facts inspect(const std::filesystem::path& path) {
    Facts facts;
    const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    facts.filesystem = filesystemOf(folder);
    facts.folderWritable = ::access(folder.c_str(), W_OK) == 0;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return facts;  // missing (or unreachable: the error is SQLite's to say)
    facts.exists = true;
    facts.notAFile = kindOf(info.st_mode);
    if (!facts.notAFile.empty()) return facts;  // never opened: open(2) of a FIFO waits for a writer
    facts.size = static_cast<long long>(info.st_size);
    struct stat shm {};
    facts.walIndexExists = ::stat((path.string() + "-shm").c_str(), &shm) == 0;
    if (facts.size == 0) return facts;
    const auto header = readHeader(path);
    if (!header) {
        facts.unreadable = true;  // SQLite says why when it opens it
        return facts;
    }
    if (std::memcmp(header->data(), kSqliteMagic, sizeof kSqliteMagic) == 0) {
        facts.sqlite = true;
        // Bytes 18 and 19: the file format's write and read versions, 2 in WAL mode.
        facts.journal = (*header)[18] == 2 || (*header)[19] == 2 ? Journal::Wal : Journal::Rollback;
    }
    return facts;
}

void checkOpenable(const Facts& facts, const std::filesystem::path& path, Access access) {
    const std::string store = path.string();
    if (!facts.exists) {
        if (access == Access::Create) return;
        throw Error(Error::Kind::NotFound, "store not found: " + store);
    }
    if (!facts.notAFile.empty())
        throw Error(Error::Kind::Corruption, "store " + store + " is not a file but " + facts.notAFile +
                                                 ": a store is a file made by kpi init");
    // An empty file is a new database to SQLite: Store::init fills it, and a
    // reader is told the store is empty.
    if (facts.size > 0 && !facts.sqlite && !facts.unreadable)
        throw Error(Error::Kind::Corruption, "store is damaged or not a SalesKPI store: " + store +
                                                 ": not an SQLite database (it does not begin with \"SQLite format 3\")");
    if (facts.journal != Journal::Wal || access == Access::Create) return;
    if (facts.filesystem.shared)
        throw Error(Error::Kind::Io,
                    "store " + store + " uses WAL journal mode but lies on a network file system (" +
                        facts.filesystem.name +
                        "), where WAL is not safe: SQLite's shared memory does not reach other computers. Switch it "
                        "to a rollback journal once, with every Calc and writer closed: " + switchCommand(path) +
                        " (docs/store.md)");
    if (access == Access::Read && !facts.folderWritable && !facts.walIndexExists)
        throw Error(Error::Kind::Io,
                    "store " + store + " cannot be read by this user: it uses WAL journal mode, which needs the file " +
                        store + "-shm beside it, and this user may not create files in " +
                        path.parent_path().string() +
                        ". Give Calc users write access to that folder, or switch the store to a rollback journal "
                        "once, with every Calc and writer closed: " + switchCommand(path) + " (docs/store.md)");
}

}  // namespace kpi::storefile
