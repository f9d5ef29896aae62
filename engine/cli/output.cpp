#include "output.hpp"

#include <cmath>
#include <cstdio>

namespace kpi::cli {

std::string formatNumber(double value) {
    if (!std::isfinite(value)) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    std::string s(buf);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string formatNumber(const std::optional<double>& value) { return value ? formatNumber(*value) : std::string(); }

size_t displayWidth(const std::string& text) {
    size_t width = 0;
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        unsigned cp = c;
        size_t len = 1;
        if (c >= 0xF0) { len = 4; cp = c & 0x07; }
        else if (c >= 0xE0) { len = 3; cp = c & 0x0F; }
        else if (c >= 0xC0) { len = 2; cp = c & 0x1F; }
        for (size_t k = 1; k < len && i + k < text.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        bool combining = (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
                         (cp >= 0x20D0 && cp <= 0x20FF);
        if (!combining) ++width;
        i += len;
    }
    return width;
}

Cell text(std::string value) { return Cell{std::move(value), false, false}; }
Cell number(double value) { return Cell{formatNumber(value), true, false}; }
Cell number(const std::optional<double>& value) { return Cell{formatNumber(value), true, !value}; }

namespace {

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

void Table::printJsonRows(std::ostream& out) const {
    out << "[";
    for (size_t r = 0; r < rows_.size(); ++r) {
        out << (r ? ",\n " : "\n ") << "{";
        for (size_t c = 0; c < columns_.size(); ++c) {
            const Cell& cell = rows_[r][c];
            out << (c ? ", " : "") << jsonString(columns_[c]) << ": ";
            if (cell.absent) out << "null";
            else if (cell.numeric) out << (cell.text.empty() ? "null" : cell.text);
            else out << jsonString(cell.text);
        }
        out << "}";
    }
    out << (rows_.empty() ? "]" : "\n]");
}

void Table::printJsonObject(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields,
                            const std::string& rowsName) const {
    out << "{";
    for (const auto& [name, value] : fields) out << jsonString(name) << ": " << value << ", ";
    out << jsonString(rowsName) << ": ";
    printJsonRows(out);
    out << "}\n";
}

void Table::print(std::ostream& out, Format format) const {
    switch (format) {
    case Format::Csv:
        for (size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << columns_[c];
        out << '\n';
        for (const auto& row : rows_) {
            for (size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csvField(row[c].text);
            out << '\n';
        }
        break;
    case Format::Json:
        printJsonRows(out);
        out << "\n";
        break;
    case Format::Table: {
        std::vector<size_t> width(columns_.size());
        for (size_t c = 0; c < columns_.size(); ++c) width[c] = displayWidth(columns_[c]);
        for (const auto& row : rows_)
            for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], displayWidth(row[c].text));
        auto line = [&](const std::vector<Cell>& cells) {
            std::string s;
            for (size_t c = 0; c < cells.size(); ++c) {
                size_t pad = width[c] - displayWidth(cells[c].text);
                if (c) s += "  ";
                if (cells[c].numeric) s += std::string(pad, ' ') + cells[c].text;
                else s += cells[c].text + (c + 1 < cells.size() ? std::string(pad, ' ') : std::string());
            }
            while (!s.empty() && s.back() == ' ') s.pop_back();
            out << s << '\n';
        };
        std::vector<Cell> header;
        for (const auto& name : columns_) header.push_back(text(name));
        line(header);
        std::vector<Cell> rule;
        for (size_t c = 0; c < columns_.size(); ++c) rule.push_back(text(std::string(width[c], '-')));
        line(rule);
        for (const auto& row : rows_) line(row);
        break;
    }
    }
}

}  // namespace kpi::cli
