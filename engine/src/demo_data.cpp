// The demo distributor of kpi/demo.hpp: a Vietnamese FMCG sales force with its
// outlets, products, routes, a few months of visits and orders, KPIs, targets and
// public holidays, written as the interchange CSV files of SPEC §3.
//
// Determinism: every random draw comes from std::mt19937 engines seeded through
// std::seed_seq from options.seed (both fully specified by the standard), and
// reduced to ranges by our own arithmetic rather than std::uniform_*_distribution,
// whose algorithms differ between standard libraries. Nothing iterates an
// unordered container. So the same options give the same bytes everywhere.
//
// Speed: visits, orders and order lines are streamed (never held in memory) into
// 1 MiB buffers filled with std::to_chars, so millions of lines take seconds.

#include "kpi/demo.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "kpi/error.hpp"

namespace kpi {
namespace {

namespace fs = std::filesystem;

constexpr Day kOpenEnd = std::numeric_limits<Day>::max();
constexpr int kSecondsPerDay = 24 * 60 * 60;
constexpr int kLastVisitStart = 22 * 60 * 60;

// ---------------------------------------------------------------------------
// Randomness

// One independent stream of draws; streams are separated so that, e.g., the
// people and outlets of a seed do not change when only linesScale does.
class RandomStream {
public:
    RandomStream(unsigned seed, unsigned stream) {
        std::seed_seq sequence{seed, stream, 0x5a1e5u};
        engine_.seed(sequence);
    }

    // Uniform in [lo, hi] (inclusive); the bias of the multiply-shift reduction
    // is below 2^-24 for our ranges, which a demo does not notice.
    int between(int lo, int hi) {
        const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
        return lo + static_cast<int>((static_cast<std::uint64_t>(engine_()) * span) >> 32);
    }
    double unit() { return engine_() * (1.0 / 4294967296.0); }  // [0, 1)
    double between(double lo, double hi) { return lo + (hi - lo) * unit(); }
    bool chance(double probability) { return unit() < probability; }

    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
    }
    template <typename T, std::size_t N>
    const T& pick(const T (&items)[N]) {
        return items[static_cast<std::size_t>(between(0, static_cast<int>(N) - 1))];
    }
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t i = items.size(); i > 1; --i)
            std::swap(items[i - 1], items[static_cast<std::size_t>(between(0, static_cast<int>(i) - 1))]);
    }

private:
    std::mt19937 engine_;
};

enum Stream : unsigned { kPeople = 1, kOutlets, kActivity, kTargets, kRewards, kSeasons };

// ---------------------------------------------------------------------------
// Output

// One CSV file written through a large buffer. Fields that may hold a comma, a
// quote or a line break go through text(); codes and numbers are known not to.
class CsvFile {
public:
    CsvFile(fs::path path, std::string_view header) : path_(std::move(path)) {
        stream_.open(path_, std::ios::binary | std::ios::trunc);
        if (!stream_) throw Error(Error::Kind::Io, "cannot create " + path_.string());
        buffer_.reserve(kFlushAt + 64 * 1024);
        buffer_.append(header);
        buffer_.push_back('\n');
    }

    CsvFile& code(std::string_view value) {
        separate();
        buffer_.append(value);
        return *this;
    }
    CsvFile& text(std::string_view value) {
        separate();
        if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
            buffer_.append(value);
            return *this;
        }
        buffer_.push_back('"');
        for (char c : value) {
            if (c == '"') buffer_.push_back('"');
            buffer_.push_back(c);
        }
        buffer_.push_back('"');
        return *this;
    }
    CsvFile& number(long long value) {
        separate();
        appendNumber(value);
        return *this;
    }
    // A value kept in hundredths, written with at most two decimals ("0.85", "12").
    CsvFile& hundredths(long long value) {
        separate();
        appendNumber(value / 100);
        if (const long long cents = value % 100; cents != 0) {
            buffer_.push_back('.');
            buffer_.push_back(static_cast<char>('0' + cents / 10));
            if (cents % 10 != 0) buffer_.push_back(static_cast<char>('0' + cents % 10));
        }
        return *this;
    }
    CsvFile& day(Day value) { return code(formatDay(value)); }
    // dayText is "YYYY-MM-DD"; seconds since midnight become " HH:MM:SS".
    CsvFile& timestamp(std::string_view dayText, int seconds) {
        separate();
        buffer_.append(dayText);
        char time[9] = {' ', '0', '0', ':', '0', '0', ':', '0', '0'};
        writeTwoDigits(time + 1, seconds / 3600);
        writeTwoDigits(time + 4, seconds / 60 % 60);
        writeTwoDigits(time + 7, seconds % 60);
        buffer_.append(time, sizeof time);
        return *this;
    }
    CsvFile& empty() {
        separate();
        return *this;
    }
    void endRow() {
        buffer_.push_back('\n');
        atRowStart_ = true;
        ++rows_;
        if (buffer_.size() >= kFlushAt) flush();
    }

    long long rows() const { return rows_; }
    const fs::path& path() const { return path_; }

    void close() {
        flush();
        stream_.close();
        if (stream_.fail()) throw Error(Error::Kind::Io, "cannot write " + path_.string());
    }

private:
    static constexpr std::size_t kFlushAt = 1u << 20;

    static void writeTwoDigits(char* out, int value) {
        out[0] = static_cast<char>('0' + value / 10);
        out[1] = static_cast<char>('0' + value % 10);
    }
    void separate() {
        if (!atRowStart_) buffer_.push_back(',');
        atRowStart_ = false;
    }
    void appendNumber(long long value) {
        char digits[24];
        const auto result = std::to_chars(digits, digits + sizeof digits, value);
        buffer_.append(digits, result.ptr);
    }
    void flush() {
        stream_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        if (!stream_) throw Error(Error::Kind::Io, "cannot write " + path_.string());
        buffer_.clear();
    }

    fs::path path_;
    std::ofstream stream_;
    std::string buffer_;
    bool atRowStart_ = true;
    long long rows_ = 0;
};

// "NV" + 0042 → "NV0042"; wider numbers keep all their digits.
std::string makeCode(std::string_view prefix, long long number, int width) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    const auto length = static_cast<int>(end - digits);
    std::string code(prefix);
    if (length < width) code.append(static_cast<std::size_t>(width - length), '0');
    code.append(digits, end);
    return code;
}

class ProgressReporter {
public:
    explicit ProgressReporter(const DemoOptions& options) : options_(options) {}
    void report(std::string_view what, long long rows) const {
        if (options_.progress) options_.progress(std::string(what) + ": " + std::to_string(rows) + " written");
    }
    void finished(const CsvFile& file) const {
        if (options_.progress)
            options_.progress(file.path().filename().string() + ": " + std::to_string(file.rows()) + " rows");
    }

private:
    const DemoOptions& options_;
};

// ---------------------------------------------------------------------------
// Calendar

Day monthStart(Day day) { return makeDay(yearOf(day), monthOf(day), 1); }
Day nextMonthStart(Day day) {
    const int year = yearOf(day);
    const unsigned month = monthOf(day);
    return month == 12 ? makeDay(year + 1, 1, 1) : makeDay(year, month + 1, 1);
}
Day quarterStart(Day day) { return makeDay(yearOf(day), (monthOf(day) - 1) / 3 * 3 + 1, 1); }
Day nextQuarterStart(Day day) {
    const Day start = quarterStart(day);
    return nextMonthStart(nextMonthStart(nextMonthStart(start)));
}
Day weekStart(Day day) { return day - weekdayIndex(day); }

// Lunar dates of the Vietnamese calendar (UTC+7), from Ho Ngoc Duc's algorithm:
// Mùng 1 Tết and Giỗ Tổ Hùng Vương (10/3 âm lịch). Outside these years the demo
// writes only the solar-calendar holidays.
struct LunarHolidays {
    int year;
    unsigned tetMonth, tetDay, hungVuongMonth, hungVuongDay;
};
constexpr LunarHolidays kLunarHolidays[] = {
    {2015, 2, 19, 4, 28}, {2016, 2, 8, 4, 16},  {2017, 1, 28, 4, 6},  {2018, 2, 16, 4, 25},
    {2019, 2, 5, 4, 14},  {2020, 1, 25, 4, 2},  {2021, 2, 12, 4, 21}, {2022, 2, 1, 4, 10},
    {2023, 1, 22, 4, 29}, {2024, 2, 10, 4, 18}, {2025, 1, 29, 4, 7},  {2026, 2, 17, 4, 26},
    {2027, 2, 6, 4, 16},  {2028, 1, 26, 4, 4},  {2029, 2, 13, 4, 23}, {2030, 2, 2, 4, 12},
    {2031, 1, 23, 4, 1},  {2032, 2, 11, 4, 19}, {2033, 1, 31, 4, 9},  {2034, 2, 19, 4, 28},
    {2035, 2, 8, 4, 17},  {2036, 1, 28, 4, 6},  {2037, 2, 15, 4, 24}, {2038, 2, 4, 4, 13},
    {2039, 1, 24, 4, 3},  {2040, 2, 12, 4, 20},
};

