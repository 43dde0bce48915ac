#include <gtest/gtest.h>

#include <clocale>
#include <csignal>

// Our own main: a user locale must never leak a decimal comma into GeoJSON, so tests run
// under the environment's locale, as the server would.
int main(int argc, char** argv) {
    std::setlocale(LC_ALL, "");
    std::signal(SIGPIPE, SIG_IGN);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
