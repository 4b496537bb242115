#pragma once
// `speechleak finetune` as one library call: a pretrained encoder + a labelled corpus -> a CTC recogniser in HF's
// Wav2Vec2ForCTC / HubertForCTC layout, with dev WER/CER after every epoch and the best-dev model kept.
//
// OUT after a run (docs/asr.md):
//   config.json, model.safetensors, preprocessor_config.json, vocab.json, tokenizer_config.json,
//   special_tokens_map.json   the recogniser: the best-dev model (lowest dev WER, then CER, then the earlier
//                             epoch), or the last one without --dev; load_ctc_directory / transcribe read OUT
//   last/                     the last epoch's model, when it is not the best-dev one
//   finetune_config.json      the resolved FinetuneConfig (what --resume checks against)
//   speechleak_finetuning.json  pretrained model (path, fingerprint), data and label counts, dev results, seeds,
//                             versions, command
//   train_log.csv             step,epoch,loss,lr,grad_norm,seconds,audio_seconds,labels,infeasible
//   dev_log.csv               step,epoch,wer,cer,words,word_sub,word_del,word_ins,chars,char_sub,char_del,
//                             char_ins,utterances,seconds
//   best/                     (during training) the best-dev model so far; checkpoints/ resumable checkpoints
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/asr/ctc_objective.h"
#include "speechleak/asr/error_rates.h"
#include "speechleak/asr/finetune_config.h"
#include "speechleak/train/trainer.h"

namespace speechleak::runtime {
class ProcessGroup;
}

namespace speechleak::asr {

struct DevResult {
  int64_t step = 0;
  int epoch = 0;  // epochs completed
  EditCounts words, characters;
  size_t utterances = 0;
  double seconds = 0;  // wall time of the evaluation
  double wer() const { return words.rate(); }
  double cer() const { return characters.rate(); }
};

struct FinetuneOptions {
  bool resume = false;
  ProgressCallback progress;  // stages "read corpus", "load audio", "finetune"
  std::function<void(const train::StepLog&)> on_step;
  std::function<void(const DevResult&)> on_dev;
  std::string command_line;   // recorded in speechleak_finetuning.json
  // Data-parallel over these processes (train::PretrainOptions::group): rank 0 prepares OUT, evaluates on the dev
  // set and writes every file; the others train. Null: alone.
  std::shared_ptr<runtime::ProcessGroup> group;
};

struct FinetuneResult {
  std::filesystem::path out;
  train::DatasetReport data;
  LabelReport labels;
  size_t dev_utterances = 0;
  train::TrainPosition position;
  train::StepLog last;
  int64_t total_steps = 0;
  bool finished = false;
  std::vector<DevResult> dev;      // every evaluation of the run (resumed sessions included)
  std::optional<DevResult> best;   // the model in OUT
  nlohmann::json metadata;         // speechleak_finetuning.json
};

// The dev result a fine-tuning run keeps: lower WER, then lower CER, then the earlier one.
bool better_dev_result(const DevResult& a, const DevResult& b);

// Throws InvalidArgument for a bad config, FormatError / FileError naming the file for an unreadable pretrained
// model, speechleak::Error when OUT holds another run (without resume) or a resumed config differs.
FinetuneResult run_finetuning(const FinetuneConfig& config, const std::filesystem::path& out,
                              const FinetuneOptions& options = {});

}  // namespace speechleak::asr
