// speechleak store verify | merge: check a feature store written in parts, and combine stores into one
// (docs/feature-store.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/features/store_tools.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {

void verify(const std::string& store) {
  ProgressBar bar;
  const auto c = features::verify_store(store, bar.callback());
  bar.finish();
  std::printf("store: %s (layers", store.c_str());
  for (int l : c.manifest.layers) std::printf(" %d", l);
  std::printf("%s)\n", c.manifest.frames ? ", with frames" : "");
  for (const auto& p : c.parts)
    std::printf("  part %-10s %6zu records%s\n", p.part.c_str(), p.records, p.torn ? " (torn last line)" : "");
  std::printf("%zu records in %zu parts, %.1f MB read\n", c.records, c.parts.size(), c.bytes_read / 1e6);
  for (const auto& problem : c.problems) std::printf("problem: %s\n", problem.c_str());
  if (!c.ok()) throw Error("store verify: " + std::to_string(c.problems.size()) + " problem(s) in " + store);
  std::printf("ok\n");
}

void merge(const std::vector<std::string>& inputs, const std::string& out) {
  ProgressBar bar;
  std::vector<std::filesystem::path> paths(inputs.begin(), inputs.end());
  const auto r = features::merge_stores(paths, out, bar.callback());
  bar.finish();
  std::printf("merged %zu stores into %s: %zu records copied%s, %.1f MB written\n", r.inputs, out.c_str(), r.copied,
              r.already ? (", " + std::to_string(r.already) + " already there").c_str() : "", r.bytes / 1e6);
}

}  // namespace

void add_store_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("store", "Check or combine feature stores (docs/feature-store.md)");
  cmd->require_subcommand(1);
  auto store = std::make_shared<std::string>();
  auto* v = cmd->add_subcommand("verify", "Read every part and record of a store: missing, torn or damaged parts, "
                                          "duplicate utterances, parts of another configuration (exit 1 if any)");
  v->add_option("store", *store, "Feature store directory")->required();
  v->callback([store] { verify(*store); });
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto* m = cmd->add_subcommand("merge", "Copy the records of several stores (of one configuration) into one "
                                         "store; rerun to resume");
  m->add_option("stores", *inputs, "Feature store directories")->required();
  m->add_option("--out", *out, "The merged store (created, or resumed)")->required();
  m->callback([inputs, out] { merge(*inputs, *out); });
}

}  // namespace speechleak::cli
