#pragma once
// Per-utterance signals that extraction computes beside the hidden states and stores with them: numbers a model
// gives an utterance that its hidden states do not hold, such as the pretraining objective's probability of the
// utterance's own targets (train/pretext_signal.h). The calibrated attacks read them from the store like the other
// summaries, so a store can be rescored by any attack without the model.
//
// Stored per utterance as "<name>/<field>" float64 [1] arrays (e.g. "pretext/masked_logp"); store.json records
// description(), so stores made with other signal settings are never mixed.
#include <map>
#include <span>
#include <string>

namespace speechleak::features {

class UtteranceSignal {
 public:
  virtual ~UtteranceSignal() = default;
  // The arrays' prefix in the store, e.g. "pretext"; letters, digits and '-' only (never a layer number).
  virtual std::string name() const = 0;
  // What is computed and how (settings, seeds, the model's head): one line, identical for identical settings.
  virtual std::string description() const = 0;
  // `samples`: the utterance as decoded (16 kHz mono, before the encoder's own normalisation; time-reversed when
  // the extraction reverses audio). Returns field -> value. Throws speechleak::Error for an utterance it cannot
  // score (extraction then skips and counts it).
  virtual std::map<std::string, double> compute(std::span<const float> samples, const std::string& utt_id) = 0;
};

}  // namespace speechleak::features
