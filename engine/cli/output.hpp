// How the `kpi` command prints tables: CSV (SPEC §7), aligned text, or JSON.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace kpi::cli {

enum class Format { Csv, Table, Json };

// SPEC §7: '.' as decimal mark, no thousands separator, at most 6 decimals.
std::string formatNumber(double value);
std::string formatNumber(const std::optional<double>& value);  // "" when absent

// Display width of UTF-8 text in a terminal: code points, less combining marks.
size_t displayWidth(const std::string& text);

struct Cell {
    std::string text;
    bool numeric = false;  // right-aligned in tables, unquoted in JSON
    bool absent = false;   // empty in CSV and tables, null in JSON
};

// A JSON string literal of UTF-8 text.
std::string jsonString(const std::string& text);

class Table {
public:
    explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
    void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out, Format format) const;
    // JSON as one object: `fields` (name, value already JSON text) first, then
    // the rows (as print() writes them) under `rowsName`.
    void printJsonObject(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields,
                         const std::string& rowsName = "rows") const;
    size_t size() const { return rows_.size(); }
    // The rows as a JSON array (no line break after it).
    void printJsonRows(std::ostream& out) const;

private:
    std::vector<std::string> columns_;
    std::vector<std::vector<Cell>> rows_;
};

Cell text(std::string value);
Cell number(double value);
Cell number(const std::optional<double>& value);

}  // namespace kpi::cli
