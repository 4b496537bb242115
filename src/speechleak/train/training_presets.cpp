// Training presets: measured choices of data, model size, epochs and masking (docs/results.md has the numbers).
#include "speechleak/train/presets.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

std::vector<TrainingPreset> training_presets() {
  return {
      {"smoke", "seconds: checks that pretraining runs (tiny model, 2 epochs)",
       "speechleak synth --out corpus --seed 1"},
      {"memorise", "minutes: a model that measurably memorises its speakers (mini model, per-speaker k-means "
                   "targets, unmasked loss, 150 epochs; the demo's recipe, docs/results.md)",
       "speechleak synth --out corpus --seed 4 --pretrain-speakers 24 --heldout-speakers 24 --aux-speakers 48 "
       "--finetune-speakers 2 --utts-per-speaker 4 --min-words 6 --max-words 7 --jitter-rate 0 "
       "--lead-silence 0.1:0.1 --trail-silence 0.1:0.1"},
  };
}

void apply_training_preset(const std::string& name, PretrainConfig& c) {
  if (name == "smoke") {
    c.arch = "tiny";
    c.model = resolve_arch("tiny");
    c.epochs = 2;
    c.hubert.kmeans.clusters = 50;
    return;
  }
  if (name == "memorise") {
    // Each choice below and what it did is in docs/results.md ("Pretraining presets").
    c.arch = "mini";
    c.model = resolve_arch("mini");
    c.hubert.kmeans.scope = "speaker";  // a codebook per training speaker: its labels can only be learnt by memorising
    c.hubert.kmeans.clusters = 20;
    c.hubert.head.head = "cosine";
    c.hubert.head.unmasked_weight = 1.0;  // also label the frames the model sees
    c.hubert.masking.prob = 0.08;
    c.hubert.masking.span = 10;
    c.data.batch_size = 8;
    c.data.max_seconds = 6;
    c.optim.lr = 2e-3;
    c.epochs = 150;
    c.checkpoint_every = 100;  // steps; per-epoch checkpoints of such short epochs would write ~1 GB per run
    return;
  }
  std::string names;
  for (const auto& p : training_presets()) names += (names.empty() ? "" : ", ") + p.name;
  throw invalid_argument("--preset", "one of " + names, "'" + name + "'");
}

}  // namespace speechleak::train
