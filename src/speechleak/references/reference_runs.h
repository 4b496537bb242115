#pragma once
// Reference encoders for the calibrated attacks (LiRA, RMIA; docs/calibrated-attacks.md): N pretraining runs with
// the target's recipe on seeded subsets, each candidate unit (speaker or utterance) IN for half of the runs
// (online) or none (offline), written so that an audit can score the same utterances with every reference model.
//
// DIR (`speechleak references train --out DIR`):
//   references.json    written first: format, the resolved config, the recipe (a pretraining config without its
//                      corpus and seed), the candidates (utt_id -> speaker, unit) and the keep matrix
//   keep.npy, units.txt   the keep matrix (runs x units, bool) and its columns, for numpy users
//   runs/NNN/          one pretraining run each (pretrain.h's directory: a loadable model when finished) with
//                      data.tsv, the manifest it trained on (its IN candidates + its share of the population)
// Runs are independent: a finished run is reused, an interrupted one resumed, so the command is resumable run by
// run, and runs can be trained by separate processes (--run K).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "speechleak/references/keep_matrix.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/util/progress.h"

namespace speechleak::references {

struct ReferencesConfig {
  std::string recipe;      // a speechleak model directory (its pretrain_config.json) or a training preset name
  std::string candidates;  // corpus spec: the utterances audits will score (members and non-members alike)
  std::string population;  // corpus spec of other utterances, never scored; "" = none
  int runs = 4;
  Unit unit = Unit::Speaker;  // whole speakers in or out (the target's members are usually whole speakers)
  bool offline = false;       // no run trains on any candidate (offline LiRA / RMIA only)
  // Share of the population's units (speakers or utterances, as `unit`) each run adds to its data: a seeded draw
  // per run. 0.5 with an online set of candidates half IN keeps a run's data close to the candidates' size.
  double population_fraction = 0.5;
  uint64_t seed = 0;
  std::string device = "cpu";  // pretraining device of every run (runtime/device.h)

  void validate() const;  // InvalidArgument naming the CLI flag
  nlohmann::json to_json() const;
  static ReferencesConfig from_json(const nlohmann::json& j, const std::string& source);
};

// The recipe as a pretraining config: MODEL_DIR/pretrain_config.json or a training preset (train/presets.h).
// Recipes whose defenses need name lists (silence-names, sanitize-names) are refused: a run's data manifest carries
// no alignments. Throws InvalidArgument / FileError / FormatError naming --recipe.
train::PretrainConfig resolve_recipe(const std::string& recipe);

class ReferenceSet {
 public:
  // Reads DIR/references.json (FileError / FormatError naming it).
  static ReferenceSet load(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const ReferencesConfig& config() const { return config_; }
  const KeepMatrix& keep() const { return keep_; }
  const train::PretrainConfig& recipe() const { return recipe_; }
  size_t runs() const { return keep_.runs(); }
  std::filesystem::path run_dir(size_t run) const;
  bool finished(size_t run) const;  // its model is complete
  // Whether reference `run` trained on the utterance / the whole speaker (speaker units only; false otherwise).
  // Ids that are not candidates were never trained on.
  bool trained_on_utterance(size_t run, const std::string& utt_id) const;
  bool trained_on_speaker(size_t run, const std::string& speaker_id) const;
  bool is_candidate(const std::string& utt_id) const { return unit_of_.count(utt_id) > 0; }

 private:
  friend struct ReferenceSetWriter;
  std::filesystem::path dir_;
  ReferencesConfig config_;
  train::PretrainConfig recipe_;
  KeepMatrix keep_;
  std::map<std::string, std::string> unit_of_;  // candidate utt_id -> unit id
};

struct ReferencesOptions {
  std::vector<int> only_runs;  // train just these runs (other processes train the rest); empty = all
  bool plan_only = false;      // write (or check) the plan and train nothing
  ProgressCallback progress;   // the runs' pretraining progress
  std::function<void(size_t run, size_t runs, const std::string& what)> on_run;  // "training", "reused", ...
  std::string command_line;
};

struct ReferencesResult {
  ReferenceSet set;
  std::vector<size_t> trained, reused;  // run indices
  double seconds = 0;                   // wall time of this call
};

// Plans DIR (or checks that the references.json there was made with the same config and recipe, refusing with the
// differing fields otherwise), then trains every requested run that is not finished.
ReferencesResult train_references(const ReferencesConfig& config, const std::filesystem::path& out,
                                  const ReferencesOptions& options = {});

}  // namespace speechleak::references
