#include "speechleak/asr/finetune_config.h"

#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::asr {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CtcConfig, mask_time_prob, mask_time_length, mask_time_min_spans,
                                                mask_channel_prob, mask_channel_length, freeze_steps, final_dropout)

void CtcConfig::validate() const {
  require_range("--mask-time-prob", mask_time_prob, 0.0, 1.0);
  require_at_least("--mask-time-length", mask_time_length, 1);
  require_at_least("ctc.mask_time_min_spans", mask_time_min_spans, 0);
  require_range("--mask-channel-prob", mask_channel_prob, 0.0, 1.0);
  require_at_least("--mask-channel-length", mask_channel_length, 1);
  require_at_least("--freeze-steps", freeze_steps, 0);
  require_range("--final-dropout", final_dropout, 0.0, 0.99);
}

nlohmann::json CtcConfig::to_json() const { return *this; }

CtcConfig CtcConfig::from_json(const nlohmann::json& j) { return j.get<CtcConfig>(); }

FinetuneConfig::FinetuneConfig() {
  // fairseq's base_10h / base_100h fine-tuning: Adam without weight decay, the tri-stage schedule (10% warm-up,
  // 40% hold, exponential decay); a smaller peak learning rate than pretraining.
  optim.lr = 5e-5;
  optim.weight_decay = 0.0;
  optim.decay = "tri-stage";
  optim.warmup_fraction = 0.1;
  optim.hold_fraction = 0.4;
  data.max_seconds = 30.0;  // whole utterances are trained on (sequence labels): longer ones are skipped
  epochs = 20;
}

void FinetuneConfig::validate() const {
  if (pretrained.empty()) throw invalid_argument("--model", "a pretrained model directory", "nothing");
  require_one_of("--oov", oov, {"unk", "skip"});
  require_at_least("--eval-every", eval_every_epochs, 1);
  require_at_least("--beam", eval_beam, 0);
  TrainingConfig::validate();
  ctc.validate();
}

nlohmann::json FinetuneConfig::to_json() const {
  auto objective = ctc.to_json();
  objective["name"] = "ctc";
  return {{"format_version", kFinetuneConfigVersion},
          {"corpus", corpus},
          {"dev", dev},
          {"pretrained", pretrained},
          {"arch", arch},
          {"model", model.to_json()},
          {"training", loop_json()},
          {"objective", objective},
          {"labels", {{"oov", oov}}},
          {"dev_eval", {{"every_epochs", eval_every_epochs}, {"beam", eval_beam}}}};
}

FinetuneConfig FinetuneConfig::from_json(const nlohmann::json& j, const std::string& source) {
  FinetuneConfig c;
  try {
    if (!j.is_object()) throw FormatError(source, "fine-tuning config: expected a JSON object");
    const int version = j.value("format_version", 0);
    if (version != kFinetuneConfigVersion)
      throw FormatError(source, "fine-tuning config format_version " + std::to_string(version) +
                                    " is not readable by this speechleak (reads " +
                                    std::to_string(kFinetuneConfigVersion) + ")");
    c.corpus = j.value("corpus", c.corpus);
    c.dev = j.value("dev", c.dev);
    c.pretrained = j.value("pretrained", c.pretrained);
    c.arch = j.value("arch", c.arch);
    if (j.contains("model")) c.model = encoder::Wav2Vec2Config::from_json(j.at("model"), source);
    if (j.contains("training")) c.read_loop_json(j.at("training"));
    if (j.contains("objective")) c.ctc = CtcConfig::from_json(j.at("objective"));
    if (j.contains("labels")) c.oov = j.at("labels").value("oov", c.oov);
    if (j.contains("dev_eval")) {
      c.eval_every_epochs = j.at("dev_eval").value("every_epochs", c.eval_every_epochs);
      c.eval_beam = j.at("dev_eval").value("beam", c.eval_beam);
    }
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source, std::string("fine-tuning config: ") + e.what());
  }
  return c;
}

}  // namespace speechleak::asr
