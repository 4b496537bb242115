#include "speechleak/corpus/kaldi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <variant>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRefusedReason = "piped wav.scp entry refused: pass allow_commands";

struct Row {
  std::string value;  // the rest of the line after the key, trimmed
  size_t line = 0;
};

using Table = std::map<std::string, Row>;

FormatError line_error(const fs::path& file, size_t line, const std::string& problem) {
  return FormatError(file, "line " + std::to_string(line) + ": " + problem);
}

// "<key> <value...>" lines. Duplicate keys and (when value_required) missing values are FormatErrors.
Table read_table(const fs::path& file, bool value_required, const std::string& expected) {
  Table out;
  const auto lines = read_lines(file);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto line = text::trim(lines[i]);
    if (line.empty()) continue;
    size_t ws = 0;
    while (ws < line.size() && !std::isspace(static_cast<unsigned char>(line[ws]))) ++ws;
    std::string key(line.substr(0, ws));
    std::string value(text::trim(line.substr(ws)));
    if (value_required && value.empty())
      throw line_error(file, i + 1, "expected '" + expected + "', got '" + key + "'");
    if (auto it = out.find(key); it != out.end())
      throw line_error(file, i + 1,
                       "duplicate key '" + key + "' (first at line " + std::to_string(it->second.line) + ")");
    out.emplace(std::move(key), Row{std::move(value), i + 1});
  }
  return out;
}

// A table whose value must be exactly one token (utt2spk, spk2gender, utt2dur).
Table read_pairs(const fs::path& file, const std::string& expected) {
  Table out = read_table(file, true, expected);
  for (const auto& [key, row] : out)
    if (text::split_ws(row.value).size() != 1)
      throw line_error(file, row.line, "expected '" + expected + "', got '" + key + " " + row.value + "'");
  return out;
}

std::optional<Table> read_optional(const fs::path& file, bool pairs, const std::string& expected) {
  if (!fs::exists(file)) return std::nullopt;
  return pairs ? read_pairs(file, expected) : read_table(file, false, expected);
}

struct Segment {
  std::string rec;
  double begin = 0.0;
  double end = -1.0;
  size_t line = 0;
};

std::map<std::string, Segment> read_segments(const fs::path& file) {
  std::map<std::string, Segment> out;
  const std::string expected = "<utt-id> <rec-id> <begin-s> <end-s>";
  for (const auto& [utt, row] : read_table(file, true, expected)) {
    const auto f = text::split_ws(row.value);
    if (f.size() != 3)
      throw line_error(file, row.line, "expected '" + expected + "', got '" + utt + " " + row.value + "'");
    Segment s{f[0], 0.0, -1.0, row.line};
    try {
      s.begin = text::parse_double(f[1], "begin");
      s.end = text::parse_double(f[2], "end");
    } catch (const InvalidArgument& e) {
      throw line_error(file, row.line, e.what());
    }
    out.emplace(utt, std::move(s));
  }
  return out;
}

struct Inputs {
  fs::path dir;
  Table wav;
  Table utt2spk;
  std::optional<std::map<std::string, Segment>> segments;
  std::optional<Table> text;
  std::optional<Table> spk2gender;
  std::optional<Table> utt2dur;
};

Inputs read_inputs(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw FileError(dir, "Kaldi data directory does not exist");
  Inputs in;
  in.dir = dir;
  in.wav = read_table(dir / "wav.scp", true, "<rec-id> <path> or <rec-id> <command> |");
  in.utt2spk = read_pairs(dir / "utt2spk", "<utt-id> <speaker-id>");
  if (fs::exists(dir / "segments")) in.segments = read_segments(dir / "segments");
  in.text = read_optional(dir / "text", false, "<utt-id> <words...>");
  in.spk2gender = read_optional(dir / "spk2gender", true, "<speaker-id> m|f");
  in.utt2dur = read_optional(dir / "utt2dur", true, "<utt-id> <seconds>");
  return in;
}

std::string where(const fs::path& file, size_t line) { return file.string() + ":" + std::to_string(line); }

// The audio of `utt`, or a skip reason.
std::variant<AudioSource, std::string> locate_audio(const std::string& utt, const Inputs& in,
                                                    const KaldiOptions& options, double* duration) {
  std::string rec = utt;
  const Segment* seg = nullptr;
  if (in.segments) {
    auto it = in.segments->find(utt);
    if (it == in.segments->end()) return std::string("missing segment: utterance not in segments");
    seg = &it->second;
    rec = seg->rec;
    if (seg->begin < 0 || (seg->end >= 0 && seg->end <= seg->begin))
      return "bad segment: [" + std::to_string(seg->begin) + ", " + std::to_string(seg->end) + "] is empty or negative";
  }
  auto w = in.wav.find(rec);
  if (w == in.wav.end()) return "missing recording: '" + rec + "' not in wav.scp";
  AudioSource source;
  if (auto cmd = wav_scp_command(w->second.value)) {
    if (!options.allow_commands) return std::string(kRefusedReason);
    source = AudioSource::piped(*cmd);
  } else {
    source = AudioSource::file(w->second.value);
    std::error_code ec;  // a name the system refuses (too long, ...) is as missing as an absent file
    if (!fs::exists(source.path, ec)) return "missing audio: no " + source.path + (ec ? " (" + ec.message() + ")" : "");
  }
  if (seg) {
    if (source.kind == AudioSource::Kind::File) source.kind = AudioSource::Kind::Segment;
    source.start_s = seg->begin;
    source.end_s = seg->end;
    if (seg->end >= 0) *duration = seg->end - seg->begin;
  }
  return source;
}

