// A KPI's `params` (SPEC §3: key=value;key=value) on any text: it is read or
// refused with a reason, and what is read reads back from its own canonical text.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "kpi_types.hpp"

using kpifuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    const auto params = kpi::parseKpiParams(text, error);
    if (!params) {
        require(!error.empty(), "a refusal says why");
        return 0;
    }
    require(std::is_sorted(params->skus.begin(), params->skus.end()), "SKUs are sorted");
    require(std::adjacent_find(params->skus.begin(), params->skus.end()) == params->skus.end(), "SKUs are distinct");
    for (const auto& sku : params->skus) require(!sku.empty() && sku.find('|') == std::string::npos, "SKUs are whole");
    require(params->hasLineFilter() == !params->filterKey().empty(), "a line filter has a key");
    std::string canonical;
    if (!params->skus.empty()) {
        canonical += "skus=";
        for (size_t i = 0; i < params->skus.size(); ++i) canonical += (i ? "|" : "") + params->skus[i];
        canonical += ';';
    }
    if (!params->category.empty()) canonical += "category=" + params->category + ";";
    if (!params->brand.empty()) canonical += "brand=" + params->brand + ";";
    canonical += params->requireOrder ? "require_order=true" : "require_order=false";
    std::string again;
    const auto reread = kpi::parseKpiParams(canonical, again);
    require(reread && reread->filterKey() == params->filterKey() && reread->requireOrder == params->requireOrder,
            "params read back from their canonical text");
    return 0;
}
