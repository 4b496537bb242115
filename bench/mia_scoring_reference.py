"""The authors' basic utterance score in PyTorch (full m x m cosine similarity), timed on the same machine.
Usage: /usr/bin/python3 bench/mia_scoring_reference.py THREADS -> JSON on stdout."""
import json, sys, time
import torch

def pairwise(h):
    u = torch.nn.functional.normalize(h, dim=1)
    sim = u @ u.T
    m = h.shape[0]
    return 1.0 - torch.triu(sim, 1).sum().item() / (m * (m - 1) / 2)

def best(f, repeats=20):
    t = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); t.append(time.perf_counter() - t0)
    return min(t)

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)
out = []
for m in (500, 1500):
    h = torch.randn(m, 768)
    out.append({"frames": m, "python_pairwise_ms": best(lambda: pairwise(h)) * 1e3})
print(json.dumps(out))
