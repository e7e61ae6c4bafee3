"""Write tests/data/torch_gated_reference.npz: torch.nn.LSTM and nn.GRU on small models, float64.

    /work/torchenv/bin/python tools/make_torch_reference.py [--out PATH]

(any Python with torch and NumPy; torch is never a dependency of the package). The file lets
the tests check the LSTM's and the GRU's gate order, forward pass and gradients against
PyTorch where torch is not installed, as in CI: see tests/test_torch_reference.py. The live
comparisons in tests/test_gated_cells.py still run wherever torch is.

This script does not import rnn_helpers: it draws its own parameters in the package's layout
(gates stacked in PyTorch's order, LSTM i, f, g, o and GRU r, z, n):
    U (G H, K) = weight_ih (acting on one-hot inputs), W (G H, H) = weight_hh,
    b (G H,) = bias_ih, bias_hh = 0, and an output layer logits = V h + c, V (K, H), c (K,),
and stores, per cell, in float64:
    U, W, b, V, c, h0 (and s0 for the LSTM) (B, H), logits (B, T, K), loss (the sum over
    time of the cross-entropy, averaged over the batch), hT (and sT) (B, H), and the
    gradients of the loss dU, dW, db, dV, dc, dh0 (and ds0) from torch's autograd;
    and the int inputs and targets (B, T).
To stay a few KB (every array in an .npz costs about 250 bytes of headers), each cell's
float arrays are stored as one flat vector "<cell>" with "<cell>_fields", one
"name d1xd2..." entry per array in order ("loss " for the scalar); "<cell>_tokens" is
(2, B, T): inputs, then targets. ``unpack`` in tests/test_torch_reference.py reads it back.
The run is deterministic: the same NumPy seeds give the same file (up to the last bits of
torch's own arithmetic on another CPU).
"""

import argparse
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_gated_reference.npz"
K, H, T, B = 5, 3, 5, 2  # small: the file stays a few KB
GATES = {"lstm": 4, "gru": 3}


def draw(cell, seed):
    """Parameters in the package's layout, inputs, targets and an initial state (NumPy).

    Weights uniform in [-1, 1] (larger than the default initialisation, so that the gates
    spread over (0, 1) instead of sitting near 0.5), biases in [-0.5, 0.5].
    """
    rng = np.random.default_rng(seed)
    G = GATES[cell]
    case = {
        "U": rng.uniform(-1, 1, (G * H, K)),
        "W": rng.uniform(-1, 1, (G * H, H)),
        "b": rng.uniform(-0.5, 0.5, G * H),
        "V": rng.uniform(-1, 1, (K, H)),
        "c": rng.uniform(-0.5, 0.5, K),
        "inputs": rng.integers(0, K - 1, (B, T)),  # the last character never occurs: dU's
        "targets": rng.integers(0, K, (B, T)),     # column K - 1 must be exactly zero
        "h0": rng.uniform(-0.9, 0.9, (B, H)),
    }
    if cell == "lstm":
        case["s0"] = rng.uniform(-2, 2, (B, H))
    return case


def run_torch(cell, case):
    """torch.nn.LSTM / nn.GRU with the case's weights: logits, loss, final state, gradients."""
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(K, H, batch_first=True,
                                                                 dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(case["U"]))
        module.weight_hh_l0.copy_(torch.from_numpy(case["W"]))
        module.bias_ih_l0.copy_(torch.from_numpy(case["b"]))
        module.bias_hh_l0.zero_()
    module.bias_hh_l0.requires_grad_(False)  # the package has no such bias: it stays 0
    V = torch.tensor(case["V"], requires_grad=True)
    c = torch.tensor(case["c"], requires_grad=True)
    h0 = torch.tensor(case["h0"][None], requires_grad=True)  # (1, B, H): one layer
    state = h0
    if cell == "lstm":
        s0 = torch.tensor(case["s0"][None], requires_grad=True)
        state = (h0, s0)
    x = torch.nn.functional.one_hot(torch.from_numpy(case["inputs"]), K).to(torch.float64)
    hs, last = module(x, state)  # hs (B, T, H)
    logits = hs @ V.T + c  # (B, T, K)
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, K), torch.from_numpy(case["targets"]).reshape(-1),
        reduction="sum") / B
    loss.backward()
    out = {
        "logits": logits.detach().numpy(),
        "loss": np.array(loss.item()),
        "dU": module.weight_ih_l0.grad.numpy(),
        "dW": module.weight_hh_l0.grad.numpy(),
        "db": module.bias_ih_l0.grad.numpy(),
        "dV": V.grad.numpy(),
        "dc": c.grad.numpy(),
        "dh0": h0.grad[0].numpy(),
    }
    if cell == "lstm":
        out["hT"], out["sT"] = last[0][0].detach().numpy(), last[1][0].detach().numpy()
        out["ds0"] = s0.grad[0].numpy()
    else:
        out["hT"] = last[0].detach().numpy()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args(argv)
    arrays = {"versions": np.array([f"torch {torch.__version__}", f"numpy {np.__version__}"])}
    for seed, cell in enumerate(GATES):
        case = draw(cell, seed)
        torch_out = run_torch(cell, case)
        tokens = np.stack([case.pop("inputs"), case.pop("targets")]).astype(np.int8)
        floats = {**case, **torch_out}
        arrays[cell] = np.concatenate([np.ravel(v) for v in floats.values()]).astype(np.float64)
        arrays[f"{cell}_fields"] = np.array(
            [f"{name} {'x'.join(map(str, np.shape(v)))}" for name, v in floats.items()])
        arrays[f"{cell}_tokens"] = tokens
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    main()
