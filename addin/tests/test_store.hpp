// A tiny SalesKPI store for the add-in's unit tests: one supervisor with two
// salespeople, Vietnamese names, one approved order each, one pending.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "kpi/store.hpp"

namespace saleskpi::addin::testing {

// A fresh directory under the system's temp directory, removed at the end.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "saleskpi-addin-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline void writeText(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
}

// Makes the store at `location` (an SQLite path or a PostgreSQL conninfo) and
// imports the tiny data set into it, from CSV files written under dir.
inline void fillTinyStore(const std::filesystem::path& dir, const std::string& location) {
    const auto csv = dir / "csv";
    std::filesystem::create_directories(csv);
    writeText(csv / "employees.csv",
              "code,name,role,manager_code,department,region,start_date,end_date\n"
              "SS01,Nguyễn Văn An,SS,,Sales HCM,South,2025-01-01,\n"
              "SR01,Trần Thị Bình,SR,SS01,Sales HCM,South,2025-01-01,\n"
              "SR02,Lê Văn Cường,SR,SS01,Sales HCM,South,2025-01-01,\n");
    writeText(csv / "outlets.csv",
              "code,name,channel,province,created_date,created_by\n"
              "O1,Tạp hóa Cô Ba,GT,HCM,2025-02-01,SR01\n"
              "O2,Cửa hàng Hương Quê,GT,HCM,2025-02-01,SR02\n");
    writeText(csv / "products.csv", "sku,name,category,brand\nP1,Nước mắm 500ml,Sauce,Acme\n");
    writeText(csv / "kpis.csv",
              "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
              "REV,SALES,Doanh số,Revenue,,,VND,,\n");
    writeText(csv / "targets.csv",
              "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
              "SR01,REV,MONTH,2026-01-01,2026-12-31,1000000,1\n");
    writeText(csv / "orders.csv",
              "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
              "SO1,SR01,O1,2026-11-02 09:00:00,sale,approved,2026-11-02 10:00:00\n"
              "SO2,SR02,O2,2026-11-03 09:30:00,sale,approved,\n"
              "SO3,SR01,O1,2026-11-04 09:00:00,sale,pending,\n");
    writeText(csv / "order_lines.csv",
              "order_code,line_no,sku,quantity,amount\n"
              "SO1,1,P1,10,250000\n"
              "SO2,1,P1,4,100000\n"
              "SO3,1,P1,1,25000\n");
    kpi::Store::init(location);
    auto opened = kpi::Store::open(location, kpi::Store::Mode::ReadWrite);
    opened->import({csv / "employees.csv", csv / "outlets.csv", csv / "products.csv", csv / "kpis.csv",
                    csv / "targets.csv", csv / "orders.csv", csv / "order_lines.csv"},
                   kpi::ImportOptions{"test", {}});
}

// Creates <dir>/kpi.sqlite with the tiny data set; returns its path.
inline std::filesystem::path makeTinyStore(const std::filesystem::path& dir) {
    const auto store = dir / "kpi.sqlite";
    fillTinyStore(dir, store.string());
    return store;
}

// Adds one more approved order of SR01 (SO4: 50,000 VND on 2026-11-05).
inline void addOrder(const std::filesystem::path& dir, const std::filesystem::path& store) {
    const auto csv = dir / "more";
    std::filesystem::create_directories(csv);
    writeText(csv / "orders.csv",
              "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
              "SO4,SR01,O1,2026-11-05 08:00:00,sale,approved,\n");
    writeText(csv / "order_lines.csv", "order_code,line_no,sku,quantity,amount\nSO4,1,P1,2,50000\n");
    kpi::Store::open(store, kpi::Store::Mode::ReadWrite)
        ->import({csv / "orders.csv", csv / "order_lines.csv"}, kpi::ImportOptions{"test", {}});
}

}  // namespace saleskpi::addin::testing
