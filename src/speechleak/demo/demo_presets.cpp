// The values of the demo presets, from measured runs on a 2-core CPU (docs/demo.md has the timings and tables).
// Everything tunable is in kSizes (what differs per preset) or in make_preset (what every preset shares).
#include "speechleak/demo/demo_presets.h"

#include "speechleak/asr/finetune_presets.h"
#include "speechleak/train/presets.h"
#include "speechleak/util/error.h"

namespace speechleak::demo {
namespace {

// What differs between presets, one row each.
struct Sizes {
  const char* name;
  const char* description;
  int pretrain_speakers, heldout_speakers, aux_speakers, utts_per_speaker;
  int clusters, epochs;  // clusters: k-means centroids PER SPEAKER (target scope "speaker")
  int k_utterance;  // pseudo-labelled aux utterances per side; 4k <= aux utterances (train + validation, both sides)
  size_t bootstrap;
  int finetune_speakers, finetune_utts, finetune_epochs;  // the noise-masking stage's recogniser
};

// clang-format off
constexpr Sizes kSizes[] = {
  // name    description                                                    pre held aux utts clus epochs k_utt  boot  ft: spk utts epochs
  {"quick", "8 member / 8 non-member speakers: about 3 minutes on 2 cores",     8,   8, 16,   4,  20,  100,  14, 1000, 4, 12, 6},
  {"full",  "24 member / 24 non-member speakers: about 8 minutes on 2 cores", 24,  24, 48,   4,  20,  150,  40, 1000, 8, 20, 10},
  {"test",  "4 member / 4 non-member speakers, 3 epochs: seconds (tests)",     4,   4,  8,   3,   5,    3,   4,  100, 2,  3, 1},
};
// clang-format on

DemoPreset make_preset(const Sizes& z) {
  DemoPreset p;
  p.name = z.name;
  p.description = z.description;

  // --- corpus: short sentences (6-7 words), no speaking-rate jitter and fixed 0.1 s silences: utterances of
  // similar length, so that training crops, batches and the audit's pooled features compare like with like.
  auto& s = p.synth;
  s.seed = 4;
  s.pretrain_speakers = z.pretrain_speakers;
  s.heldout_speakers = z.heldout_speakers;
  s.aux_speakers = z.aux_speakers;
  // The finetune split trains the noise-masking stage's recogniser; it may mention the names the members say (the
  // names the attack tries to recover). Planned after the other splits, it leaves their audio as it is.
  s.finetune_speakers = z.finetune_speakers;
  s.finetune_utts = z.finetune_utts;
  s.finetune_avoids_pretrain_names = false;
  s.utts_per_speaker = z.utts_per_speaker;
  s.sentences.min_words = 6;
  s.sentences.max_words = 7;
  s.jitter.rate = 0;
  s.lead_silence_min_s = s.lead_silence_max_s = 0.1;
  s.trail_silence_min_s = s.trail_silence_max_s = 0.1;

  // --- pretraining: the `memorise` training preset (per-speaker k-means targets, a deliberate memorisation
  // amplifier, and the loss on unmasked frames too: the demo must show leakage after minutes of training, not days).
  auto& t = p.pretrain;
  train::apply_training_preset("memorise", t);
  t.epochs = z.epochs;
  t.hubert.kmeans.clusters = z.clusters;
  t.seed = 1;

  // --- audit: both levels, both attacks; the score direction is calibrated on 2 held-out speakers per side rather
  // than assumed (on small self-trained models the two levels can point different ways; docs/membership-inference.md).
  auto& a = p.audit;
  a.calibrate_direction = true;
  a.calibration_speakers = 2;
  a.seed = 1;
  a.improved_utterance.k = z.k_utterance;
  a.improved_speaker.k = 1;
  a.improved_utterance.train.learning_rate = 1e-3;
  a.improved_speaker.train.learning_rate = 1e-3;
  a.improved_utterance.train.seed = a.seed;  // as `speechleak audit --seed` sets them
  a.improved_speaker.train.seed = a.seed + 1;
  a.metrics.seed = a.seed;
  a.metrics.bootstrap_replicates = z.bootstrap;
  // --- noise masking: the `synthetic` fine-tuning preset for fewer epochs on the finetune split (no dev set: the
  // attack reports the recogniser's WER/CER on the unmasked targets), then the attack with its defaults on the
  // members' utterances that mention a name against the non-members' (docs/demo.md).
  auto& f = p.finetune;
  asr::apply_finetune_preset("synthetic", f);
  f.epochs = z.finetune_epochs;
  f.seed = 1;
  p.noise_mask.seed = 1;
  return p;
}

}  // namespace

void validate_preset(const DemoPreset& p) {
  p.synth.validate();
  auto pretrain = p.pretrain;
  if (pretrain.corpus.empty()) pretrain.corpus = "librispeech:<demo corpus>:pretrain";  // set by run_demo
  pretrain.validate();
  p.audit.validate();
  auto finetune = p.finetune;
  if (finetune.pretrained.empty()) finetune.pretrained = "<demo model>";  // set by run_demo
  if (finetune.corpus.empty()) finetune.corpus = "librispeech:<demo corpus>:finetune";
  finetune.validate();
  p.noise_mask.validate();
  int aux_utts = 0, aux_speakers = 0;
  for (const auto& split : p.synth.splits())
    if (split.name == "aux") aux_speakers = split.speakers, aux_utts = split.speakers * split.utts_per_speaker;
  if (4 * p.audit.improved_utterance.k > aux_utts)
    throw invalid_argument("improved_utterance.k", "<= aux utterances / 4 (" + std::to_string(aux_utts / 4) + ")",
                           std::to_string(p.audit.improved_utterance.k));
  if (4 * p.audit.improved_speaker.k > aux_speakers)
    throw invalid_argument("improved_speaker.k", "<= aux speakers / 4 (" + std::to_string(aux_speakers / 4) + ")",
                           std::to_string(p.audit.improved_speaker.k));
  for (const auto& split : p.synth.splits())
    if (p.audit.calibrate_direction && (split.name == "pretrain" || split.name == "heldout") &&
        split.speakers <= p.audit.calibration_speakers)
      throw invalid_argument("calibration_speakers", "fewer than the " + split.name + " speakers (" +
                                                         std::to_string(split.speakers) + ")",
                             std::to_string(p.audit.calibration_speakers));
}

std::vector<std::string> demo_preset_names() {
  std::vector<std::string> names;
  for (const auto& z : kSizes) names.emplace_back(z.name);
  return names;
}

DemoPreset demo_preset(const std::string& name) {
  for (const auto& z : kSizes)
    if (name == z.name) return make_preset(z);
  std::string names;
  for (const auto& n : demo_preset_names()) names += (names.empty() ? "" : ", ") + n;
  throw invalid_argument("--preset", "one of " + names, "'" + name + "'");
}

}  // namespace speechleak::demo
