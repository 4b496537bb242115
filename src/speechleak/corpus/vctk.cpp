#include "speechleak/corpus/vctk.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace fs = std::filesystem;

namespace {

struct Layout {
  fs::path audio_dir;
  std::string suffix;  // what follows "<spk>_<NNN>" in an audio file name, extension included
  bool has_mics = true;
};

Layout detect_layout(const fs::path& root, const VctkOptions& options) {
  if (fs::is_directory(root / "wav48_silence_trimmed"))
    return {root / "wav48_silence_trimmed", "_" + options.mic + ".flac", true};
  if (fs::is_directory(root / "wav48")) {
    if (options.mic != "mic1")
      throw invalid_argument("vctk mic", "mic1 (this VCTK release under " + root.string() + " has one microphone)",
                             options.mic);
    return {root / "wav48", ".wav", false};
  }
  throw FileError(root, "not a VCTK root: expected wav48_silence_trimmed/ (0.92) or wav48/ (older releases)");
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (directories ? entry.is_directory() : entry.is_regular_file()) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "<spk>_<digits>"
bool is_utterance_id(std::string_view id, const std::string& speaker) {
  if (!text::starts_with(id, speaker + "_")) return false;
  auto rest = id.substr(speaker.size() + 1);
  return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isdigit(c); });
}

// True for another mic's file ("..._mic2.flac" while reading mic1): not ours, not an error either.
bool is_other_mic(const std::string& name, const Layout& layout) {
  if (!layout.has_mics || !ends_with(name, ".flac")) return false;
  const auto stem = std::string_view(name).substr(0, name.size() - 5);
  const auto us = stem.rfind('_');
  return us != std::string_view::npos && text::starts_with(stem.substr(us + 1), "mic");
}

// utterance id -> audio path, for one speaker.
std::map<std::string, fs::path> speaker_audio(const fs::path& dir, const std::string& speaker, const Layout& layout,
                                              SkipReport& skipped) {
  std::map<std::string, fs::path> out;
  for (const auto& file : sorted_entries(dir, false)) {
    const std::string name = file.filename().string();
    if (ends_with(name, layout.suffix)) {
      const std::string id = name.substr(0, name.size() - layout.suffix.size());
      if (is_utterance_id(id, speaker)) {
        out[id] = file;
        continue;
      }
    } else if (is_other_mic(name, layout) || (!ends_with(name, ".flac") && !ends_with(name, ".wav"))) {
      continue;
    }
    skipped.add(name, file.string(), "unexpected file name: expected " + speaker + "_<NNN>" + layout.suffix);
  }
  return out;
}

// utterance id -> text file, for one speaker.
std::map<std::string, fs::path> speaker_texts(const fs::path& dir) {
  std::map<std::string, fs::path> out;
  for (const auto& file : sorted_entries(dir, false))
    if (file.extension() == ".txt") out[file.stem().string()] = file;
  return out;
}

std::optional<std::string> first_line(const fs::path& file) {
  const auto lines = read_lines(file);
  if (lines.empty()) return std::nullopt;
  auto t = text::trim(lines.front());
  if (t.empty()) return std::nullopt;
  return std::string(t);
}

struct ReadState {
  const VctkOptions& options;
  const Layout& layout;
  fs::path txt_root;
  Corpus& corpus;
  size_t kept_without_transcript = 0;
};

void read_speaker(const std::string& speaker, ReadState& st) {
  const fs::path audio_dir = st.layout.audio_dir / speaker;
  auto audio = speaker_audio(audio_dir, speaker, st.layout, st.corpus.skipped);
  auto texts = speaker_texts(st.txt_root / speaker);
  if (audio.empty()) {
    if (!texts.empty())
      st.corpus.skipped.add(speaker, audio_dir.string(),
                            "speaker without audio: no " + speaker + "_<NNN>" + st.layout.suffix + " (" +
                                std::to_string(texts.size()) + " transcripts unused)");
    return;
  }
  for (const auto& [id, path] : audio) {
    Utterance u;
    u.id = id;
    u.speaker_id = speaker;
    u.source = AudioSource::file(path.string());
    if (auto t = texts.find(id); t != texts.end()) u.transcript = first_line(t->second);
    if (!u.transcript) {
      if (st.options.require_transcript) {
        st.corpus.skipped.add(id, (st.txt_root / speaker / (id + ".txt")).string(),
                              "missing transcript: no text file (or an empty one)");
        continue;
      }
      ++st.kept_without_transcript;
    }
    st.corpus.utterances.push_back(std::move(u));
  }
  for (const auto& [id, path] : texts)
    if (!audio.count(id))
      st.corpus.skipped.add(id, path.string(), "missing audio: no " + (audio_dir / (id + st.layout.suffix)).string());
}

