// What a store's file is, found out before SQLite opens it, and the journal
// mode its location calls for (docs/store.md#journal-mode-and-shared-folders).
//
// SQLite opens whatever a path names: open(2) of a FIFO waits for a writer
// for ever, /dev/zero reads as an empty database, and a WAL store in a folder
// the reader cannot write fails with "attempt to write a readonly database".
// inspect() looks first — stat(2) (a FIFO, directory or device is never
// opened), then the 100-byte header read through SQLite's own VFS (never a
// descriptor of our own: closing one would drop the POSIX locks SQLite holds
// on the file) — so that a connection is only ever opened on a regular SQLite
// file, and checkOpenable() says in words what is wrong otherwise.
//
// inspect() can still block where the file system itself does not answer (a
// network share that is down): callers that must not wait (the Calc add-in)
// call it on a thread they can leave behind. Thread-safe: no shared state.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace kpi::storefile {

enum class Journal { Rollback, Wal };

// "wal" or "rollback".
const char* journalName(Journal journal);
// "wal" → Wal, "rollback" (or "delete") → Rollback; nullopt otherwise.
std::optional<Journal> parseJournal(const std::string& text);

struct Filesystem {
    std::string name;     // "ext4", "nfs", "cifs", … ("unknown" when statfs failed)
    bool shared = false;  // a network or cluster file system: SQLite's WAL is not safe there
};

// The file system of a statfs() f_type. Unknown types count as local.
Filesystem classifyFilesystem(long type);
// The file system holding `folder` (statfs); unknown and local when it fails.
Filesystem filesystemOf(const std::filesystem::path& folder);

// WAL on a local disk, a rollback journal on a network file system.
Journal journalFor(const Filesystem& filesystem);

struct Facts {
    bool exists = false;
    std::string notAFile;  // "" for a regular file, else what it is: "a directory", "a FIFO (named pipe)", …
    long long size = 0;
    bool unreadable = false;  // its header could not be read (SQLite will say why)
    bool sqlite = false;      // the header says "SQLite format 3"
    std::optional<Journal> journal;  // from the header, for an SQLite file
    Filesystem filesystem;           // of the folder
    bool folderWritable = false;     // this process may create files beside the store
    bool walIndexExists = false;     // <store>-shm exists
};

Facts inspect(const std::filesystem::path& path);

// How a connection means to use the file.
enum class Access { Read, Write, Create };

// Throws the kpi::Error a connection with this access would run into, in
// words that say what to do; returns when SQLite may open the file.
// Missing file: NotFound (except Create). Not a regular file, not an SQLite
// file: Corruption. A WAL store on a network file system
// (except Create, which switches it), or a WAL store a reader cannot open
// because it cannot create <store>-shm: Io.
void checkOpenable(const Facts& facts, const std::filesystem::path& path, Access access);

}  // namespace kpi::storefile