// The public holidays of the given years, with a compensatory day off ("nghỉ
// bù") when one falls on a Sunday, since Sunday is not a working day anyway.
std::map<Day, std::string> vietnameseHolidays(int firstYear, int lastYear) {
    std::map<Day, std::string> holidays;
    for (int year = firstYear; year <= lastYear; ++year) {
        holidays.emplace(makeDay(year, 1, 1), "Tết Dương lịch");
        for (const LunarHolidays& lunar : kLunarHolidays) {
            if (lunar.year != year) continue;
            const Day tet = makeDay(year, lunar.tetMonth, lunar.tetDay);
            holidays.emplace(tet - 1, "Tết Nguyên Đán (Giao thừa)");
            for (int i = 0; i < 4; ++i)
                holidays.emplace(tet + i, "Tết Nguyên Đán (Mùng " + std::to_string(i + 1) + ")");
            holidays.emplace(makeDay(year, lunar.hungVuongMonth, lunar.hungVuongDay), "Giỗ Tổ Hùng Vương (10/3 âm lịch)");
        }
        holidays.emplace(makeDay(year, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước");
        holidays.emplace(makeDay(year, 5, 1), "Ngày Quốc tế Lao động");
        holidays.emplace(makeDay(year, 9, 2), "Quốc khánh");
        holidays.emplace(makeDay(year, 9, 3), "Quốc khánh (ngày nghỉ thứ hai)");
    }
    std::vector<std::pair<Day, std::string>> onSunday;
    for (const auto& [day, name] : holidays)
        if (weekdayIndex(day) == 6) onSunday.emplace_back(day, name);
    for (const auto& [day, name] : onSunday) {
        Day substitute = day + 1;
        while (holidays.count(substitute) != 0 || weekdayIndex(substitute) == 6) ++substitute;
        holidays.emplace(substitute, "Nghỉ bù " + name);
    }
    return holidays;
}

// The demo's range of activity and its working days (SPEC §4: Monday to
// Saturday except holidays).
struct Timeline {
    Day first = 0;  // first day of the month `months - 1` months before `last`
    Day last = 0;   // options.until
    // Now, on the local clock: nothing today happens after nowSeconds (a visit,
    // an order or its approval later today would be in the future). Days after
    // today are generated in full: whoever asks --until a later day wants them.
    Day nowDay = 0;
    int nowSeconds = 0;

    bool isFuture(Day day, int seconds) const { return day == nowDay && seconds > nowSeconds; }
    std::map<Day, std::string> holidays;

    bool isHoliday(Day day) const { return holidays.count(day) != 0; }
    bool isWorkingDay(Day day) const { return weekdayIndex(day) != 6 && !isHoliday(day); }
    int workingDays(Day from, Day to) const {
        int count = 0;
        for (Day day = from; day <= to; ++day) count += isWorkingDay(day) ? 1 : 0;
        return count;
    }
};

// ---------------------------------------------------------------------------
// Reference data

constexpr std::string_view kFamilyNames[] = {"Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
                                             "Võ",   "Đặng", "Bùi", "Đỗ",    "Hồ",    "Ngô",  "Dương",
                                             "Lý",   "Đinh", "Trương", "Mai"};
constexpr std::string_view kMaleMiddleNames[] = {"Văn", "Minh", "Hoàng", "Đức", "Quốc", "Thanh",
                                                 "Hữu", "Công", "Gia",   "Tấn", "Trọng", "Xuân"};
constexpr std::string_view kMaleGivenNames[] = {"An",   "Phúc", "Tuấn", "Dũng", "Hùng",  "Khoa", "Long",  "Nam",
                                                "Quang", "Sơn", "Thắng", "Trung", "Việt", "Hải",  "Bảo",   "Duy",
                                                "Huy",  "Khánh", "Lộc", "Tài",  "Thịnh", "Vinh", "Đạt",   "Cường"};
constexpr std::string_view kFemaleMiddleNames[] = {"Thị", "Ngọc", "Thu", "Thanh", "Mỹ",
                                                   "Kim", "Hồng", "Phương", "Thùy", "Khánh"};
constexpr std::string_view kFemaleGivenNames[] = {"Lan",  "Hoa",  "Ngọc", "Hương",    "Mai",       "Linh",
                                                  "Trang", "Thảo", "Vy",  "Yến",      "Nhung",     "Hạnh",
                                                  "Phương", "Châu", "Ánh", "Bích Ngọc", "Thanh Hằng", "Trâm",
                                                  "Nhi",  "Diễm", "My",  "Uyên",     "Quyên",     "Tâm"};

struct Region {
    std::string_view name;
    std::vector<std::string_view> provinces;  // the first is the big city
    std::vector<std::string_view> markets;
};
const Region& region(int index) {
    static const Region regions[] = {
        {"Miền Nam",
         {"TP. Hồ Chí Minh", "Bình Dương", "Đồng Nai", "Long An", "Bà Rịa - Vũng Tàu", "Cần Thơ", "Tây Ninh",
          "Tiền Giang"},
         {"Bến Thành", "Bà Chiểu", "Tân Định", "Bình Tây", "Thị Nghè", "Hòa Bình", "Phạm Văn Hai", "Xóm Chiếu"}},
        {"Miền Bắc",
         {"Hà Nội", "Hải Phòng", "Bắc Ninh", "Hải Dương", "Hưng Yên", "Quảng Ninh", "Nam Định", "Thái Nguyên"},
         {"Đồng Xuân", "Hôm", "Long Biên", "Mơ", "Châu Long", "Hàng Da", "Thành Công", "Nghĩa Tân"}},
    };
    return regions[index % 2];
}

constexpr std::string_view kShopNames[] = {
    "Minh Phát", "Phúc Lộc",  "Thành Đạt",   "Kim Ngân",  "Tấn Phát",  "Hưng Thịnh", "Phát Đạt",
    "An Khang",  "Vạn Phúc",  "Thuận Thiên", "Hoàng Gia", "Bảo Ngọc",  "Hòa Bình",   "Thanh Tâm",
    "Đức Thành", "Hồng Phúc", "Tân Tiến",    "Ngọc Lan",  "Gia Huy",   "Mỹ Duyên",   "Quang Minh",
    "Phú Quý",   "Tài Lộc",   "Hải Yến",     "Trường An", "Bình Minh", "Song Hỷ",    "Nhật Quang"};
constexpr std::string_view kHonorifics[] = {"Cô", "Chú", "Bà", "Anh", "Chị", "Bác", "Dì", "Cậu"};
constexpr std::string_view kBirthOrder[] = {"Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Út"};

enum class Channel { GT, MT, HORECA };
std::string_view channelName(Channel channel) {
    switch (channel) {
        case Channel::GT: return "GT";
        case Channel::MT: return "MT";
        case Channel::HORECA: return "HORECA";
    }
    return "GT";
}

struct Product {
    std::string_view sku, name, category, brand;
    long long unitPrice;  // VND
};

// Fictional brands, realistic packs and prices.
constexpr Product kProducts[] = {
    {"NGK01", "Nước ngọt Sao Mai hương cam lon 330ml (thùng 24 lon)", "Nước giải khát", "Sao Mai", 192000},
    {"NGK02", "Nước ngọt Sao Mai vị cola lon 330ml (thùng 24 lon)", "Nước giải khát", "Sao Mai", 198000},
    {"NGK03", "Nước ngọt Sao Mai chanh muối chai 390ml", "Nước giải khát", "Sao Mai", 8000},
    {"NGK04", "Trà xanh Lá Xanh vị chanh chai 455ml", "Nước giải khát", "Lá Xanh", 9000},
    {"NGK05", "Trà xanh Lá Xanh không đường chai 455ml (thùng 24 chai)", "Nước giải khát", "Lá Xanh", 205000},
    {"NGK06", "Trà ô long Lá Xanh chai 450ml", "Nước giải khát", "Lá Xanh", 10000},
    {"NGK07", "Nước khoáng Biển Xanh chai 500ml (thùng 24 chai)", "Nước giải khát", "Biển Xanh", 96000},
    {"NGK08", "Nước tinh khiết Biển Xanh bình 19 lít", "Nước giải khát", "Biển Xanh", 55000},
    {"NGK09", "Nước tăng lực Sấm Sét lon 250ml (lốc 6 lon)", "Nước giải khát", "Sấm Sét", 60000},
    {"NGK10", "Nước tăng lực Sấm Sét chai 330ml", "Nước giải khát", "Sấm Sét", 12000},
    {"NGK11", "Nước yến Yến Vàng lon 240ml (hộp 6 lon)", "Nước giải khát", "Yến Vàng", 72000},
    {"NGK12", "Cà phê sữa Đất Đỏ lon 235ml (thùng 24 lon)", "Nước giải khát", "Đất Đỏ", 240000},
    {"BK01", "Bánh quy bơ Hương Việt, hộp thiếc 454g", "Bánh kẹo", "Hương Việt", 135000},
    {"BK02", "Bánh bông lan kem Hương Việt hộp 12 cái", "Bánh kẹo", "Hương Việt", 58000},
    {"BK03", "Bánh gạo Phú Gia vị tảo biển gói 150g", "Bánh kẹo", "Phú Gia", 25000},
    {"BK04", "Bánh xốp Phú Gia sô-cô-la hộp 300g", "Bánh kẹo", "Phú Gia", 42000},
    {"BK05", "Bánh que \"Vui Vẻ\" Hương Việt vị sữa hộp 20 gói", "Bánh kẹo", "Hương Việt", 48000},
    {"BK06", "Kẹo dừa Ngọt Ngào túi 400g", "Bánh kẹo", "Ngọt Ngào", 38000},
    {"BK07", "Kẹo mềm trái cây Ngọt Ngào gói 350g", "Bánh kẹo", "Ngọt Ngào", 32000},
    {"BK08", "Snack khoai tây Phú Gia vị tự nhiên gói 56g", "Bánh kẹo", "Phú Gia", 12000},
    {"BK09", "Snack tôm cay Phú Gia gói 40g", "Bánh kẹo", "Phú Gia", 6000},
    {"BK10", "Bánh mì que Hương Việt gói 6 cái", "Bánh kẹo", "Hương Việt", 15000},
    {"BK11", "Bánh sô-cô-la nhân kem Hương Việt hộp 12 cái", "Bánh kẹo", "Hương Việt", 55000},
    {"BK12", "Kẹo cao su Ngọt Ngào bạc hà hũ 56 viên", "Bánh kẹo", "Ngọt Ngào", 35000},
    {"SU01", "Sữa tươi tiệt trùng Đồng Xanh có đường hộp 180ml (lốc 4 hộp)", "Sữa", "Đồng Xanh", 30000},
    {"SU02", "Sữa tươi tiệt trùng Đồng Xanh không đường hộp 1 lít", "Sữa", "Đồng Xanh", 34000},
    {"SU03", "Sữa chua uống Đồng Xanh vị dâu chai 150ml (lốc 4 chai)", "Sữa", "Đồng Xanh", 28000},
    {"SU04", "Sữa chua ăn Bò Vàng có đường hộp 100g (lốc 4 hộp)", "Sữa", "Bò Vàng", 26000},
    {"SU05", "Sữa đặc có đường Bò Vàng lon 380g", "Sữa", "Bò Vàng", 22000},
    {"SU06", "Sữa bột Bò Vàng Grow lon 900g", "Sữa", "Bò Vàng", 285000},
    {"SU07", "Sữa đậu nành Sữa Quê hộp 200ml (thùng 48 hộp)", "Sữa", "Sữa Quê", 240000},
    {"SU08", "Sữa hạt óc chó Sữa Quê hộp 180ml (lốc 4 hộp)", "Sữa", "Sữa Quê", 36000},
    {"SU09", "Sữa tươi Đồng Xanh ít đường bịch 220ml", "Sữa", "Đồng Xanh", 8000},
    {"SU10", "Sữa bột pha sẵn Bò Vàng hộp 110ml (lốc 4 hộp)", "Sữa", "Bò Vàng", 29000},
    {"SU11", "Phô mai Bò Vàng hộp 8 miếng", "Sữa", "Bò Vàng", 32000},
    {"SU12", "Váng sữa Đồng Xanh vị vani (lốc 4 hộp)", "Sữa", "Đồng Xanh", 40000},
    {"GV01", "Nước mắm Biển Đông 40 độ đạm chai 500ml", "Gia vị", "Biển Đông", 45000},
    {"GV02", "Nước mắm cá cơm Biển Đông chai 750ml", "Gia vị", "Biển Đông", 38000},
    {"GV03", "Nước tương Vị Quê chai 500ml", "Gia vị", "Vị Quê", 18000},
    {"GV04", "Hạt nêm Vị Quê thịt heo gói 400g", "Gia vị", "Vị Quê", 36000},
    {"GV05", "Bột ngọt Vị Quê gói 454g", "Gia vị", "Vị Quê", 32000},
    {"GV06", "Dầu ăn Nhà Nông chai 1 lít", "Gia vị", "Nhà Nông", 52000},
    {"GV07", "Dầu ăn Nhà Nông can 5 lít", "Gia vị", "Nhà Nông", 245000},
    {"GV08", "Tương ớt Vị Quê chai 250g", "Gia vị", "Vị Quê", 14000},
    {"GV09", "Muối tôm Tây Ninh Nhà Nông hũ 100g", "Gia vị", "Nhà Nông", 15000},
    {"GV10", "Đường cát trắng Nhà Nông túi 1kg", "Gia vị", "Nhà Nông", 27000},
    {"GV11", "Tiêu đen xay Vị Quê hũ 50g", "Gia vị", "Vị Quê", 22000},
    {"GV12", "Bột canh i-ốt Vị Quê gói 190g", "Gia vị", "Vị Quê", 5000},
    {"CS01", "Dầu gội Mộc An bồ kết chai 650g", "Chăm sóc cá nhân", "Mộc An", 129000},
    {"CS02", "Dầu xả Mộc An hương bưởi chai 320g", "Chăm sóc cá nhân", "Mộc An", 89000},
    {"CS03", "Sữa tắm Sen Hồng hương sen chai 900g", "Chăm sóc cá nhân", "Sen Hồng", 165000},
    {"CS04", "Xà bông cục Sen Hồng 90g", "Chăm sóc cá nhân", "Sen Hồng", 12000},
    {"CS05", "Kem đánh răng Trắng Xanh bạc hà tuýp 180g", "Chăm sóc cá nhân", "Trắng Xanh", 35000},
    {"CS06", "Bàn chải đánh răng Trắng Xanh lông mềm (vỉ 2 cây)", "Chăm sóc cá nhân", "Trắng Xanh", 28000},
    {"CS07", "Nước rửa tay Sen Hồng chai 500ml", "Chăm sóc cá nhân", "Sen Hồng", 49000},
    {"CS08", "Khăn giấy ướt Mộc An gói 80 tờ", "Chăm sóc cá nhân", "Mộc An", 30000},
    {"CS09", "Lăn khử mùi Mộc An 50ml", "Chăm sóc cá nhân", "Mộc An", 55000},
    {"CS10", "Dầu gội Mộc An trà xanh gói 6g (dây 12 gói)", "Chăm sóc cá nhân", "Mộc An", 15000},
    {"CS11", "Sữa rửa mặt Sen Hồng nghệ tuýp 100g", "Chăm sóc cá nhân", "Sen Hồng", 69000},
    {"CS12", "Nước súc miệng Trắng Xanh chai 500ml", "Chăm sóc cá nhân", "Trắng Xanh", 75000},
};
constexpr int kProductCount = static_cast<int>(std::size(kProducts));

// The line filters of the KPIs below, so that targets can be sized from the
// actuals the generated orders will give.
constexpr std::string_view kFocusSkus[] = {"NGK04", "SU01", "BK05"};
constexpr std::string_view kConfectioneryCategory = "Bánh kẹo";
constexpr std::string_view kConfectioneryBrand = "Hương Việt";

bool isFocusProduct(const Product& product) {
    return std::find(std::begin(kFocusSkus), std::end(kFocusSkus), product.sku) != std::end(kFocusSkus);
}
bool isConfectioneryOfBrand(const Product& product) {
    return product.category == kConfectioneryCategory && product.brand == kConfectioneryBrand;
}

struct KpiDefinition {
    std::string_view code, type, nameVi, nameEn, description, appliesTo, unit, params, cap;
};

constexpr KpiDefinition kKpis[] = {
    {"DS", "SALES", "Doanh số", "Sales", "Doanh số thuần: đơn bán đã duyệt trừ đơn trả hàng, tính theo ngày đặt hàng",
     "", "VND", "", ""},
    {"SL", "VOLUME", "Sản lượng", "Volume", "Số lượng sản phẩm bán ra trừ hàng trả lại", "", "sản phẩm", "", "1.2"},
    {"PC", "PC", "Số đơn thành công", "Productive calls",
     "Số lượt ghé thăm có ít nhất một đơn bán được duyệt (nhân viên, điểm bán, ngày)", "SR|SS", "lượt", "", ""},
    {"LPPC", "LPPC", "Số dòng hàng trên đơn thành công", "Lines per productive call",
     "Số mã hàng khác nhau bình quân trong một lượt thành công", "SR|SS", "dòng", "", "1.2"},
    {"ASO", "ASO", "Số điểm bán có đơn", "Active selling outlets", "Số điểm bán có ít nhất một đơn bán được duyệt", "",
     "điểm bán", "", ""},
    {"UB", "UB", "Số điểm bán trên tuyến", "Universe base", "Số điểm bán thuộc tuyến vào ngày cuối kỳ", "",
     "điểm bán", "", ""},
    {"COV", "COVERAGE", "Độ phủ", "Coverage", "Tỷ lệ điểm bán trên tuyến có đơn trong kỳ", "", "tỷ lệ", "", "1.2"},
    {"NEW", "NEW_OUTLETS", "Điểm bán mới có đơn", "New outlets with an order",
     "Điểm bán mở mới trong kỳ, có đơn bán được duyệt", "SR|SS", "điểm bán", "require_order=true", "2"},
    {"NEW_ANY", "NEW_OUTLETS", "Điểm bán mở mới", "New outlets opened", "Điểm bán mở mới trong kỳ, có hay không có đơn",
     "SS|ASM|RSM", "điểm bán", "require_order=false", "2"},
    {"FOCUS", "FOCUS_SALES", "Doanh số sản phẩm trọng tâm", "Focus SKU sales",
     "Doanh số của các mã trọng tâm trong chương trình: NGK04, SU01, BK05", "SR|SS", "VND", "skus=NGK04|SU01|BK05",
     "1.5"},
    {"FOCUS_OUT", "FOCUS_OUTLETS", "Điểm bán có hàng Sữa", "Outlets buying dairy",
     "Số điểm bán có mua ít nhất một mã ngành hàng Sữa", "", "điểm bán", "category=Sữa", ""},
    {"DS_BANH", "SALES", "Doanh số bánh kẹo Hương Việt", "Hương Việt confectionery sales",
     "Doanh số ngành Bánh kẹo của nhãn hàng \"Hương Việt\"", "SS|ASM", "VND", "category=Bánh kẹo;brand=Hương Việt", ""},
    {"VISIT", "VISITS", "Số lượt viếng thăm", "Visits", "Số lượt ghé thăm điểm bán được ghi nhận trên ứng dụng", "SR",
     "lượt", "", "1.2"},
    {"SR_RATE", "STRIKE_RATE", "Tỷ lệ thành công", "Strike rate", "Số đơn thành công chia số lượt viếng thăm", "SR",
     "tỷ lệ", "", "1.2"},
    {"DROP", "DROP_SIZE", "Giá trị đơn bình quân", "Drop size", "Doanh số chia số đơn thành công", "", "VND", "", ""},
};

// ---------------------------------------------------------------------------
// The company

enum class Role { RegionalManager, AreaManager, Supervisor, Salesperson };
std::string_view roleName(Role role) {
    switch (role) {
        case Role::RegionalManager: return "RSM";
        case Role::AreaManager: return "ASM";
        case Role::Supervisor: return "SS";
        case Role::Salesperson: return "SR";
    }
    return "SR";
}

struct Employee {
    std::string code, name;
    Role role = Role::Salesperson;
    int manager = -1;  // index into Company::employees
    std::string_view department, region;
    Day start = 0;
    Day end = kOpenEnd;
    // Salespeople only.
    int regionIndex = 0;
    std::string_view province;
    Channel mainChannel = Channel::GT;
    double strike = 0;  // chance that a visit to an eager outlet orders
};

struct Outlet {
    std::string code, name;
    Channel channel = Channel::GT;
    std::string_view province;
    Day created = 0;
    int createdBy = -1;       // employee index, -1 when unknown
    double propensity = 0;    // multiplies the salesperson's strike rate
    double size = 1;          // multiplies order values
    int visitGroup = 0;       // visited on weekdays with weekdayIndex % 3 == visitGroup
};

struct RouteEntry {
    int outlet = 0;
    Day from = 0;
    Day to = kOpenEnd;
};

struct Company {
    std::vector<Employee> employees;  // the RSM, then ASMs, supervisors, salespeople
    std::vector<int> areaManagers, supervisors, salespeople;
    std::vector<Outlet> outlets;
    std::vector<std::vector<RouteEntry>> routes;  // per employee index
    int leaver = -1, joiner = -1;
    Day handover = 0;  // the joiner's first day; the leaver's last is the day before
};

std::string personName(RandomStream& random, std::set<std::string>& taken) {
    std::string name;
    for (int attempt = 0; attempt < 20; ++attempt) {
        // Nguyễn is the family name of about a third of Vietnamese people.
        name = random.chance(0.32) ? std::string("Nguyễn") : std::string(random.pick(kFamilyNames));
        const bool female = random.chance(0.45);
        name += ' ';
        name += female ? random.pick(kFemaleMiddleNames) : random.pick(kMaleMiddleNames);
        name += ' ';
        name += female ? random.pick(kFemaleGivenNames) : random.pick(kMaleGivenNames);
        if (taken.insert(name).second) break;
    }
    return name;
}

std::string outletName(RandomStream& random, Channel channel, const Region& area, int forcedPunctuation) {
    std::string base;
    std::string shop(random.pick(kShopNames));
    // Some shops put their name in quotes on the signboard; CSV must double them.
    const bool quoted = forcedPunctuation == 2 || random.chance(0.015);
    if (quoted) shop = "\"" + shop + "\"";
    switch (channel) {
        case Channel::GT: {
            const int kind = random.between(0, 9);
            if (kind < 4 && !quoted)
                base = "Tạp hóa " + std::string(random.pick(kHonorifics)) + " " + std::string(random.pick(kBirthOrder));
            else if (kind < 6)
                base = "Tạp hóa " + shop;
            else if (kind < 8)
                base = "Cửa hàng " + shop;
            else if (kind < 9)
                base = "Đại lý " + shop;
            else
                base = "Sạp " + shop + " chợ " + std::string(random.pick(area.markets));
            break;
        }
        case Channel::MT: {
            const int kind = random.between(0, 2);
            if (kind == 0)
                base = "Siêu thị mini " + shop;
            else if (kind == 1)
                base = "Cửa hàng tiện lợi " + shop + " " + std::to_string(random.between(1, 30));
            else
                base = "Minimart " + shop;
            break;
        }
        case Channel::HORECA: {
            static constexpr std::string_view kinds[] = {"Quán cà phê ", "Nhà hàng ", "Quán nhậu ", "Quán cơm ",
                                                         "Khách sạn "};
            base = std::string(random.pick(kinds)) + shop;
            break;
        }
    }
    // An address or branch after a comma, as shops are often listed in the DMS.
    if (forcedPunctuation == 1 || random.chance(0.03)) {
        if (random.chance(0.5))
            base += ", chợ " + std::string(random.pick(area.markets));
        else
            base += ", chi nhánh " + std::to_string(random.between(2, 5));
    }
    return base;
}

Company buildCompany(const DemoOptions& options, const Timeline& timeline) {
    RandomStream random(options.seed, kPeople);
    Company company;
    std::set<std::string> names;
    auto& employees = company.employees;

    const int salespeople = options.salespeople;
    // The joiner replaces the leaver in the leaver's team, so teams are formed
    // from the others.
    const int teamed = salespeople - 1;
    const int supervisors = (teamed + 7) / 8;
    const int areaManagers = (supervisors + 3) / 4;

    Employee regional;
    regional.code = "RSM01";
    regional.name = personName(random, names);
    regional.role = Role::RegionalManager;
    regional.department = "Khối Kinh doanh";
    regional.region = "Toàn quốc";
    regional.start = timeline.first - random.between(2500, 4500);
    employees.push_back(std::move(regional));

    for (int a = 0; a < areaManagers; ++a) {
        Employee areaManager;
        areaManager.code = makeCode("ASM", a + 1, 2);
        areaManager.name = personName(random, names);
        areaManager.role = Role::AreaManager;
        areaManager.manager = 0;
        areaManager.department = "Khối Kinh doanh";
        areaManager.regionIndex = a % 2;
        areaManager.region = region(a).name;
        areaManager.start = timeline.first - random.between(1200, 3500);
        company.areaManagers.push_back(static_cast<int>(employees.size()));
        employees.push_back(std::move(areaManager));
    }
    for (int s = 0; s < supervisors; ++s) {
        Employee supervisor;
        supervisor.code = makeCode("SS", s + 1, 2);
        supervisor.name = personName(random, names);
        supervisor.role = Role::Supervisor;
        const int area = s * areaManagers / supervisors;
        supervisor.manager = company.areaManagers[static_cast<std::size_t>(area)];
        supervisor.regionIndex = employees[static_cast<std::size_t>(supervisor.manager)].regionIndex;
        supervisor.region = region(supervisor.regionIndex).name;
        // One team in four sells to modern trade (minimarts, convenience stores).
        supervisor.mainChannel = s % 4 == 3 ? Channel::MT : Channel::GT;
        supervisor.department = supervisor.mainChannel == Channel::MT ? "Kênh MT" : "Kênh GT";
        supervisor.start = timeline.first - random.between(700, 3000);
        company.supervisors.push_back(static_cast<int>(employees.size()));
        employees.push_back(std::move(supervisor));
    }
    for (int p = 0; p < salespeople; ++p) {
        const bool isJoiner = p == salespeople - 1;
        const int team = isJoiner ? 2 * supervisors / teamed : p * supervisors / teamed;
        const Employee& supervisor = employees[static_cast<std::size_t>(company.supervisors[static_cast<std::size_t>(team)])];
        Employee salesperson;
        salesperson.code = makeCode("NV", p + 1, 4);
        salesperson.name = personName(random, names);
        salesperson.role = Role::Salesperson;
        salesperson.manager = company.supervisors[static_cast<std::size_t>(team)];
        salesperson.department = supervisor.department;
        salesperson.regionIndex = supervisor.regionIndex;
        salesperson.region = supervisor.region;
        salesperson.mainChannel = supervisor.mainChannel;
        const auto& provinces = region(salesperson.regionIndex).provinces;
        salesperson.province = random.chance(0.4) ? provinces.front() : random.pick(provinces);
        salesperson.strike = random.between(0.84, 0.97);
        salesperson.start = timeline.first - random.between(400, 2200);
        company.salespeople.push_back(static_cast<int>(employees.size()));
        employees.push_back(std::move(salesperson));
    }

    // One salesperson leaves in the middle of the range and a new one takes over
    // the route the next day (preferably on the 15th).
    const Day middle = timeline.first + (timeline.last - timeline.first + 1) / 2;
    const Day fifteenth = makeDay(yearOf(middle), monthOf(middle), 15);
    company.handover = fifteenth > timeline.first && fifteenth <= timeline.last ? fifteenth : middle;
    company.leaver = company.salespeople[2];
    company.joiner = company.salespeople.back();
    employees[static_cast<std::size_t>(company.leaver)].end = company.handover - 1;
    employees[static_cast<std::size_t>(company.joiner)].start = company.handover;
    return company;
}

void buildOutlets(Company& company, const DemoOptions& options, const Timeline& timeline) {
    RandomStream random(options.seed, kOutlets);
    company.routes.assign(company.employees.size(), {});

    auto makeOutlet = [&](int owner, int forcedPunctuation) {
        const Employee& salesperson = company.employees[static_cast<std::size_t>(owner)];
        const Region& area = region(salesperson.regionIndex);
        Outlet outlet;
        outlet.channel = salesperson.mainChannel == Channel::MT ? Channel::MT
                         : random.chance(0.15)                   ? Channel::HORECA
                                                                 : Channel::GT;
        outlet.name = outletName(random, outlet.channel, area, forcedPunctuation);
        outlet.province = random.chance(0.85) ? salesperson.province : random.pick(area.provinces);
        // One outlet in five rarely buys; the rest buy on most visits.
        outlet.propensity = random.chance(0.2) ? random.between(0.05, 0.35) : random.between(0.72, 1.0);
        outlet.size = outlet.channel == Channel::MT       ? random.between(2.0, 4.0)
                      : outlet.channel == Channel::HORECA ? random.between(0.8, 2.0)
                                                          : random.between(0.6, 1.6);
        outlet.visitGroup = random.between(0, 2);
        return outlet;
    };

    // Outlets that existed before the range, on routes valid from before it.
    for (int owner : company.salespeople) {
        if (owner == company.joiner) continue;
        const Employee& salesperson = company.employees[static_cast<std::size_t>(owner)];
        const Day routeStart = timeline.first - random.between(30, 360);
        const int count = random.between(50, 80);
        for (int i = 0; i < count; ++i) {
            const int forced = company.outlets.empty() ? 1 : company.outlets.size() == 1 ? 2 : 0;
            Outlet outlet = makeOutlet(owner, forced);
            outlet.created = routeStart - random.between(0, 2000);
            // Outlets older than their salesperson were opened before the DMS knew who.
            outlet.createdBy = outlet.created >= salesperson.start ? owner : -1;
            const int index = static_cast<int>(company.outlets.size());
            company.outlets.push_back(std::move(outlet));
            company.routes[static_cast<std::size_t>(owner)].push_back({index, routeStart, kOpenEnd});
        }
    }

    // New outlets opened inside the range, on working days: one to three a
    // month per salesperson. Their codes follow their opening dates.
    struct Opening {
        Day day;
        int owner;
    };
    std::vector<Opening> openings;
    for (int owner : company.salespeople) {
        const Employee& salesperson = company.employees[static_cast<std::size_t>(owner)];
        const Day from = std::max(timeline.first, salesperson.start);
        const Day to = std::min(timeline.last, salesperson.end);
        std::vector<Day> workingDays;
        for (Day day = from; day <= to; ++day)
            if (timeline.isWorkingDay(day)) workingDays.push_back(day);
        if (workingDays.empty()) continue;
        const int months = static_cast<int>(workingDays.size() + 25) / 26;
        const int count = random.between(months, 3 * months);
        for (int i = 0; i < count; ++i) openings.push_back({random.pick(workingDays), owner});
    }
    std::stable_sort(openings.begin(), openings.end(),
                     [](const Opening& a, const Opening& b) { return a.day < b.day; });
    for (const Opening& opening : openings) {
        Outlet outlet = makeOutlet(opening.owner, 0);
        outlet.created = opening.day;
        outlet.createdBy = opening.owner;
        const int index = static_cast<int>(company.outlets.size());
        company.outlets.push_back(std::move(outlet));
        company.routes[static_cast<std::size_t>(opening.owner)].push_back({index, opening.day, kOpenEnd});
    }

    // The handover: the leaver's route rows end the day before the joiner's start.
    auto& leaverRoute = company.routes[static_cast<std::size_t>(company.leaver)];
    auto& joinerRoute = company.routes[static_cast<std::size_t>(company.joiner)];
    for (RouteEntry& entry : leaverRoute) {
        entry.to = company.handover - 1;
        joinerRoute.push_back({entry.outlet, company.handover, kOpenEnd});
    }
    std::stable_sort(joinerRoute.begin(), joinerRoute.end(),
                     [](const RouteEntry& a, const RouteEntry& b) { return a.outlet < b.outlet; });

    for (std::size_t i = 0; i < company.outlets.size(); ++i) company.outlets[i].code = makeCode("CH", static_cast<long long>(i) + 1, 6);
}

// ---------------------------------------------------------------------------
// Activity: visits, orders and order lines

// --seasonal: how busy a salesperson's day is against an ordinary one.
class Seasons {
public:
    Seasons(const Company& company, const Timeline& timeline, const DemoOptions& options)
        : company_(company), timeline_(timeline), on_(options.seasonal) {
        if (!on_) return;
        // Each salesperson's own drift, from a stream of its own so that the
        // other draws stay as they are.
        RandomStream random(options.seed, kSeasons);
        trend_.assign(company.employees.size(), 0.0);
        for (int salesperson : company.salespeople)
            trend_[static_cast<std::size_t>(salesperson)] = random.between(-0.015, 0.025);
    }

    bool on() const { return on_; }

    // 1 on an ordinary day; above 1 busier, below quieter.
    double factor(int salesperson, Day day) const {
        if (!on_) return 1;
        // The month's index for a Vietnamese FMCG distributor (drinks, snacks,
        // dairy): hot months and year end sell more, the rainy autumn less.
        static constexpr double kMonth[12] = {1.00, 0.92, 0.95, 1.02, 1.08, 1.10, 1.05, 0.97, 0.93, 0.95, 1.00, 1.08};
        double f = kMonth[monthOf(day) - 1];
        // Tết moves with the lunar calendar: shops stock up in the weeks before
        // it and sell little in the two weeks after.
        for (const LunarHolidays& lunar : kLunarHolidays) {
            if (lunar.year != yearOf(day) && lunar.year != yearOf(day) + 1) continue;
            const Day tet = makeDay(lunar.year, lunar.tetMonth, lunar.tetDay);
            if (day >= tet - 25 && day <= tet - 2) f *= 1.3;
            if (day >= tet + 4 && day <= tet + 14) f *= 0.75;
        }
        const auto index = static_cast<std::size_t>(salesperson);
        f *= std::pow(1 + trend_[index], (day - timeline_.first) / 30.44);
        // The joiner learns the route over three months.
        if (salesperson == company_.joiner) {
            const Day since = day - company_.employees[index].start;
            f *= since < 30 ? 0.55 : since < 60 ? 0.75 : since < 90 ? 0.9 : 1.0;
        }
        return f;
    }

private:
    const Company& company_;
    const Timeline& timeline_;
    bool on_;
    std::vector<double> trend_;
};

// What one salesperson achieved over the range (approved orders only), to size
// targets after the typical performance.
struct Achievement {
    double sales = 0, volume = 0, focusSales = 0, confectionerySales = 0;
    long long productiveCalls = 0, linesInProductiveCalls = 0, visits = 0;
    int workingDays = 0;  // working days of the range inside the employment window
};

class ActivityWriter {
public:
    ActivityWriter(const fs::path& dir, const Company& company, const Timeline& timeline, const DemoOptions& options)
        : company_(company),
          timeline_(timeline),
          options_(options),
          progress_(options),
          random_(options.seed, kActivity),
          visits_(dir / "visits.csv", "visit_code,employee_code,outlet_code,visit_time"),
          orders_(dir / "orders.csv", "order_code,employee_code,outlet_code,order_time,type,status,approved_time"),
          lines_(dir / "order_lines.csv", "order_code,line_no,sku,quantity,amount"),
          achievements_(company.employees.size()),
          seasons_(company, timeline, options) {
        // Best sellers first: lines are drawn with a bias towards the front.
        for (int i = 0; i < kProductCount; ++i) popularity_.push_back(i);
        random_.shuffle(popularity_);
    }

    std::vector<Achievement> write() {
        for (Day day = timeline_.first; day <= timeline_.last; ++day) {
            if (timeline_.isHoliday(day)) continue;
            const std::string dayText = formatDay(day);
            for (int salesperson : company_.salespeople) visitRoute(salesperson, day, dayText);
        }
        visits_.close();
        orders_.close();
        lines_.close();
        progress_.finished(visits_);
        progress_.finished(orders_);
        progress_.finished(lines_);
        for (int salesperson : company_.salespeople) {
            const Employee& employee = company_.employees[static_cast<std::size_t>(salesperson)];
            achievements_[static_cast<std::size_t>(salesperson)].workingDays = timeline_.workingDays(
                std::max(timeline_.first, employee.start), std::min(timeline_.last, employee.end));
        }
        return std::move(achievements_);
    }

private:
    enum class Status { Pending, Approved, Rejected, Cancelled };

    void visitRoute(int salesperson, Day day, const std::string& dayText) {
        const Employee& employee = company_.employees[static_cast<std::size_t>(salesperson)];
        if (day < employee.start || day > employee.end) return;
        const auto& route = company_.routes[static_cast<std::size_t>(salesperson)];
        const int weekday = weekdayIndex(day);

        planned_.clear();
        if (weekday == 6) {
            // Now and then a salesperson serves a few shops on a Sunday.
            if (!random_.chance(0.08)) return;
            active_.clear();
            for (const RouteEntry& entry : route)
                if (entry.from <= day && day <= entry.to) active_.push_back(entry.outlet);
            if (active_.empty()) return;
            random_.shuffle(active_);
            const auto count = std::min(active_.size(), static_cast<std::size_t>(random_.between(2, 5)));
            planned_.assign(active_.begin(), active_.begin() + static_cast<std::ptrdiff_t>(count));
        } else {
            for (const RouteEntry& entry : route) {
                if (entry.from > day || day > entry.to) continue;
                const Outlet& outlet = company_.outlets[static_cast<std::size_t>(entry.outlet)];
                // A new outlet is visited on its opening day, whatever its route day.
                if (outlet.created == day || (outlet.visitGroup == weekday % 3 && random_.chance(0.88)))
                    planned_.push_back(entry.outlet);
            }
            random_.shuffle(planned_);
        }

        Achievement& achievement = achievements_[static_cast<std::size_t>(salesperson)];
        busy_ = seasons_.factor(salesperson, day);
        int clock = (weekday == 6 ? 8 * 3600 : 7 * 3600 + 30 * 60) + random_.between(0, 45 * 60);
        bool hadLunch = false;
        for (int outletIndex : planned_) {
            clock += random_.between(10 * 60, 25 * 60);
            if (!hadLunch && clock >= 11 * 3600 + 30 * 60) {
                clock += random_.between(60 * 60, 90 * 60);
                hadLunch = true;
            }
            if (timeline_.isFuture(day, clock)) break;  // the rest of today's route is still ahead
            // A route that grew over many months cannot all be walked in one
            // day: whatever would start after 22:00 waits for another day.
            if (clock >= kLastVisitStart) break;
            const Outlet& outlet = company_.outlets[static_cast<std::size_t>(outletIndex)];
            visits_.code(makeCode("VS", ++visitCount_, 9)).code(employee.code).code(outlet.code).timestamp(dayText, clock);
            visits_.endRow();
            ++achievement.visits;

            double strike = outlet.created == day ? 0.85 : employee.strike * outlet.propensity;
            // A busy season means more calls that order, and bigger orders.
            if (seasons_.on()) strike = std::min(0.98, strike * std::pow(busy_, 0.4));
            if (!random_.chance(strike)) continue;
            // Mostly one order per call; sometimes a second one (another
            // delivery, a forgotten item), and now and then a return.
            const int orderCount = random_.chance(0.05) ? 2 : 1;
            int orderClock = clock + random_.between(3 * 60, 20 * 60);
            bool productive = false;
            long long distinctLines = 0;
            for (int o = 0; o < orderCount && !timeline_.isFuture(day, orderClock); ++o) {
                const bool isReturn = random_.chance(0.02);
                const auto [approved, lines] =
                    writeOrder(employee, outlet, day, dayText, orderClock, isReturn, achievement);
                if (approved && !isReturn) {
                    productive = true;
                    distinctLines = std::max(distinctLines, static_cast<long long>(lines));
                }
                orderClock += random_.between(60, 10 * 60);
            }
            if (productive) {
                ++achievement.productiveCalls;
                achievement.linesInProductiveCalls += distinctLines;
            }
        }
    }

    Status drawStatus(Day day) {
        // Recent orders may still wait for approval.
        const Day age = timeline_.last - day;
        if (age <= 1 && random_.chance(age == 0 ? 0.7 : 0.35)) return Status::Pending;
        const double draw = random_.unit();
        if (draw < 0.025) return Status::Rejected;
        if (draw < 0.05) return Status::Cancelled;
        return Status::Approved;
    }

    // Returns whether the order is approved and how many lines it has.
    std::pair<bool, int> writeOrder(const Employee& employee, const Outlet& outlet, Day day,
                                    const std::string& dayText, int clock, bool isReturn, Achievement& achievement) {
        Status status = drawStatus(day);
        int approvedClock = 0;
        if (status == Status::Approved) {
            approvedClock = std::min(kSecondsPerDay - 1, clock + random_.between(10 * 60, 5 * 3600));
            // An approval that would come after now has not happened yet.
            if (timeline_.isFuture(day, approvedClock)) status = Status::Pending;
        }
        const std::string code = makeCode("DH", ++orderCount_, 9);
        orders_.code(code).code(employee.code).code(outlet.code).timestamp(dayText, clock);
        orders_.code(isReturn ? "return" : "sale");
        switch (status) {
            case Status::Pending: orders_.code("pending").empty(); break;
            case Status::Rejected: orders_.code("rejected").empty(); break;
            case Status::Cancelled: orders_.code("cancelled").empty(); break;
            case Status::Approved: orders_.code("approved").timestamp(dayText, approvedClock); break;
        }
        orders_.endRow();
        if (orderCount_ % 100000 == 0) progress_.report("orders", orderCount_);

        int lineCount = isReturn ? random_.between(1, 2) : baseLineCount();
        if (!isReturn)
            lineCount = std::clamp(static_cast<int>(std::lround(lineCount * options_.linesScale)), 1, kProductCount);

        // Distinct SKUs: a partial shuffle biased towards the best sellers.
        std::copy(popularity_.begin(), popularity_.end(), picks_);
        const bool approved = status == Status::Approved;
        const double sign = isReturn ? -1.0 : 1.0;
        for (int line = 0; line < lineCount; ++line) {
            const double u = random_.unit();
            const int remaining = kProductCount - line;
            const int chosen = line + std::min(remaining - 1, static_cast<int>(remaining * u * u));
            std::swap(picks_[line], picks_[chosen]);
            const Product& product = kProducts[picks_[line]];

            long long quantity;
            if (isReturn) {
                quantity = random_.between(1, product.unitPrice < 50000 ? 6 : 2);
            } else {
                double lineValue = 220000.0 * outlet.size * random_.between(0.3, 1.7);
                if (seasons_.on()) lineValue *= std::pow(busy_, 0.6);
                quantity = std::max(1LL, std::llround(lineValue / static_cast<double>(product.unitPrice)));
            }
            const long long amount = quantity * product.unitPrice;
            lines_.code(code).number(line + 1).code(product.sku).number(quantity).number(amount);
            lines_.endRow();

            if (approved) {
                achievement.sales += sign * static_cast<double>(amount);
                achievement.volume += sign * static_cast<double>(quantity);
                if (isFocusProduct(product)) achievement.focusSales += sign * static_cast<double>(amount);
                if (isConfectioneryOfBrand(product))
                    achievement.confectionerySales += sign * static_cast<double>(amount);
            }
        }
        return {approved, lineCount};
    }

    // 1–8 lines, most often 3–5.
    int baseLineCount() {
        static constexpr int weights[] = {6, 10, 16, 20, 18, 13, 10, 7};  // sums to 100
        int draw = random_.between(0, 99);
        for (int i = 0; i < 8; ++i) {
            if (draw < weights[i]) return i + 1;
            draw -= weights[i];
        }
        return 8;
    }

    const Company& company_;
    const Timeline& timeline_;
    const DemoOptions& options_;
    ProgressReporter progress_;
    RandomStream random_;
    CsvFile visits_, orders_, lines_;
    std::vector<Achievement> achievements_;  // per employee index
    std::vector<int> popularity_;
    int picks_[kProductCount] = {};
    std::vector<int> planned_, active_;
    long long visitCount_ = 0, orderCount_ = 0;
    Seasons seasons_;
    double busy_ = 1;  // the season's factor of the day being written
};

// ---------------------------------------------------------------------------
// Targets

struct TargetRow {
    int employee = 0;
    std::string_view kpi;
    std::string_view periodType;
    Day from = 0, to = 0;
    long long hundredths = 0;  // the target × 100
    int weight = -1;           // -1: not given (the default, 1)
};

long long roundedHundredths(double value, double step) {
    return std::llround(std::max(0.0, value) / step) * std::llround(step * 100);
}

// Performance rates of an employee's subtree per working day, from the actuals.
struct Rates {
    double sales = 0, volume = 0, focusSales = 0, confectionerySales = 0, productiveCalls = 0, visits = 0;
    double linesPerCall = 0, dropSize = 0, strikeRate = 0;
    long long routeOutlets = 0;  // outlets on the subtree's routes at the end of the range
};

class TargetPlanner {
public:
    TargetPlanner(const Company& company, const Timeline& timeline, const std::vector<Achievement>& achievements,
                  const DemoOptions& options)
        : company_(company),
          timeline_(timeline),
          achievements_(achievements),
          random_(options.seed, kTargets),
          rewardRandom_(options.seed, kRewards) {}

    std::vector<TargetRow> plan() {
        for (int salesperson : company_.salespeople) planSalesperson(salesperson);
        for (int supervisor : company_.supervisors) planSupervisor(supervisor);
        for (int area : company_.areaManagers) planAreaManager(area);
        planRegionalManager(0);
        // The quarterly focus-SKU bonus's targets, drawn from a stream of their
        // own so that every other target stays what it was.
        for (int salesperson : company_.salespeople) planQuarterlyFocus(salesperson, 100000);
        for (int supervisor : company_.supervisors) planQuarterlyFocus(supervisor, 1000000);
        std::stable_sort(rows_.begin(), rows_.end(), [this](const TargetRow& a, const TargetRow& b) {
            const auto& x = company_.employees[static_cast<std::size_t>(a.employee)].code;
            const auto& y = company_.employees[static_cast<std::size_t>(b.employee)].code;
            return std::tie(x, a.kpi, a.periodType, a.from) < std::tie(y, b.kpi, b.periodType, b.from);
        });
        return std::move(rows_);
    }

private:
    // The salespeople under an employee (themself for a salesperson).
    std::vector<int> salespeopleUnder(int employee) const {
        std::vector<int> result;
        for (int salesperson : company_.salespeople) {
            for (int e = salesperson; e >= 0; e = company_.employees[static_cast<std::size_t>(e)].manager) {
                if (e == employee) {
                    result.push_back(salesperson);
                    break;
                }
            }
        }
        return result;
    }

    Rates ratesOf(int employee) const {
        Rates rates;
        Achievement total;
        const auto members = salespeopleUnder(employee);
        const bool isSalesperson = company_.employees[static_cast<std::size_t>(employee)].role == Role::Salesperson;
        for (int salesperson : members) {
            const Achievement& a = achievements_[static_cast<std::size_t>(salesperson)];
            total.sales += a.sales;
            total.volume += a.volume;
            total.focusSales += a.focusSales;
            total.confectionerySales += a.confectionerySales;
            total.productiveCalls += a.productiveCalls;
            total.linesInProductiveCalls += a.linesInProductiveCalls;
            total.visits += a.visits;
            // A salesperson's own universe is counted on their last day; a team's
            // on the range's, when the leaver's outlets belong to the joiner.
            const Day asOf = isSalesperson
                                 ? std::min(timeline_.last, company_.employees[static_cast<std::size_t>(salesperson)].end)
                                 : timeline_.last;
            for (const RouteEntry& entry : company_.routes[static_cast<std::size_t>(salesperson)])
                if (entry.from <= asOf && asOf <= entry.to) ++rates.routeOutlets;
        }
        // A salesperson's rate is over their own working days; a team's over the
        // range's, since someone covers the team's routes every working day.
        const int days = isSalesperson ? achievements_[static_cast<std::size_t>(members[0])].workingDays
                                             : timeline_.workingDays(timeline_.first, timeline_.last);
        if (days == 0) return rates;
        rates.sales = total.sales / days;
        rates.volume = total.volume / days;
        rates.focusSales = total.focusSales / days;
        rates.confectionerySales = total.confectionerySales / days;
        rates.productiveCalls = static_cast<double>(total.productiveCalls) / days;
        rates.visits = static_cast<double>(total.visits) / days;
        if (total.visits > 0) rates.strikeRate = static_cast<double>(total.productiveCalls) / total.visits;
        if (total.productiveCalls > 0) {
            rates.linesPerCall = static_cast<double>(total.linesInProductiveCalls) / total.productiveCalls;
            rates.dropSize = total.sales / total.productiveCalls;
        }
        return rates;
    }

    void add(int employee, std::string_view kpi, std::string_view periodType, Day from, Day to, long long hundredths,
             int weight) {
        rows_.push_back({employee, kpi, periodType, from, to, hundredths, weight});
    }

    // Calls f(first, last) for every month that overlaps both the range and the
    // employee's employment window.
    template <typename F>
    void forEachMonth(const Employee& employee, F f) const {
        const Day from = std::max(timeline_.first, employee.start);
        const Day to = std::min(timeline_.last, employee.end);
        for (Day month = monthStart(from); month <= to; month = nextMonthStart(month)) f(month, nextMonthStart(month) - 1);
    }

    double factor() { return random_.between(0.9, 1.2); }

    void planSalesperson(int index) {
        const Employee& employee = company_.employees[static_cast<std::size_t>(index)];
        const Rates rates = ratesOf(index);
        const Day from = std::max(timeline_.first, employee.start);
        const Day to = std::min(timeline_.last, employee.end);
        if (from > to) return;

        forEachMonth(employee, [&](Day first, Day last) {
            const double days = timeline_.workingDays(first, last);
            const double f = factor();
            add(index, "DS", "MONTH", first, last, roundedHundredths(rates.sales * days * f, 100000), 35);
            add(index, "PC", "MONTH", first, last, roundedHundredths(rates.productiveCalls * days * f, 1), 15);
            add(index, "LPPC", "MONTH", first, last, roundedHundredths(rates.linesPerCall * random_.between(0.95, 1.1), 0.1), 10);
            add(index, "ASO", "MONTH", first, last, roundedHundredths(rates.routeOutlets * random_.between(0.8, 0.92), 1), 10);
            add(index, "COV", "MONTH", first, last, roundedHundredths(random_.between(0.8, 0.9), 0.01), 10);
            add(index, "NEW", "MONTH", first, last, random_.between(1, 3) * 100LL, 5);
            add(index, "FOCUS", "MONTH", first, last, roundedHundredths(rates.focusSales * days * f, 100000), 10);
            add(index, "SR_RATE", "MONTH", first, last, roundedHundredths(rates.strikeRate * random_.between(0.95, 1.08), 0.01), 5);
            // Tracked on the scorecard, not paid on.
            add(index, "VISIT", "MONTH", first, last, roundedHundredths(rates.visits * days, 1), 0);
        });

        // Weekly visit plans, with the default weight.
        for (Day week = weekStart(from); week <= to; week += 7)
            add(index, "VISIT", "WEEK", week, week + 6,
                roundedHundredths(rates.visits * timeline_.workingDays(week, week + 6), 1), -1);

        // A daily sales target over the whole range.
        add(index, "DS", "DAY", from, to, roundedHundredths(rates.sales * random_.between(0.95, 1.15), 10000), -1);

        // The focus-SKU promotion runs from the 10th to the 25th of each month.
        planPromotionCycles(index, employee, rates);
    }

    void planPromotionCycles(int index, const Employee& employee, const Rates& rates) {
        forEachMonth(employee, [&](Day first, Day) {
            const Day cycleFirst = first + 9, cycleLast = first + 24;
            if (cycleLast < std::max(timeline_.first, employee.start) || cycleFirst > std::min(timeline_.last, employee.end))
                return;
            const double days = timeline_.workingDays(cycleFirst, cycleLast);
            add(index, "FOCUS", "CYCLE", cycleFirst, cycleLast,
                roundedHundredths(rates.focusSales * days * random_.between(1.1, 1.3), 100000), 1);
        });
    }

    void planSupervisor(int index) {
        const Employee& employee = company_.employees[static_cast<std::size_t>(index)];
        const Rates rates = ratesOf(index);
        const auto teamSize = static_cast<double>(salespeopleUnder(index).size());
        forEachMonth(employee, [&](Day first, Day last) {
            const double days = timeline_.workingDays(first, last);
            const double f = factor();
            add(index, "DS", "MONTH", first, last, roundedHundredths(rates.sales * days * f, 1000000), 40);
            add(index, "SL", "MONTH", first, last, roundedHundredths(rates.volume * days * f, 10), 10);
            add(index, "PC", "MONTH", first, last, roundedHundredths(rates.productiveCalls * days * f, 1), 10);
            add(index, "ASO", "MONTH", first, last, roundedHundredths(rates.routeOutlets * random_.between(0.8, 0.92), 1), 10);
            add(index, "COV", "MONTH", first, last, roundedHundredths(random_.between(0.8, 0.9), 0.01), 10);
            add(index, "NEW", "MONTH", first, last, roundedHundredths(teamSize * random_.between(1.5, 3.0), 1), 10);
            add(index, "FOCUS", "MONTH", first, last, roundedHundredths(rates.focusSales * days * f, 1000000), 10);
            add(index, "DS_BANH", "MONTH", first, last, roundedHundredths(rates.confectionerySales * days * f, 1000000), 0);
        });
        planPromotionCycles(index, employee, rates);
    }

    void planAreaManager(int index) {
        const Employee& employee = company_.employees[static_cast<std::size_t>(index)];
        const Rates rates = ratesOf(index);
        const auto teams = static_cast<double>(salespeopleUnder(index).size());
        forEachMonth(employee, [&](Day first, Day last) {
            const double days = timeline_.workingDays(first, last);
            add(index, "DS", "MONTH", first, last, roundedHundredths(rates.sales * days * factor(), 1000000), 50);
            add(index, "ASO", "MONTH", first, last, roundedHundredths(rates.routeOutlets * random_.between(0.8, 0.92), 1), 20);
            add(index, "COV", "MONTH", first, last, roundedHundredths(random_.between(0.8, 0.9), 0.01), 15);
            add(index, "NEW_ANY", "MONTH", first, last, roundedHundredths(teams * random_.between(1.5, 2.5), 1), 15);
            add(index, "UB", "MONTH", first, last, roundedHundredths(rates.routeOutlets * random_.between(1.0, 1.05), 1), 0);
        });
        // Quarterly sales, for the quarter bonus.
        forEachQuarter([&](Day quarter, Day last) {
            add(index, "DS", "QUARTER", quarter, last,
                roundedHundredths(rates.sales * timeline_.workingDays(quarter, last) * factor(), 1000000), -1);
        });
    }

    // The quarters whose every day is in the range so far (at least the
    // current one), so that attainment is not spoiled by the months before
    // the demo's history.
    template <typename F>
    void forEachQuarter(F f) const {
        const Day lastQuarter = quarterStart(timeline_.last);
        Day quarter = quarterStart(timeline_.first);
        if (quarter < timeline_.first) quarter = std::min(nextQuarterStart(quarter), lastQuarter);
        for (; quarter <= lastQuarter; quarter = nextQuarterStart(quarter)) f(quarter, nextQuarterStart(quarter) - 1);
    }

    // FOCUS for each quarter of the employment: the quarterly plan pays on it.
    void planQuarterlyFocus(int index, double step) {
        const Employee& employee = company_.employees[static_cast<std::size_t>(index)];
        const Rates rates = ratesOf(index);
        forEachQuarter([&](Day first, Day last) {
            if (employee.end < first || employee.start > last) return;
            add(index, "FOCUS", "QUARTER", first, last,
                roundedHundredths(rates.focusSales * timeline_.workingDays(first, last) *
                                      rewardRandom_.between(0.95, 1.15),
                                  step),
                -1);
        });
    }

    void planRegionalManager(int index) {
        const Employee& employee = company_.employees[static_cast<std::size_t>(index)];
        const Rates rates = ratesOf(index);
        const double focusOutlets = static_cast<double>(rates.routeOutlets) * 0.85;
        forEachMonth(employee, [&](Day first, Day last) {
            const double days = timeline_.workingDays(first, last);
            add(index, "DS", "MONTH", first, last, roundedHundredths(rates.sales * days * factor(), 10000000), 60);
            add(index, "FOCUS_OUT", "MONTH", first, last, roundedHundredths(focusOutlets * random_.between(0.9, 1.1), 1), 20);
            add(index, "DROP", "MONTH", first, last, roundedHundredths(rates.dropSize * random_.between(1.0, 1.1), 1000), 20);
        });
        // The current year's sales.
        const int year = yearOf(timeline_.last);
        const Day first = makeDay(year, 1, 1), last = makeDay(year, 12, 31);
        add(index, "DS", "YEAR", first, last,
            roundedHundredths(rates.sales * timeline_.workingDays(first, last) * factor(), 100000000), -1);
    }

    const Company& company_;
    const Timeline& timeline_;
    const std::vector<Achievement>& achievements_;
    RandomStream random_;
    RandomStream rewardRandom_;
    std::vector<TargetRow> rows_;
};

// ---------------------------------------------------------------------------
// The files

void writeEmployees(const fs::path& dir, const Company& company, const ProgressReporter& progress) {
    CsvFile file(dir / "employees.csv", "code,name,role,manager_code,department,region,start_date,end_date");
    for (const Employee& employee : company.employees) {
        file.code(employee.code).text(employee.name).code(roleName(employee.role));
        if (employee.manager >= 0)
            file.code(company.employees[static_cast<std::size_t>(employee.manager)].code);
        else
            file.empty();
        file.text(employee.department).text(employee.region).day(employee.start);
        if (employee.end != kOpenEnd)
            file.day(employee.end);
        else
            file.empty();
        file.endRow();
    }
    file.close();
    progress.finished(file);
}

void writeOutlets(const fs::path& dir, const Company& company, const ProgressReporter& progress) {
    CsvFile file(dir / "outlets.csv", "code,name,channel,province,created_date,created_by");
    for (const Outlet& outlet : company.outlets) {
        file.code(outlet.code).text(outlet.name).code(channelName(outlet.channel)).text(outlet.province).day(outlet.created);
        if (outlet.createdBy >= 0)
            file.code(company.employees[static_cast<std::size_t>(outlet.createdBy)].code);
        else
            file.empty();
        file.endRow();
    }
    file.close();
    progress.finished(file);
}

void writeProducts(const fs::path& dir, const ProgressReporter& progress) {
    CsvFile file(dir / "products.csv", "sku,name,category,brand");
    for (const Product& product : kProducts) {
        file.code(product.sku).text(product.name).text(product.category).text(product.brand);
        file.endRow();
    }
    file.close();
    progress.finished(file);
}

void writeRoutes(const fs::path& dir, const Company& company, const ProgressReporter& progress) {
    CsvFile file(dir / "routes.csv", "employee_code,outlet_code,valid_from,valid_to");
    for (int salesperson : company.salespeople) {
        const std::string& code = company.employees[static_cast<std::size_t>(salesperson)].code;
        for (const RouteEntry& entry : company.routes[static_cast<std::size_t>(salesperson)]) {
            file.code(code).code(company.outlets[static_cast<std::size_t>(entry.outlet)].code).day(entry.from);
            if (entry.to != kOpenEnd)
                file.day(entry.to);
            else
                file.empty();
            file.endRow();
        }
    }
    file.close();
    progress.finished(file);
}

void writeKpis(const fs::path& dir, const ProgressReporter& progress) {
    CsvFile file(dir / "kpis.csv", "code,type,name_vi,name_en,description,applies_to,unit,params,cap");
    for (const KpiDefinition& kpi : kKpis) {
        file.code(kpi.code).code(kpi.type).text(kpi.nameVi).text(kpi.nameEn).text(kpi.description);
        file.text(kpi.appliesTo).text(kpi.unit).text(kpi.params).code(kpi.cap);
        file.endRow();
    }
    file.close();
    progress.finished(file);
}

void writeTargets(const fs::path& dir, const Company& company, const std::vector<TargetRow>& rows,
                  const ProgressReporter& progress) {
    CsvFile file(dir / "targets.csv", "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight");
    for (const TargetRow& row : rows) {
        file.code(company.employees[static_cast<std::size_t>(row.employee)].code).code(row.kpi).code(row.periodType);
        file.day(row.from).day(row.to).hundredths(row.hundredths);
        if (row.weight >= 0)
            file.number(row.weight);
        else
            file.empty();
        file.endRow();
    }
    file.close();
    progress.finished(file);
}

void writeHolidays(const fs::path& dir, const Timeline& timeline, const ProgressReporter& progress) {
    CsvFile file(dir / "holidays.csv", "date,name");
    for (const auto& [day, name] : timeline.holidays) {
        file.day(day).text(name);
        file.endRow();
    }
    file.close();
    progress.finished(file);
}

// Reward plans (SPEC §9): a monthly salesperson plan with a sales gate and
// accelerating curves, a supervisors' team plan paid in steps, and a quarterly
// focus-SKU plan; everyone on their plans over the whole range (their
// employment clips it: the leaver and the joiner are prorated).
struct PlanDefinition {
    std::string_view code, nameVi, nameEn, periodType, gateKpi, gateMin, curveMode;
};

constexpr PlanDefinition kRewardPlans[] = {
    {"NVBH_THANG", "Thưởng tháng nhân viên bán hàng", "Salesperson monthly bonus", "MONTH", "DS", "0.8", "linear"},
    {"GSBH_DOI", "Thưởng đội nhóm của giám sát", "Supervisor team bonus", "MONTH", "DS", "0.85", "step"},
    {"SKU_QUY", "Thưởng quý sản phẩm trọng tâm", "Quarterly focus-SKU bonus", "QUARTER", "", "", "linear"},
};

struct ComponentDefinition {
    std::string_view plan, kpi, weight, curve;
};

constexpr ComponentDefinition kComponents[] = {
    // Sales pay more than proportionally above target (accelerators), up to 2×.
    {"NVBH_THANG", "DS", "60", "0.8:0.6|1:1|1.2:1.5|1.5:2"},
    {"NVBH_THANG", "PC", "20", "0.8:0.5|1:1|1.2:1.3"},
    {"NVBH_THANG", "FOCUS", "20", "0.7:0.5|1:1|1.3:1.5"},
    {"GSBH_DOI", "DS", "50", "0.85:0.5|0.95:0.8|1:1|1.1:1.3|1.2:1.6"},
    {"GSBH_DOI", "ASO", "25", "0.9:0.5|1:1|1.1:1.2"},
    {"GSBH_DOI", "NEW", "25", "0.8:0.5|1:1|1.5:1.5"},
    {"SKU_QUY", "FOCUS", "1", "0.9:0.5|1:1|1.2:1.4"},
};

void writePlans(const fs::path& dir, const Company& company, const Timeline& timeline, const ProgressReporter& progress) {
    CsvFile plans(dir / "plans.csv", "code,name_vi,name_en,period_type,gate_kpi,gate_min,curve_mode");
    for (const PlanDefinition& plan : kRewardPlans) {
        plans.code(plan.code).text(plan.nameVi).text(plan.nameEn).code(plan.periodType).code(plan.gateKpi);
        plans.code(plan.gateMin).code(plan.curveMode);
        plans.endRow();
    }
    plans.close();
    progress.finished(plans);
    CsvFile components(dir / "plan_components.csv", "plan_code,kpi_code,weight,curve");
    for (const ComponentDefinition& c : kComponents) {
        components.code(c.plan).code(c.kpi).code(c.weight).code(c.curve);
        components.endRow();
    }
    components.close();
    progress.finished(components);
    CsvFile assignments(dir / "plan_assignments.csv", "employee_code,plan_code,valid_from,valid_to,incentive");
    const Day yearEnd = makeDay(yearOf(timeline.last), 12, 31);
    auto assign = [&](const Employee& employee, std::string_view plan, long long incentive) {
        assignments.code(employee.code).code(plan).day(std::max(timeline.first, employee.start));
        assignments.day(employee.end == kOpenEnd ? yearEnd : employee.end).number(incentive);
        assignments.endRow();
    };
    for (int index : company.salespeople) {
        const Employee& salesperson = company.employees[static_cast<std::size_t>(index)];
        assign(salesperson, "NVBH_THANG", salesperson.mainChannel == Channel::MT ? 4500000 : 4000000);
        assign(salesperson, "SKU_QUY", 2500000);
    }
    for (int index : company.supervisors) {
        assign(company.employees[static_cast<std::size_t>(index)], "GSBH_DOI", 9000000);
        assign(company.employees[static_cast<std::size_t>(index)], "SKU_QUY", 6000000);
    }
    assignments.close();
    progress.finished(assignments);
}

void checkOptions(const DemoOptions& options) {
    // The story needs a leaver, a joiner and at least one other salesperson.
    if (options.salespeople < 4 || options.salespeople > 100000)
        throw Error(Error::Kind::InvalidArgument, "the number of salespeople must be between 4 and 100000");
    if (options.months < 1 || options.months > 120)
        throw Error(Error::Kind::InvalidArgument, "the number of months must be between 1 and 120");
    if (!std::isfinite(options.linesScale) || options.linesScale <= 0 || options.linesScale > 100)
        throw Error(Error::Kind::InvalidArgument, "the lines scale must be above 0 and at most 100");
}

}  // namespace

void writeDemoData(const std::filesystem::path& dir, const DemoOptions& options) {
    checkOptions(options);
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) throw Error(Error::Kind::Io, "cannot create directory " + dir.string() + ": " + error.message());

    Timeline timeline;
    timeline.last = options.until != 0 ? options.until : today();
    timeline.nowDay = today();
    timeline.nowSeconds = secondsIntoToday();
    timeline.first = monthStart(timeline.last);
    for (int i = 1; i < options.months; ++i) timeline.first = monthStart(timeline.first - 1);
    // The whole years of the range and the next one, so that every month, quarter
    // and ISO week the targets touch knows its holidays.
    timeline.holidays = vietnameseHolidays(yearOf(timeline.first), yearOf(timeline.last) + 1);

    const ProgressReporter progress(options);
    Company company = buildCompany(options, timeline);
    buildOutlets(company, options, timeline);

    writeEmployees(dir, company, progress);
    writeOutlets(dir, company, progress);
    writeProducts(dir, progress);
    writeRoutes(dir, company, progress);
    writeKpis(dir, progress);
    writeHolidays(dir, timeline, progress);
    const std::vector<Achievement> achievements = ActivityWriter(dir, company, timeline, options).write();
    writeTargets(dir, company, TargetPlanner(company, timeline, achievements, options).plan(), progress);
    writePlans(dir, company, timeline, progress);
}

}  // namespace kpi
