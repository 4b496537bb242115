// Each defense changes exactly what it should in the batches the trainer sees.
#include "speechleak/train/defenses.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "speechleak/corpus/load.h"
#include "speechleak/train/data_pipeline.h"
#include "speechleak/util/error.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

using test::tiny_config;
using test::write_tiny_corpus;

struct Fixture {
  testing::TempDir dir;
  test::TinyCorpus tiny = write_tiny_corpus(dir.path());
  corpus::Corpus load() const { return corpus::load_corpus(corpus::CorpusSpec::parse(tiny.spec)); }
};

// Batch of every utterance in corpus order, no crop, no normalisation: what the trainer would see, raw.
Batch whole_batch(TrainingSet set, const PretrainConfig& c, int epoch = 0) {
  std::vector<int64_t> all(set.utterances.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  for (auto& u : set.utterances) u.labels = at::zeros({c.model.frames_for(u.audio.size(0))}, at::kLong);
  return make_batch(set, all, epoch, c);
}

PretrainConfig raw_config() {
  auto c = tiny_config();
  c.data.max_seconds = 10;  // no cropping
  c.data.normalization = "none";
  return c;
}

TEST(Defenses, NamesTsvAndPlainListsLoad) {
  Fixture f;
  auto tsv = NameList::load(f.tiny.names_tsv);
  EXPECT_TRUE(tsv.from_names_tsv);
  EXPECT_EQ(tsv.mentions.size(), f.tiny.with_names.size());
  EXPECT_EQ(tsv.names.size(), 3u);  // ALICE MORGAN, ALICE, MORGAN
  testing::write_text(f.dir / "list.txt", "# people\nalice morgan\n\nBob\n");
  auto list = NameList::load(f.dir / "list.txt");
  EXPECT_FALSE(list.from_names_tsv);
  ASSERT_EQ(list.names.size(), 2u);
  EXPECT_EQ(list.names[0], (std::vector<std::string>{"ALICE", "MORGAN"}));
}

TEST(Defenses, NamesFileDefaultsToTheCorpusRoot) {
  Fixture f;
  EXPECT_EQ(resolve_names_file("", corpus::CorpusSpec::parse(f.tiny.spec)), f.tiny.names_tsv);
  EXPECT_EQ(resolve_names_file("x.txt", corpus::CorpusSpec::parse(f.tiny.spec)), "x.txt");
  std::filesystem::remove(f.tiny.names_tsv);
  EXPECT_THROW(resolve_names_file("", corpus::CorpusSpec::parse(f.tiny.spec)), InvalidArgument);
}

TEST(Defenses, NoDefenseLeavesAudioAsDecoded) {
  Fixture f;
  auto c = raw_config();
  auto set = load_training_set(f.load(), c, nullptr, {});
  auto batch = whole_batch(set, c);
  ASSERT_EQ(batch.ids.size(), 6u);
  auto original = test::speechish(1.2, 100);
  EXPECT_NEAR(batch.waveforms[0][1000].item<float>(), original[1000], 1e-4);  // 16-bit WAV quantisation
  EXPECT_TRUE(std::isnan(batch.snr_db[0]));
}

TEST(Defenses, ReverseAudioReversesEveryWaveform) {
  Fixture f;
  auto c = raw_config();
  auto plain = load_training_set(f.load(), c, nullptr, {});
  c.defenses.reverse_audio = true;
  auto reversed = load_training_set(f.load(), c, nullptr, {});
  EXPECT_EQ(reversed.report.reversed, 6u);
  auto a = whole_batch(plain, c), b = whole_batch(reversed, c);
  for (int64_t k = 0; k < 6; ++k) {
    const int64_t n = a.lengths[k].item<int64_t>();
    EXPECT_TRUE(at::equal(b.waveforms[k].narrow(0, 0, n), a.waveforms[k].narrow(0, 0, n).flip(0))) << k;
  }
}

TEST(Defenses, SilenceNamesZeroesExactlyTheAlignedNameSpans) {
  Fixture f;
  auto names = NameList::load(f.tiny.names_tsv);
  auto c = raw_config();
  auto plain = whole_batch(load_training_set(f.load(), c, nullptr, {}), c);
  c.defenses.silence_names = true;
  auto set = load_training_set(f.load(), c, &names, {});
  EXPECT_EQ(set.report.silenced_utterances, f.tiny.with_names.size());
  EXPECT_NEAR(set.report.silenced_seconds, 0.4 * f.tiny.with_names.size(), 1e-6);
  auto b = whole_batch(set, c);
  for (size_t k = 0; k < b.ids.size(); ++k) {
    const bool named = std::count(f.tiny.with_names.begin(), f.tiny.with_names.end(), b.ids[k]) > 0;
    auto span = b.waveforms[k].narrow(0, 6400, 6400);  // 0.4-0.8 s
    EXPECT_EQ(span.abs().max().item<float>() == 0.0f, named) << b.ids[k];
    // Outside the name span nothing changed.
    EXPECT_TRUE(at::equal(b.waveforms[k].narrow(0, 0, 6400), plain.waveforms[k].narrow(0, 0, 6400))) << b.ids[k];
    EXPECT_TRUE(at::equal(b.waveforms[k].narrow(0, 12800, 6400), plain.waveforms[k].narrow(0, 12800, 6400)));
  }
}

TEST(Defenses, SilenceNamesFromAPlainListUsesTheAlignment) {
  Fixture f;
  testing::write_text(f.dir / "list.txt", "MORGAN\n");
  auto names = NameList::load(f.dir / "list.txt");
  auto c = raw_config();
  c.defenses.silence_names = true;
  auto b = whole_batch(load_training_set(f.load(), c, &names, {}), c);
  ASSERT_EQ(b.ids[0], f.tiny.with_names[0]);
  EXPECT_EQ(b.waveforms[0].narrow(0, 9600, 3200).abs().max().item<float>(), 0.0f);  // MORGAN: 0.6-0.8 s
  EXPECT_GT(b.waveforms[0].narrow(0, 6400, 3000).abs().max().item<float>(), 0.0f);  // ALICE kept
}

TEST(Defenses, SanitizeDropsAndCountsUtterancesWithNames) {
  Fixture f;
  auto names = NameList::load(f.tiny.names_tsv);
  auto c = raw_config();
  c.defenses.sanitize_names = true;
  auto set = load_training_set(f.load(), c, &names, {});
  EXPECT_EQ(set.report.sanitized_dropped, f.tiny.with_names.size());
  EXPECT_EQ(set.utterances.size(), 6u - f.tiny.with_names.size());
  for (const auto& u : set.utterances)
    EXPECT_EQ(std::count(f.tiny.with_names.begin(), f.tiny.with_names.end(), u.id), 0) << u.id;
  // A plain list matches transcripts.
  testing::write_text(f.dir / "list.txt", "cat\n");
  auto list = NameList::load(f.dir / "list.txt");
  auto set2 = load_training_set(f.load(), c, &list, {});
  EXPECT_EQ(set2.report.sanitized_dropped, 6u - f.tiny.with_names.size());
}

TEST(Defenses, NoiseAugmentAddsNoiseAtTheDrawnSnrPerEpoch) {
  Fixture f;
  auto c = raw_config();
  auto set = load_training_set(f.load(), c, nullptr, {});
  auto clean = whole_batch(set, c);
  c.defenses.noise_augment = true;
  c.defenses.snr_min_db = 5, c.defenses.snr_max_db = 15;
  auto e0 = whole_batch(set, c, 0), e0_again = whole_batch(set, c, 0), e1 = whole_batch(set, c, 1);
  EXPECT_TRUE(at::equal(e0.waveforms, e0_again.waveforms));  // seeded per (epoch, utterance)
  EXPECT_FALSE(at::equal(e0.waveforms, e1.waveforms));
  for (size_t k = 0; k < e0.ids.size(); ++k) {
    ASSERT_FALSE(std::isnan(e0.snr_db[k]));
    EXPECT_GE(e0.snr_db[k], 5.0);
    EXPECT_LE(e0.snr_db[k], 15.0);
    const int64_t n = clean.lengths[k].item<int64_t>();
    auto s = clean.waveforms[k].narrow(0, 0, n), noisy = e0.waveforms[k].narrow(0, 0, n);
    const double snr = 10 * std::log10(s.pow(2).mean().item<double>() / (noisy - s).pow(2).mean().item<double>());
    EXPECT_NEAR(snr, e0.snr_db[k], 0.2) << e0.ids[k];
  }
}

TEST(Defenses, CropsAreFrameAlignedAndSliceTheTargets) {
  Fixture f;
  auto c = raw_config();
  c.data.max_seconds = 0.5;
  auto set = load_training_set(f.load(), c, nullptr, {});
  for (auto& u : set.utterances) u.labels = at::arange(c.model.frames_for(u.audio.size(0)), at::kLong);
  auto b = make_batch(set, {0, 1}, 0, c);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(b.crop_offsets[k] % 320, 0);
    EXPECT_LE(b.lengths[k].item<int64_t>(), 8000);
    // Target t of the crop is the full utterance's target start + t.
    EXPECT_EQ(b.targets[k][0].item<int64_t>(), b.crop_offsets[k] / 320);
    const int64_t n = b.lengths[k].item<int64_t>();
    EXPECT_TRUE(at::equal(b.waveforms[k].narrow(0, 0, n), set.utterances[k].audio.narrow(0, b.crop_offsets[k], n)));
  }
}

}  // namespace
}  // namespace speechleak::train
