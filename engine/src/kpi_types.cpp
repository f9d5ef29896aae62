#include "kpi_types.hpp"

#include <algorithm>
#include <array>

namespace kpi {
namespace {

constexpr std::array<std::string_view, 13> kNames = {"SALES",       "VOLUME",       "PC",           "LPPC",
                                                     "ASO",         "UB",           "COVERAGE",     "NEW_OUTLETS",
                                                     "FOCUS_SALES", "FOCUS_OUTLETS", "VISITS",      "STRIKE_RATE",
                                                     "DROP_SIZE"};

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t end = text.find(sep, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<KpiType> parseKpiType(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<KpiType>(i);
    return std::nullopt;
}

std::string_view kpiTypeName(KpiType type) { return kNames[static_cast<size_t>(type)]; }

std::pair<std::string_view, std::string_view> kpiTypeTitles(KpiType type) {
    // As docs/kpis.md names them.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> titles = {{
        {"Doanh số", "Sales"},
        {"Sản lượng", "Volume"},
        {"Số đơn thành công", "Productive calls"},
        {"Số dòng SKU trên mỗi đơn thành công", "Lines per productive call"},
        {"Số điểm bán có đơn", "Active selling outlets"},
        {"Độ phủ tuyến", "Universe: outlets on route"},
        {"Tỷ lệ phủ", "Coverage"},
        {"Điểm bán mới", "New outlets"},
        {"Doanh số SKU trọng tâm", "Focus SKU sales"},
        {"Số điểm bán có SKU trọng tâm", "Outlets buying focus SKUs"},
        {"Số lượt viếng thăm", "Visits"},
        {"Tỷ lệ thành công", "Strike rate"},
        {"Giá trị trung bình mỗi đơn", "Drop size"},
    }};
    return titles[static_cast<size_t>(type)];
}

bool isAdditive(KpiType type) {
    switch (type) {
    case KpiType::Sales:
    case KpiType::Volume:
    case KpiType::Pc:
    case KpiType::Visits:
    case KpiType::FocusSales:
    case KpiType::NewOutlets:
        return true;
    default:
        return false;
    }
}

std::string KpiParams::filterKey() const {
    if (!hasLineFilter()) return {};
    std::string key = "skus=";
    for (const auto& s : skus) key += s + "|";
    key += ";category=" + category + ";brand=" + brand;
    return key;
}

std::optional<KpiParams> parseKpiParams(std::string_view text, std::string& error) {
    KpiParams params;
    text = trim(text);
    if (text.empty()) return params;
    std::vector<std::string> seen;
    for (auto item : split(text, ';')) {
        item = trim(item);
        if (item.empty()) continue;
        auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            error = "params item '" + std::string(item) + "' is not key=value";
            return std::nullopt;
        }
        std::string key(trim(item.substr(0, eq)));
        std::string_view value = trim(item.substr(eq + 1));
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            error = "params key '" + key + "' given twice";
            return std::nullopt;
        }
        seen.push_back(key);
        if (value.empty()) {
            error = "params key '" + key + "' has no value";
            return std::nullopt;
        }
        if (key == "skus") {
            for (auto sku : split(value, '|')) {
                sku = trim(sku);
                if (sku.empty()) {
                    error = "params skus has an empty SKU";
                    return std::nullopt;
                }
                params.skus.emplace_back(sku);
            }
            std::sort(params.skus.begin(), params.skus.end());
            params.skus.erase(std::unique(params.skus.begin(), params.skus.end()), params.skus.end());
        } else if (key == "category") {
            params.category = value;
        } else if (key == "brand") {
            params.brand = value;
        } else if (key == "require_order") {
            if (value == "true") params.requireOrder = true;
            else if (value == "false") params.requireOrder = false;
            else {
                error = "params require_order must be true or false, not '" + std::string(value) + "'";
                return std::nullopt;
            }
        } else {
            error = "params key '" + key + "' is unknown (known: skus, category, brand, require_order)";
            return std::nullopt;
        }
    }
    return params;
}

}  // namespace kpi
