// Recognition on PCM and transcription of a corpus: batches equal single utterances, corpus order, skipped
// files counted, WER/CER summed over the corpus and per speaker.
#include "speechleak/asr/transcribe.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "speechleak/corpus/load.h"
#include "speechleak/train/model_init.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"
#include "support/tiny_encoder.h"
#include "train/train_test_util.h"

namespace speechleak::asr {
namespace {

CtcModel random_recogniser(uint64_t seed) {
  at::manual_seed(seed);
  auto m = CtcModel(train::init_encoder_model(testing::tiny_encoder_config("wav2vec2")), Vocabulary::characters(), 0.1);
  // A head with large weights so that the argmax path is not all blanks.
  at::NoGradGuard no_grad;
  m->lm_head->weight.normal_(0, 2.0);
  return m;
}

TEST(Recognise, ABatchEqualsEachUtteranceAloneAndRestoresTheTrainingMode) {
  auto model = random_recogniser(1);
  model->train();
  const auto a = train::test::speechish(0.7, 1), b = train::test::speechish(1.3, 2);
  DecodeOptions keep;
  keep.keep_log_probs = true;
  const auto both = recognise(model, {a, b}, true, keep);
  EXPECT_TRUE(model->is_training());
  ASSERT_EQ(both.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto alone = recognise(model, {i == 0 ? a : b}, true, keep)[0];
    EXPECT_EQ(both[i].frames, alone.frames);
    EXPECT_EQ(both[i].log_probs.sizes(), alone.log_probs.sizes());
    EXPECT_TRUE(at::allclose(both[i].log_probs, alone.log_probs, 1e-4, 1e-4)) << i;
    EXPECT_EQ(both[i].frame_labels, alone.frame_labels) << i;
    EXPECT_EQ(both[i].hypothesis, alone.hypothesis) << i;
  }
  EXPECT_EQ(both[0].frames, 34);  // (0.7 s * 16000 - 400) / 320 + 1
  EXPECT_FALSE(both[1].hypothesis.empty()) << "a random head with large weights emits labels";
  EXPECT_FALSE(recognise(model, {a}, true)[0].log_probs.defined()) << "posteriors only on request";
  EXPECT_THROW(recognise(model, {std::vector<float>{}}, true), InvalidArgument);
  DecodeOptions beam;
  beam.beam = 4;
  EXPECT_NO_THROW(recognise(model, {a, b}, true, beam));
}

TEST(Recognise, MaskSpansReplaceFramesByTheMaskEmbedding) {
  auto model = random_recogniser(3);
  {
    at::NoGradGuard no_grad;
    model->encoder->masked_spec_embed.normal_(0, 5.0);  // far from any projected feature
  }
  const auto a = train::test::speechish(1.0, 4), b = train::test::speechish(0.8, 5);
  DecodeOptions keep;
  keep.keep_log_probs = true;
  const auto plain = recognise(model, {a, b}, true, keep);
  const auto none = recognise(model, {a, b}, true, keep, {{}, {}});
  EXPECT_TRUE(at::equal(plain[0].log_probs, none[0].log_probs)) << "no span: the plain forward pass";
  const auto masked = recognise(model, {a, b}, true, keep, {{{0.3, 0.6}}, {}});
  EXPECT_EQ(masked[0].frames, plain[0].frames);
  EXPECT_FALSE(at::allclose(masked[0].log_probs, plain[0].log_probs, 1e-3, 1e-3)) << "the masked utterance changes";
  EXPECT_TRUE(at::allclose(masked[1].log_probs, plain[1].log_probs, 1e-4, 1e-4)) << "the other one does not";
  // Frames far from the span change less than those inside it (attention mixes, the span replaces).
  const auto diff = (masked[0].log_probs - plain[0].log_probs).abs().sum(1);
  EXPECT_GT(diff.slice(0, 17, 28).mean().item<double>(), diff.slice(0, 40, 49).mean().item<double>());
  EXPECT_THROW(recognise(model, {a, b}, true, keep, {{{0.3, 0.6}}}), InvalidArgument) << "one list per waveform";
}

TEST(TranscribeCorpus, HandsResultsBackInCorpusOrderAndCountsWhatItSkips) {
  testing::TempDir dir;
  const auto tiny = train::test::write_tiny_corpus(dir.path(), 2, 4);
  testing::write_text(dir / "audio" / "spk1-u2.wav", "not a wav file");  // one unreadable utterance
  const auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse(tiny.spec));
  auto model = random_recogniser(2);
  TranscribeConfig config;
  config.batch.max_batch_size = 3;
  config.window = 5;
  std::vector<std::string> ids;
  ErrorTally expected;
  const auto report = transcribe_corpus(corpus, model, false, config, [&](const Transcript& t) {
    ids.push_back(t.utterance->id);
    expected.add(t.utterance->speaker_id, *t.utterance->transcript, t.recognition.hypothesis);
  });
  const std::vector<std::string> order = {"spk0-u0", "spk0-u1", "spk0-u2", "spk0-u3",
                                          "spk1-u0", "spk1-u1", "spk1-u3"};
  EXPECT_EQ(ids, order);
  EXPECT_EQ(report.total, 8u);
  EXPECT_EQ(report.transcribed, 7u);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped.items[0].id, "spk1-u2");
  EXPECT_EQ(report.errors.overall.utterances, 7u);
  EXPECT_EQ(report.errors.overall.words.reference, 28u);  // 4 words each
  EXPECT_EQ(report.errors.overall.words.errors(), expected.overall.words.errors());
  EXPECT_EQ(report.errors.by_speaker.at("spk1").utterances, 3u);
  EXPECT_EQ(report.errors.by_speaker.at("spk0").words.reference, 16u);
}

TEST(ErrorTally, SumsErrorsNotRates) {
  ErrorTally t;
  t.add("a", "ONE TWO THREE FOUR", "ONE TWO THREE FOUR");  // 0 of 4
  t.add("b", "FIVE", "SIX");                                 // 1 of 1
  EXPECT_DOUBLE_EQ(t.overall.words.rate(), 0.2);             // not the mean of 0 and 1
  EXPECT_EQ(t.by_speaker.at("b").words.substitutions, 1u);
  EXPECT_EQ(t.by_speaker.at("a").characters.reference, 18u);  // "ONE TWO THREE FOUR"
  EXPECT_EQ(t.overall.utterances, 2u);
}

}  // namespace
}  // namespace speechleak::asr
