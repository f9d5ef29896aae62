// A plan component's payout curve (SPEC §9: `x:y|x:y|…`, rewards/plan.hpp) on
// any text: it is read or refused with a reason; a curve read has attainments
// strictly increasing and factors ≥ 0, and its factor at any attainment, in
// either mode, is 0 below the first point, the point's own y at each point, and
// never outside the factors of the two points around it.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "rewards/exact.hpp"
#include "rewards/plan.hpp"

using kpifuzz::require;
using kpi::rewards::Curve;
using kpi::rewards::CurveMode;
using kpi::rewards::Rational;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    const auto curve = Curve::parse(text, error);
    if (!curve) {
        require(!error.empty(), "a refusal says why");
        return 0;
    }
    const auto& points = curve->points();
    require(!points.empty(), "a curve has a point");
    for (size_t i = 0; i < points.size(); ++i) {
        require(points[i].y >= 0, "factors are not negative");
        if (i) require(points[i - 1].x < points[i].x, "attainments strictly increase");
    }
    // Only a few points: exact arithmetic on long decimals is slow, not wrong.
    const size_t checked = std::min<size_t>(points.size(), 8);
    for (CurveMode mode : {CurveMode::Linear, CurveMode::Step}) {
        require(curve->factor(points.front().x - 1, mode) == 0, "nothing below the first point");
        for (size_t i = 0; i < checked; ++i) {
            require(curve->factor(points[i].x, mode) == points[i].y, "a point's own factor at its attainment");
            if (i + 1 < points.size()) {
                const Rational middle = (points[i].x + points[i + 1].x) / 2;
                const Rational f = curve->factor(middle, mode);
                require(f >= std::min(points[i].y, points[i + 1].y) && f <= std::max(points[i].y, points[i + 1].y),
                        "between two points, a factor between theirs");
            }
        }
        require(curve->factor(points.back().x + 1, mode) == points.back().y, "the last factor beyond the last point");
    }
    return 0;
}
