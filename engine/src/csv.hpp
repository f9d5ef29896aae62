// An RFC 4180 reader for the interchange files: UTF-8 (BOM tolerated), LF or
// CRLF, quoted fields with doubled quotes and embedded line breaks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kpi::csv {

class Reader {
public:
    // Reads the whole file. Throws Error Io when it cannot be read.
    explicit Reader(const std::filesystem::path& path);
    // For tests: parses text as if it were a file named `name`.
    Reader(std::string name, std::string text);

    // Reads the next record into fields; false at the end of the file. Throws
    // nothing: a malformed record sets error() and is returned as read so far.
    bool next(std::vector<std::string>& fields);
    // The physical line the last record started on (the header is line 1).
    long long line() const { return recordLine_; }
    // Non-empty when the last record was malformed (unbalanced quote, invalid UTF-8).
    const std::string& error() const { return error_; }
    const std::string& name() const { return name_; }
    // Bytes consumed so far and in total, for progress.
    size_t position() const { return pos_; }
    size_t size() const { return text_.size(); }
    // A 64-bit digest of every byte read (BOM included): two reads of a file
    // with equal fingerprints read the same bytes, short of a deliberate
    // collision. The import uses it to know that the file it writes is the
    // file it checked.
    std::uint64_t fingerprint() const;

private:
    std::string name_;
    std::unique_ptr<char[]> fileText_;  // a file's bytes (not zero-filled before they are read)
    std::string givenText_;
    std::string_view text_;  // one of the two
    size_t pos_ = 0;
    long long physicalLine_ = 1;
    long long recordLine_ = 0;
    std::string error_;
};

// True when text is well-formed UTF-8.
bool isValidUtf8(std::string_view text);

}  // namespace kpi::csv
