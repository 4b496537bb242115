#include "speechleak/train/targets.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "speechleak/encoder/safetensors.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

namespace {

// A seeded sample of `k` of `n` row indices, ascending (partial Fisher-Yates).
at::Tensor sample_rows(int64_t n, int64_t k, uint64_t seed) {
  if (k >= n) return at::arange(n, at::kLong);
  Rng rng(seed);
  std::vector<int64_t> pool;
  for (size_t i : sample_without_replacement(static_cast<size_t>(n), static_cast<size_t>(k), rng))
    pool.push_back(static_cast<int64_t>(i));
  std::sort(pool.begin(), pool.end());
  return at::tensor(pool, at::kLong);
}

void fit_global(TargetModel& t, const at::Tensor& x, const KMeansConfig& kmeans, uint64_t seed) {
  auto fit = fit_kmeans(x, kmeans, derive_seed(seed, "kmeans"));
  t.centroids = fit.centroids;
  t.per_group = kmeans.clusters;
  t.inertia = fit.inertia;
  t.iterations = fit.iterations;
}

// One codebook per group, concatenated in sorted group order. frames[i] [n_i, dims] standardised.
void fit_grouped(TargetModel& t, const std::vector<at::Tensor>& frames, const std::vector<std::string>& groups,
                 const KMeansConfig& kmeans, uint64_t seed) {
  std::map<std::string, std::vector<at::Tensor>> by_group;
  for (size_t i = 0; i < frames.size(); ++i) by_group[groups.at(i)].push_back(frames[i]);
  std::vector<at::Tensor> centroids;
  for (const auto& [group, parts] : by_group) {
    auto x = at::cat(parts, 0);
    if (x.size(0) < kmeans.clusters)
      throw invalid_argument("--clusters", "at most the " + std::to_string(x.size(0)) + " frames of " + kmeans.scope +
                                               " '" + group + "' (clusters are per " + kmeans.scope + ")",
                             std::to_string(kmeans.clusters));
    auto fit = fit_kmeans(x, kmeans, derive_seed(seed, "kmeans/" + group));
    centroids.push_back(fit.centroids);
    t.groups.push_back(group);
    t.inertia += fit.inertia;
    t.iterations = std::max(t.iterations, fit.iterations);
  }
  t.centroids = at::cat(centroids, 0);
  t.per_group = kmeans.clusters;
}

}  // namespace

at::Tensor TargetModel::labels(const at::Tensor& waveform, const std::string& group) const {
  Mfcc mfcc_fn(mfcc);
  auto f = mfcc_fn(waveform);  // [frames, dims]
  if (f.size(0) == 0) return at::empty({0}, at::kLong);
  auto x = (f - mean) / std;
  if (scope == "global") return assign_clusters(x, centroids);
  auto it = std::lower_bound(groups.begin(), groups.end(), group);
  if (it == groups.end() || *it != group)
    throw invalid_argument("target group", "a " + scope + " the targets were fitted on", "'" + group + "'");
  const int64_t g = it - groups.begin();
  return assign_clusters(x, centroids.narrow(0, g * per_group, per_group)) + g * per_group;
}

at::Tensor TargetModel::nearest_labels(const at::Tensor& waveform) const {
  Mfcc mfcc_fn(mfcc);
  auto f = mfcc_fn(waveform);
  if (f.size(0) == 0) return at::empty({0}, at::kLong);
  return assign_clusters((f - mean) / std, centroids);
}

TargetModel fit_targets(const std::vector<at::Tensor>& waveforms, const std::vector<std::string>& groups,
                        const MfccConfig& mfcc, const KMeansConfig& kmeans, uint64_t seed) {
  kmeans.validate();
  if (kmeans.scope != "global" && groups.size() != waveforms.size())
    throw invalid_argument("groups", std::to_string(waveforms.size()) + " keys (one per waveform)",
                           std::to_string(groups.size()));
  Mfcc mfcc_fn(mfcc);
  std::vector<at::Tensor> frames;
  std::vector<std::string> kept_groups;
  for (size_t i = 0; i < waveforms.size(); ++i) {
    auto f = mfcc_fn(waveforms[i]);
    if (f.size(0) == 0) continue;
    frames.push_back(f);
    if (kmeans.scope != "global") kept_groups.push_back(groups[i]);
  }
  if (frames.empty()) throw invalid_argument("waveforms", "at least one utterance of >= n_fft samples", "none");
  auto all = at::cat(frames, 0);  // [N, dims]
  auto x = all.index_select(0, sample_rows(all.size(0), kmeans.max_frames, derive_seed(seed, "kmeans-sample")));
  TargetModel t;
  t.mfcc = mfcc;
  t.scope = kmeans.scope;
  t.mean = x.mean(0);
  t.std = at::clamp_min(x.std(0, /*unbiased=*/false), 1e-5);
  if (kmeans.scope == "global") {
    fit_global(t, (x - t.mean) / t.std, kmeans, seed);
  } else {
    for (auto& f : frames) f = (f - t.mean) / t.std;
    fit_grouped(t, frames, kept_groups, kmeans, seed);
  }
  return t;
}

void TargetModel::save(const std::filesystem::path& path) const {
  nlohmann::json meta = {{"n_fft", mfcc.n_fft},       {"hop", mfcc.hop},
                         {"n_mels", mfcc.n_mels},     {"n_mfcc", mfcc.n_mfcc},
                         {"f_min", mfcc.f_min},       {"f_max", mfcc.f_max},
                         {"deltas", mfcc.deltas},     {"delta_window", mfcc.delta_window},
                         {"sample_rate", mfcc.sample_rate}, {"inertia", inertia},
                         {"iterations", iterations},  {"scope", scope},
                         {"groups", groups},          {"per_group", per_group}};
  encoder::save_tensors(path, {{"mean", mean}, {"std", std}, {"centroids", centroids}},
                        {{"speechleak_targets", meta.dump()}});
}

TargetModel TargetModel::load(const std::filesystem::path& path) {
  auto file = encoder::SafetensorsFile::open(path);
  auto it = file.metadata().find("speechleak_targets");
  if (it == file.metadata().end()) throw FormatError(path, "no speechleak_targets metadata (not a target model)");
  TargetModel t;
  try {
    auto j = nlohmann::json::parse(it->second);
    t.mfcc.n_fft = j.at("n_fft"), t.mfcc.hop = j.at("hop"), t.mfcc.n_mels = j.at("n_mels");
    t.mfcc.n_mfcc = j.at("n_mfcc"), t.mfcc.f_min = j.at("f_min"), t.mfcc.f_max = j.at("f_max");
    t.mfcc.deltas = j.at("deltas"), t.mfcc.delta_window = j.at("delta_window");
    t.mfcc.sample_rate = j.at("sample_rate"), t.inertia = j.at("inertia"), t.iterations = j.at("iterations");
    t.scope = j.value("scope", "global");
    t.groups = j.value("groups", std::vector<std::string>{});
    t.per_group = j.value("per_group", 0);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, std::string("speechleak_targets metadata: ") + e.what());
  }
  auto tensors = encoder::load_tensors(path);
  for (const char* key : {"mean", "std", "centroids"})
    if (!tensors.count(key)) throw FormatError(path, std::string("missing tensor '") + key + "'");
  t.mean = tensors["mean"], t.std = tensors["std"], t.centroids = tensors["centroids"];
  if (t.per_group == 0) t.per_group = static_cast<int>(t.centroids.size(0));
  return t;
}

}  // namespace speechleak::train
