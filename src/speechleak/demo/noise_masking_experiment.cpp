#include "speechleak/demo/noise_masking_experiment.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "speechleak/asr/ctc_model.h"
#include "speechleak/asr/finetune_presets.h"
#include "speechleak/corpus/load.h"
#include "speechleak/corpus/names.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/demo/demo_cache.h"
#include "speechleak/train/pretrain_reuse.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/noise_masking/study.h"
#include "speechleak/report/html_report.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/synth/generator.h"
#include "speechleak/train/presets.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What the presets share; `study` is the design the docs' study ran with scripts before this command existed.
NoiseMaskingStudyPreset make_study_preset(bool test) {
  NoiseMaskingStudyPreset p;
  p.name = test ? "test" : "study";
  p.description = test ? "a few utterances, 1 epoch each: seconds (tests; its numbers mean nothing)"
                       : "20 names, 120 canaries, 400 fine-tuning utterances: about 20-25 minutes per variant on 2 cores";
  auto& s = p.synth;
  s.seed = 11;
  s.pretrain_speakers = 0;  // pretraining data = the inserted canaries + the fine-tuning split's audio
  s.aux_speakers = 0;
  s.heldout_speakers = test ? 1 : 4;  // the recogniser's dev set
  s.heldout_utts = test ? 2 : 10;
  s.finetune_speakers = test ? 2 : 8;
  s.finetune_utts = test ? 4 : 50;
  s.sentences.min_words = 5;
  s.sentences.max_words = 9;
  s.sentences.name_fraction = 0.5;
  s.sentences.max_names = 1;
  s.name_inventory = test ? 4 : 20;
  s.finetune_avoids_pretrain_names = false;  // the recogniser must learn to spell the inventory
  s.jitter.rate = 0;
  auto& c = s.canaries;
  c.count = test ? 6 : 120;
  // The fine-tuning speakers of seed 11 (the recogniser knows their voices, as in the paper's design); the test
  // preset lets the generator pick new ones.
  if (!test) c.speakers = {"1075", "1098", "1127", "1227", "1379", "1460", "1488", "1526"};
  c.inventory_names = true;
  c.repeats = test ? 2 : 16;
  p.repeats = test ? 2 : 4;

  auto& t = p.pretrain;
  train::apply_training_preset("memorise", t);
  t.epochs = test ? 1 : 30;
  if (test) t.arch = "tiny";
  t.model = train::resolve_arch(t.arch);
  t.seed = 1;
  asr::apply_finetune_preset("synthetic", p.finetune);
  if (test) p.finetune.epochs = 1;
  p.finetune.seed = 1;
  p.attack.seed = 1;
  p.fills = {"white", "mask-embedding"};
  return p;
}

// OUT/pretrain-r<R>.tsv: the first R renderings of every inserted canary (canaries.tsv's `original` column names the
// rendering each copy repeats), then the fine-tuning split. Absolute paths; rewritten each run (same bytes).
std::string pretrain_manifest(const fs::path& corpus_dir, const fs::path& out, int repeats) {
  const auto rows = read_lines(corpus_dir / "canaries.tsv");
  if (rows.empty()) throw FormatError(corpus_dir / "canaries.tsv", "empty (expected the synth's canary manifest)");
  const auto header = text::split(rows[0], '\t');
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw FormatError(corpus_dir / "canaries.tsv", "no '" + name + "' column (expected the synth's canary manifest)");
  };
  const size_t id = column("utt_id"), set = column("canary_set"), original = column("original");
  std::map<std::string, int> seen;
  std::set<std::string> chosen;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].empty()) continue;
    const auto f = text::split(rows[i], '\t');
    if (f.size() != header.size()) throw FormatError(corpus_dir / "canaries.tsv", "line " + std::to_string(i + 1) +
                                                                                    ": wrong number of fields");
    if (f[set] == "inserted" && seen[f[original]]++ < repeats) chosen.insert(f[id]);
  }
  auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse("manifest:" + (corpus_dir / "canaries-inserted.tsv").string()));
  std::erase_if(corpus.utterances, [&](const corpus::Utterance& u) { return !chosen.count(u.id); });
  const auto finetune = corpus::load_corpus(corpus::CorpusSpec::parse(split_spec(corpus_dir, "finetune")));
  corpus.merge(finetune);
  const fs::path path = out / ("pretrain-r" + std::to_string(repeats) + ".tsv");
  corpus::write_manifest(path, corpus);
  return "manifest:" + path.string();
}

std::string aligned_canaries(const fs::path& corpus_dir, const std::string& manifest) {
  return "manifest:" + (corpus_dir / manifest).string() + "?alignments=" + (corpus_dir / "canaries.ctm").string();
}

struct AttackData {
  corpus::Corpus targets, control;
  corpus::NameList names;
};

