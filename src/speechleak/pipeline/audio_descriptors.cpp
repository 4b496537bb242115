#include "speechleak/pipeline/audio_descriptors.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "speechleak/audio/audio_error.h"
#include "speechleak/corpus/utterance_audio.h"
#include "speechleak/train/mfcc.h"

namespace speechleak::pipeline {
namespace {

constexpr int kBands = 40;

train::MfccConfig mel_config() {
  train::MfccConfig c;
  c.n_mels = kBands;
  c.deltas = false;
  return c;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / double(v.size());
}

double stdev(const std::vector<double>& v) {
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return v.empty() ? 0 : std::sqrt(ss / double(v.size()));
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

// F0 of each 40 ms frame (20 ms hop) whose normalised autocorrelation peak over 60-400 Hz exceeds 0.6 and whose
// energy is within 35 dB of the loudest frame's; the rest are unvoiced.
std::vector<double> voiced_f0(const std::vector<float>& x, int rate, size_t* frames) {
  const size_t len = size_t(0.04 * rate), hop = size_t(0.02 * rate);
  const size_t min_lag = size_t(rate / 400), max_lag = size_t(rate / 60);
  std::vector<double> energy;
  for (size_t start = 0; start + len + max_lag <= x.size(); start += hop) {
    double e = 0;
    for (size_t n = 0; n < len; ++n) e += double(x[start + n]) * x[start + n];
    energy.push_back(e);
  }
  *frames = energy.size();
  const double loudest = energy.empty() ? 0 : *std::max_element(energy.begin(), energy.end());
  std::vector<double> f0;
  for (size_t f = 0; f < energy.size(); ++f) {
    if (energy[f] <= 0 || energy[f] < loudest * std::pow(10.0, -3.5)) continue;
    const float* a = x.data() + f * hop;
    double best = 0;
    size_t best_lag = 0;
    for (size_t lag = min_lag; lag <= max_lag; ++lag) {
      double r = 0, eb = 0;
      for (size_t n = 0; n < len; ++n) r += double(a[n]) * a[n + lag], eb += double(a[n + lag]) * a[n + lag];
      const double norm = r / std::sqrt(energy[f] * eb + 1e-24);
      if (norm > best) best = norm, best_lag = lag;
    }
    if (best > 0.6) f0.push_back(double(rate) / double(best_lag));
  }
  return f0;
}

}  // namespace

std::vector<std::string> audio_descriptor_names() {
  std::vector<std::string> names{"duration_s",    "energy_db_mean", "energy_db_std", "energy_db_range",
                                 "voiced_share",  "f0_median_hz",   "f0_std_semitones"};
  for (int b = 0; b < kBands; ++b) names.push_back("logmel_" + std::to_string(b) + "_mean");
  for (int b = 0; b < kBands; ++b) names.push_back("logmel_" + std::to_string(b) + "_std");
  return names;
}

std::vector<double> audio_descriptors(const std::vector<float>& samples, int rate) {
  static const train::Mfcc mel(mel_config());
  std::vector<double> d{double(samples.size()) / rate};
  const auto wave = at::from_blob(const_cast<float*>(samples.data()), {int64_t(samples.size())}, at::kFloat);
  const auto logmel = mel.log_mel(wave).to(at::kDouble).contiguous();  // [frames, bands]
  const int64_t frames = logmel.size(0);
  std::vector<double> energy_db;
  const size_t len = size_t(mel.config().n_fft), hop = size_t(mel.config().hop);
  for (size_t start = 0; start + len <= samples.size(); start += hop) {
    double e = 0;
    for (size_t n = 0; n < len; ++n) e += double(samples[start + n]) * samples[start + n];
    energy_db.push_back(10 * std::log10(e / double(len) + 1e-10));
  }
  d.push_back(mean(energy_db));
  d.push_back(stdev(energy_db));
  d.push_back(quantile(energy_db, 0.9) - quantile(energy_db, 0.1));
  size_t pitch_frames = 0;
  const auto f0 = voiced_f0(samples, rate, &pitch_frames);
  std::vector<double> semitones;
  for (double f : f0) semitones.push_back(12 * std::log2(f / 100));
  d.push_back(pitch_frames ? double(f0.size()) / double(pitch_frames) : 0);
  d.push_back(quantile(f0, 0.5));
  d.push_back(stdev(semitones));
  const auto m = frames > 0 ? logmel.mean(0) : at::zeros({kBands}, at::kDouble);
  const auto s = frames > 0 ? logmel.std(0, /*unbiased=*/false) : at::zeros({kBands}, at::kDouble);
  for (int b = 0; b < kBands; ++b) d.push_back(m[b].item<double>());
  for (int b = 0; b < kBands; ++b) d.push_back(s[b].item<double>());
  return d;
}

audit::DescriptorMap describe_corpus(const corpus::Corpus& corpus, SkipReport& skipped,
                                     const ProgressCallback& progress) {
  audit::DescriptorMap out;
  const int64_t total = int64_t(corpus.utterances.size());
  int64_t done = 0;
  for (const auto& u : corpus.utterances) {
    try {
      const auto a = corpus::load_utterance_audio(u);
      out[u.id] = audio_descriptors(a.samples, a.sample_rate);
    } catch (const audio::AudioError& e) {
      skipped.add(u.id, "audio descriptors", e.what());
    }
    if (progress) progress({"describe audio", ++done, total, 0.0, "", int64_t(skipped.size())});
  }
  return out;
}

audit::LabelledDescriptors labelled_descriptors(const std::vector<audit::ScoredItem>& items,
                                                const audit::DescriptorMap& descriptors) {
  audit::LabelledDescriptors out;
  out.names = audio_descriptor_names();
  for (const auto& item : items) {
    const auto it = descriptors.find(item.id);
    if (it == descriptors.end()) continue;
    out.x.push_back(it->second);
    out.member.push_back(item.member);
    out.speaker.push_back(item.speaker_id);
  }
  return out;
}

}  // namespace speechleak::pipeline
