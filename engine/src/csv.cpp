#include "csv.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "kpi/error.hpp"

namespace kpi::csv {

bool isValidUtf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t extra = 0;
        unsigned cp = 0;
        if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
        else return false;
        if (i + extra >= n) return false;
        for (size_t k = 1; k <= extra; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

Reader::Reader(const std::filesystem::path& path) : name_(path.filename().string()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(Error::Kind::Io, "cannot read " + path.string());
    // One read into a buffer of the file's size (+1 to meet the end without
    // growing): reading through a growing string copies a large file several
    // times, and a string zero-fills its buffer before the read overwrites it.
    std::error_code sizeUnknown;
    auto expected = std::filesystem::file_size(path, sizeUnknown);
    size_t capacity = sizeUnknown ? size_t{1} << 16 : static_cast<size_t>(expected) + 1;
    size_t size = 0;
    fileText_.reset(new char[capacity]);
    while (true) {
        in.read(fileText_.get() + size, static_cast<std::streamsize>(capacity - size));
        if (in.bad()) throw Error(Error::Kind::Io, "cannot read " + path.string());
        size += static_cast<size_t>(in.gcount());
        if (size < capacity) break;
        // The file is longer than it was said to be: keep reading.
        std::unique_ptr<char[]> larger(new char[capacity * 2]);
        std::copy(fileText_.get(), fileText_.get() + size, larger.get());
        fileText_ = std::move(larger);
        capacity *= 2;
    }
    text_ = std::string_view(fileText_.get(), size);
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
}

std::uint64_t Reader::fingerprint() const {
    // Eight bytes per step, each word multiplied in and the state rotated, then
    // a final mix: fast enough to be lost in the time a file takes to parse.
    constexpr std::uint64_t k1 = 0x9E3779B97F4A7C15ull, k2 = 0xC2B2AE3D27D4EB4Full;
    auto mix = [&](std::uint64_t h, std::uint64_t word) {
        h ^= word * k2;
        return ((h << 31) | (h >> 33)) * k1;
    };
    const char* bytes = text_.data();
    const size_t n = text_.size();
    std::uint64_t h = static_cast<std::uint64_t>(n) * k1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes + i, 8);
        h = mix(h, word);
    }
    std::uint64_t tail = 0;
    if (i < n) std::memcpy(&tail, bytes + i, n - i);
    h = mix(h, tail);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

Reader::Reader(std::string name, std::string text) : name_(std::move(name)), givenText_(std::move(text)) {
    text_ = givenText_;
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
}

bool Reader::next(std::vector<std::string>& fields) {
    // Fields are overwritten in place, so that a caller reading record after
    // record into the same vector reuses its strings' buffers.
    size_t count = 0;
    auto nextField = [&]() -> std::string& {
        if (count == fields.size()) fields.emplace_back();
        std::string& field = fields[count++];
        field.clear();
        return field;
    };
    error_.clear();
    const size_t n = text_.size();
    // Blank lines between records carry nothing; skip them.
    while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
        if (text_[pos_] == '\n') ++physicalLine_;
        ++pos_;
    }
    if (pos_ >= n) {
        fields.clear();
        return false;
    }
    recordLine_ = physicalLine_;
    size_t recordStart = pos_;
    while (true) {
        std::string& field = nextField();
        if (pos_ < n && text_[pos_] == '"') {
            ++pos_;
            bool closed = false;
            while (pos_ < n) {
                size_t quote = text_.find('"', pos_);
                if (quote == std::string::npos) break;
                for (size_t k = pos_; k < quote; ++k)
                    if (text_[k] == '\n') ++physicalLine_;
                field.append(text_.data() + pos_, quote - pos_);
                pos_ = quote + 1;
                if (pos_ < n && text_[pos_] == '"') {
                    field.push_back('"');
                    ++pos_;
                } else {
                    closed = true;
                    break;
                }
            }
            if (!closed) {
                error_ = "unterminated quoted field";
                pos_ = n;
                fields.resize(count);
                return true;
            }
            if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r' && error_.empty())
                error_ = "unexpected text after a closing quote";
            // Skip to the field's end either way so the record still splits.
            while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
        } else {
            size_t end = pos_;
            while (end < n && text_[end] != ',' && text_[end] != '\n' && text_[end] != '\r') ++end;
            field.assign(text_.data() + pos_, end - pos_);
            if (field.find('"') != std::string::npos && error_.empty()) error_ = "quote inside an unquoted field";
            pos_ = end;
        }
        if (pos_ >= n) break;
        if (text_[pos_] == ',') {
            ++pos_;
            continue;
        }
        // End of record: LF or CRLF (a lone CR also ends it).
        if (text_[pos_] == '\r') ++pos_;
        if (pos_ < n && text_[pos_] == '\n') ++pos_;
        ++physicalLine_;
        break;
    }
    fields.resize(count);
    if (error_.empty() && !isValidUtf8(text_.substr(recordStart, pos_ - recordStart)))
        error_ = "text is not valid UTF-8";
    return true;
}

}  // namespace kpi::csv
