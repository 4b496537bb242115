// `speechleak experiment noise-masking` on its "test" preset (seconds): every (variant, fill) cell runs, the
// repetition knob changes what the encoder trains on, defenses act, a second run reuses the models, bad variants are
// refused before any work.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "speechleak/demo/noise_masking_experiment.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::demo {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using speechleak::testing::TempDir;

json read_json(const fs::path& p) { return json::parse(read_text_file(p)); }

template <class F>
void expect_invalid(F&& f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no InvalidArgument naming " << what;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

// A noise-masking summary without its wall-clock throughput.
json without_timings(json summary) {
  for (auto& set : summary.at("sets")) set.erase("throughput");
  return summary;
}

size_t manifest_rows(const fs::path& p) { return read_lines(p).size() - 1; }  // minus the header

TEST(NoiseMaskingExperiment, RunsEveryCellWithItsOwnEncoderAndReusesThemWhenRunAgain) {
  TempDir dir;
  const auto preset = noise_masking_study_preset("test");
  const std::vector<NoiseMaskingVariant> variants{noise_masking_variant("none"), noise_masking_variant("repeats-1"),
                                                  noise_masking_variant("sanitize-names")};
  const auto r = run_noise_masking_study(preset, variants, dir / "study");

  ASSERT_EQ(r.cells.size(), variants.size() * preset.fills.size());
  std::set<std::string> encoders;
  for (const auto& c : r.cells) {
    encoders.insert(c.encoder.string());
    EXPECT_TRUE(fs::exists(c.run_dir / "summary.json")) << c.run_dir;
    EXPECT_TRUE(fs::exists(c.recogniser / "model.safetensors")) << c.recogniser;
    const json config = read_json(c.run_dir / "config.json");
    EXPECT_EQ(config.at("study").at("variant"), c.variant);
    for (const auto& set : c.summary.at("sets"))  // half of the 6 canaries inserted, half held out
      EXPECT_EQ(set.at("counts").at("trials"), 3) << c.variant << " " << set.at("set");
  }
  EXPECT_EQ(encoders.size(), 3u) << "each variant trains its own encoder";

  // Pretraining data: the first R renderings of the 3 inserted canaries, then the 2 x 4 fine-tuning utterances.
  EXPECT_EQ(manifest_rows(dir / "study" / "pretrain-r1.tsv"), 3u + 8u);
  EXPECT_EQ(manifest_rows(dir / "study" / "pretrain-r2.tsv"), 6u + 8u);
  const json sanitized = read_json(r.cells.back().encoder / "speechleak_pretraining.json");
  EXPECT_GE(sanitized.at("defenses").at("sanitize_names").at("utterances_dropped").get<int>(), 6)
      << "every canary mentions a name";

  const auto table = read_lines(r.table);
  EXPECT_EQ(table.size(), 2 + r.cells.size());
  EXPECT_NE(table[2].find("| none | white | "), std::string::npos) << table[2];
  EXPECT_EQ(read_json(r.record).at("cells").size(), r.cells.size());
  EXPECT_FALSE(r.report.empty());

  const auto again = run_noise_masking_study(preset, {variants[0]}, dir / "study");
  ASSERT_EQ(again.cells.size(), preset.fills.size());
  EXPECT_EQ(again.cells[0].encoder, r.cells[0].encoder);
  EXPECT_EQ(without_timings(again.cells[0].summary), without_timings(r.cells[0].summary))
      << "same models, same seeds: same outcomes";
  EXPECT_EQ(read_lines(again.table).size(), 2 + preset.fills.size()) << "the table describes this run only";
}

TEST(NoiseMaskingExperiment, RefusesUnknownVariantsAndMoreRepeatsThanTheCorpusRendersBeforeAnyWork) {
  TempDir dir;
  const auto preset = noise_masking_study_preset("test");
  expect_invalid([] { noise_masking_variant("mtr-only"); }, "--variant");
  expect_invalid([] { noise_masking_study_preset("huge"); }, "--preset");
  expect_invalid(
      [&] { run_noise_masking_study(preset, {{"repeats-9", {}, 9}}, dir / "a"); }, "repeats");
  expect_invalid(
      [&] { run_noise_masking_study(preset, {{"x", {"sanitise"}, 0}}, dir / "b"); }, "--defense");
  expect_invalid([&] { run_noise_masking_study(preset, {}, dir / "c"); }, "--variant");
  EXPECT_FALSE(fs::exists(dir / "a"));
  EXPECT_FALSE(fs::exists(dir / "b"));
}

}  // namespace
}  // namespace speechleak::demo
