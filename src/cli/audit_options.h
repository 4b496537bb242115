#pragma once
// The options of `speechleak audit` (shared with `speechleak demo`), parsed into an AuditConfig.
#include <string>

#include "speechleak/audit/audit.h"

namespace CLI {
class App;
}

namespace speechleak::cli {

struct AuditArgs {
  std::string model, members, nonmembers, aux, out, name;
  std::string level = "both", attack = "all", direction = "high", distance = "cosine";
  bool reverse_audio = false;
  std::string references;      // a references directory (speechleak references train) for lira / rmia
  std::string lira_variance = "fixed";
  bool fixed_rmia_a = false;   // use --rmia-a as given instead of tuning it on the references
  int threads = 0;
  std::string device = "cpu";  // where the model runs for extraction (the attacker networks train on the CPU)
  std::string command_line;
  audit::AuditConfig config;
  // Applies level/attack/direction/distance strings to config and validates it. --attack takes one name, a
  // comma-separated list, or "all": basic, improved, quantile, and with --references the calibrated attacks its
  // reference set supports (the online ones only when its runs trained on the candidates).
  void resolve();
};

void add_audit_options(CLI::App& cmd, AuditArgs& args);

}  // namespace speechleak::cli
