#include "speechleak/noise_masking/config.h"

#include <algorithm>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/text.h"

namespace speechleak::noise_masking {

std::string to_string(Fill fill) {
  switch (fill) {
    case Fill::Silence: return "silence";
    case Fill::White: return "white";
    case Fill::SpeechShaped: return "speech-shaped";
    case Fill::MaskEmbedding: return "mask-embedding";
  }
  return "?";
}

Fill parse_fill(const std::string& name) {
  if (name == "silence") return Fill::Silence;
  if (name == "white") return Fill::White;
  if (name == "speech-shaped") return Fill::SpeechShaped;
  if (name == "mask-embedding") return Fill::MaskEmbedding;
  throw invalid_argument("--fill", "silence, white, speech-shaped or mask-embedding", "'" + name + "'");
}

void NoiseMaskConfig::validate() const {
  if (!(level >= 0.0 && level <= 100.0)) throw invalid_argument("--level", "a value in [0, 100]", text::general(level));
  if (!(pad_s >= 0.0 && pad_s <= 2.0)) throw invalid_argument("--pad", "seconds in [0, 2]", text::general(pad_s));
  require_at_least("--draws", draws, 1);
  if (draws > 1 && (fill == Fill::Silence || fill == Fill::MaskEmbedding))
    throw invalid_argument("--draws", "1 with --fill " + to_string(fill) + " (every draw would be the same)",
                           std::to_string(draws));
  decode.validate();
  batch.validate();
  require_at_least("--decode-threads", decode_threads, 1);
  require_at_least("--window", window, 1);
  audio_policy.validate();
  auto check_grid = [](const std::string& name, const std::vector<double>& v, double hi) {
    if (v.empty()) throw invalid_argument(name, "at least one value", "none");
    for (double x : v)
      if (!(x >= 0.0 && x <= hi))
        throw invalid_argument(name, "values in [0, " + text::general(hi) + "]", text::general(x));
    if (!std::is_sorted(v.begin(), v.end())) throw invalid_argument(name, "increasing values", "an unsorted list");
  };
  check_grid("--taus", taus, 100.0);
  check_grid("--thetas", thetas, 1.0);
}

nlohmann::json NoiseMaskConfig::to_json() const {
  return {{"fill", to_string(fill)},
          {"level", level},
          {"pad_s", pad_s},
          {"draws", draws},
          {"seed", seed},
          {"unmasked", unmasked},
          {"decode", {{"beam", decode.beam}, {"beam_prune", decode.beam_prune}, {"language_model", nullptr}}},
          {"batch", {{"max_batch_size", batch.max_batch_size}, {"max_batch_samples", batch.max_batch_samples}}},
          {"decode_threads", decode_threads},
          {"window", window},
          {"allow_commands", audio_policy.allow_commands},
          {"taus", taus},
          {"thetas", thetas}};
}

}  // namespace speechleak::noise_masking
