// speechleak synth: generate a synthetic speech corpus (LibriSpeech layout, word alignments, name mentions,
// canaries) with espeak-ng. Options: docs/synth.md.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/synth/generator.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::cli {
namespace {

struct SynthCliOptions {
  std::string out;
  std::string noise_snr;  // "A:B" dB; empty = no noise
  std::string noise_type = "white";
  std::string lead_silence = "0.05:0.3";
  std::string trail_silence = "0.05:0.3";
  std::string canary_kind = "sentence";
  std::string canary_unit = "utterance";
  std::string canary_speakers;  // comma-separated ids
  bool allow_finetune_pretrain_names = false;
};

// "A:B" or "A" (= "A:A").
std::pair<double, double> parse_range(const std::string& s, const std::string& option) {
  const auto parts = text::split(s, ':');
  if (parts.size() > 2 || parts[0].empty())
    throw invalid_argument(option, "MIN:MAX or a single value", "'" + s + "'");
  const double lo = text::parse_double(parts[0], option);
  const double hi = parts.size() == 2 ? text::parse_double(parts[1], option) : lo;
  return {lo, hi};
}

void add_size_options(CLI::App* cmd, synth::SynthConfig& c) {
  cmd->add_option("--seed", c.seed, "Seed of every random choice")->capture_default_str();
  cmd->add_option("--pretrain-speakers", c.pretrain_speakers, "Speakers of the pretrain split (future members)")
      ->capture_default_str();
  cmd->add_option("--aux-speakers", c.aux_speakers, "Speakers of the aux split (attacker's auxiliary data)")
      ->capture_default_str();
  cmd->add_option("--heldout-speakers", c.heldout_speakers, "Speakers of the heldout split (non-members)")
      ->capture_default_str();
  cmd->add_option("--finetune-speakers", c.finetune_speakers, "Speakers of the finetune split (labelled ASR data)")
      ->capture_default_str();
  cmd->add_option("--extra-speakers", c.extra_speakers, "Speakers of the extra split (more pretraining data that no "
                                                        "audit scores; 0: no extra split)")->capture_default_str();
  cmd->add_option("--utts-per-speaker", c.utts_per_speaker, "Utterances per speaker")->capture_default_str();
  cmd->add_option("--pretrain-utts", c.pretrain_utts, "Utterances per pretrain speaker (0: --utts-per-speaker)");
  cmd->add_option("--aux-utts", c.aux_utts, "Utterances per aux speaker (0: --utts-per-speaker)");
  cmd->add_option("--heldout-utts", c.heldout_utts, "Utterances per heldout speaker (0: --utts-per-speaker)");
  cmd->add_option("--finetune-utts", c.finetune_utts, "Utterances per finetune speaker (0: --utts-per-speaker)");
  cmd->add_option("--extra-utts", c.extra_utts, "Utterances per extra speaker (0: --utts-per-speaker)");
}

void add_content_options(CLI::App* cmd, synth::SynthConfig& c, SynthCliOptions& o) {
  cmd->add_option("--min-words", c.sentences.min_words, "Fewest words per sentence")->capture_default_str();
  cmd->add_option("--max-words", c.sentences.max_words, "Most words per sentence")->capture_default_str();
  cmd->add_option("--name-fraction", c.sentences.name_fraction, "Share of sentences that mention a person by name")
      ->capture_default_str();
  cmd->add_option("--max-names", c.sentences.max_names, "Most name mentions per sentence")->capture_default_str();
  cmd->add_flag("--allow-finetune-pretrain-names", o.allow_finetune_pretrain_names,
                "Let finetune sentences mention names the pretrain split mentions");
  cmd->add_option("--name-inventory", c.name_inventory,
                  "Draw every name from this many first names (a seeded choice; 0: the whole built-in pool)")
      ->capture_default_str();
  cmd->add_option("--jitter-pitch", c.jitter.pitch, "Per-utterance pitch jitter (espeak-ng pitch units, +-)")
      ->capture_default_str();
  cmd->add_option("--jitter-rate", c.jitter.rate, "Per-utterance speaking-rate jitter (relative, +-)")
      ->capture_default_str();
  cmd->add_option("--noise-snr", o.noise_snr, "Add background noise at an SNR drawn from MIN:MAX dB (off if unset)");
  cmd->add_option("--noise-type", o.noise_type, "white or speech-shaped")->capture_default_str();
  cmd->add_option("--lead-silence", o.lead_silence, "Leading silence MIN:MAX seconds")->capture_default_str();
  cmd->add_option("--trail-silence", o.trail_silence, "Trailing silence MIN:MAX seconds")->capture_default_str();
}

void add_canary_options(CLI::App* cmd, synth::SynthConfig& c, SynthCliOptions& o) {
  cmd->add_option("--canaries", c.canaries.count, "Number of canary utterances")->capture_default_str();
  cmd->add_option("--canary-kind", o.canary_kind, "sentence or random-words")->capture_default_str();
  cmd->add_option("--canary-name", c.canaries.name, "Name every canary mentions (default: a fresh name each)");
  cmd->add_option("--canary-speakers", o.canary_speakers, "Comma-separated catalogue speaker ids to speak canaries");
  cmd->add_option("--canary-new-speakers", c.canaries.new_speakers,
                  "New speakers for canaries when --canary-speakers is not given")->capture_default_str();
  cmd->add_option("--canary-insert-fraction", c.canaries.insert_fraction, "Share of canaries marked inserted")
      ->capture_default_str();
  cmd->add_flag("--canary-inventory-names", c.canaries.inventory_names,
                "Canaries mention names of the corpus's pool (noise-masking design) instead of fresh ones");
  cmd->add_option("--canary-repeats", c.canaries.repeats, "Renderings of each inserted canary (identical audio)")
      ->capture_default_str();
  cmd->add_option("--canary-unit", o.canary_unit, "utterance, or speaker: each canary a new speaker with "
                                                  "--canary-utts-per-speaker canaries, inserted or held out whole")
      ->capture_default_str();
  cmd->add_option("--canary-utts-per-speaker", c.canaries.utts_per_speaker, "Utterances of each speaker canary")
      ->capture_default_str();
}

// The string options into the config; then the config validates itself.
void resolve(synth::SynthConfig& c, const SynthCliOptions& o) {
  c.finetune_avoids_pretrain_names = !o.allow_finetune_pretrain_names;
  if (!o.noise_snr.empty()) {
    c.noise = true;
    std::tie(c.snr_min_db, c.snr_max_db) = parse_range(o.noise_snr, "--noise-snr");
  }
  if (o.noise_type == "white") c.noise_type = audio::NoiseType::White;
  else if (o.noise_type == "speech-shaped") c.noise_type = audio::NoiseType::SpeechShaped;
  else throw invalid_argument("noise-type", "white or speech-shaped", "'" + o.noise_type + "'");
  std::tie(c.lead_silence_min_s, c.lead_silence_max_s) = parse_range(o.lead_silence, "--lead-silence");
  std::tie(c.trail_silence_min_s, c.trail_silence_max_s) = parse_range(o.trail_silence, "--trail-silence");
  c.canaries.kind = synth::parse_canary_kind(o.canary_kind);
  if (o.canary_unit != "utterance" && o.canary_unit != "speaker")
    throw invalid_argument("canary-unit", "utterance or speaker", "'" + o.canary_unit + "'");
  c.canaries.per_speaker = o.canary_unit == "speaker";
  c.canaries.speakers.clear();
  for (const auto& id : text::split(o.canary_speakers, ','))
    if (!text::trim(id).empty()) c.canaries.speakers.emplace_back(text::trim(id));
  c.validate();
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto config = std::make_shared<synth::SynthConfig>();
  auto opt = std::make_shared<SynthCliOptions>();
  auto* cmd = app.add_subcommand("synth", "Generate a synthetic speech corpus with espeak-ng (docs/synth.md)");
  cmd->add_option("--out", opt->out, "Output directory (built in <out>.partial, renamed when complete)")->required();
  add_size_options(cmd, *config);
  add_content_options(cmd, *config, *opt);
  add_canary_options(cmd, *config, *opt);
  cmd->callback([config, opt] {
    resolve(*config, *opt);
    ProgressBar bar;
    const auto s = synth::generate_corpus(opt->out, *config, bar.callback());
    bar.finish();
    if (s.already_complete) {
      log_info(opt->out + " already holds this corpus (same options); nothing to do");
      return;
    }
    log_info("wrote " + std::to_string(s.utterances) + " utterances (" + std::to_string(s.audio_s / 60.0) +
             " min of audio) to " + s.root.string() +
             (s.chapters_resumed ? " (" + std::to_string(s.chapters_resumed) + " chapters resumed)" : ""));
  });
}

}  // namespace speechleak::cli
