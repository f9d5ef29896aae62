// The interchange CSV reader (engine/src/csv.cpp) on any bytes: it never
// crashes or loops, moves forward record by record, reports malformed records
// instead of failing, and reads back what a CSV writer would write for the
// fields of a well-formed record.
#include <cstdint>
#include <string>
#include <vector>

#include "csv.hpp"
#include "fuzz_check.hpp"

using kpifuzz::require;

namespace {

std::string quoted(const std::vector<std::string>& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) line += ',';
        line += '"';
        for (char c : fields[i]) {
            if (c == '"') line += '"';
            line += c;
        }
        line += '"';
    }
    return line + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    kpi::csv::Reader reader("fuzz.csv", text);
    std::vector<std::string> fields;
    long long lastLine = 0;
    std::size_t lastPosition = reader.position(), records = 0;
    while (reader.next(fields)) {
        require(reader.line() > lastLine, "each record starts on a later line");
        require(reader.position() > lastPosition, "each record moves the reader forward");
        require(reader.position() <= reader.size(), "the reader stays inside the text");
        require(!fields.empty(), "a record has at least one field");
        require(++records <= size, "at most one record per byte");
        if (reader.error().empty() && records <= 8) {
            for (const auto& field : fields) require(kpi::csv::isValidUtf8(field), "a well-formed record is UTF-8");
            // What a writer quotes, the reader reads back field for field.
            std::vector<std::string> again;
            kpi::csv::Reader echo("echo.csv", quoted(fields));
            require(echo.next(again) && echo.error().empty() && again == fields, "quoted fields read back");
        }
        lastLine = reader.line();
        lastPosition = reader.position();
    }
    require(!reader.next(fields), "the end of the text stays the end");
    require(kpi::csv::Reader("same.csv", text).fingerprint() == reader.fingerprint(), "equal bytes, equal fingerprint");
    return 0;
}
