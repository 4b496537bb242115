#!/usr/bin/python3
"""WavLM and TERA parity as a user meets it: the fixture waveforms (float WAVs in a speechleak manifest) through
`build/speechleak extract --frames`, one utterance per batch and all three in one padded batch, every hidden state
compared with the Python references of scripts/make_wavlm_fixtures.py and scripts/make_tera_fixtures.py
(max |a - b| / max |b| per state; the tests assert <= 1e-4). Run from anywhere after building: /usr/bin/python3 scripts/measure_parity.py"""
import glob, json, os, struct, subprocess, sys, tempfile
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_encoder_fixtures as base

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = tempfile.mkdtemp(prefix="parity-")
waves = base.read_safetensors(f"{root}/tests/fixtures/encoder/inputs.safetensors")

def write_float_wav(path, x):
    data = np.asarray(x, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 16000 * 4, 4, 32)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)

os.makedirs(f"{out}/audio", exist_ok=True)
rows = ["utt_id\tspeaker_id\tpath"]
for i in range(3):
    write_float_wav(f"{out}/audio/w{i}.wav", waves[f"wave{i}"].numpy())
    rows.append(f"w{i}\ts\t{out}/audio/w{i}.wav")
open(f"{out}/m.tsv", "w").write("\n".join(rows) + "\n")
for fixture, layers, batch in [("e_wavlm_base", 2, "0.1"), ("e_wavlm_base", 2, "10"), ("f_wavlm_large", 3, "0.1"),
                               ("f_wavlm_large", 3, "10"), ("g_tera", 2, "0.1"), ("g_tera", 2, "10")]:
    store = f"{out}/store-{fixture}-{batch}"
    subprocess.run(["rm", "-rf", store])
    subprocess.run([f"{root}/build/speechleak", "-q", "extract", "--model", f"{root}/tests/fixtures/encoder/{fixture}",
                    "--corpus", f"manifest:{out}/m.tsv", "--frames", "--frames-dtype", "float32",
                    "--max-batch-seconds", batch, "--layers"] + [str(l) for l in range(layers + 1)] +
                   ["--out", store], check=True)
    ref = base.read_safetensors(f"{root}/tests/fixtures/encoder/{fixture}/reference.safetensors")
    worst = 0.0
    for line in open(glob.glob(f"{store}/index-*.jsonl")[0]):
        r = json.loads(line)
        i = int(r["utt"][1:])
        for l in range(layers + 1):
            a = r["arrays"][f"{l}/frames"]
            got = np.fromfile(f"{store}/{a['file']}", dtype=a["dtype"], count=a["nbytes"] // 4,
                              offset=a["offset"]).reshape(a["shape"])
            want = ref[f"state{l}_wave{i}"].numpy()
            worst = max(worst, float(np.abs(got - want).max() / np.abs(want).max()))
    kind = "single utterances" if batch == "0.1" else "one padded batch"
    print(f"{fixture}, {kind}: worst max|a-b|/max|b| over {layers + 1} states x 3 utterances = {worst:.2e}")
subprocess.run(["rm", "-rf", out])
