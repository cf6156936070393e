// voirie_play_reviewer PROJECT.gpkg SAMPLE_DIR [--match-m M]: reviews a project of a generated
// survey from its ground truth (tests/support/truth_reviewer.hpp), in place, and prints what it
// did as JSON. Used by scripts/measure-review-loop.sh.
#include "truth_reviewer.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    if (argc != 3 && !(argc == 5 && std::string(argv[3]) == "--match-m")) {
        std::cerr << "usage: voirie_play_reviewer PROJECT.gpkg SAMPLE_DIR [--match-m M]\n";
        return 2;
    }
    const double match_m = argc == 5 ? std::stod(argv[4]) : 2.0;
    auto summary = voirie::test::reviewFromTruth(argv[1], argv[2], {VOIRIE_BUILTIN_PLUGIN_DIR}, match_m);
    if (!summary) {
        std::cerr << "voirie_play_reviewer: " << summary.error() << "\n";
        return 1;
    }
    std::cout << summary->toJson().dump() << "\n";
    return 0;
}
