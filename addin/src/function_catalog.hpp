// The one description of every spreadsheet function of the add-in (SPEC §8):
// programmatic name, display name, category, and the English and Vietnamese
// texts of the Function Wizard.
//
// Everything else follows from this table: the IDL interface is generated from it
// at build time (saleskpi-idl), the XAddIn getters answer by looking names up in
// it, and the tests compare the type library and the office's
// FunctionDescriptions with its JSON dump. Thread-safe: constant data only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace saleskpi::addin {

enum class FunctionId { Actual, Target, Attainment, Projected, Score, Detail, AsOf, Status, Period, Payout, Factor };

// How an argument is declared in the IDL and so how Calc passes it.
enum class ArgumentType {
    Caller,  // com::sun::star::beans::XPropertySet: the calling document, hidden from the user
    Text,    // string: required
    Value,   // any: optional; VOID when omitted, a number (also a date) or a text otherwise
    Number,  // double: required; Calc itself answers #VALUE! for a text
};

enum class Language { English, Vietnamese };

// A text in both languages of the Function Wizard, UTF-8.
struct LocalizedText {
    std::string_view english;
    std::string_view vietnamese;

    std::string_view in(Language language) const { return language == Language::Vietnamese ? vietnamese : english; }
};

struct ArgumentSpec {
    std::string_view idlName;  // the parameter's name in the IDL
    ArgumentType type;
    LocalizedText name;         // empty for the hidden caller
    LocalizedText description;  // empty for the hidden caller
};

struct FunctionSpec {
    FunctionId id;
    // The IDL method name. Documents store it (prefixed with the service name):
    // never rename one.
    std::string_view programmaticName;
    // The name users type. English in every UI language (SPEC §8), so that a
    // formula reads the same for everyone.
    std::string_view displayName;
    // One of Calc's own category names; all functions share one.
    std::string_view category;
    LocalizedText description;
    // In IDL order: the hidden caller first. Calc's getters count it too.
    std::vector<ArgumentSpec> arguments;
};

// The service that carries the functions; documents store
// "<serviceName>.<programmaticName>".
inline constexpr std::string_view kServiceName = "org.saleskpi.KpiFunctions";
inline constexpr std::string_view kImplementationName = "org.saleskpi.KpiFunctions";
inline constexpr std::string_view kInterfaceModule = "org::saleskpi";
inline constexpr std::string_view kInterfaceName = "XKpiFunctions";

const std::vector<FunctionSpec>& functionCatalog();

// nullptr when unknown.
const FunctionSpec* findFunction(std::string_view programmaticName);
// Case-insensitive (ASCII), as Calc matches names; nullptr when unknown.
const FunctionSpec* findFunctionByDisplayName(std::string_view displayName);
const FunctionSpec& specOf(FunctionId id);

// The UI language for a BCP 47 language code ("vi", "vi-VN" → Vietnamese,
// anything else → English).
Language languageOf(std::string_view languageCode);

// The IDL source of the XKpiFunctions interface.
std::string interfaceIdl();
// The catalog as JSON, for the tests.
std::string catalogJson();

}  // namespace saleskpi::addin
