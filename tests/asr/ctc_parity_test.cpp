// A CTC recogniser written by torchaudio (wav2vec2_model(aux_num_out=30), scripts/make_encoder_fixtures.py) loads
// from its HF Wav2Vec2ForCTC directory and reproduces torchaudio's logits and greedy transcripts.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "encoder/encoder_test_util.h"
#include "speechleak/asr/recognise.h"
#include "speechleak/audio/normalize.h"
#include "speechleak/util/file_io.h"

namespace speechleak::asr {
namespace {

using encoder::test::fixtures;

TEST(CtcParity, TorchaudioLogitsAndGreedyTranscriptsSingleAndBatched) {
  const auto dir = fixtures() / "d_w2v2_ctc";
  auto loaded = load_ctc_directory(dir);
  EXPECT_TRUE(loaded.do_normalize);
  EXPECT_EQ(loaded.model->vocabulary().size(), 30);
  const auto ref = encoder::load_tensors(dir / "reference.safetensors");
  const auto expected = nlohmann::json::parse(read_text_file(dir / "reference.json"))["greedy"];
  const auto waves = encoder::test::input_waves();
  std::vector<std::span<const float>> spans;
  for (const auto& w : waves) spans.emplace_back(w.data_ptr<float>(), static_cast<size_t>(w.numel()));
  DecodeOptions keep;
  keep.keep_log_probs = true;
  const auto batched = recognise(loaded.model, spans, loaded.do_normalize, keep);
  for (size_t i = 0; i < waves.size(); ++i) {
    const auto alone = recognise(loaded.model, {spans[i]}, loaded.do_normalize, keep)[0];
    const auto& logits = ref.at("logits_wave" + std::to_string(i));
    const auto want = at::log_softmax(logits, -1);
    for (const auto* r : {&alone, &batched[i]}) {
      ASSERT_EQ(r->log_probs.sizes(), want.sizes()) << i;
      EXPECT_LT(encoder::test::rel_error(r->log_probs, want), encoder::test::kTolerance) << "wave " << i;
      EXPECT_EQ(r->hypothesis, expected[i].get<std::string>()) << "wave " << i;
    }
  }
  // The raw logits too (log_softmax could hide a constant offset).
  at::NoGradGuard no_grad;
  loaded.model->eval();
  auto x = waves[0].clone();
  audio::normalize(std::span<float>(x.data_ptr<float>(), static_cast<size_t>(x.numel())),
                   audio::Normalization::ZeroMeanUnitVar);
  const auto out = loaded.model->forward(x.unsqueeze(0));
  EXPECT_LT(encoder::test::rel_error(out.logits[0], ref.at("logits_wave0")), encoder::test::kTolerance);
}

}  // namespace
}  // namespace speechleak::asr
