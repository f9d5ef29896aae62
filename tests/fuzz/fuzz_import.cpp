// The whole import (SPEC §3) on any file contents, into a real store that
// already holds a small distributor: an import either succeeds or is rejected
// with InvalidData (FILE:LINE errors), and a rejected import leaves every table
// as it was. Never a crash, another kind of error, or a half-written store.
//
// An input is up to four files separated by NUL bytes; each file's first byte
// chooses its kind (employees.csv … holidays.csv), the rest is its content.
// Each input starts from a copy of the same store, so runs do not depend on
// each other.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "store/sqlite/sqlite.hpp"

using kpifuzz::require;
namespace fs = std::filesystem;

namespace {

const char* const kKinds[] = {"employees.csv", "outlets.csv", "products.csv", "routes.csv",  "visits.csv",
                              "orders.csv",    "order_lines.csv", "kpis.csv", "targets.csv", "holidays.csv"};

const char* const kBase[][2] = {
    {"employees.csv",
     "code,name,role,manager_code,department,region,start_date,end_date\n"
     "M1,Trần Văn Hùng,SS,,GT,HCM,2020-01-01,\nS1,Nguyễn Thị Lan,SR,M1,GT,HCM,2020-01-01,\n"},
    {"outlets.csv", "code,name,channel,province,created_date,created_by\nO1,Tạp hóa Cô Ba,GT,HCM,2025-01-01,S1\n"},
    {"products.csv", "sku,name,category,brand\nP1,Sữa tươi,Dairy,VinaMilk\nP2,Bánh,Snack,Oishi\n"},
    {"orders.csv",
     "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
     "A1,S1,O1,2026-11-02 08:10:00,sale,approved,\n"},
    {"order_lines.csv", "order_code,line_no,sku,quantity,amount\nA1,1,P1,10,100000\nA1,2,P2,1,5000\n"},
    {"kpis.csv", "code,type,name_vi,name_en,description,applies_to,unit,params,cap\nDS,SALES,Doanh số,Sales,,SR,VND,,\n"},
    {"targets.csv",
     "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\nS1,DS,MONTH,2026-11-01,2026-11-30,1,\n"},
};

struct Workspace {
    fs::path dir, base, store;
    Workspace() {
        dir = fs::temp_directory_path() / ("kpi-fuzz-import-" + std::to_string(getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "base");
        base = dir / "base.sqlite";
        store = dir / "store.sqlite";
        kpi::Store::init(base);
        std::vector<fs::path> files;
        for (const auto& [name, text] : kBase) {
            files.push_back(dir / "base" / name);
            std::ofstream(files.back(), std::ios::binary) << text;
        }
        kpi::Store::open(base, kpi::Store::Mode::ReadWrite)->import(files, {});
    }
    ~Workspace() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
};

// Rows per table: what a rejected import must leave as it was.
std::string tableCounts(const fs::path& store) {
    kpi::sql::SqliteDatabase db(store, kpi::sql::Open::ReadOnly);
    std::string counts;
    for (const char* table : {"employees", "outlets", "products", "routes", "visits", "orders", "order_lines", "kpis",
                              "targets", "holidays", "target_history", "changes"}) {
        auto st = db.prepare(std::string("SELECT count(*) FROM ") + table);
        st.step();
        counts += std::string(table) + "=" + std::to_string(st.int64(0)) + ";";
    }
    return counts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Workspace workspace;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(workspace.store.string() + suffix);
    fs::copy_file(workspace.base, workspace.store);

    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<fs::path> files;
    std::size_t start = 0;
    while (start < input.size() && files.size() < 4) {
        std::size_t end = input.find('\0', start);
        if (end == std::string_view::npos) end = input.size();
        const std::string_view chunk = input.substr(start, end - start);
        start = end + 1;
        if (chunk.empty()) continue;
        const fs::path folder = workspace.dir / ("in" + std::to_string(files.size()));
        fs::create_directories(folder);
        files.push_back(folder / kKinds[static_cast<unsigned char>(chunk[0]) % 10]);
        std::ofstream(files.back(), std::ios::binary | std::ios::trunc) << chunk.substr(1);
    }
    if (files.empty()) return 0;

    const std::string before = tableCounts(workspace.store);
    try {
        kpi::Store::open(workspace.store, kpi::Store::Mode::ReadWrite)->import(files, {});
    } catch (const kpi::Error& e) {
        require(e.kind() == kpi::Error::Kind::InvalidData, "an import fails only for its data");
        require(std::string_view(e.what()).find("the store is unchanged") != std::string_view::npos,
                "a rejection says the store is unchanged");
        require(tableCounts(workspace.store) == before, "a rejected import changes nothing");
    }
    return 0;
}