NoiseMaskingCell attack(const AttackData& data, const NoiseMaskingStudyPreset& preset, const std::string& fill,
                        const fs::path& asr_dir, const fs::path& run_dir, const DemoOptions& o,
                        const json& extra_config) {
  auto options = preset.attack;
  options.fill = noise_masking::parse_fill(fill);
  options.validate();
  auto loaded = asr::load_ctc_directory(asr_dir);
  noise_masking::StudyInputs in{&data.targets, &data.control, &data.names,
                                {loaded.model, loaded.do_normalize, "study recogniser"}, {}};
  const auto result = noise_masking::run_study(in, options, o.progress);
  const auto config = noise_masking::study_config(
      o.command_line.empty() ? "speechleak::demo::run_noise_masking_study" : o.command_line, asr_dir.string(), "", in,
      options, extra_config);
  noise_masking::write_study_directory(run_dir, result, options, config);
  report::write_report_or_warn({run_dir}, rundir::report_file(run_dir));
  return {"", fill, {}, asr_dir, run_dir, result.to_json()};
}

std::string count_cell(const json& counts, const char* key) {
  return std::to_string(counts.at(key).at("count").get<int>()) + "/" + std::to_string(counts.at("trials").get<int>());
}

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * x);
  return buf;
}

}  // namespace

std::vector<std::string> noise_masking_study_preset_names() { return {"study", "test"}; }

NoiseMaskingStudyPreset noise_masking_study_preset(const std::string& name) {
  if (name == "study" || name == "test") return make_study_preset(name == "test");
  throw invalid_argument("--preset", "study or test", "'" + name + "'");
}

std::vector<NoiseMaskingVariant> noise_masking_variants() {
  return {{"none", {}, 0},
          {"sanitize-names", {"sanitize-names"}, 0},
          {"silence-names", {"silence-names"}, 0},
          {"noise-augment", {"noise-augment"}, 0},
          {"silence-names+noise-augment", {"silence-names", "noise-augment"}, 0},
          {"repeats-1", {}, 1},
          {"repeats-16", {}, 16}};
}

NoiseMaskingVariant noise_masking_variant(const std::string& name) {
  std::string names;
  for (const auto& v : noise_masking_variants()) {
    if (v.name == name) return v;
    names += (names.empty() ? "" : ", ") + v.name;
  }
  throw invalid_argument("--variant", "one of " + names, "'" + name + "'");
}

