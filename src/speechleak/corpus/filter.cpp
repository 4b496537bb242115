#include "speechleak/corpus/filter.h"

#include <algorithm>
#include <set>

#include "speechleak/audio/audio_error.h"
#include "speechleak/audio/audio_io.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"
#include "speechleak/util/number_format.h"

namespace speechleak::corpus {

namespace {

class Walker {
 public:
  Walker(Corpus& corpus, const FilterOptions& options, const ProgressCallback& progress, FilterReport& report)
      : corpus_(corpus), options_(options), progress_(progress), report_(report) {}

  // Indices of the utterances kept for `speaker`, from its utterance indices `all` (sorted by id).
  std::vector<size_t> select(const std::string& speaker, std::vector<size_t> all) {
    const auto limit = static_cast<size_t>(options_.max_utts_per_speaker);
    // The same order as the audit's --max-utts-per-speaker (util/random.h group_sample_order).
    std::vector<size_t> order;
    if (limit > 0 && all.size() > limit)
      for (size_t i : group_sample_order(speaker, all.size(), options_.seed)) order.push_back(all[i]);
    else
      order = std::move(all);
    std::vector<size_t> kept;
    for (size_t idx : order) {
      if (limit > 0 && kept.size() == limit) break;
      if (passes(corpus_.utterances[idx])) kept.push_back(idx);
    }
    return kept;
  }

 private:
  bool passes(Utterance& u) {
    if (!options_.needs_durations()) return true;
    double d = 0.0;
    try {
      const bool probing = u.duration_s < 0 && !(u.source.kind == AudioSource::Kind::Segment && u.source.end_s >= 0);
      d = utterance_duration(u);
      if (probing) ++report_.probed;
    } catch (const audio::AudioError& e) {
      return unknown(u, std::string("unreadable audio: ") + e.what());
    } catch (const Error& e) {
      return unknown(u, e.what());
    }
    tick();
    if (options_.min_duration_s > 0 && d < options_.min_duration_s) return ++report_.too_short, false;
    if (options_.max_duration_s > 0 && d > options_.max_duration_s) return ++report_.too_long, false;
    return true;
  }

  bool unknown(const Utterance& u, const std::string& reason) {
    corpus_.skipped.add(u.id, u.source.describe(), reason);
    ++report_.unknown_duration;
    tick();
    return false;
  }

  // Total unknown: the walk stops early, so how many it will visit is not known in advance.
  void tick() {
    ++visited_;
    if (progress_)
      progress_(Progress{"check durations", static_cast<int64_t>(visited_), 0, 0.0, "",
                         static_cast<int64_t>(report_.unknown_duration)});
  }

  Corpus& corpus_;
  const FilterOptions& options_;
  const ProgressCallback& progress_;
  FilterReport& report_;
  size_t visited_ = 0;
};

}  // namespace

bool FilterOptions::active() const { return max_speakers > 0 || max_utts_per_speaker > 0 || needs_durations(); }

void FilterOptions::validate() const {
  if (max_speakers < 0)
    throw invalid_argument("max_speakers", "0 (all) or a positive count", std::to_string(max_speakers));
  if (max_utts_per_speaker < 0)
    throw invalid_argument("max_utts_per_speaker", "0 (all) or a positive count", std::to_string(max_utts_per_speaker));
  if (!(min_duration_s >= 0)) throw invalid_argument("min_duration", "seconds >= 0", std::to_string(min_duration_s));
  if (!(max_duration_s >= 0))
    throw invalid_argument("max_duration", "seconds >= 0 (0: no bound)", std::to_string(max_duration_s));
  if (max_duration_s > 0 && min_duration_s > max_duration_s)
    throw invalid_argument("min_duration", "at most max_duration (" + std::to_string(max_duration_s) + ")",
                           std::to_string(min_duration_s));
}

std::string FilterOptions::to_string() const {
  return "max_speakers=" + std::to_string(max_speakers) + " max_utts_per_speaker=" +
         std::to_string(max_utts_per_speaker) + " min_duration=" + text::general(min_duration_s) +
         " max_duration=" + text::general(max_duration_s) + " seed=" + std::to_string(seed);
}

std::string FilterReport::summary() const {
  std::string out = "kept " + std::to_string(utterances_after) + " of " + std::to_string(utterances_before) +
                    " utterances and " + std::to_string(speakers_after) + " of " + std::to_string(speakers_before) +
                    " speakers";
  if (too_short || too_long)
    out += " (" + std::to_string(too_short) + " too short, " + std::to_string(too_long) + " too long seen)";
  if (unknown_duration) out += "; " + std::to_string(unknown_duration) + " of unknown duration skipped";
  return out;
}

double utterance_duration(Utterance& u) {
  if (u.duration_s >= 0) return u.duration_s;
  const auto& s = u.source;
  if (s.kind == AudioSource::Kind::Command)
    throw Error("duration unknown: '" + s.describe() + "' is a piped command; it is not run just to measure it");
  if (s.kind == AudioSource::Kind::Segment && s.end_s >= 0) return u.duration_s = s.end_s - s.start_s;
  const double file_s = audio::probe_audio(s.path).duration_s();
  u.duration_s = s.kind == AudioSource::Kind::Segment ? std::max(0.0, file_s - s.start_s) : file_s;
  return u.duration_s;
}

FilterReport apply_filters(Corpus& corpus, const FilterOptions& options, const ProgressCallback& progress) {
  options.validate();
  FilterReport report;
  report.utterances_before = corpus.utterances.size();
  const auto ids = corpus.speaker_ids();
  report.speakers_before = ids.size();
  if (!options.active()) {
    report.utterances_after = report.utterances_before;
    report.speakers_after = report.speakers_before;
    return report;
  }
  corpus.finalize();  // sorted by id: the walk must not depend on the order a reader produced
  std::map<std::string, std::vector<size_t>> by_speaker;
  for (size_t i = 0; i < corpus.utterances.size(); ++i) by_speaker[corpus.utterances[i].speaker_id].push_back(i);
  std::vector<std::string> order = ids;
  const auto max_speakers = static_cast<size_t>(options.max_speakers);
  if (max_speakers > 0 && order.size() > max_speakers) seeded_shuffle(order, derive_seed(options.seed, "speakers"));
  Walker walker(corpus, options, progress, report);
  std::vector<size_t> kept;
  std::set<std::string> kept_speakers;
  for (const auto& spk : order) {
    if (max_speakers > 0 && kept_speakers.size() == max_speakers) break;
    auto sel = walker.select(spk, by_speaker[spk]);
    if (sel.empty()) continue;
    kept_speakers.insert(spk);
    kept.insert(kept.end(), sel.begin(), sel.end());
  }
  std::sort(kept.begin(), kept.end());
  std::vector<Utterance> out;
  out.reserve(kept.size());
  for (size_t i : kept) out.push_back(std::move(corpus.utterances[i]));
  corpus.utterances = std::move(out);
  std::erase_if(corpus.speakers, [&](const auto& kv) { return !kept_speakers.count(kv.first); });
  report.utterances_after = corpus.utterances.size();
  report.speakers_after = kept_speakers.size();
  return report;
}

}  // namespace speechleak::corpus
