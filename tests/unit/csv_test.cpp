// The interchange CSV reader (SPEC §3): UTF-8 with an optional BOM, LF or CRLF,
// RFC 4180 quoting, and line numbers that stay right for error messages.

#include "csv.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "kpi/error.hpp"
#include "test_store.hpp"

namespace {

using Fields = std::vector<std::string>;

// One record as read: its fields, the line it started on and its error.
struct Record {
    Fields fields;
    long long line;
    std::string error;
};

std::vector<Record> readAll(const std::string& text) {
    kpi::csv::Reader reader("test.csv", text);
    std::vector<Record> records;
    Fields fields;
    while (reader.next(fields)) records.push_back({fields, reader.line(), reader.error()});
    return records;
}

TEST(CsvReader, SplitsRecordsAndFields) {
    auto records = readAll("code,name\nS1,Lan\nS2,Bình\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].fields, (Fields{"code", "name"}));
    EXPECT_EQ(records[1].fields, (Fields{"S1", "Lan"}));
    EXPECT_EQ(records[2].fields, (Fields{"S2", "Bình"}));
    EXPECT_EQ(records[0].line, 1);
    EXPECT_EQ(records[2].line, 3);
    for (const auto& r : records) EXPECT_EQ(r.error, "");
}

TEST(CsvReader, SkipsALeadingByteOrderMark) {
    auto records = readAll("\xEF\xBB\xBF" "code,name\nS1,Lan\n");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].fields, (Fields{"code", "name"}));
    EXPECT_EQ(records[0].line, 1);
}

TEST(CsvReader, AcceptsCrlfLineEndings) {
    auto records = readAll("code,name\r\nS1,Lan\r\nS2,Bình\r\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].fields, (Fields{"code", "name"}));
    EXPECT_EQ(records[1].fields, (Fields{"S1", "Lan"}));  // no '\r' left on the last field
    EXPECT_EQ(records[2].fields, (Fields{"S2", "Bình"}));
    EXPECT_EQ(records[2].line, 3);
}

TEST(CsvReader, ReadsTheLastRecordWithoutATrailingLineBreak) {
    auto records = readAll("a,b\n1,2");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].fields, (Fields{"1", "2"}));
}

TEST(CsvReader, KeepsEmptyFieldsIncludingATrailingOne) {
    auto records = readAll("a,b,c\n1,,3\n,,\n4,5,\n");
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[1].fields, (Fields{"1", "", "3"}));
    EXPECT_EQ(records[2].fields, (Fields{"", "", ""}));
    EXPECT_EQ(records[3].fields, (Fields{"4", "5", ""}));
}

TEST(CsvReader, KeepsCommasInsideQuotedFields) {
    auto records = readAll("code,name\nO1,\"Tạp hóa Cô Ba, Quận 1\"\n");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].fields, (Fields{"O1", "Tạp hóa Cô Ba, Quận 1"}));
    EXPECT_EQ(records[1].error, "");
}

TEST(CsvReader, TurnsDoubledQuotesIntoOne) {
    auto records = readAll("code,name\nO1,\"Cửa hàng \"\"Hai Lúa\"\"\"\nO2,\"\"\"\"\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].fields, (Fields{"O1", "Cửa hàng \"Hai Lúa\""}));
    EXPECT_EQ(records[2].fields, (Fields{"O2", "\""}));
}

TEST(CsvReader, ReadsAQuotedEmptyFieldAsEmpty) {
    auto records = readAll("a,b\n\"\",x\n");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].fields, (Fields{"", "x"}));
}

TEST(CsvReader, KeepsLineBreaksInsideQuotedFieldsAndCountsThem) {
    // Record 2 spans lines 2–4; the next record starts on line 5.
    auto records = readAll("code,note\nK1,\"dòng một\ndòng hai\ndòng ba\"\nK2,plain\nK3,\"x\ny\"\nK4,z\n");
    ASSERT_EQ(records.size(), 5u);
    EXPECT_EQ(records[1].fields, (Fields{"K1", "dòng một\ndòng hai\ndòng ba"}));
    EXPECT_EQ(records[1].line, 2);
    EXPECT_EQ(records[2].fields, (Fields{"K2", "plain"}));
    EXPECT_EQ(records[2].line, 5);
    EXPECT_EQ(records[3].line, 6);
    EXPECT_EQ(records[4].line, 8);
}

