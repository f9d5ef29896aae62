#include "targets_data.hpp"

#include "kpi/period.hpp"

#include <cmath>
#include <cstdio>
#include <set>

namespace kpitest {

std::string plannedOrderCode(long number) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "O%06ld", number);
    return buf;
}

CsvFiles PlannedCompany::files() const {
    std::set<kpi::Day> holidayDays;
    for (const auto& h : holidays) holidayDays.insert(*kpi::parseDay(h));
    auto working = [&](kpi::Day d) { return kpi::weekdayIndex(d) != 6 && !holidayDays.count(d); };
    const std::string before = "2020-01-01";

    std::string employees = "code,name,role,manager_code,department,region,start_date,end_date\n";
    std::set<std::string> managers;
    for (const auto& p : people)
        if (!p.manager.empty()) managers.insert(p.manager);
    for (const auto& m : managers) employees += m + ",Quản lý " + m + ",SS,,Kênh GT,Miền Nam," + before + ",\n";
    std::string outlets = "code,name,channel,province,created_date,created_by\n";
    std::string routes = "employee_code,outlet_code,valid_from,valid_to\n";
    std::string orders = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n";
    std::string lines = "order_code,line_no,sku,quantity,amount\n";
    std::string visits = "visit_code,employee_code,outlet_code,visit_time\n";
    std::string targets = "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n";
    long number = 0;
    for (const auto& p : people) {
        const std::string start = p.start ? kpi::formatDay(p.start) : before;
        employees += p.code + ",Nhân viên " + p.code + "," + p.role + "," + p.manager + ",Kênh GT,Miền Nam," + start + ",\n";
        for (int i = 0; i < 10; ++i) {
            const std::string outlet = p.code + "-O" + std::to_string(i);
            outlets += outlet + ",Tạp hóa " + outlet + ",GT,TP. Hồ Chí Minh,2019-01-01,\n";
            routes += p.code + "," + outlet + "," + start + ",\n";
        }
        for (kpi::Day d = std::max(first, p.start); d <= last; ++d) {
            if (!working(d)) continue;
            const double amount = p.amount(d);
            if (amount <= 0) continue;
            const std::string code = plannedOrderCode(++number);
            const std::string outlet = p.code + "-O" + std::to_string(d % 10);
            const std::string day = kpi::formatDay(d);
            orders += code + "," + p.code + "," + outlet + "," + day + " 10:00:00,sale,approved," + day + " 12:00:00\n";
            char value[64];
            std::snprintf(value, sizeof value, "%.0f", std::round(amount));
            lines += code + ",1,P1,1," + value + "\n";
            visits += "V" + code.substr(1) + "," + p.code + "," + outlet + "," + day + " 09:55:00\n";
        }
        for (kpi::Day m = first; m <= last;) {
            kpi::Period month = kpi::periodContaining(kpi::PeriodType::Month, m);
            for (const char* kpiCode : {"DS", "ASO", "COV", "PC", "NEW", "VIS"}) {
                char value[64];
                std::snprintf(value, sizeof value, "%.4f", target ? target(p.code, kpiCode) : 1.0);
                targets += p.code + "," + kpiCode + ",MONTH," + kpi::formatDay(month.first) + "," +
                           kpi::formatDay(month.last) + "," + value + ",1\n";
            }
            m = month.last + 1;
        }
    }
    std::string holidaysCsv = "date,name\n";
    for (const auto& h : holidays) holidaysCsv += h + ",Ngày nghỉ\n";
    return {
        {"employees.csv", employees},
        {"outlets.csv", outlets + extraOutlets},
        {"routes.csv", routes + extraRoutes},
        {"products.csv", "sku,name,category,brand\nP1,Sữa tươi,Sữa,VinaMilk\n"},
        {"kpis.csv",
         "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
         "DS,SALES,Doanh số,Sales,,,VND,,\n"
         "ASO,ASO,Điểm bán có đơn,Active outlets,,SR|SS,,,\n"
         "COV,COVERAGE,Độ phủ,Coverage,,,,,\n"
         "PC,PC,Đơn thành công,Productive calls,,,,,\n"
         "NEW,NEW_OUTLETS,Điểm bán mới,New outlets,,SR,,,\n"
         "VIS,VISITS,Viếng thăm,Visits,,SR,,,\n"},
        {"orders.csv", orders + extraOrders},
        {"order_lines.csv", lines + extraLines},
        {"visits.csv", visits + extraVisits},
        {"targets.csv", targets},
        {"holidays.csv", holidaysCsv},
    };
}

}  // namespace kpitest
