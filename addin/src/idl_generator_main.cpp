// saleskpi-idl: writes the XKpiFunctions IDL (--idl FILE) and the catalog's JSON
// dump (--json FILE) from the function catalog. Runs at build time.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "function_catalog.hpp"

namespace {

bool writeFile(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
        std::cerr << "saleskpi-idl: cannot write " << path << "\n";
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc % 2 == 0) {
        std::cerr << "usage: saleskpi-idl [--idl FILE] [--json FILE]\n";
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view option = argv[i];
        std::string content;
        if (option == "--idl") {
            content = saleskpi::addin::interfaceIdl();
        } else if (option == "--json") {
            content = saleskpi::addin::catalogJson();
        } else {
            std::cerr << "saleskpi-idl: unknown option " << option << "\n";
            return 2;
        }
        if (!writeFile(argv[i + 1], content)) return 1;
    }
    return 0;
}
