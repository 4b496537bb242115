// The README publishes the quick demo's tables (scripts/reproduce.sh writes them between generated markers); this
// runs the quick demo as the README's setup command does and checks that the block is what it prints, line for line.
// It is the suite's longest test (the quick demo: about 2.5 minutes on 2 cores).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "cli/cli_test_util.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
using testing::TempDir;

// The lines of `text` from the first that starts with `first` to the next that starts with `last`, inclusive;
// empty when either is missing.
std::vector<std::string> lines_between(const std::vector<std::string>& lines, const std::string& first,
                                       const std::string& last) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!text::starts_with(lines[i], first)) continue;
    for (size_t j = i; j < lines.size(); ++j)
      if (text::starts_with(lines[j], last)) return {lines.begin() + i, lines.begin() + j + 1};
    break;
  }
  return {};
}

// README.md's generated quick-demo block: the lines inside its code fence.
std::vector<std::string> readme_block() {
  const auto lines = read_lines(std::filesystem::path(SPEECHLEAK_SOURCE_DIR) / "README.md");
  const auto block = lines_between(lines, "<!-- generated:quick-demo", "<!-- end generated:quick-demo");
  return lines_between(block, "Membership inference against", "recogniser on the unmasked");
}

TEST(ReadmeQuickDemo, TheReadmeTablesAreWhatTheQuickDemoPrints) {
  const auto published = readme_block();
  ASSERT_GT(published.size(), 10u) << "README.md has no generated quick-demo block with both tables";
  TempDir dir;
  // stdout only: the progress lines on stderr must not interleave with the table.
  std::string out;
  ASSERT_EQ(testing::run_command("(" + testing::kCli + " demo --preset quick --out " + (dir / "demo").string() +
                                     " 2>/dev/null)",
                                 &out),
            0)
      << out;
  const auto printed =
      lines_between(text::split(out, '\n'), "Membership inference against", "recogniser on the unmasked");
  ASSERT_FALSE(printed.empty()) << out;
  EXPECT_EQ(printed, published) << "README.md's quick-demo block is stale: regenerate it with "
                                   "scripts/reproduce.sh --quick\nprinted:\n" << text::join(printed, "\n");
}

}  // namespace
}  // namespace speechleak
