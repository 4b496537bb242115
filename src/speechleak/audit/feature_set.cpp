#include "speechleak/audit/feature_set.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "speechleak/features/feature_store.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::audit {
namespace {

at::Tensor to_tensor(std::vector<unsigned char> bytes, const features::ArrayRef& ref) {
  const auto dtype = ref.dtype == features::DType::F16   ? at::kHalf
                     : ref.dtype == features::DType::F32 ? at::kFloat
                     : ref.dtype == features::DType::F64 ? at::kDouble
                                                         : at::kLong;
  return at::from_blob(bytes.data(), ref.shape, at::TensorOptions().dtype(dtype)).clone();
}

const features::ArrayRef& array(const features::RecordRef& r, const std::string& name,
                                const std::filesystem::path& store) {
  auto it = r.arrays.find(name);
  if (it == r.arrays.end())
    throw FormatError(store, "record '" + r.utt_id + "' has no array '" + name + "'");
  return it->second;
}

// From the frames array's shape when stored, else the "frames" meta field (docs/feature-store.md).
int64_t frame_count(const features::RecordRef& r, const std::string& prefix, const std::filesystem::path& store) {
  auto it = r.arrays.find(prefix + "frames");
  if (it != r.arrays.end() && !it->second.shape.empty()) return it->second.shape[0];
  auto m = r.meta.find("frames");
  if (m == r.meta.end())
    throw FormatError(store, "record '" + r.utt_id + "' has neither a '" + prefix + "frames' array nor a 'frames' meta "
                             "field (the frame count the pairwise scores need)");
  try {
    return std::stoll(m->second);
  } catch (const std::exception&) {
    throw FormatError(store, "record '" + r.utt_id + "': meta 'frames' is '" + m->second + "', expected an integer");
  }
}

}  // namespace

std::vector<std::string> FeatureSet::speaker_ids() const {
  std::set<std::string> ids;
  for (const auto& u : utterances)
    if (!u.speaker_id.empty()) ids.insert(u.speaker_id);  // a record without one belongs to no speaker
  return {ids.begin(), ids.end()};
}

FeatureSet load_feature_set(const std::filesystem::path& store, const std::string& role, int member, int layer,
                            bool need_frames) {
  features::StoreReader reader(store);
  const auto& m = reader.manifest();
  if (m.layers.empty()) throw FormatError(store / "store.json", "lists no layers");
  if (layer < 0) layer = *std::max_element(m.layers.begin(), m.layers.end());
  if (std::find(m.layers.begin(), m.layers.end(), layer) == m.layers.end())
    throw invalid_argument("--layer for " + role + " (" + store.string() + ")",
                           "one of the store's layers", std::to_string(layer));
  if (need_frames && !m.frames)
    throw invalid_argument(role + " store " + store.string(),
                           "full frames for the improved attacks (extract with --frames)", "summaries only");
  FeatureSet set{role, store, m.model_fingerprint, m.preprocessing, m.signals, layer, 0, {}};
  const std::string p = std::to_string(layer) + "/";
  for (const auto& r : reader.records()) {
    UtteranceFeatures u;
    u.utt_id = r.utt_id;
    u.speaker_id = r.meta.count("speaker_id") ? r.meta.at("speaker_id") : "";
    u.subset = r.meta.count("subset") ? r.meta.at("subset") : "";
    u.member = member;
    u.mean = to_tensor(reader.read_bytes(array(r, p + "mean", store)), array(r, p + "mean", store));
    u.unit_sum = to_tensor(reader.read_bytes(array(r, p + "unit_sum", store)), array(r, p + "unit_sum", store));
    u.euclidean = reader.read_f64(array(r, p + "euclidean", store)).at(0);
    u.frame_count = frame_count(r, p, store);
    u.unit_count = r.arrays.count(p + "unit_count") ? reader.read_f64(array(r, p + "unit_count", store)).at(0)
                                                    : static_cast<double>(u.frame_count);
    if (need_frames) u.frames = to_tensor(reader.read_bytes(array(r, p + "frames", store)), array(r, p + "frames", store));
    for (const auto& [name, ref] : r.arrays)  // signals: "<name>/<field>", never a layer number
      if (!name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) && ref.dtype == features::DType::F64 &&
          ref.shape == std::vector<int64_t>{1})
        u.signals[name] = reader.read_f64(ref).at(0);
    if (set.width == 0) set.width = u.mean.size(0);
    if (u.mean.size(0) != set.width)
      throw FormatError(store, "record '" + u.utt_id + "' has width " + std::to_string(u.mean.size(0)) +
                                   ", others " + std::to_string(set.width));
    set.utterances.push_back(std::move(u));
  }
  if (set.utterances.empty()) throw FormatError(store, "the " + role + " store holds no finished utterance");
  return set;
}

void cap_utterances_per_speaker(FeatureSet& set, int n, uint64_t seed) {
  if (n <= 0) return;
  std::map<std::string, std::vector<size_t>> by_speaker;
  for (size_t i = 0; i < set.utterances.size(); ++i) by_speaker[set.utterances[i].speaker_id].push_back(i);
  std::vector<bool> keep(set.utterances.size(), false);
  for (const auto& [spk, idx] : by_speaker) {
    const auto order = group_sample_order(spk, idx.size(), seed);  // as the corpus filter max_utts_per_speaker
    for (size_t k = 0; k < order.size() && k < static_cast<size_t>(n); ++k) keep[idx[order[k]]] = true;
  }
  std::vector<UtteranceFeatures> kept;
  for (size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) kept.push_back(std::move(set.utterances[i]));
  set.utterances = std::move(kept);
}

}  // namespace speechleak::audit
