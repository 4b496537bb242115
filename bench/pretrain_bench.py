#!/usr/bin/python3
"""The Python twin of pretrain_bench.cpp: the same HuBERT-style training step (masked prediction with a cosine head,
AdamW, gradient clipping) on torchaudio.models.wav2vec2_model built from the same config.json, random audio and
targets, same batch. Prints JSON.

    /usr/bin/python3 bench/pretrain_bench.py CONFIG_JSON BATCH SECONDS STEPS THREADS [CLUSTERS]
"""
import json
import sys
import time

import torch
import torchaudio


def build(cfg):
    convs = list(zip(cfg["conv_dim"], cfg["conv_kernel"], cfg["conv_stride"]))
    return torchaudio.models.wav2vec2_model(
        extractor_mode="group_norm" if cfg["feat_extract_norm"] == "group" else "layer_norm",
        extractor_conv_layer_config=convs, extractor_conv_bias=cfg["conv_bias"],
        encoder_embed_dim=cfg["hidden_size"], encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=cfg["num_conv_pos_embeddings"],
        encoder_pos_conv_groups=cfg["num_conv_pos_embedding_groups"],
        encoder_num_layers=cfg["num_hidden_layers"], encoder_num_heads=cfg["num_attention_heads"],
        encoder_attention_dropout=0.0, encoder_ff_interm_features=cfg["intermediate_size"],
        encoder_ff_interm_dropout=0.0, encoder_dropout=0.0,
        encoder_layer_norm_first=cfg["do_stable_layer_norm"], encoder_layer_drop=0.0, aux_num_out=None)


def main():
    cfg = json.load(open(sys.argv[1]))
    batch, seconds, steps, threads = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    clusters = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(cfg)
    d = cfg["hidden_size"]
    final_dim = max(16, d // 3)
    mask_emb = torch.nn.Parameter(torch.rand(d))
    final_proj = torch.nn.Linear(d, final_dim)
    label_embs = torch.nn.Parameter(torch.empty(clusters, final_dim).uniform_(-1, 1))
    params = list(model.parameters()) + [mask_emb, label_embs] + list(final_proj.parameters())
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    samples = int(seconds * 16000)
    waves = torch.randn(batch, samples) * 0.1
    with torch.no_grad():
        frames = model.feature_extractor(waves, None)[0].shape[1]
    targets = torch.randint(clusters, (batch, frames))
    mask = torch.rand(batch, frames) < 0.5  # about HuBERT's masked share

    def step():
        opt.zero_grad()
        x, _ = model.feature_extractor(waves, None)
        x = model.encoder.feature_projection(x)
        x = torch.where(mask.unsqueeze(-1), mask_emb.view(1, 1, -1), x)
        h = model.encoder.transformer(x)
        p = final_proj(h[mask])
        logits = torch.nn.functional.cosine_similarity(p.unsqueeze(1), label_embs.unsqueeze(0), dim=-1) / 0.1
        loss = torch.nn.functional.cross_entropy(logits, targets[mask])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(json.dumps({"implementation": "torchaudio", "parameters": sum(p.numel() for p in model.parameters()), "batch": batch,
                      "seconds_per_utterance": seconds, "threads": threads, "steps": steps,
                      "best_step_seconds": round(best, 4), "mean_step_seconds": round(sum(times) / len(times), 4),
                      "audio_seconds_per_second": round(batch * seconds / best, 2)}))


if __name__ == "__main__":
    main()
