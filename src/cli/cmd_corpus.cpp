// speechleak corpus stats|export: read a corpus spec and describe it, or write it as speechleak's TSV manifest.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/audio/audio_error.h"
#include "speechleak/corpus/filter.h"
#include "speechleak/corpus/load.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {

struct SubsetStats {
  size_t utterances = 0;
  std::set<std::string> speakers;
  double seconds = 0;
};

struct StatsOptions {
  std::string spec;
  bool json = false;
  bool durations = true;
  size_t show_skipped = 10;
};

corpus::Corpus load(const std::string& spec_text, ProgressBar& bar) {
  auto spec = corpus::CorpusSpec::parse(spec_text);
  auto c = corpus::load_corpus(spec, bar.callback());
  bar.finish();
  return c;
}

// Durations from the format or the audio headers; unreadable headers are counted, not fatal.
std::map<std::string, SubsetStats> subset_stats(corpus::Corpus& c, bool durations, size_t* unknown, ProgressBar& bar) {
  std::map<std::string, SubsetStats> by_subset;
  int64_t done = 0;
  for (auto& u : c.utterances) {
    auto& s = by_subset[u.subset.empty() ? "(all)" : u.subset];
    ++s.utterances;
    s.speakers.insert(u.speaker_id);
    if (durations) {
      try {
        s.seconds += corpus::utterance_duration(u);
      } catch (const Error&) {
        ++*unknown;
      }
      bar({"read durations", ++done, static_cast<int64_t>(c.utterances.size()), 0.0, "", 0});
    }
  }
  bar.finish();
  return by_subset;
}

void print_stats(const corpus::Corpus& c, const std::map<std::string, SubsetStats>& subsets, size_t unknown,
                 const StatsOptions& opt) {
  double hours = 0;
  for (auto& [name, s] : subsets) hours += s.seconds / 3600;
  if (opt.json) {
    nlohmann::json j{{"spec", c.spec}, {"utterances", c.utterances.size()}, {"speakers", c.speaker_ids().size()},
                     {"hours", opt.durations ? nlohmann::json(hours) : nlohmann::json()},
                     {"durations_unknown", opt.durations ? nlohmann::json(unknown) : nlohmann::json()},
                     {"skipped", c.skipped.size()}};
    for (auto& [name, s] : subsets)
      j["subsets"][name] = {{"utterances", s.utterances}, {"speakers", s.speakers.size()}, {"hours", s.seconds / 3600}};
    for (auto& [reason, n] : c.skipped.counts_by_reason()) j["skipped_by_reason"][reason] = n;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::printf("corpus      %s\nutterances  %zu\nspeakers    %zu\n", c.spec.c_str(), c.utterances.size(),
              c.speaker_ids().size());
  if (opt.durations) std::printf("hours       %.3f%s\n", hours, unknown ? " (some durations unknown)" : "");
  std::printf("\n%-24s %12s %9s %9s\n", "subset", "utterances", "speakers", "hours");
  for (auto& [name, s] : subsets)
    std::printf("%-24s %12zu %9zu %9.3f\n", name.c_str(), s.utterances, s.speakers.size(), s.seconds / 3600);
  std::printf("\n%s\n", c.skipped.summary(c.utterances.size(), "utterances", "read").c_str());
  for (size_t i = 0; i < c.skipped.items.size() && i < opt.show_skipped; ++i) {
    const auto& it = c.skipped.items[i];
    std::printf("  skipped %s (%s): %s\n", it.id.c_str(), it.where.c_str(), it.reason.c_str());
  }
  if (c.skipped.size() > opt.show_skipped)
    std::printf("  ... %zu more (--show-skipped N lists more)\n", c.skipped.size() - opt.show_skipped);
  if (unknown) std::printf("%zu utterances have an unreadable duration\n", unknown);
}

void add_stats(CLI::App& parent) {
  auto opt = std::make_shared<StatsOptions>();
  auto* cmd = parent.add_subcommand("stats", "Utterances, speakers, hours, per-subset counts and skipped items");
  cmd->add_option("spec", opt->spec, "Corpus spec, e.g. librispeech:/data/LibriSpeech:dev-clean")->required();
  cmd->add_flag("--json", opt->json, "Print JSON instead of a table");
  cmd->add_flag("!--no-durations", opt->durations, "Skip reading audio headers for durations (faster)");
  cmd->add_option("--show-skipped", opt->show_skipped, "How many skipped items to list")->capture_default_str();
  cmd->callback([opt] {
    ProgressBar bar;
    auto c = load(opt->spec, bar);
    size_t unknown = 0;
    auto subsets = subset_stats(c, opt->durations, &unknown, bar);
    print_stats(c, subsets, unknown, *opt);
  });
}

void add_export(CLI::App& parent) {
  struct Options {
    std::string spec, out;
    bool relative = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = parent.add_subcommand("export", "Write a corpus as speechleak's TSV manifest");
  cmd->add_option("spec", opt->spec, "Corpus spec")->required();
  cmd->add_option("--out", opt->out, "Manifest to write (.tsv)")->required();
  cmd->add_flag("--relative-paths", opt->relative, "Audio paths relative to the manifest's directory when under it");
  cmd->callback([opt] {
    ProgressBar bar;
    auto c = load(opt->spec, bar);
    corpus::ManifestWriteOptions w;
    w.relative_paths = opt->relative;
    corpus::write_manifest(opt->out, c, w);
    log_info(c.skipped.summary(c.utterances.size(), "utterances", "exported to " + opt->out));
  });
}

}  // namespace

void add_corpus_command(CLI::App& app) {
  auto* corpus = app.add_subcommand("corpus", "Inspect and convert corpora (specs: docs/corpus-specs.md)");
  corpus->require_subcommand(1);
  add_stats(*corpus);
  add_export(*corpus);
}

}  // namespace speechleak::cli