std::vector<std::string> speaker_dirs(const Layout& layout, const fs::path& txt_root) {
  std::set<std::string> ids;
  for (const auto& d : sorted_entries(layout.audio_dir, true)) ids.insert(d.filename().string());
  for (const auto& d : sorted_entries(txt_root, true)) ids.insert(d.filename().string());
  return {ids.begin(), ids.end()};
}

}  // namespace

void VctkOptions::validate() const {
  if (mic != "mic1" && mic != "mic2") throw invalid_argument("vctk mic", "mic1 or mic2", "'" + mic + "'");
}

std::string VctkOptions::to_string() const {
  return "mic=" + mic + " require_transcript=" + (require_transcript ? "true" : "false");
}

std::optional<Speaker> parse_vctk_speaker_row(std::string_view line) {
  const auto trimmed = text::trim(line);
  if (trimmed.empty() || trimmed.front() == ';' || trimmed.front() == '#') return std::nullopt;
  const auto paren = trimmed.find('(');
  const auto cols = text::split_ws(trimmed.substr(0, paren));
  if (!cols.empty() && text::to_upper(cols[0]) == "ID") return std::nullopt;  // header
  if (cols.size() < 4)
    throw invalid_argument("speaker-info.txt row", "columns ID AGE GENDER ACCENTS [REGION] [COMMENTS]",
                           "'" + std::string(trimmed) + "'");
  Speaker s;
  const bool numeric = std::all_of(cols[0].begin(), cols[0].end(), [](unsigned char c) { return std::isdigit(c); });
  s.id = numeric ? "p" + cols[0] : cols[0];  // older releases write 225 for p225
  s.sex = text::to_upper(cols[2]);
  s.subset = cols[3];
  s.metadata["age"] = cols[1];
  s.metadata["accents"] = cols[3];
  std::vector<std::string> region(cols.begin() + 4, cols.end());
  if (!region.empty()) s.metadata["region"] = text::join(region, " ");
  if (paren != std::string_view::npos) s.metadata["comments"] = std::string(trimmed.substr(paren));
  return s;
}

std::map<std::string, Speaker> read_vctk_speakers(const fs::path& speaker_info, SkipReport* skipped) {
  std::map<std::string, Speaker> out;
  const auto lines = read_lines(speaker_info);
  for (size_t i = 0; i < lines.size(); ++i) {
    try {
      if (auto s = parse_vctk_speaker_row(lines[i])) out[s->id] = std::move(*s);
    } catch (const InvalidArgument& e) {
      if (skipped)
        skipped->add(std::string(text::trim(lines[i])), speaker_info.string() + ":" + std::to_string(i + 1),
                     std::string("malformed speaker-info.txt row: ") + e.what());
    }
  }
  return out;
}

Corpus read_vctk(const fs::path& root, const VctkOptions& options) {
  options.validate();
  const Layout layout = detect_layout(root, options);
  Corpus corpus;
  ReadState st{options, layout, root / "txt", corpus};
  for (const auto& speaker : speaker_dirs(layout, st.txt_root)) read_speaker(speaker, st);
  if (st.kept_without_transcript > 0)
    log_warn("VCTK: " + std::to_string(st.kept_without_transcript) +
             " utterances have audio but no text; kept without transcript");
  const fs::path info = root / "speaker-info.txt";
  if (fs::exists(info)) {
    auto table = read_vctk_speakers(info, &corpus.skipped);
    for (const auto& u : corpus.utterances)
      if (auto it = table.find(u.speaker_id); it != table.end()) corpus.speakers.emplace(u.speaker_id, it->second);
  }
  corpus.finalize();
  return corpus;
}

}  // namespace speechleak::corpus
