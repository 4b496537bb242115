// speechleak corpus stats|export: read a corpus spec and describe it, or write it as speechleak's TSV manifest.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

namespace speechleak::cli {

void add_corpus_command(CLI::App& app) {
  auto* corpus = app.add_subcommand("corpus", "Inspect and convert corpora (see docs/corpus-specs.md)");
  corpus->require_subcommand(1);
}

}  // namespace speechleak::cli