TEST(CsvReader, KeepsCrlfInsideQuotedFieldsAndCountsThemOnce) {
    auto records = readAll("code,note\r\nK1,\"a\r\nb\"\r\nK2,c\r\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].fields, (Fields{"K1", "a\r\nb"}));
    EXPECT_EQ(records[2].line, 4);
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
    auto records = readAll("a,b\n\n1,2\r\n\r\n3,4\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].line, 3);
    EXPECT_EQ(records[2].fields, (Fields{"3", "4"}));
    EXPECT_EQ(records[2].line, 5);
}

TEST(CsvReader, ReportsAnUnterminatedQuoteOnTheLineItStarts) {
    auto records = readAll("a,b\n1,2\n3,\"never closed\n4,5\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].error, "");
    EXPECT_EQ(records[2].line, 3);
    EXPECT_NE(records[2].error, "");
    EXPECT_NE(records[2].error.find("unterminated"), std::string::npos) << records[2].error;
}

TEST(CsvReader, ReportsAQuoteInsideAnUnquotedField) {
    auto records = readAll("a,b\n1,ab\"c\n2,ok\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_NE(records[1].error, "");
    EXPECT_EQ(records[2].error, "");  // the error does not leak into the next record
    EXPECT_EQ(records[2].fields, (Fields{"2", "ok"}));
}

TEST(CsvReader, ReportsTextAfterAClosingQuote) {
    auto records = readAll("a,b\n1,\"ab\"c\n2,ok\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_NE(records[1].error, "");
    EXPECT_EQ(records[2].error, "");
    EXPECT_EQ(records[2].line, 3);
}

TEST(CsvReader, ReportsInvalidUtf8OnTheRecordThatHoldsIt) {
    // "\xE0" is Latin-1 à: one byte that is no UTF-8.
    auto records = readAll("code,name\nO1,C\xE0 ph\xEA\nO2,Cà phê\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].error, "");
    EXPECT_NE(records[1].error.find("UTF-8"), std::string::npos) << records[1].error;
    EXPECT_EQ(records[1].line, 2);
    EXPECT_EQ(records[2].error, "");
}

TEST(CsvReader, KeepsVietnameseTextByteForByte) {
    const std::string names[] = {"Nguyễn Thị Minh Khai", "Đặng Văn Ngữ", "Tạp hóa Bà Tư – Chợ Lớn",
                                 "Sữa đặc Ông Thọ 380g", "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"};
    std::string text = "name\n";
    for (const auto& n : names) text += "\"" + n + "\"\n";
    auto records = readAll(text);
    ASSERT_EQ(records.size(), 6u);
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(records[i + 1].fields, Fields{names[i]});
        EXPECT_EQ(records[i + 1].error, "");
    }
}

TEST(CsvReader, ReadsAFileFromDiskWithBomAndCrlf) {
    kpitest::TestStore store;
    auto path = store.writeFile("products.csv", "\xEF\xBB\xBFsku,name\r\nP1,\"Sữa tươi, 180ml\"\r\n");
    kpi::csv::Reader reader(path);
    Fields fields;
    ASSERT_TRUE(reader.next(fields));
    EXPECT_EQ(fields, (Fields{"sku", "name"}));
    ASSERT_TRUE(reader.next(fields));
    EXPECT_EQ(fields, (Fields{"P1", "Sữa tươi, 180ml"}));
    EXPECT_EQ(reader.line(), 2);
    EXPECT_FALSE(reader.next(fields));
}

TEST(CsvReader, ThrowsIoForAMissingFile) {
    try {
        kpi::csv::Reader reader(std::filesystem::path("/nonexistent/saleskpi/orders.csv"));
        FAIL() << "a missing file was read";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Io);
    }
}

TEST(CsvReader, ReadsNothingFromAnEmptyText) {
    EXPECT_TRUE(readAll("").empty());
    EXPECT_TRUE(readAll("\xEF\xBB\xBF").empty());
}

// The import checks a file, then reads it again to write it: equal
// fingerprints must mean the same bytes, down to one changed byte anywhere.
TEST(CsvReader, FingerprintsEqualBytesEquallyAndAnyChangedByteDifferently) {
    std::string text = "order_code,line_no,sku,quantity,amount\nA1,1,P1,10,100000\nA1,2,P2,5,50000\n";
    const auto fingerprint = [](const std::string& bytes) { return kpi::csv::Reader("x.csv", bytes).fingerprint(); };
    EXPECT_EQ(fingerprint(text), fingerprint(std::string(text)));
    for (size_t i = 0; i < text.size(); ++i) {
        std::string changed = text;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        EXPECT_NE(fingerprint(changed), fingerprint(text)) << "byte " << i;
    }
    EXPECT_NE(fingerprint(text + "\n"), fingerprint(text));  // a longer file
    EXPECT_NE(fingerprint(text.substr(0, text.size() - 1)), fingerprint(text));
    EXPECT_NE(fingerprint(""), fingerprint(std::string(1, '\0')));
}

TEST(Utf8, AcceptsWellFormedText) {
    EXPECT_TRUE(kpi::csv::isValidUtf8(""));
    EXPECT_TRUE(kpi::csv::isValidUtf8("plain ASCII"));
    EXPECT_TRUE(kpi::csv::isValidUtf8("Nguyễn Thị Lan"));        // 2- and 3-byte sequences
    EXPECT_TRUE(kpi::csv::isValidUtf8("\xF0\x9F\x98\x80"));      // U+1F600, 4 bytes
    EXPECT_TRUE(kpi::csv::isValidUtf8("\xC3\xA9"));              // é as the very last bytes
}

TEST(Utf8, RejectsMalformedSequences) {
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xE9"));                  // Latin-1 é
    EXPECT_FALSE(kpi::csv::isValidUtf8("ab\xE1\xBB"));            // truncated at the end
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xC0\xAF"));              // overlong '/'
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xE0\x80\xAF"));          // overlong, 3 bytes
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xED\xA0\x80"));          // a UTF-16 surrogate
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xF4\x90\x80\x80"));      // above U+10FFFF
    EXPECT_FALSE(kpi::csv::isValidUtf8("\x80"));                  // a lone continuation byte
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xC3" "A"));              // lead byte without continuation
    EXPECT_FALSE(kpi::csv::isValidUtf8("\xFF"));
}

}  // namespace