double parse_duration(const fs::path& dir, const Row& row) {
  try {
    return text::parse_double(row.value, "duration");
  } catch (const InvalidArgument& e) {
    throw line_error(dir / "utt2dur", row.line, e.what());
  }
}

std::string speaker_for(const std::string& kaldi_speaker, const KaldiOptions& options, std::string* chapter) {
  if (!options.librispeech_readers) return kaldi_speaker;
  auto split = split_librispeech_speaker(kaldi_speaker);
  if (!split) return "";
  *chapter = split->second;
  return split->first;
}

void add_utterance(const std::string& utt, const Row& spk_row, const Inputs& in, const KaldiOptions& options,
                   Corpus& corpus, size_t& without_text) {
  double duration = -1.0;
  auto located = locate_audio(utt, in, options, &duration);
  if (auto* reason = std::get_if<std::string>(&located)) {
    corpus.skipped.add(utt, where(in.dir / "utt2spk", spk_row.line), *reason);
    return;
  }
  Utterance u;
  u.id = utt;
  u.source = std::get<AudioSource>(located);
  u.speaker_id = speaker_for(spk_row.value, options, &u.chapter_id);
  if (u.speaker_id.empty()) {
    corpus.skipped.add(utt, where(in.dir / "utt2spk", spk_row.line),
                       "speaker not <reader>-<chapter>: '" + spk_row.value + "' (librispeech_readers is set)");
    return;
  }
  if (in.utt2dur) {
    if (auto d = in.utt2dur->find(utt); d != in.utt2dur->end()) duration = parse_duration(in.dir, d->second);
  }
  u.duration_s = duration;
  if (in.text) {
    if (auto t = in.text->find(utt); t != in.text->end())
      u.transcript = t->second.value;
    else
      ++without_text;
  }
  corpus.utterances.push_back(std::move(u));
}

// segments/text rows of utterances that utt2spk does not know.
template <typename Map>
void skip_orphans(const Map& rows, const fs::path& file, const Table& utt2spk, SkipReport& skipped) {
  for (const auto& [utt, row] : rows)
    if (!utt2spk.count(utt)) skipped.add(utt, where(file, row.line), "not in utt2spk: entry ignored");
}

void attach_genders(const Inputs& in, const KaldiOptions& options, Corpus& corpus) {
  if (!in.spk2gender) return;
  for (const auto& [spk, row] : *in.spk2gender) {
    std::string chapter;
    const std::string id = speaker_for(spk, options, &chapter);
    if (id.empty()) continue;
    const std::string sex = text::to_upper(row.value);
    if (sex != "M" && sex != "F")
      throw line_error(in.dir / "spk2gender", row.line, "expected gender m or f, got '" + row.value + "'");
    corpus.speakers[id].id = id;
    corpus.speakers[id].sex = sex;
  }
}

}  // namespace

std::string KaldiOptions::to_string() const {
  return std::string("allow_commands=") + (allow_commands ? "true" : "false") +
         " librispeech_readers=" + (librispeech_readers ? "true" : "false");
}

std::optional<std::pair<std::string, std::string>> split_librispeech_speaker(std::string_view kaldi_speaker) {
  const auto dash = kaldi_speaker.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == kaldi_speaker.size()) return std::nullopt;
  return std::make_pair(std::string(kaldi_speaker.substr(0, dash)), std::string(kaldi_speaker.substr(dash + 1)));
}

std::optional<std::string> wav_scp_command(std::string_view value) {
  const auto t = text::trim(value);
  if (t.empty() || t.back() != '|') return std::nullopt;
  return std::string(text::trim(t.substr(0, t.size() - 1)));
}

Corpus read_kaldi(const fs::path& data_dir, const KaldiOptions& options) {
  options.validate();
  const Inputs in = read_inputs(data_dir);
  Corpus corpus;
  size_t without_text = 0;
  for (const auto& [utt, row] : in.utt2spk) add_utterance(utt, row, in, options, corpus, without_text);
  if (in.segments) skip_orphans(*in.segments, data_dir / "segments", in.utt2spk, corpus.skipped);
  if (in.text) skip_orphans(*in.text, data_dir / "text", in.utt2spk, corpus.skipped);
  if (without_text > 0)
    log_warn("Kaldi: " + std::to_string(without_text) + " utterances of " + data_dir.string() +
             " are not in text; kept without transcript");
  attach_genders(in, options, corpus);
  // spk2gender may name speakers without utterances (filtered data dirs): keep only those with utterances.
  const auto ids = corpus.speaker_ids();
  std::erase_if(corpus.speakers, [&](const auto& kv) { return !std::binary_search(ids.begin(), ids.end(), kv.first); });
  corpus.finalize();
  return corpus;
}

}  // namespace speechleak::corpus
