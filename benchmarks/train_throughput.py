"""Training throughput of rnn_helpers, as ratios against references run in the same process.

One training step = forward + backward over a (B, T) window, element-wise clipping at 5 and an
Adagrad step (lr 0.1). Throughput is characters per second, N * B * T / seconds. It is printed
for rnn_helpers' real training loop (``rnn_helpers.train``) with each of the three cells (RNN,
LSTM, GRU), for a batch-1 loop written in the style of Karpathy's min-char-rnn (float64, RNN
only), and for PyTorch CPU eager (nn.RNN, nn.LSTM, nn.GRU) when ``import torch`` works (torch
is not a dependency). Absolute speeds depend on the machine; the ratios, measured back to back
in one process, are what the targets at the end are about.

    python benchmarks/train_throughput.py              # every configuration and cell, < 5 minutes
    python benchmarks/train_throughput.py --quick      # a smoke run, < 45 seconds
    python benchmarks/train_throughput.py --configs 32:100:float32,1:100:float64 --cells lstm

This is a script, not a test: it never asserts on absolute times.
"""

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import rnn_helpers as rh  # noqa: E402

K = 65  # vocabulary size
T = 25  # sequence length
LR = 0.1
CLIP = 5.0
CORPUS_LENGTH = 200_000
NOISY = 0.25  # cores used by other processes above which a row is measured again
ALL_CONFIGS = [(B, H, dtype) for B in (1, 32) for H in (100, 256)
               for dtype in ("float32", "float64")]
CELLS = ("rnn", "lstm", "gru")

# (cell, B, H, dtype, what, needed ratio): rnn_helpers / what >= needed
TARGETS = [
    ("rnn", 32, 100, "float32", "reference", 20.0),
    ("rnn", 32, 100, "float32", "torch", 1.5),
    ("rnn", 1, 100, "float64", "reference", 1.5),
    ("lstm", 32, 100, "float32", "torch", 1.0),
    ("gru", 32, 100, "float32", "torch", 1.5),
]


def make_corpus(length=CORPUS_LENGTH, seed=0):
    """Random text over K symbols, as an encoded corpus (1-D int array)."""
    return np.random.default_rng(seed).integers(0, K, size=length)


# --------------------------------------------------------------------------- rnn_helpers


class RnnHelpersRunner:
    """rnn_helpers.train, the real training loop, called for ``steps`` steps at a time.

    cell: "rnn", "lstm" or "gru": the parameters come from that cell's init (the LSTM's with
    its default forget bias 1), and ``train`` picks the cell from their shapes.
    """

    name = "rnn_helpers"
    INITS = {"rnn": rh.init_params, "lstm": rh.init_lstm_params, "gru": rh.init_gru_params}

    def __init__(self, data, B, H, dtype, cell="rnn"):
        self.data, self.B = data, B
        self.params = self.INITS[cell](K, H, seed=0, dtype=np.dtype(dtype))
        self.optimizer = rh.Adagrad(LR)
        self.calls = 0

    def run(self, steps, deadline=math.inf):
        """Train ``steps`` steps, or fewer if ``deadline`` passes; return the steps done."""
        self.calls += 1  # a new seed each call: a new place in the text, as training goes on
        if deadline == math.inf:
            rh.train(self.params, self.data, optimizer=self.optimizer, steps=steps,
                     seq_length=T, batch_size=self.B, clip=CLIP, seed=self.calls,
                     progress=False)
            return steps
        try:  # the callback (a few hundred ns a step) stops a run the machine has spoilt
            history = rh.train(self.params, self.data, optimizer=self.optimizer, steps=steps,
                               seq_length=T, batch_size=self.B, clip=CLIP, seed=self.calls,
                               progress=False, callback=_stop_after(deadline))
        except _Deadline as stop:
            return stop.steps
        return history.steps


class _Deadline(Exception):
    def __init__(self, steps):
        self.steps = steps


def _stop_after(deadline):
    clock = time.perf_counter

    def callback(step, history):
        if clock() > deadline:
            raise _Deadline(history.steps)

    return callback


# ----------------------------------------------------------------- min-char-rnn reference


