#pragma once
// What the trainer sees: decoded utterances with their static defenses applied, their k-means targets, and the
// batches of each epoch (seeded order, seeded crops, per-(epoch, utterance) noise and masks, padding).
//
// Every random choice of a batch is a function of (seed, epoch, utterance id): the data-order position of a run
// is just (epoch, batch index), which is all a checkpoint needs to continue bit for bit.
//
// Per utterance in a batch: clean copy -> noise defense (drawn for this epoch) -> normalisation of the whole
// utterance (DataConfig::normalization) -> crop (LabelLayout: frame labels are cropped with the audio on a frame
// boundary, so crop frame t is full frame start + t; sequence labels forbid crops). What an objective adds to a
// batch (its masks) it adds itself (Objective::prepare).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/utterance_audio.h"
#include "speechleak/train/defenses.h"
#include "speechleak/train/training_config.h"
#include "speechleak/train/targets.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::train {

struct TrainUtterance {
  std::string id, speaker_id;
  std::optional<std::string> transcript;  // the corpus's, when it has one (sequence labels are made from it)
  at::Tensor audio;   // [S] float32 16 kHz after the static defenses (silence, reverse); not normalised
  at::Tensor labels;  // int64 targets of the whole utterance: one per frame (attach_labels) or a sequence
};

// How an objective's labels relate to the audio, which decides how utterances may be cropped.
enum class LabelLayout {
  Frames,    // one label per model frame: crops start on a frame boundary and slice the labels with the audio
  Sequence,  // a label sequence for the whole utterance (transcripts): never cropped
};

struct DatasetReport {
  size_t corpus_utterances = 0;     // in the corpus spec
  size_t sanitized_dropped = 0;     // --sanitize-names
  size_t used = 0;                  // utterances trained on
  size_t speakers = 0;
  double audio_seconds = 0;         // of the utterances used
  size_t silenced_utterances = 0, silenced_spans = 0;  // --silence-names
  double silenced_seconds = 0;
  size_t names_without_alignment = 0;  // mention a name but have no alignment to silence it with (kept, unchanged)
  size_t reversed = 0;              // --reverse-audio
  SkipReport skipped;               // unreadable or shorter than --min-seconds
};

struct TrainingSet {
  std::vector<TrainUtterance> utterances;  // corpus order (sorted by id)
  DatasetReport report;
};

// Applies --sanitize-names to the corpus (when on), decodes every remaining utterance, and applies --silence-names
// and --reverse-audio. `names` may be null when no name defense is on. Progress: stage "load audio".
TrainingSet load_training_set(corpus::Corpus corpus, const TrainingConfig& config, const NameList* names,
                              const corpus::AudioPolicy& policy, const ProgressCallback& progress = {});

// Labels every utterance with the target model (scoped targets: by its speaker or utterance id).
void attach_labels(TrainingSet& set, const TargetModel& targets);
// The group key of an utterance under a target scope ("" for global).
std::string target_group(const TrainUtterance& u, const std::string& scope);

// The batches of one epoch: a seeded permutation of [0, n) cut into batch_size pieces (the last may be smaller).
std::vector<std::vector<int64_t>> epoch_batches(size_t n, int batch_size, uint64_t seed, int epoch);
int64_t batches_per_epoch(size_t n, int batch_size);

struct Batch {
  at::Tensor waveforms;      // [B, S] float32, zero-padded
  at::Tensor lengths;        // [B] int64 valid samples
  at::Tensor frame_lengths;  // [B] int64 valid frames
  at::Tensor targets;        // [B, L] int64 labels, -1-padded: L = T frames (Frames) or the longest sequence
  at::Tensor target_lengths; // [B] int64 labels per utterance (after cropping)
  at::Tensor mask;           // [B, T] bool time mask (true = replaced by the mask embedding); set by the objective
  at::Tensor channel_mask;   // [B, D] bool channel mask (true = zeroed in every frame); set by the objective
  // What an objective's prepare adds beyond the masks, by name (wav2vec 2.0: "negatives", "gumbel_uniform").
  std::map<std::string, at::Tensor> extras;
  std::vector<std::string> ids;
  std::vector<int64_t> crop_offsets;  // samples cut from the start of each utterance
  std::vector<double> snr_db;         // noise defense SNR per utterance, NaN when none
  double audio_seconds = 0;           // valid samples / 16 kHz

  Batch to(const c10::Device& device) const;  // tensors moved, the rest copied
};

// Builds the batch of `indices` for `epoch` (no objective masks yet).
Batch make_batch(const TrainingSet& set, const std::vector<int64_t>& indices, int epoch, const TrainingConfig& config,
                 LabelLayout layout = LabelLayout::Frames);

// The per-(epoch, utterance) stream name of a random draw ("noise", "crop", "mask", ...): derive_seed(seed, it).
std::string epoch_stream(const char* what, int epoch, const std::string& utterance_id);

}  // namespace speechleak::train
