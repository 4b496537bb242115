#!/usr/bin/python3
"""Converts an s3prl TERA / Mockingjay checkpoint (states-*.ckpt, a pickle) into a speechleak TERA model directory.

    /usr/bin/python3 scripts/convert_s3prl_tera.py states-1000000.ckpt OUT_DIR

speechleak never unpickles: this is the one step that does, once, on a checkpoint you trust (torch.load runs code
from the pickle unless weights_only succeeds, which it does for checkpoints holding only tensors and plain
containers). It writes OUT_DIR/config.json (model_type "tera", the transformer sizes and every log-mel setting),
OUT_DIR/model.safetensors (the checkpoint's tensors under their s3prl names: "Transformer.<key>" for the encoder,
"SpecHead.<key>" for the reconstruction head, which speechleak's loader maps and ignores respectively) and
OUT_DIR/preprocessor_config.json (do_normalize false: the front end scales each utterance itself). Then:

    speechleak model info OUT_DIR

Refused, with the reason: pre-layer-norm and shared-layer variants, a downsample rate other than 1, and input
features other than on-the-fly log-mel (kaldi fbank, MFCC, linear, deltas): speechleak's TERA front end computes
log-mel only (docs/encoder.md).
"""
import json
import os
import sys
import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_encoder_fixtures import write_safetensors  # noqa: E402


class ConversionError(Exception):
    pass


def load_checkpoint(path: str) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # older s3prl checkpoints pickle the scheduler, which needs s3prl's "optimizers" module
        sys.modules.setdefault("optimizers", types.ModuleType("optimizers"))
        return torch.load(path, map_location="cpu")


def upstream_config(ckpt: dict) -> dict:
    # s3prl's TransformerBuilder: legacy checkpoints keep the model config under "Config", newer ones under
    # "Upstream_Config".
    for key in ("Upstream_Config", "Config"):
        if isinstance(ckpt.get(key), dict) and "transformer" in ckpt[key]:
            return ckpt[key]
    raise ConversionError("no transformer config under 'Upstream_Config' or 'Config': not an s3prl TERA checkpoint")


def mel_settings(audio: dict) -> dict:
    if "kaldi" in audio:
        raise ConversionError("the checkpoint uses kaldi fbank features; speechleak's TERA front end is s3prl's "
                              "on-the-fly log-mel only")
    feat = audio.get("input", {})
    if feat.get("feat_type") != "mel" or not feat.get("log", False) or int(feat.get("delta", 0)) != 0:
        raise ConversionError(f"input features {feat}: speechleak supports feat_type mel, log True, delta 0")
    sample_rate = int(audio.get("sample_rate", 16000))
    if sample_rate != 16000:
        raise ConversionError(f"sample_rate {sample_rate}: speechleak's encoders take 16 kHz audio")
    return {
        "sample_rate": sample_rate,
        "n_fft": (int(audio["n_freq"]) - 1) * 2,
        "win_length": round(float(audio["win_ms"]) * sample_rate / 1000),
        "hop_length": round(float(audio["hop_ms"]) * sample_rate / 1000),
        "n_mels": int(audio["n_mels"]),
        "f_min": 0.0,  # torchaudio MelScale's defaults, which s3prl keeps
        "f_max": sample_rate / 2.0,
        "log_offset": 1e-10,  # s3prl OnlinePreprocessor's eps (log and CMVN)
        "cmvn": bool(feat.get("cmvn", False)),
        "target_level_db": float(audio["target_level"]) if audio.get("target_level") is not None else None,
    }


def tera_config(config: dict) -> dict:
    t = config["transformer"]
    if t.get("pre_layer_norm", False):
        raise ConversionError("pre_layer_norm True: speechleak implements the post-norm TERA layers")
    if t.get("share_layer", False):
        raise ConversionError("share_layer True: speechleak implements unshared layers")
    if int(t.get("downsample_rate", 1)) != 1:
        raise ConversionError(f"downsample_rate {t['downsample_rate']}: speechleak implements downsample rate 1")
    if "audio" not in config:
        raise ConversionError("no 'audio' section: the checkpoint was trained on pre-extracted features")
    return {
        "model_type": "tera",
        "architectures": ["TeraModel"],
        "hidden_size": int(t["hidden_size"]),
        "num_hidden_layers": int(t["num_hidden_layers"]),
        "num_attention_heads": int(t["num_attention_heads"]),
        "intermediate_size": int(t["intermediate_size"]),
        "hidden_act": str(t["hidden_act"]),
        "layer_norm_eps": float(t["layer_norm_eps"]),
        "mel": mel_settings(config["audio"]),
        "torch_dtype": "float32",
    }


def convert(ckpt: dict, out_dir: str) -> None:
    config = tera_config(upstream_config(ckpt))
    if "Transformer" not in ckpt:
        raise ConversionError("no 'Transformer' state dict in the checkpoint")
    tensors = {"Transformer." + k: v for k, v in ckpt["Transformer"].items()}
    tensors.update({"SpecHead." + k: v for k, v in ckpt.get("SpecHead", {}).items()})
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as f:
        json.dump({"do_normalize": False, "sampling_rate": 16000}, f, indent=2)
        f.write("\n")


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        convert(load_checkpoint(sys.argv[1]), sys.argv[2])
    except (ConversionError, KeyError) as e:
        sys.exit(f"{sys.argv[1]}: cannot convert: {e}")
    print(f"wrote {sys.argv[2]}")


if __name__ == "__main__":
    main()
