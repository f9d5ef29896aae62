#include "targets_sheet.hpp"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "kpi/error.hpp"
#include "kpi/store.hpp"

namespace saleskpi::addin {
namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string fieldText(const SheetCell& cell, kpi::Day nullDate) {
    if (const auto* number = std::get_if<double>(&cell.value)) {
        if (cell.isDate && std::isfinite(*number))
            return kpi::formatDay(nullDate + static_cast<kpi::Day>(std::floor(*number)));
        return plainDecimal(*number);
    }
    if (const auto* text = std::get_if<std::string>(&cell.value)) return *text;
    return {};
}

// RFC 4180: quoted when it holds a separator, a quote or a line break.
std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

// A private folder for the CSV file, removed with the object.
class TemporaryFolder {
public:
    TemporaryFolder() {
        std::string pattern = (std::filesystem::temp_directory_path() / "saleskpi-targets-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw std::system_error(errno, std::generic_category(), "cannot create a temporary folder");
        path_ = pattern;
    }
    ~TemporaryFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace

bool isSuggestionColumn(std::string_view name) {
    return std::find(kSuggestionColumns.begin(), kSuggestionColumns.end(), trim(name)) != kSuggestionColumns.end();
}

std::string plainDecimal(double value) {
    if (!std::isfinite(value)) return "NaN";  // the import rejects it, naming the row
    if (value == 0) return "0";               // also -0
    char buffer[400];
    // The shortest fixed notation that reads back as the same double.
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return std::string(buffer, result.ptr);
}

TargetsCsv targetsCsvFromSheet(const std::vector<std::vector<SheetCell>>& rows, kpi::Day nullDate) {
    TargetsCsv csv;
    if (rows.empty()) return csv;
    std::vector<std::size_t> columns;  // those with a name in row 1, but the review columns
    for (std::size_t column = 0; column < rows.front().size(); ++column) {
        const std::string name(trim(fieldText(rows.front()[column], nullDate)));
        if (!name.empty() && !isSuggestionColumn(name)) columns.push_back(column);
    }

    long long line = 1;
    for (std::size_t row = 0; row < rows.size(); ++row) {
        std::vector<std::string> fields;
        bool empty = true;
        for (const std::size_t column : columns) {
            std::string text = column < rows[row].size() ? fieldText(rows[row][column], nullDate) : std::string();
            if (row == 0) text = std::string(trim(text));
            if (!trim(text).empty()) empty = false;
            fields.push_back(std::move(text));
        }
        if (row > 0 && empty) continue;
        std::string record;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i > 0) record += ',';
            record += csvField(fields[i]);
        }
        record += '\n';
        csv.sheetRowOfLine[line] = static_cast<long long>(row) + 1;
        line += static_cast<long long>(std::count(record.begin(), record.end(), '\n'));
        csv.text += record;
        if (row > 0) ++csv.targetRows;
    }
    return csv;
}

std::string inSheetTerms(std::string_view message, const std::string& csvPath, const TargetsCsv& csv,
                         std::string_view sheet) {
    const std::string prefix = csvPath + ":";
    std::string out;
    std::size_t at = 0;
    while (true) {
        const auto found = message.find(prefix, at);
        if (found == std::string_view::npos) break;
        std::size_t digits = found + prefix.size();
        while (digits < message.size() && message[digits] >= '0' && message[digits] <= '9') ++digits;
        out.append(message.substr(at, found - at));
        if (digits == found + prefix.size()) {
            out += std::string(sheet) + " sheet";  // the file as a whole
            at = found + csvPath.size();
            continue;
        }
        const long long line =
            std::stoll(std::string(message.substr(found + prefix.size(), digits - found - prefix.size())));
        // A line inside a record (a line break in a cell) belongs to the record started above it.
        auto row = csv.sheetRowOfLine.upper_bound(line);
        const long long sheetRow = row == csv.sheetRowOfLine.begin() ? line : std::prev(row)->second;
        out += std::string(sheet) + " row " + std::to_string(sheetRow);
        at = digits;
    }
    out.append(message.substr(at));
    return out;
}

TargetsPublication publishTargets(const std::filesystem::path& store, const TargetsCsv& csv, const std::string& user,
                                  std::string_view sheet) {
    const std::string sheetName(sheet);
    if (csv.text.empty())
        return {false, "Nothing was published: the " + sheetName +
                           " sheet has no header row (employee_code, kpi_code, period_type, valid_from, valid_to, "
                           "target, weight)."};
    if (csv.targetRows == 0)
        return {false, "Nothing was published: the " + sheetName + " sheet has no target below its header row."};
    std::string file;  // named in the import's messages
    try {
        const TemporaryFolder folder;
        file = (folder.path() / "targets.csv").string();
        {
            std::ofstream out(file, std::ios::binary);
            out << csv.text;
            out.close();
            if (!out) throw kpi::Error(kpi::Error::Kind::Io, "cannot write " + file);
        }
        const kpi::ImportSummary summary =
            kpi::Store::open(store, kpi::Store::Mode::ReadWrite)->import({file}, kpi::ImportOptions{user, {}});
        std::string message = "Published the " + sheetName + " sheet to " + store.string() + " as " + user + ": " +
                              std::to_string(csv.targetRows) + (csv.targetRows == 1 ? " target, " : " targets, ") +
                              std::to_string(summary.rowsChanged) + " changed.";
        for (const auto& warning : summary.warnings) message += "\n" + inSheetTerms(warning, file, csv, sheet);
        return {true, message};
    } catch (const kpi::Error& error) {
        // InvalidData lists every bad row as "FILE:LINE: message".
        std::string message = "Nothing was published; the store is unchanged.\n";
        message += file.empty() ? std::string(error.what()) : inSheetTerms(error.what(), file, csv, sheet);
        return {false, message};
    } catch (const std::exception& error) {
        return {false, std::string("Nothing was published: ") + error.what()};
    } catch (...) {
        return {false, "Nothing was published: unexpected error"};
    }
}

std::string auditUserName(std::string_view givenName, std::string_view surname, const std::string& login) {
    std::string name(trim(givenName));
    if (const std::string_view last = trim(surname); !last.empty()) {
        if (!name.empty()) name += ' ';
        name += last;
    }
    return name.empty() ? login : name;
}

std::string loginName() {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name &&
        *found->pw_name)
        return found->pw_name;
    for (const char* variable : {"LOGNAME", "USER"})
        if (const char* value = std::getenv(variable); value && *value) return value;
    return "unknown";
}

}  // namespace saleskpi::addin
