#pragma once
// Span masking of frames (masking.h), shared by the objectives that predict masked frames (HuBERT, wav2vec 2.0).
// Torch-free.
#include <nlohmann/json_fwd.hpp>

namespace speechleak::train {

// Each valid frame starts a span with probability `prob`, spans of `span` frames, overlaps allowed. HuBERT's paper:
// p = 8% (fairseq mask_prob 0.8 = p * span, ~57% of frames masked); wav2vec 2.0's: p = 6.5% (mask_prob 0.65, ~49%).
struct MaskingConfig {
  double prob = 0.08;
  int span = 10;
  int min_spans = 1;  // at least this many spans per utterance (short utterances)
  void validate() const;
};

void to_json(nlohmann::json& j, const MaskingConfig& c);
void from_json(const nlohmann::json& j, MaskingConfig& c);  // missing fields keep their values

}  // namespace speechleak::train
