#!/usr/bin/python3
"""The Python twin of pretrain_bench.cpp: the same training step on torchaudio.models.wav2vec2_model built from the
same config.json, random audio, same batch, AdamW and gradient clipping; prints JSON. Objectives:
  hubert:   masked prediction of random targets with a cosine head (HuBERT's);
  wav2vec2: the contrastive step of wav2vec 2.0 at its defaults (G=2 x V=320 Gumbel quantiser of the normalised
            conv features, 256-dim projections, 100 distractors per masked frame from the same utterance drawn before
            the step as speechleak draws them, diversity loss, feature penalty), written from fairseq's recipe, with
            the logits computed as speechleak computes them (a similarity matrix per utterance); speechleak's
            gradient scale into the extractor (0.1) is left out here (two elementwise ops on the features);
  wav2vec2-hf: the same with the logits as HF's Wav2Vec2ForPreTraining and fairseq compute them (cosine similarity
            over materialised [frames, 1 + K, width] tensors);
  tera:     TERA's step as s3prl runs it: the reference model of scripts/make_tera_fixtures.py (s3prl's layers,
            position table and SpecHead) on the batch's log-mel frames (one batched torch.stft + torchaudio MelScale,
            log, CMVN, computed without gradient), ~15% of the frames zeroed, a band of 16 mel bands zeroed,
            Gaussian noise, L1 reconstruction of the altered values.

    /usr/bin/python3 bench/pretrain_bench.py CONFIG_JSON BATCH SECONDS STEPS THREADS [OBJECTIVE]
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


def hubert(cfg, batch, frames, mask, clusters=100):
    d = cfg["hidden_size"]
    final_dim = max(16, d // 3)
    final_proj = torch.nn.Linear(d, final_dim)
    label_embs = torch.nn.Parameter(torch.empty(clusters, final_dim).uniform_(-1, 1))
    targets = torch.randint(clusters, (batch, frames))

    def loss_of(model, features, h):
        p = final_proj(h[mask])
        logits = torch.nn.functional.cosine_similarity(p.unsqueeze(1), label_embs.unsqueeze(0), dim=-1) / 0.1
        return torch.nn.functional.cross_entropy(logits, targets[mask])
    return [label_embs] + list(final_proj.parameters()), loss_of


def wav2vec2(cfg, batch, frames, mask, groups=2, entries=320, negatives=100, materialise=False):
    d, c = cfg["hidden_size"], cfg["conv_dim"][-1]
    dim = min(256, d) - min(256, d) % groups
    weight_proj = torch.nn.Linear(c, groups * entries)
    codevectors = torch.nn.Parameter(torch.rand(1, groups * entries, dim // groups))
    project_q, project_hid = torch.nn.Linear(dim, dim), torch.nn.Linear(d, dim)
    # Distractors among the other masked frames of the same utterance, as row indices into h[mask].
    rows, first, counts = [], 0, []
    for b in range(batch):
        m = int(mask[b].sum())
        counts.append(m)
        j = torch.randint(m - 1, (m, negatives))
        j = j + (j >= torch.arange(m).unsqueeze(1)).long()
        rows.append(j + first)
        first += m
    neg = torch.cat(rows)

    def loss_of(model, features, h):
        penalty = features.float().pow(2).mean()
        z = model.encoder.feature_projection.layer_norm(features)[mask]
        logits = weight_proj(z).view(-1, groups, entries)
        avg = torch.softmax(logits, -1).mean(0)
        perplexity = torch.exp(-(avg * torch.log(avg + 1e-7)).sum(-1)).sum()
        choice = torch.nn.functional.gumbel_softmax(logits, tau=2.0, hard=True)
        q = torch.einsum("ngv,gvd->ngd", choice, codevectors.view(groups, entries, -1)).reshape(len(z), -1)
        y, x = project_q(q), project_hid(h[mask])
        if materialise:  # as HF's Wav2Vec2ForPreTraining and fairseq compute it: [frames, 1 + K, width] tensors
            candidates = torch.cat([y.unsqueeze(1), y[neg]], 1)
            logits = torch.nn.functional.cosine_similarity(x.unsqueeze(1), candidates, dim=-1) / 0.1
            same = (y[neg] == y.unsqueeze(1)).all(-1)
            logits = torch.cat([logits[:, :1], logits[:, 1:].masked_fill(same, float("-inf"))], 1)
        else:  # as speechleak: unit vectors, one similarity matrix per utterance, target and distractors gathered
            codes = choice.argmax(-1)
            xn = x / x.norm(dim=-1, keepdim=True).clamp_min(1e-8)
            yn = y / y.norm(dim=-1, keepdim=True).clamp_min(1e-8)
            parts, first = [], 0
            for m in counts:
                s = xn[first:first + m] @ yn[first:first + m].t() / 0.1
                local = neg[first:first + m] - first
                same = (codes[first:first + m][local] == codes[first:first + m].unsqueeze(1)).all(-1)
                parts.append(torch.cat([s.diagonal().unsqueeze(1),
                                        s.gather(1, local).masked_fill(same, float("-inf"))], 1))
                first += m
            logits = torch.cat(parts)
        contrastive = torch.nn.functional.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long))
        n = groups * entries
        return contrastive + 0.1 * (n - perplexity) / n + 10 * penalty
    heads = [codevectors] + list(weight_proj.parameters()) + list(project_q.parameters()) + \
        list(project_hid.parameters())
    return heads, loss_of


def tera_step(cfg, batch, seconds):
    """TERA's pretraining step (s3prl's model code as transcribed in scripts/make_tera_fixtures.py)."""
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
    import make_tera_fixtures as tera
    t = dict(tera.TRANSFORMER, hidden_size=cfg["hidden_size"], num_hidden_layers=cfg["num_hidden_layers"],
             num_attention_heads=cfg["num_attention_heads"], intermediate_size=cfg["intermediate_size"])
    mel = cfg["mel"]
    model, head = tera.Tera(t, mel["n_mels"]), tera.SpecHead(t, mel["n_mels"])
    waves = torch.randn(batch, int(seconds * 16000)) * 0.1
    melscale = torchaudio.transforms.MelScale(sample_rate=16000, n_mels=mel["n_mels"], n_stft=mel["n_fft"] // 2 + 1)
    window = torch.hann_window(mel["win_length"])
    frames = waves.shape[1] // mel["hop_length"] + 1
    mask = torch.rand(batch, frames) < 0.15
    band = torch.zeros(mel["n_mels"], dtype=torch.bool)
    band[10:26] = True
    noise = torch.randn(batch, frames, mel["n_mels"]) * 0.2
    params = list(model.parameters()) + list(head.parameters())

    def loss_of():
        with torch.no_grad():
            rms = waves.pow(2).mean(1, keepdim=True).sqrt()
            x = waves * (10 ** (-25 / 20)) / (rms + 1e-10)
            spec = torch.stft(x, n_fft=mel["n_fft"], hop_length=mel["hop_length"], win_length=mel["win_length"],
                              window=window, center=True, pad_mode="reflect", return_complex=True)
            m = (melscale(spec.abs().pow(2)) + 1e-10).log()
            m = ((m - m.mean(-1, keepdim=True)) / (m.std(-1, keepdim=True) + 1e-10)).transpose(1, 2)
            altered = m.masked_fill(mask.unsqueeze(-1), 0).masked_fill(band, 0) + noise
        r = model.input_representations
        h = r.LayerNorm(r.spec_transform(altered) + tera.sinusoid_table(frames, t["hidden_size"]))
        for layer in model.encoder.layer:
            h = layer(h)
        pred = head.output(head.LayerNorm(tera.gelu(head.dense(h))))
        label = mask.unsqueeze(-1) | band
        return (pred - m).abs()[label.expand_as(pred)].mean()
    return model, params, loss_of


def main():
    cfg = json.load(open(sys.argv[1]))
    batch, seconds, steps, threads = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    objective = sys.argv[6] if len(sys.argv) > 6 else "hubert"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if objective == "tera":
        model, params, loss_of = tera_step(cfg, batch, seconds)
        return report(objective, model, params, loss_of, batch, seconds, steps, threads)
    model = build(cfg)
    d = cfg["hidden_size"]
    mask_emb = torch.nn.Parameter(torch.rand(d))
    samples = int(seconds * 16000)
    waves = torch.randn(batch, samples) * 0.1
    with torch.no_grad():
        frames = model.feature_extractor(waves, None)[0].shape[1]
    mask = torch.rand(batch, frames) < 0.5  # about the masked share of both recipes
    if objective == "hubert":
        heads, loss_of = hubert(cfg, batch, frames, mask)
    else:
        heads, loss_of = wav2vec2(cfg, batch, frames, mask, materialise=objective == "wav2vec2-hf")
    params = list(model.parameters()) + [mask_emb] + heads

    def forward_and_loss():
        features, _ = model.feature_extractor(waves, None)
        x = model.encoder.feature_projection(features)
        x = torch.where(mask.unsqueeze(-1), mask_emb.view(1, 1, -1), x)
        h = model.encoder.transformer(x)
        return loss_of(model, features, h)
    report(objective, model, params, forward_and_loss, batch, seconds, steps, threads)


def report(objective, model, params, forward_and_loss, batch, seconds, steps, threads):
    """Times `steps` AdamW steps (after one warm-up) and prints the JSON line."""
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=5e-4, betas=(0.9, 0.98), eps=1e-6)

    def step():
        opt.zero_grad()
        forward_and_loss().backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(json.dumps({"implementation": "torchaudio", "objective": objective, "parameters": sum(p.numel() for p in model.parameters()), "batch": batch,
                      "seconds_per_utterance": seconds, "threads": threads, "steps": steps,
                      "best_step_seconds": round(best, 4), "mean_step_seconds": round(sum(times) / len(times), 4),
                      "audio_seconds_per_second": round(batch * seconds / best, 2)}))


if __name__ == "__main__":
    main()
