#pragma once
// speechleak_pretraining.json (what a pretrained model was trained on and how, next to its config.json) and
// members.tsv (the utterances trained on: the ground truth of a membership audit).
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "speechleak/train/defenses.h"
#include "speechleak/train/pretrain.h"
#include "speechleak/train/objective.h"

namespace speechleak::train {

// {speechleak_version, command, <the objective's metadata: objective, targets>, defenses (each with what it
// changed), data, training, seeds}.
nlohmann::json pretraining_metadata(const PretrainConfig& config, const PretrainResult& result,
                                    const Objective& objective, const NameList* names,
                                    const std::string& command_line);

// "utt_id\tspeaker_id\n" rows of the utterances trained on, sorted by id.
void write_members(const std::filesystem::path& path, const TrainingSet& set);

}  // namespace speechleak::train
