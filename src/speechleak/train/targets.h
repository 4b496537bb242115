#pragma once
// HuBERT first-iteration targets: k-means clusters of standardised MFCC (+ deltas) frames at the model's frame rate.
// Standardisation (per dimension, over the frames fitted) keeps c0, the log energy, from dominating the distances.
//
// KMeansConfig::scope "global" is HuBERT's one codebook. "speaker" / "utterance" fit one codebook of `clusters`
// centroids per group (speaker or utterance id) and offset group g's labels by g * clusters: the classes then say
// whose frame it is, which the model can only learn by memorising its training speakers / utterances.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "speechleak/train/kmeans.h"
#include "speechleak/train/mfcc.h"
#include "speechleak/train/hubert_config.h"

namespace speechleak::train {

struct TargetModel {
  MfccConfig mfcc;
  std::string scope = "global";
  std::vector<std::string> groups;  // scoped: group keys in label order (group g owns labels [g*K, (g+1)*K))
  int per_group = 0;                // K: centroids per group (all of them when global)
  at::Tensor mean, std;             // [dims] standardisation of MFCC frames
  at::Tensor centroids;             // [groups * K, dims] in standardised units
  double inertia = 0;               // summed over groups
  int iterations = 0;               // the most any group needed

  int clusters() const { return centroids.defined() ? static_cast<int>(centroids.size(0)) : 0; }
  // waveform [S] float32 -> labels [frames] int64, frames = Mfcc::frames_for(S). `group` is the utterance's
  // speaker or utterance id for scoped targets (ignored when global); an unknown group throws InvalidArgument.
  at::Tensor labels(const at::Tensor& waveform, const std::string& group = "") const;
  // The nearest centroid of the whole codebook, whatever its group (= labels() for global targets): a labelling
  // defined for any utterance, the training speakers' and everyone else's (the pretext signal scores with it).
  at::Tensor nearest_labels(const at::Tensor& waveform) const;
  // Saves/loads the tensors (safetensors) with the MFCC config, scope and groups in the metadata.
  void save(const std::filesystem::path& path) const;
  static TargetModel load(const std::filesystem::path& path);
};

// Fits the target model on the waveforms (each [S] float32) with their group keys (`groups[i]` for waveform i;
// ignored when kmeans.scope is global): MFCC of every utterance, standardisation on a seeded sample of at most
// kmeans.max_frames frames, then k-means (globally on that sample, or per group on all of the group's frames).
// Seeds: derive_seed(seed, "kmeans-sample"), derive_seed(seed, "kmeans") or derive_seed(seed, "kmeans/<group>").
TargetModel fit_targets(const std::vector<at::Tensor>& waveforms, const std::vector<std::string>& groups,
                        const MfccConfig& mfcc, const KMeansConfig& kmeans, uint64_t seed);

}  // namespace speechleak::train
