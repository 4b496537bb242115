#pragma once
// Where the demo keeps what it can reuse between runs (OUT/corpus*, OUT/models/<hash>) and how it decides that a
// cached item is the one asked for. Internal to the demo room.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "speechleak/asr/finetune_config.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/util/progress.h"

namespace speechleak::features {
struct StoreManifest;
}

namespace speechleak::demo {

// "0123456789abcdef": FNV-1a 64 of `text`, for directory names.
std::string hash16(const std::string& text);

// OUT/corpus when it is free or holds (or is building) the corpus of `identity` (synth::run_identity); otherwise
// OUT/corpus-<hash of identity>, so that switching presets in one OUT keeps both corpora instead of refusing.
std::filesystem::path corpus_dir_for(const std::filesystem::path& out, const nlohmann::json& identity);

// The model directory's name: a hash of the resolved pretraining config with the corpus path replaced by a
// placeholder (the hash must not depend on where OUT lives) and of the corpus identity (same options, same
// speechleak and espeak-ng versions = same audio). `data` names which of the corpus's data it trains on ("pretrain",
// or "pretrain+extra-N" for the data-size ablation).
std::string model_hash(const train::PretrainConfig& config, const nlohmann::json& corpus_identity,
                       const std::string& data = "pretrain");

// Removes the feature store at `dir` when it was made by another model or from another corpus (an earlier demo with
// another preset in the same OUT): extraction resumes only matching stores and refuses the rest.
void discard_stale_store(const std::filesystem::path& dir, const features::StoreManifest& expected);

// The audit's members: the corpus's pretrain split, or, when the model was trained on less of it (sanitising drops
// the utterances that mention names), exactly the utterances of the model's members.tsv, written as a manifest
// (absolute paths) to RUN/members-trained.tsv. Utterances the model never saw must not be labelled members.
std::string members_spec(const std::filesystem::path& corpus_dir, const std::filesystem::path& model_dir,
                         const std::filesystem::path& run_dir);

// The data-size ablation: `config` trains on the pretrain split plus the first `extra` speakers (id order) of the
// corpus's extra split, written as a manifest (absolute paths) to OUT/pretrain+extra-<N>.tsv, for as many steps as
// on the pretrain split alone (epochs scaled down by the growth in utterances). Returns the data's name for
// model_hash ("pretrain+extra-<N>"). Throws InvalidArgument when the corpus has fewer extra speakers.
std::string train_with_extra_speakers(train::PretrainConfig& config, const std::filesystem::path& corpus_dir,
                                      const std::filesystem::path& out, int extra);

// MODEL/asr-<hash of the fine-tuning config, without its model and corpus paths>: a CTC recogniser fine-tuned from
// the model in `model_dir`; reused when finished (*reused = true), resumed when interrupted, trained otherwise. Throws
// Error when the fine-tuning stopped before its last epoch.
std::filesystem::path make_recogniser(const asr::FinetuneConfig& config, const std::filesystem::path& model_dir,
                                      const ProgressCallback& progress, const std::string& command_line, bool* reused);

}  // namespace speechleak::demo