NoiseMaskingStudyResult run_noise_masking_study(const NoiseMaskingStudyPreset& preset,
                                                const std::vector<NoiseMaskingVariant>& variants,
                                                const fs::path& out_arg, const DemoOptions& options) {
  if (out_arg.empty()) throw invalid_argument("--out", "a directory", "nothing");
  if (variants.empty()) throw invalid_argument("--variant", "at least one variant", "none");
  for (const auto& v : variants) {
    DemoVariant::of_defenses(v.defenses).validate();
    if (v.repeats > preset.synth.canaries.repeats)
      throw invalid_argument("variant " + v.name, "at most " + std::to_string(preset.synth.canaries.repeats) +
                             " repeats (the corpus's renderings)", std::to_string(v.repeats));
  }
  if (preset.fills.empty()) throw invalid_argument("fills", "at least one fill", "none");
  NoiseMaskingStudyResult r;
  r.out = fs::absolute(out_arg).lexically_normal();
  if (r.out.filename().empty()) r.out = r.out.parent_path();
  if (r.out.string().find('?') != std::string::npos)
    throw invalid_argument("--out", "a path without '?' (it would end the corpus specs)", "'" + r.out.string() + "'");
  r.table = r.out / "noise-masking-study.md";
  r.record = r.out / "noise-masking-study.json";
  runtime::set_torch_threads(options.threads);
  fs::create_directories(r.out);
  for (const auto& f : {r.table, r.record, r.out / "noise-masking-study.html"}) fs::remove(f);  // written last
  auto stage = [&](const std::string& what) {
    if (options.on_stage) options.on_stage(what);
  };
  const auto t0 = std::chrono::steady_clock::now();

  const auto identity = synth::run_identity(preset.synth);
  r.corpus_dir = corpus_dir_for(r.out, identity);
  stage("synthetic corpus: " + r.corpus_dir.string());
  synth::generate_corpus(r.corpus_dir, preset.synth, options.progress);
  AttackData data{corpus::load_corpus(corpus::CorpusSpec::parse(aligned_canaries(r.corpus_dir, "canaries-targets.tsv"))),
                  corpus::load_corpus(corpus::CorpusSpec::parse(aligned_canaries(r.corpus_dir, "canaries-heldout.tsv"))),
                  corpus::NameList::load(r.corpus_dir / "names.tsv")};

  json cells = json::array();
  std::set<std::string> done;
  for (size_t i = 0; i < variants.size(); ++i) {
    const auto& v = variants[i];
    if (!done.insert(v.name).second) continue;
    const int repeats = v.repeats > 0 ? v.repeats : preset.repeats;
    const std::string where = "[" + std::to_string(i + 1) + "/" + std::to_string(variants.size()) + "] " + v.name;
    auto pretrain = preset.pretrain;
    pretrain.corpus = pretrain_manifest(r.corpus_dir, r.out, repeats);
    apply_variant(DemoVariant::of_defenses(v.defenses), pretrain);
    // The manifest lives in OUT, not next to the corpus's names.tsv, where the defenses would look for it.
    if (pretrain.defenses.silence_names || pretrain.defenses.sanitize_names)
      pretrain.defenses.names = (r.corpus_dir / "names.tsv").string();
    pretrain.device = options.device;
    pretrain.validate();
    auto keyed = identity;
    keyed["pretrain_repeats"] = repeats;  // the manifest's contents; its path is replaced in the hash
    const fs::path encoder = r.out / "models" / model_hash(pretrain, keyed);
    stage(where + ": pretraining (" + std::to_string(repeats) + (repeats == 1 ? " rendering" : " renderings") +
          " per inserted canary) into " +
          encoder.string());
    train::pretrain_or_reuse(pretrain, encoder, train::reporting_options(options.progress, options.command_line));

    auto finetune = preset.finetune;
    finetune.pretrained = encoder.string();
    finetune.corpus = split_spec(r.corpus_dir, "finetune");
    finetune.dev = split_spec(r.corpus_dir, "heldout");
    finetune.validate();
    stage(where + ": fine-tuning a recogniser");
    bool reused = false;
    const fs::path asr_dir = make_recogniser(finetune, encoder, options.progress, options.command_line, &reused);
    const json extra = {{"pretrain", pretrain.to_json()}, {"finetune", finetune.to_json()},
                        {"study", {{"variant", v.name}, {"pretrain_repeats", repeats}, {"preset", preset.name}}}};
    for (const auto& fill : preset.fills) {
      stage(where + ": attacking with " + fill);
      auto cell = attack(data, preset, fill, asr_dir, r.out / v.name / ("attack-" + fill), options, extra);
      cell.variant = v.name;
      cell.encoder = encoder;
      cells.push_back({{"variant", v.name}, {"fill", fill}, {"pretrain_repeats", repeats},
                       {"defenses", v.defenses}, {"encoder", encoder.string()}, {"recogniser", asr_dir.string()},
                       {"run", cell.run_dir.string()}, {"noise_masking", cell.summary}});
      r.cells.push_back(std::move(cell));
    }
  }

  std::vector<fs::path> runs;
  for (const auto& c : r.cells) runs.push_back(c.run_dir);
  if (auto report = report::write_report_or_warn(runs, r.out / "noise-masking-study.html")) r.report = *report;
  write_text_file_atomically(r.table, format_noise_masking_study_table(r));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const json record = {{"study", "noise-masking"}, {"preset", preset.name},
                       {"command", options.command_line}, {"corpus", r.corpus_dir.string()},
                       {"configs", {{"synth", preset.synth.to_json()}, {"pretrain", preset.pretrain.to_json()},
                                    {"finetune", preset.finetune.to_json()}, {"attack", preset.attack.to_json()},
                                    {"fills", preset.fills}, {"pretrain_repeats", preset.repeats}}},
                       {"cells", cells}, {"wall_seconds", wall}, {"versions", runtime::versions_json()}};
  write_text_file_atomically(r.record, record.dump(2) + "\n");
  return r;
}

std::string format_noise_masking_study_table(const NoiseMaskingStudyResult& result) {
  std::string t = "| variant | fill | target exact | target any-name | target unmasked | control exact | "
                  "control unmasked | gap, Fisher p | WER / CER unmasked targets |\n"
                  "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : result.cells) {
    json target, control, comparison;
    for (const auto& s : c.summary.at("sets")) (s.at("set") == "target" ? target : control) = s;
    for (const auto& x : c.summary.at("comparisons"))
      if (x.at("second") == "control") comparison = x;
    const auto &tc = target.at("counts"), &cc = control.at("counts");
    char gap[64];
    std::snprintf(gap, sizeof gap, "%+.1f points, p = %.3g", 100 * comparison.at("gap").get<double>(),
                  comparison.at("p_value").get<double>());
    t += "| " + c.variant + " | " + c.fill + " | " + count_cell(tc, "exact") + " | " + count_cell(tc, "any_name") +
         " | " + count_cell(tc, "unmasked_exact") + " | " + count_cell(cc, "exact") + " | " +
         count_cell(cc, "unmasked_exact") + " | " + gap + " | " + percent(target.at("unmasked").at("wer")) + " / " +
         percent(target.at("unmasked").at("cer")) + " |\n";
  }
  return t;
}

}  // namespace speechleak::demo
