#pragma once
// Feature extraction at corpus scale: decode and resample in worker threads while the encoder runs, batch
// utterances of similar length, and append each utterance's results to a feature store as they are produced.
// Resumable (utterances already in the store are skipped) and shardable (--shard i/N).
//
// What is stored per utterance and layer L (array names in the store):
//   L/mean       float64 [D]     mean frame (the speaker-level basic attack's utterance vector)
//   L/unit_sum   float64 [D]     sum of L2-normalised frames (with the frame count: the cosine utterance score)
//   L/euclidean  float64 [1]     mean pairwise euclidean frame distance, exact (needs all frames, so computed here)
//   L/frames     float16|float32 [T, D]   only with ExtractConfig::frames (the learned attacks need them)
// plus, with an UtteranceSignal, its fields as <name>/<field> float64 [1] (utterance_signal.h),
// and meta: speaker_id, num_samples, frames (T).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/utterance_audio.h"
#include "speechleak/features/feature_store.h"
#include "speechleak/features/utterance_signal.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::encoder {
class Encoder;
}

namespace speechleak::features {

struct ExtractConfig {
  std::vector<int> layers;          // hidden states to keep; empty = the last one
  bool frames = false;              // also store full frame sequences
  std::string frames_dtype = "float16";  // "float16" | "float32"
  int decode_threads = 2;           // audio decoding/resampling workers
  int64_t max_batch_samples = 16000 * 16;  // padded samples per encoder batch (bounds the conv front end's memory)
  int max_batch_size = 16;
  int window = 64;                  // decoded utterances sorted by length before batching (bounds memory)
  int shard_index = 0, shard_count = 1;
  bool reverse_audio = false;       // time-reverse every waveform before the encoder (the reversal attack)
  corpus::AudioPolicy audio_policy;
  void validate() const;
  std::string to_string() const;
};

struct ExtractReport {
  size_t total = 0;             // utterances in this shard
  size_t already_done = 0;      // found in the store (resumed)
  size_t extracted = 0;         // written by this run
  SkipReport skipped;           // unreadable audio, too short, ...
  double audio_seconds = 0;     // extracted by this run
  double wall_seconds = 0;
  uint64_t bytes_written = 0;
  std::string summary() const;  // "N of M utterances; K skipped (reasons)"
};

// Bytes the store will take for `audio_seconds` of audio (frames at 50 Hz when config.frames).
// Throws InvalidArgument naming --layers, the model's range and the layer when a requested hidden state is not
// one the encoder has (before any audio is read).
void check_layers(const encoder::Encoder& encoder, const std::vector<int>& layers);

uint64_t expected_store_bytes(double audio_seconds, int width, const ExtractConfig& config);

// A fingerprint of the model for store manifests: encoder description + a hash of every parameter's bytes.
std::string model_fingerprint(const encoder::Encoder& encoder);

// The manifest a store made by this extraction carries (with `signal`'s description when there is one).
StoreManifest make_manifest(const encoder::Encoder& encoder, const std::string& corpus_spec,
                            const ExtractConfig& config, const UtteranceSignal* signal = nullptr);

// The utterances of shard i of N: every N-th of the id-sorted corpus, starting at i.
std::vector<const corpus::Utterance*> shard_utterances(const corpus::Corpus& corpus, int index, int count);

// The arrays stored for one utterance's hidden state `frames` [T, D] (see the top of this file). The ArrayData
// point into tensors appended to `keep`, which must outlive their use.
void add_state_arrays(int layer, const at::Tensor& frames, const ExtractConfig& config, std::vector<at::Tensor>& keep,
                      std::map<std::string, ArrayData>& arrays);

// With `signal`, each utterance's signal fields are stored too ("<name>/<field>", utterance_signal.h); an
// utterance the signal cannot score is skipped and counted like one the encoder cannot.
ExtractReport extract_features(const corpus::Corpus& corpus, encoder::Encoder& encoder,
                               const std::filesystem::path& store_dir, const ExtractConfig& config,
                               const ProgressCallback& progress = {}, UtteranceSignal* signal = nullptr);

}  // namespace speechleak::features