def min_char_rnn_loss(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    """Karpathy's min-char-rnn lossFun: one-hot column vectors, dicts indexed by time."""
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((K, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        e = np.exp(ys[t] - np.max(ys[t]))  # the max shift, for safety
        ps[t] = e / np.sum(e)
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    for dparam in (dWxh, dWhh, dWhy, dbh, dby):
        np.clip(dparam, -CLIP, CLIP, out=dparam)
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


class ReferenceRunner:
    """min-char-rnn's main loop: batch 1, float64, Adagrad, no sampling."""

    name = "reference"

    def __init__(self, data, B, H, dtype):
        del B, dtype  # always batch 1, float64
        self.data = [int(c) for c in data]  # min-char-rnn indexes a Python list/str
        p = rh.init_params(K, H, seed=0, dtype=np.float64)
        self.Wxh, self.Whh, self.Why = p["U"], p["W"], p["V"]
        self.bh, self.by = p["b"][:, None].copy(), p["c"][:, None].copy()
        self.mem = [np.zeros_like(q) for q in (self.Wxh, self.Whh, self.Why, self.bh, self.by)]
        self.hprev = np.zeros((H, 1))
        self.p = 0
        self.smooth_loss = -np.log(1.0 / K) * T

    def run(self, steps, deadline=math.inf):
        params = (self.Wxh, self.Whh, self.Why, self.bh, self.by)
        data, p, hprev = self.data, self.p, self.hprev
        clock, done = time.perf_counter, 0
        while done < steps:
            done += 1
            if p + T + 1 >= len(data):
                hprev = np.zeros_like(hprev)
                p = 0
            inputs = data[p:p + T]
            targets = data[p + 1:p + T + 1]
            loss, dWxh, dWhh, dWhy, dbh, dby, hprev = min_char_rnn_loss(
                inputs, targets, hprev, *params)
            self.smooth_loss = self.smooth_loss * 0.999 + loss * 0.001
            for param, dparam, mem in zip(params, (dWxh, dWhh, dWhy, dbh, dby), self.mem,
                                          strict=True):
                mem += dparam * dparam
                param += -LR * dparam / np.sqrt(mem + 1e-8)  # adagrad update
            p += T
            if clock() > deadline:
                break
        self.p, self.hprev = p, hprev
        return done


# ------------------------------------------------------------------------------ PyTorch


def import_torch():
    """torch, or None when it is not installed (it is not a dependency)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


class TorchBase:
    """Shared by the torch runners: the data as (B, stretch + 1) rows read window by window."""

    def __init__(self, torch, data, B, H, dtype):
        self.torch, self.B, self.H = torch, B, H
        self.dtype = getattr(torch, dtype)
        stretch = (len(data) - 1) // B
        starts = np.arange(B) * stretch
        rows = data[starts[:, None] + np.arange(stretch + 1)[None, :]]
        self.rows = torch.from_numpy(np.ascontiguousarray(rows, dtype=np.int64))
        self.windows = stretch // T
        self.pos = 0
        self.h = self.zero_state()
        torch.manual_seed(0)
        self.build()
        self.optimizer = torch.optim.Adagrad(self.parameters, lr=LR, eps=1e-8)
        self.loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")

    def zero_state(self):
        """The state at the start of the text: h (1, B, H) for nn.RNN and nn.GRU."""
        return self.torch.zeros((1, self.B, self.H), dtype=self.dtype)

    def next_window(self):
        if self.pos == 0:
            self.h = self.zero_state()
        a = self.pos * T
        window = self.rows[:, a:a + T + 1]
        self.pos = (self.pos + 1) % self.windows
        return window[:, :-1], window[:, 1:]

    def run(self, steps, deadline=math.inf):
        torch, clock, done = self.torch, time.perf_counter, 0
        while done < steps:
            done += 1
            X, Y = self.next_window()
            logits, h = self.forward(X)  # logits (B, T, K)
            loss = self.loss_fn(logits.reshape(-1, K), Y.reshape(-1)) / self.B
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_value_(self.parameters, CLIP)
            self.optimizer.step()
            self.h = h.detach() if isinstance(h, self.torch.Tensor) else tuple(
                part.detach() for part in h)  # nn.LSTM's state is the pair (h, c)
            if clock() > deadline:
                break
        return done


class TorchRNNRunner(TorchBase):
    """nn.RNN(K, H) (tanh) on one-hot inputs built once per batch, then nn.Linear(H, K).

    The subclasses swap in nn.LSTM and nn.GRU; everything else is the same.
    """

    name = "torch"

    def make_rnn(self):
        return self.torch.nn.RNN(K, self.H, nonlinearity="tanh", batch_first=True,
                                 dtype=self.dtype)

    def build(self):
        self.rnn = self.make_rnn()
        self.out = self.torch.nn.Linear(self.H, K, dtype=self.dtype)
        self.parameters = list(self.rnn.parameters()) + list(self.out.parameters())

    def forward(self, X):
        x = self.torch.nn.functional.one_hot(X, K).to(self.dtype)  # (B, T, K)
        hs, h = self.rnn(x, self.h)
        return self.out(hs), h


class TorchLSTMRunner(TorchRNNRunner):
    """nn.LSTM(K, H) on one-hot inputs, then nn.Linear(H, K); the state (h, c) carried."""

    def make_rnn(self):
        return self.torch.nn.LSTM(K, self.H, batch_first=True, dtype=self.dtype)

    def zero_state(self):
        zeros = self.torch.zeros((1, self.B, self.H), dtype=self.dtype)
        return zeros, zeros.clone()


class TorchGRURunner(TorchRNNRunner):
    """nn.GRU(K, H) on one-hot inputs, then nn.Linear(H, K)."""

    def make_rnn(self):
        return self.torch.nn.GRU(K, self.H, batch_first=True, dtype=self.dtype)


TORCH_RUNNERS = {"rnn": TorchRNNRunner, "lstm": TorchLSTMRunner, "gru": TorchGRURunner}


class TorchLoopRunner(TorchBase):
    """rnn_helpers' algorithm in torch: an nn.Embedding(K, H) lookup for U x_t + b, then a
    Python loop h_t = tanh(a_t + W h_{t-1}) with autograd, then nn.Linear(H, K)."""

    name = "torch-loop"

    def zero_state(self):
        return self.torch.zeros((self.B, self.H), dtype=self.dtype)

    def build(self):
        torch, nn = self.torch, self.torch.nn
        self.emb = nn.Embedding(K, self.H, dtype=self.dtype)  # row k = column k of U
        self.b = nn.Parameter(torch.zeros(self.H, dtype=self.dtype))
        self.W = nn.Linear(self.H, self.H, bias=False, dtype=self.dtype)
        self.out = nn.Linear(self.H, K, dtype=self.dtype)
        self.parameters = (list(self.emb.parameters()) + [self.b] + list(self.W.parameters())
                           + list(self.out.parameters()))

    def forward(self, X):
        torch = self.torch
        a = self.emb(X) + self.b  # (B, T, H)
        h, hs = self.h, []
        for t in range(X.shape[1]):
            h = torch.tanh(a[:, t] + self.W(h))
            hs.append(h)
        return self.out(torch.stack(hs, dim=1)), h


# ------------------------------------------------------------------------------- timing


def time_per_step(runner, steps, limit):
    """Seconds per step over ``steps`` steps in one call, cut short after ``limit`` seconds
    (the machine got busy: the run is spoilt anyway, and this bounds the script's time)."""
    start = time.perf_counter()
    done = runner.run(steps, start + limit)
    return (time.perf_counter() - start) / done


def calibrate(runner, budget, warmup_seconds):
    """Warm up, then pick a step count that takes about ``budget`` seconds.

    The step count doubles until a run takes ``warmup_seconds``; then one more run of that
    size. The faster of the last two sets the count, so that a slow first call (lazy
    initialisation, torch's first backward) or a burst of load does not.
    """
    steps, limit = 2, 5 * warmup_seconds
    per_step = [time_per_step(runner, steps, limit)]
    while per_step[-1] * steps < warmup_seconds:
        steps *= 2
        per_step.append(time_per_step(runner, steps, limit))
    per_step.append(time_per_step(runner, steps, limit))
    return max(2, int(round(budget / min(per_step[-2:]))))


class CpuMonitor:
    """CPU time used by other processes while a block runs, in cores (Linux /proc/stat).

    A number well above 0 means the machine was shared and the row is noisy.
    """

    def __init__(self):
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def busy(self):
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / self.tick

    def __enter__(self):
        self.start = (self.busy(), sum(os.times()[:2]), time.perf_counter())
        return self

    def __exit__(self, *exc):
        busy, own, wall = self.busy(), sum(os.times()[:2]), time.perf_counter()
        if busy is None or self.start[0] is None:
            self.others = float("nan")
        else:
            used = (busy - self.start[0]) - (own - self.start[1])
            self.others = max(0.0, used / (wall - self.start[2]))


def measure(runners, B, budget, repeats, warmup_seconds, retries, deadline):
    """chars/s per runner and the other processes' CPU load during the timed runs.

    Best of ``repeats`` runs, the runners interleaved within each repeat so that a change in
    machine load hits them all alike. If other processes kept more than NOISY cores busy,
    the repeats are run again (up to ``retries`` times, and not after ``deadline``),
    keeping the best times overall.
    """
    steps = {r.name: calibrate(r, budget, warmup_seconds) for r in runners}
    best = {r.name: float("inf") for r in runners}
    for attempt in range(retries + 1):
        if attempt and time.perf_counter() > deadline:
            break
        with CpuMonitor() as monitor:
            for _ in range(repeats):
                for r in runners:
                    per_step = time_per_step(r, steps[r.name], 2 * budget)
                    best[r.name] = min(best[r.name], per_step)
        if not monitor.others > NOISY:
            break
    chars = {r.name: (1 if r.name == "reference" else B) * T for r in runners}
    return {r.name: chars[r.name] / best[r.name] for r in runners}, monitor.others


# ------------------------------------------------------------------------------ report


def blas_info():
    """The BLAS numpy uses, from threadpoolctl when importable, else numpy's build config."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        pools = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if pools:
            return "; ".join(
                f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
                f"{i.get('num_threads')} threads)" for i in pools)
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception as exc:  # show_config's layout is not a stable API
        return f"unknown ({exc.__class__.__name__})"


def print_environment(torch):
    print(f"python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"numpy {np.__version__}, BLAS: {blas_info()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            print(f"  {var}={os.environ[var]}")
    if torch is None:
        print("torch: not importable, its columns are skipped")
    else:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads (CPU eager)")


def fmt_rate(x):
    return f"{x / 1000:9.1f}k" if x == x else "        --"


def fmt_ratio(x):
    return f"{x:8.2f}x" if x == x else "       --"


def parse_configs(text):
    """'32:100:float32,1:100:float64' -> [(32, 100, 'float32'), (1, 100, 'float64')]."""
    if text in (None, "all"):
        return list(ALL_CONFIGS)
    configs = []
    for item in text.split(","):
        try:
            b, h, dtype = item.strip().split(":")
            config = (int(b), int(h), np.dtype(dtype).name)
        except (ValueError, TypeError) as exc:
            raise SystemExit(f"bad config {item!r}: expected B:H:dtype, e.g. 32:100:float32"
                             ) from exc
        if config[0] <= 0 or config[1] <= 0 or config[2] not in ("float32", "float64"):
            raise SystemExit(f"bad config {item!r}: B, H positive; dtype float32 or float64")
        configs.append(config)
    return configs


def parse_cells(text):
    """'rnn,lstm' -> ['rnn', 'lstm'], in the order given, each once."""
    cells = []
    for item in text.split(","):
        cell = item.strip().lower()
        if cell not in CELLS:
            raise SystemExit(f"bad cell {item!r}: expected some of {','.join(CELLS)}")
        if cell not in cells:
            cells.append(cell)
    return cells


def make_runners(cell, data, B, H, dtype, torch, torch_loop):
    """The runners of one row: rnn_helpers, and for the RNN the reference, then torch."""
    runners = [RnnHelpersRunner(data, B, H, dtype, cell)]
    if cell == "rnn":
        runners.append(ReferenceRunner(data, B, H, dtype))
    if torch is not None:
        runners.append(TORCH_RUNNERS[cell](torch, data, B, H, dtype))
        if cell == "rnn" and torch_loop:
            runners.append(TorchLoopRunner(torch, data, B, H, dtype))
    return runners


TORCH_NOTE = """\
torch = PyTorch eager on one-hot float inputs (B, T, K) + nn.Linear(H, K), the time loop in C++:
  rnn: nn.RNN(K, H, tanh); lstm: nn.LSTM(K, H); gru: nn.GRU(K, H); all batch_first. Each has two
  biases, b_ih + b_hh (the GRU's b_hn inside r * (...)); otherwise the models of rnn_helpers.
torch-loop (rnn only) = nn.Embedding(K, H) + a Python loop over t, the algorithm of rnn_helpers"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, < 45 seconds")
    parser.add_argument("--configs", default="all",
                        help="comma-separated B:H:dtype, e.g. 32:100:float32 (default: all 8)")
    parser.add_argument("--cells", default=",".join(CELLS),
                        help="comma-separated cells among rnn,lstm,gru (default: all three)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs, best kept")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds per timed run (per implementation)")
    parser.add_argument("--retries", type=int, default=None,
                        help=f"re-runs of a row measured while other processes used more than "
                             f"{NOISY} cores (default 1, 0 with --quick)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if present")
    parser.add_argument("--no-torch-loop", action="store_true",
                        help="skip the torch Python-loop (embedding) variant")
    parser.add_argument("--torch-threads", type=int, default=2,
                        help="torch's intra-op threads (default 2, the cores of Binder/CI; "
                             "1 compares with rnn_helpers' single BLAS thread)")
    args = parser.parse_args(argv)
    configs = parse_configs(args.configs)
    cells = parse_cells(args.cells)
    repeats = args.repeats or (1 if args.quick else 3)
    if args.retries is None:
        args.retries = 0 if args.quick else 1
    budget = args.budget or (0.1 if args.quick else 0.5)
    warmup = 0.03 if args.quick else 0.2

    torch = None if args.no_torch else import_torch()
    if torch is not None:
        torch.set_num_threads(args.torch_threads)  # rnn_helpers' BLAS uses 1 thread
    print_environment(torch)
    print(f"K={K} T={T} corpus={CORPUS_LENGTH} random chars, Adagrad(lr={LR}), clip={CLIP}; "
          f"{repeats} timed run(s) of ~{budget:g} s each, best kept\n")

    data = make_corpus()
    header = (f"{'cell':>4} {'B':>3} {'H':>4} {'dtype':>7} | {'rnn_helpers':>10} "
              f"{'reference':>10} {'torch':>10} {'torch-loop':>10} | {'rh/ref':>9} "
              f"{'rh/torch':>9} {'rh/t-loop':>9} | {'other':>5}")
    print("chars/s (k = thousands); reference = min-char-rnn style, batch 1, float64, same H;")
    print("other = CPU cores busy outside this process during the timed runs (the row is noisy "
          f"above {NOISY})")
    print(header)
    print("-" * len(header))
    results = {}
    start = time.perf_counter()
    deadline = start + (15 if args.quick else 90)  # no retries after this
    for cell in cells:
        for B, H, dtype in configs:
            runners = make_runners(cell, data, B, H, dtype, torch, not args.no_torch_loop)
            rate, others = measure(runners, B, budget, repeats, warmup, args.retries, deadline)
            nan = float("nan")
            row = {name: rate.get(name, nan)
                   for name in ("rnn_helpers", "reference", "torch", "torch-loop")}
            for name in ("reference", "torch", "torch-loop"):
                row[f"rh/{name}"] = row["rnn_helpers"] / row[name]
            row["noisy"] = others > NOISY
            results[(cell, B, H, dtype)] = row
            print(f"{cell:>4} {B:>3} {H:>4} {dtype:>7} | {fmt_rate(row['rnn_helpers'])} "
                  f"{fmt_rate(row['reference'])} {fmt_rate(row['torch'])} "
                  f"{fmt_rate(row['torch-loop'])} | {fmt_ratio(row['rh/reference'])} "
                  f"{fmt_ratio(row['rh/torch'])} {fmt_ratio(row['rh/torch-loop'])} | "
                  f"{others:5.2f}{' noisy' if others > NOISY else ''}", flush=True)
    print(f"\nmeasured in {time.perf_counter() - start:.1f} s; load average now "
          f"{os.getloadavg()[0]:.2f}")
    if torch is not None:
        print(TORCH_NOTE)
        print_torch_ratios(results, cells, configs)

    print("\ntargets (rnn_helpers / other, same process):")
    for cell, B, H, dtype, what, needed in TARGETS:
        label = f"{cell} B={B} {dtype} H={H}: rnn_helpers >= {needed:g}x {what}"
        row = results.get((cell, B, H, dtype))
        if row is None or row[f"rh/{what}"] != row[f"rh/{what}"]:
            print(f"  SKIP {label} (not measured)")
            continue
        ok = row[f"rh/{what}"] >= needed
        note = " (noisy row: measure again on a quiet machine)" if row["noisy"] else ""
        print(f"  {'PASS' if ok else 'FAIL'} {label}: {row[f'rh/{what}']:.2f}x{note}")
    return 0


def print_torch_ratios(results, cells, configs):
    """Every rnn_helpers / torch ratio at once: a configuration per line, a cell per column."""
    print("\nrnn_helpers / torch, by cell (* = noisy row):")
    print(f"{'B':>3} {'H':>4} {'dtype':>7} |" + "".join(f"{cell:>10}" for cell in cells))
    for B, H, dtype in configs:
        line = f"{B:>3} {H:>4} {dtype:>7} |"
        for cell in cells:
            row = results[(cell, B, H, dtype)]
            line += fmt_ratio(row["rh/torch"]) + ("*" if row["noisy"] else " ")
        print(line)


if __name__ == "__main__":
    sys.exit(main())
