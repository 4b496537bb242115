#!/usr/bin/env bash
# The noise-masking study of docs/results.md ("Noise masking"): one synthetic corpus (docs/noise-masking.md), then
# for each variant an encoder pretrained on the inserted canaries (K renderings each) plus the fine-tuning split's
# audio, a CTC recogniser fine-tuned on the fine-tuning split, and the attack (white noise and the mask-embedding
# upper bound) on the inserted canaries against the held-out ones; one comparison report at the end.
#
#   scripts/noise_masking_study.sh OUT [VARIANT...]    env: BUILD=build EPOCHS=30 THREADS=2
#
# Variants: none (undefended), sanitize (--sanitize-names), silence-mtr (--silence-names --noise-augment),
# silence, mtr, k1, k16 (undefended with 1 or 16 renderings instead of 4). Default: none sanitize silence-mtr.
# Every step is skipped when its output is complete, so an interrupted study continues where it stopped.
# About 20-25 minutes per variant on 2 cores.
set -euo pipefail
out=${1:?usage: scripts/noise_masking_study.sh OUT [VARIANT...]}
shift
if [ $# -gt 0 ]; then variants=("$@"); else variants=(none sanitize silence-mtr); fi
root=$(cd "$(dirname "$0")/.." && pwd)
sl=${BUILD:-$root/build}/speechleak
epochs=${EPOCHS:-30}
threads=${THREADS:-2}
c=$out/corpus
mkdir -p "$out"
"$sl" synth --out "$c" --seed 11 --pretrain-speakers 0 --aux-speakers 0 --heldout-speakers 4 --heldout-utts 10 \
  --finetune-speakers 8 --finetune-utts 50 --min-words 5 --max-words 9 --name-fraction 0.5 --max-names 1 \
  --name-inventory 20 --allow-finetune-pretrain-names --canaries 120 \
  --canary-speakers 1075,1098,1127,1227,1379,1460,1488,1526 --canary-inventory-names --canary-repeats 16 \
  --jitter-rate 0

# pretrain-k<K>.tsv: the first K renderings of every inserted canary, then the fine-tuning split's audio.
for k in 1 4 16; do
  /usr/bin/python3 - "$c" "$k" <<'PY'
import csv, collections, sys
c, k = sys.argv[1], int(sys.argv[2])
rows = list(csv.reader(open(f"{c}/canaries.tsv"), delimiter="\t"))
h = rows[0]
seen, out = collections.Counter(), []
for r in rows[1:]:
    if r[h.index("canary_set")] == "inserted" and seen[r[h.index("original")]] < k:
        out.append(r[:8]); seen[r[h.index("original")]] += 1
finetune = open(f"{c}/finetune.tsv").read().splitlines()
with open(f"{c}/pretrain-k{k}.tsv", "w") as f:
    f.write("\t".join(h[:8]) + "\n")
    f.writelines("\t".join(r) + "\n" for r in out)
    f.writelines(line + "\n" for line in finetune[1:])
PY
done

targets="manifest:$c/canaries-targets.tsv?alignments=$c/canaries.ctm"
control="manifest:$c/canaries-heldout.tsv?alignments=$c/canaries.ctm"
runs=()
for v in "${variants[@]}"; do
  k=4
  flags=()
  case $v in
    none) ;;
    sanitize) flags=(--sanitize-names) ;;
    silence) flags=(--silence-names) ;;
    mtr) flags=(--noise-augment) ;;
    silence-mtr) flags=(--silence-names --noise-augment) ;;
    k1) k=1 ;;
    k16) k=16 ;;
    *) echo "unknown variant '$v' (none sanitize silence mtr silence-mtr k1 k16)" >&2; exit 2 ;;
  esac
  enc=$out/$v/encoder asr=$out/$v/asr
  mkdir -p "$out/$v"
  resume=()
  [ -d "$enc" ] && resume=(--resume)  # an interrupted pretraining continues from its checkpoint
  [ -f "$enc/model.safetensors" ] || "$sl" pretrain --corpus "manifest:$c/pretrain-k$k.tsv" --out "$enc" \
    --preset memorise --epochs "$epochs" --threads "$threads" "${flags[@]}" "${resume[@]}"
  resume=()
  [ -d "$asr" ] && resume=(--resume)
  [ -f "$asr/model.safetensors" ] || "$sl" finetune --model "$enc" --corpus "manifest:$c/finetune.tsv" \
    --dev "manifest:$c/heldout.tsv" --out "$asr" --preset synthetic --threads "$threads" "${resume[@]}"
  for fill in white mask-embedding; do
    run=$out/$v/attack-$fill
    [ -f "$run/summary.json" ] || "$sl" noise-mask --asr "$asr" --targets "$targets" --control "$control" \
      --fill "$fill" --threads "$threads" --out "$run"
    runs+=("$run")
  done
done
"$sl" report "${runs[@]}" --title "Noise-masking study" --out "$out/noise-masking.html"
echo "study report: $out/noise-masking.html"
