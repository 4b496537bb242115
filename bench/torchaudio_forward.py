#!/usr/bin/python3
"""Times torchaudio's eager forward pass on the benchmark model (the baseline of bench/encoder_bench.sh).

    /usr/bin/python3 bench/torchaudio_forward.py MODEL_DIR AUDIO.safetensors THREADS REPEATS OUT.safetensors

Loads the HF directory written by scripts/make_encoder_fixtures.py --bench back into a torchaudio HuBERT/wav2vec2
model (renaming HF keys to torchaudio's), runs model(waveform) under torch.inference_mode with THREADS threads,
prints a JSON object with the best time of REPEATS (after a warm-up), and writes the final hidden state to OUT for the C++ side to compare.
"""
import json
import os
import sys
import time

import torch
import torchaudio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import make_encoder_fixtures as fx  # noqa: E402


def torchaudio_model(model_dir: str, aux_num_out: int = None) -> torch.nn.Module:
    """An HF encoder or CTC directory as a torchaudio model (HF keys renamed; a "wav2vec2."/"hubert." prefix
    dropped; lm_head.* as torchaudio's aux.* when aux_num_out is given), in eval mode."""
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    conv = list(zip(cfg["conv_dim"], cfg["conv_kernel"], cfg["conv_stride"]))
    model = torchaudio.models.wav2vec2_model(
        "group_norm" if cfg["feat_extract_norm"] == "group" else "layer_norm", conv, cfg["conv_bias"],
        cfg["hidden_size"], 0.0, cfg["num_conv_pos_embeddings"], cfg["num_conv_pos_embedding_groups"],
        cfg["num_hidden_layers"], cfg["num_attention_heads"], 0.0, cfg["intermediate_size"], 0.0, 0.0,
        cfg["do_stable_layer_norm"], 0.0, aux_num_out)
    sd = {}
    for k, v in fx.read_safetensors(os.path.join(model_dir, "model.safetensors")).items():
        for prefix in ("wav2vec2.", "hubert."):
            if k.startswith(prefix):
                k = k[len(prefix):]
        if k.startswith("lm_head."):
            if aux_num_out is None:
                continue
            k = "aux." + k[len("lm_head."):]
        elif k == "masked_spec_embed":
            continue
        elif k.startswith("feature_projection."):
            k = "encoder." + k
        elif k.startswith("encoder."):
            k = "encoder.transformer." + k[len("encoder."):]
        sd[k] = v
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(m.startswith("aux.") for m in missing), (missing, unexpected)
    return model.eval()


def main() -> None:
    model_dir, audio, threads, repeats, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    torch.set_num_threads(threads)
    model = torchaudio_model(model_dir)
    wave = fx.read_safetensors(audio)["wave"][None]
    times = []
    with torch.inference_mode():
        final, _ = model(wave)  # warm-up
        for _ in range(repeats):
            t0 = time.perf_counter()
            final, _ = model(wave)
            times.append(time.perf_counter() - t0)
        a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
        mm_times = []
        for _ in range(4):
            t0 = time.perf_counter()
            torch.mm(a, b)
            mm_times.append(time.perf_counter() - t0)
        mm = 2 * 2048 ** 3 / min(mm_times[1:]) / 1e9
    fx.write_safetensors(out, {"final": final.contiguous()})
    print(json.dumps({"torchaudio_forward_seconds": min(times), "torchaudio_threads": threads,
                      "python_matmul_2048_fp32_gflops": mm, "torch_version": torch.__version__,
                      "torchaudio_version": torchaudio.__version__}))


if __name__ == "__main__":
    main()
