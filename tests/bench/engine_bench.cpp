// Incremental refresh against a full rebuild, on a real store (issue
// "Benchmarks and speed", item 3). Usage:
//   engine_bench STORE NEW_ORDER_SET_DIR...
// Each NEW_ORDER_SET_DIR holds orders.csv and order_lines.csv of fresh orders.
// For each set: import it (not timed), then time Engine::refresh() on the
// engine that was loaded before, and a full load of a new Engine. Checks that
// both give the same figures. Prints one JSON object.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: engine_bench STORE NEW_ORDER_SET_DIR...\n";
        return 2;
    }
    try {
        std::filesystem::path store = argv[1];
        auto t0 = Clock::now();
        kpi::Engine engine(store);
        double firstLoad = secondsSince(t0);
        auto employees = engine.employees();
        std::vector<double> incremental, rebuild;
        int mismatches = 0;
        for (int i = 2; i < argc; ++i) {
            std::filesystem::path dir = argv[i];
            {
                auto s = kpi::Store::open(store, kpi::Store::Mode::ReadWrite);
                s->import({dir / "orders.csv", dir / "order_lines.csv"}, {"bench", nullptr});
            }
            auto t1 = Clock::now();
            bool changed = engine.refresh();
            incremental.push_back(secondsSince(t1));
            auto t2 = Clock::now();
            kpi::Engine fresh(store);
            rebuild.push_back(secondsSince(t2));
            if (!changed) {
                std::cerr << "refresh saw no change after importing " << dir << '\n';
                ++mismatches;
            }
            // The folded-in engine must agree with the rebuilt one.
            auto state = fresh.state();
            std::string month = state.latestActivity.substr(0, 7);
            auto period = kpi::parsePeriod(month);
            for (const auto& kpiCode : {"SALES", "PC", "ASO", "LPPC", "VISITS"}) {
                for (size_t e = 0; e < employees.size(); e += 7) {
                    auto a = engine.figures(employees[e].code, kpiCode, *period, 0).actual;
                    auto b = fresh.figures(employees[e].code, kpiCode, *period, 0).actual;
                    if (std::fabs(a - b) > 1e-6 * std::max(1.0, std::fabs(b))) {
                        std::cerr << employees[e].code << " " << kpiCode << " " << month << ": incremental " << a
                                  << ", rebuilt " << b << '\n';
                        ++mismatches;
                    }
                }
                auto a = engine.figures("*", kpiCode, *period, 0).actual;
                auto b = fresh.figures("*", kpiCode, *period, 0).actual;
                if (std::fabs(a - b) > 1e-6 * std::max(1.0, std::fabs(b))) {
                    std::cerr << "* " << kpiCode << " " << month << ": incremental " << a << ", rebuilt " << b << '\n';
                    ++mismatches;
                }
            }
        }
        auto median = [](std::vector<double> v) {
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        };
        double inc = median(incremental), full = median(rebuild);
        std::printf("{\"first_load_s\": %.6f, \"incremental_s\": %.6f, \"rebuild_s\": %.6f, \"ratio\": %.1f, "
                    "\"rounds\": %zu, \"mismatches\": %d}\n",
                    firstLoad, inc, full, full / inc, incremental.size(), mismatches);
        return mismatches == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "engine_bench: " << e.what() << '\n';
        return 1;
    }
}
