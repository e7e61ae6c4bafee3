"""Checks for notebook 06's exercises (see checks.core for how a check works).

Three implement-it exercises: one Adam step on one parameter array (checked over several
steps, the learner's own m and v carried from step to step, so a state that is not carried
shows), the sampler with temperature (checked against ``sample`` with the same seeded rng),
and the capstone, a whole min-char-rnn training step, run on the windows ``train`` reads and
compared with ``train``'s losses step by step. Each ``_*_variant`` function is the same
computation with one classic mistake. The predict-then-check exercises compute their expected
answers here, out of the learner's sight, and name the likely wrong answers.
"""

import numpy as np

from .. import experiments
from ..data import CharVocab, load_corpus
from ..gradcheck import loss_and_grads_with_bug
from ..optim import Adam, clip_grad_norm, clip_gradients
from ..rnn import hidden_states, init_params, loss_and_grads, rnn_backward, rnn_forward
from ..sampling import rnn_step, sample, sample_text
from ..train import train, training_windows
from .core import (
    NO_RESULT,
    NOT_DONE,
    Mistake,
    _difference,
    check_array,
    check_function,
    check_value,
    report,
    run_learner,
)

__all__ = ["check_adam_update", "check_sample_chars", "check_min_char_rnn",
           "check_default_ranking", "check_clipped_elementwise", "check_clipped_length",
           "check_clipped_by_norm", "check_greedy_text"]

PARAM_NAMES = ("U", "W", "V", "b", "c")


def _stepwise(fn, run):
    """A driver for check_function: ``run(fn)`` when fn is a function, else fn itself
    (None or a non-function, which check_function reports)."""
    if not callable(fn):
        return fn
    return lambda: run(fn)


# --- Adam: 4 steps on a (3, 4) parameter (not square); the gradients of row 0 are tiny, so
# eps matters (inside or outside the square root, or ignored); signs mixed, so v computed from
# g instead of g**2 shows; 4 steps, so m and v that are not carried, or t off by one, show.
_ADAM_STEPS, _ADAM_LR, _ADAM_EPS = 4, 0.01, 1e-6


def _adam_inputs():
    rng = np.random.default_rng(1406)
    p0 = rng.normal(0, 1, (3, 4))
    grads = rng.normal(0, 1, (_ADAM_STEPS, 3, 4))
    grads[:, 0] *= 1e-3
    return p0, grads


def _adam_run(fn, p0, grads):
    """fn called once per step, t = 1, 2, ..., with the p, m, v it returned the step before.

    Returns (ps, ms, vs), each stacked over the steps; None if fn returns None; what fn
    returned if it is not three results (the comparison then says so)."""
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    ps, ms, vs = [], [], []
    for t, g in enumerate(grads, start=1):
        out = fn(p, g.copy(), m, v, t, _ADAM_LR, 0.9, 0.999, _ADAM_EPS)
        if out is None or not (isinstance(out, tuple | list) and len(out) == 3):
            return out
        p, m, v = (np.array(x, dtype=float) for x in out)
        ps.append(p.copy()), ms.append(m.copy()), vs.append(v.copy())
    return np.array(ps), np.array(ms), np.array(vs)


def _adam_variant(mistake=None):
    """One Adam step with at most one classic mistake, as a function like the learner's."""

    def step(p, g, m, v, t, lr, beta1, beta2, eps):
        if mistake == "not carried":
            m, v = np.zeros_like(m), np.zeros_like(v)
        if mistake == "no (1 - beta)":
            m, v = beta1 * m + g, beta2 * v + g**2
        else:
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * (g if mistake == "v from g" else g**2)
        tc = {"t + 1": t + 1, "t - 1": t - 1}.get(mistake, t)
        m_hat, v_hat = m / (1 - beta1**tc), v / (1 - beta2**tc)
        if mistake == "no correction":
            m_hat, v_hat = m, v
        eps = 1e-8 if mistake == "eps ignored" else eps
        if mistake == "eps inside":
            step_ = lr * m_hat / np.sqrt(v_hat + eps)
        else:
            step_ = lr * m_hat / (np.sqrt(v_hat) + eps)
        p = p + step_ if mistake == "sign" else p - step_
        if mistake == "hats carried":
            m, v = m_hat, v_hat
        return p, m, v

    return step


_ADAM_MISTAKES = [
    ("no correction", "there is no bias correction: divide m by 1 - beta1**t and v by "
                      "1 - beta2**t before the step."),
    ("t + 1", "the bias correction is off by one: t is 1 at the first step, and the corrections "
              "use beta**t with that t."),
    ("t - 1", "the bias correction is off by one (beta**(t - 1) is 1 at the first step, so it "
              "divides by zero): use beta**t, with t = 1 at the first step."),
    ("eps inside", "eps is inside the square root: add it after the square root of v_hat."),
    ("eps ignored", "eps is not the one passed in: use the argument eps."),
    ("v from g", "v averages g, not g**2: v is the running average of the squared gradient."),
    ("no (1 - beta)", "m and v add g and g**2 without the factors (1 - beta1) and (1 - beta2)."),
    ("not carried", "m and v start from zero at every step: update the m and v you are given "
                    "(the previous step's) and return them."),
    ("hats carried", "you return the bias-corrected m_hat and v_hat: return m and v themselves, "
                     "and correct them afresh at every step."),
    ("sign", "the step goes uphill: subtract the update from p."),
]


def _adam_expected(p0, grads):
    """The same steps with the package's Adam: (ps, ms, vs)."""
    params, opt = {"p": p0.copy()}, Adam(_ADAM_LR, eps=_ADAM_EPS)
    ps, ms, vs = [], [], []
    for g in grads:
        opt.step(params, {"p": g.copy()})
        ps.append(params["p"].copy()), ms.append(opt.m["p"].copy()), vs.append(opt.v["p"].copy())
    return np.array(ps), np.array(ms), np.array(vs)


def check_adam_update(fn):
    """The learner's ``adam_update(p, g, m, v, t, lr, beta1, beta2, eps) -> (p, m, v)``,
    run for several steps with its own m and v carried, against the package's Adam."""
    p0, grads = _adam_inputs()
    with np.errstate(all="ignore"):  # t - 1 divides by zero; v from g takes sqrt(v < 0)
        mistakes = [Mistake(says, _adam_run(_adam_variant(key), p0, grads))
                    for key, says in _ADAM_MISTAKES]
    return check_function(
        "adam_update", _stepwise(fn, lambda f: _adam_run(f, p0, grads)),
        expected=_adam_expected(p0, grads), mistakes=mistakes,
        hint="Results are (p, m, v) after each of several steps. Follow the equations above "
             "line by line: m, v, their corrections, then the step.",
        forbid=[Adam, _adam_variant])


# --- the sampler: K = 7, H = 5, weights scaled up so the distributions are far from uniform,
# a non-zero h (a reset to zeros shows), temperature 0.5 (divided, multiplied or ignored all
# differ), 30 characters from a seeded rng.
_SK, _SH, _SN, _STAU, _SSEED, _SIX = 7, 5, 30, 0.5, 5, 2


def _sample_inputs():
    params = {k: 4 * p for k, p in init_params(_SK, _SH, seed=1406).items()}
    params["b"] = np.random.default_rng(1).normal(0, 0.5, _SH)
    params["c"] = np.random.default_rng(2).normal(0, 0.5, _SK)
    h = np.random.default_rng(3).uniform(-0.8, 0.8, _SH)
    return params, h


def _sample_variant(params, h, seed_ix, n, temperature, rng, mistake=None):
    """The sampler with at most one classic mistake (draws like rh.sample)."""
    h0, ix, out = h, seed_ix, []
    if mistake == "seed in output":
        out.append(seed_ix)
    for _ in range(n):
        h_prev = h0 if mistake == "h not carried" else h
        if mistake == "h zeros":
            h_prev = np.zeros_like(h0)
        h_new, o = rnn_step(params, h_prev, seed_ix if mistake == "not fed back" else ix)
        h = h_new
        z = {"multiplied": o * temperature, "no temperature": o}.get(mistake, o / temperature)
        p = np.exp(z - z.max())
        p /= p.sum()
        if mistake == "argmax":
            ix = int(np.argmax(p))
        else:
            ix = min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), len(p) - 1)
        out.append(ix)
    return out


_SAMPLE_MISTAKES = [
    ("multiplied", "the logits are multiplied by the temperature: divide them by it."),
    ("no temperature", "the temperature is not used: the softmax takes o / temperature."),
    ("argmax", "you take the most likely character: draw it at random from p with the rng "
               "(rng.choice(K, p=p))."),
    ("not fed back", "every step feeds the seed character: feed back the character you just "
                     "drew."),
    ("h not carried", "every step starts from the h you were given: carry the new h_t to the "
                      "next step."),
    ("h zeros", "every step starts from zeros: carry the new h_t to the next step."),
    ("seed in output", "the list starts with the seed character: return only the n characters "
                       "you draw."),
]


def check_sample_chars(fn):
    """The learner's ``sample_chars(params, h, seed_ix, n, temperature, rng)`` against
    ``rh.sample`` with the same seeded rng."""
    params, h = _sample_inputs()

    def run(f):
        return f(params, h.copy(), _SIX, _SN, _STAU, np.random.default_rng(_SSEED))

    expected = sample(params, h, _SIX, _SN, temperature=_STAU, rng=np.random.default_rng(_SSEED))
    mistakes = [Mistake(says, _sample_variant(params, h, _SIX, _SN, _STAU,
                                              np.random.default_rng(_SSEED), key))
                for key, says in _SAMPLE_MISTAKES]
    return check_function(
        "sample_chars", _stepwise(fn, run), expected=expected, mistakes=mistakes,
        hint="Each step: h_t from the last character, o_t, p = softmax(o_t / temperature), "
             "one draw with rng.choice(K, p=p), and that character is fed back.",
        forbid=[sample, sample_text, _sample_variant])


# --- the capstone: a min-char-rnn step, run on train's windows from the default corpus ---
# H = 16, B = 4, T = 40, Adam 0.02, 40 steps: the first gradient has entries beyond 5, so a
# missing clip shows; B > 1 and T > 1, so sums and means differ; the state is carried.
_MC = {"hidden": 16, "batch": 4, "seq": 40, "lr": 0.02, "steps": 40, "seed": 0, "chars": 20_000}


def _mc_data():
    text = load_corpus()
    return CharVocab.from_text(text).encode(text[: _MC["chars"]]), len(CharVocab.from_text(text))


def _copy(d):
    return {k: np.array(v, dtype=float) for k, v in d.items()}


def _mc_run(fn, data, K):
    """The learner's step on train's windows, the state carried as train carries it.

    Returns a list of per-step records (state in, outputs, state out), stopping at the first
    step whose result is not (loss, grads, h_T); a string says what went wrong there."""
    B, T, H = _MC["batch"], _MC["seq"], _MC["hidden"]
    params = init_params(K, H, seed=_MC["seed"])
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    windows = training_windows(data, B, T, _MC["seed"])
    h = np.zeros((B, H))
    steps = []
    for t in range(1, _MC["steps"] + 1):
        X, Y, reset = windows.next()
        h = np.zeros_like(h) if reset else h
        rec = {"X": X, "Y": Y, "h": h.copy(), "params": _copy(params), "m": _copy(m),
               "v": _copy(v), "t": t}
        out = fn(params, m, v, X.copy(), Y.copy(), h.copy(), t, _MC["lr"])
        if out is None:
            return "your function returned None: did you forget `return`?"
        if not (isinstance(out, tuple | list) and len(out) == 3 and isinstance(out[1], dict)):
            return "expected 3 results (loss, grads, h_T), with grads a dict like params."
        loss, grads, h_out = out
        try:
            rec.update(loss=float(loss), grads=_copy(grads), h_out=np.array(h_out, dtype=float),
                       params_after=_copy(params), m_after=_copy(m), v_after=_copy(v))
        except (TypeError, ValueError) as e:
            return f"the results are not (a number, a dict of arrays, an array): {e}."
        steps.append(rec)
        h = rec["h_out"]
        if not np.isfinite(rec["loss"]):
            break
    return steps


def _same(a, b, rtol=1e-7, atol=1e-10):
    return _difference(a, b, rtol, atol) is None


def _loss_problem(rec, ref_loss, ref_zero_h):
    """What is wrong with the loss of this step (None if it is right)."""
    B, T, loss = _MC["batch"], _MC["seq"], rec["loss"]
    if _same(loss, ref_loss):
        return None
    for value, says in [
        (ref_loss / T, "the loss is averaged over time: sum it over the T steps."),
        (ref_loss * B, "the loss is summed over the batch: average it over the B rows."),
        (ref_loss * B / T, "the loss is averaged over time and summed over the batch: sum "
                           "over time, average over the batch."),
        (ref_zero_h, "your forward loop starts from zeros: start it from the h you are given."),
    ]:
        if value is not None and _same(loss, value):
            return says
    return ("the loss differs from rh.loss_and_grads on the same window, parameters and h: "
            "check the forward loop and the loss (summed over time, averaged over the batch).")


def _grads_problem(rec, ref_grads):
    """What is wrong with the (clipped) gradients of this step (None if they are right)."""
    clipped = _copy(ref_grads)
    clip_gradients(clipped, 5.0)
    got = rec["grads"]
    if _difference(got, clipped, 1e-6, 1e-10) is None:
        return None
    if _difference(got, ref_grads, 1e-6, 1e-10) is None:
        return "the gradients are not clipped: clip every entry to [-5, 5] before the update."
    B, T = _MC["batch"], _MC["seq"]
    for scale, says in [(B, "the gradients are B times too large: divide dL/do by B (the "
                            "loss is a mean over the batch)."),
                        (1 / T, "the gradients are T times too small: the loss is a sum over "
                                "time, so its gradient is too.")]:
        scaled = _copy(ref_grads)
        for g in scaled.values():
            g *= scale
        clip_gradients(scaled, 5.0)
        if _difference(got, scaled, 1e-6, 1e-10) is None:
            return says
    missing = sorted(set(PARAM_NAMES) - set(got))
    if missing:
        return f"grads has no {missing}: return a gradient for every parameter."
    if _rescaled(got, ref_grads):
        return ("the gradients are rescaled as a whole, clipped by their norm: this step clips "
                "every entry on its own to [-5, 5] (element-wise, like min-char-rnn and "
                "rh.train(clip=5.0)).")
    fancy = _copy(ref_grads)
    fancy["U"] = _fancy_index_dU(rec)
    clip_gradients(fancy, 5.0)
    if _difference(got, fancy, 1e-6, 1e-10) is None:
        return ("dU misses some rows of da_s: when two rows of the batch read the same "
                "character at step s, fancy-index += writes its column once, so only one "
                "row counts. Add every row's da_s (an add that is not buffered, as in "
                "notebook 05).")
    wrong = [k for k in PARAM_NAMES if _difference(got[k], clipped[k], 1e-6, 1e-10) is not None]
    return (f"the loss is right but the gradients of {', '.join(wrong)} differ from "
            "rh.loss_and_grads (clipped at 5): check your backward loop for those parameters.")


def _rescaled(got, ref_grads):
    """True if got is ref_grads times one factor in (0, 1), the same for every parameter
    (what norm clipping does)."""
    try:
        g = np.concatenate([np.ravel(np.asarray(got[k], dtype=float)) for k in PARAM_NAMES])
    except (KeyError, TypeError, ValueError):
        return False
    r = np.concatenate([np.ravel(ref_grads[k]) for k in PARAM_NAMES])
    if g.shape != r.shape:
        return False
    scale = float(g @ r / (r @ r))
    return 0 < scale < 1 and np.allclose(g, scale * r, rtol=1e-6, atol=1e-10)


def _fancy_index_dU(rec):
    """dU of the step's window with ``dU[:, X[:, s]] += da_s.T``: a character that two rows
    read at the same step counts once (the last row's da wins)."""
    p, X, Y = rec["params"], rec["X"], rec["Y"]
    U, W, V, b, c = (p[k] for k in PARAM_NAMES)
    B, T = X.shape
    rows = np.arange(B)
    hs, y_hat = [rec["h"]], []
    for s in range(T):
        hs.append(np.tanh(U[:, X[:, s]].T + hs[-1] @ W.T + b))
        o = hs[-1] @ V.T + c
        e = np.exp(o - o.max(axis=1, keepdims=True))
        y_hat.append(e / e.sum(axis=1, keepdims=True))
    dU, dh_next = np.zeros_like(U), np.zeros_like(rec["h"])
    for s in reversed(range(T)):
        do = y_hat[s].copy()
        do[rows, Y[:, s]] -= 1
        da = (do / B @ V + dh_next) * (1 - hs[s + 1] ** 2)
        dU[:, X[:, s]] += da.T
        dh_next = da @ W
    return dU


def _update_problem(rec, ref_grads):
    """What is wrong with the Adam update of this step (None if it is right)."""
    clipped = _copy(ref_grads)
    clip_gradients(clipped, 5.0)
    params, opt = _copy(rec["params"]), Adam(_MC["lr"])
    opt.m, opt.v, opt.t = _copy(rec["m"]), _copy(rec["v"]), rec["t"] - 1
    opt.step(params, clipped)
    same_p = _difference(rec["params_after"], params, 1e-7, 1e-12) is None
    same_mv = (_difference(rec["m_after"], opt.m, 1e-7, 1e-12) is None
               and _difference(rec["v_after"], opt.v, 1e-7, 1e-12) is None)
    if same_p and same_mv:
        return None
    if _difference(rec["params_after"], rec["params"], 0, 0) is None:
        return ("the parameters did not change: store what adam_update returns back into "
                "params[name].")
    if same_p:
        if (_difference(rec["m_after"], rec["m"], 0, 0) is None
                and _difference(rec["v_after"], rec["v"], 0, 0) is None):
            return ("m and v did not change: store what adam_update returns back into "
                    "m[name] and v[name], so the next step starts from them.")
        return "m and v differ from Adam's after the step: store adam_update's m and v."
    return ("the update differs from Adam's (your gradients are right): check how you call "
            "adam_update (the step number t, lr) and that it passes its own check above.")


def _mc_diagnose(steps):
    """The first step and piece that differ, as a sentence (None if every step is right)."""
    for i, rec in enumerate(steps):
        ref_loss, ref_grads, ref_h = loss_and_grads(_copy(rec["params"]), rec["X"], rec["Y"],
                                                    rec["h"].copy())
        problem = _loss_problem(rec, ref_loss, None if not rec["h"].any() else
                                loss_and_grads(_copy(rec["params"]), rec["X"], rec["Y"])[0])
        if problem is None:
            problem = _grads_problem(rec, ref_grads)
        if problem is None and _difference(rec["h_out"], ref_h, 1e-7, 1e-10) is not None:
            problem = ("the h you return is the h you were given: return h_T, the last hidden "
                       "state of the window." if _same(rec["h_out"], rec["h"]) else
                       "the h you return is not h_T, the last hidden state of the window.")
        if problem is None:
            problem = _update_problem(rec, ref_grads)
        if problem is not None:
            return i, problem
    return None


# the package's versions of the pieces the capstone asks for (norm clipping is not one: a
# train_step that uses clip_grad_norm is told the capstone clips element-wise)
_MC_FORBID = [loss_and_grads, loss_and_grads_with_bug, rnn_forward, rnn_backward, hidden_states,
              train, Adam, clip_gradients, _adam_variant]


def check_min_char_rnn(fn):
    """The learner's ``train_step(params, m, v, X, Y, h, t, lr) -> (loss, grads, h_T)``,
    run for several dozen steps on the windows train() reads, against train()'s losses.

    On a mismatch, names the first step that differs and the piece: the loss (forward),
    the clipped gradients (backward, clipping), the returned h_T or the Adam update, each
    compared with the package on the learner's own state at that step."""
    name = "min_char_rnn"
    if fn is None or not callable(fn):
        return check_function(name, fn, expected=None)
    data, K = _mc_data()
    steps = run_learner(name, _mc_run, fn, data, K, forbid=_MC_FORBID,
                        not_done=f"train_step (or a function it calls, e.g. adam_update) is "
                                 f"{NOT_DONE}")
    if steps is NO_RESULT:
        return False
    if isinstance(steps, str):
        return report(False, name, steps)
    params = init_params(K, _MC["hidden"], seed=_MC["seed"])
    history = train(params, data, optimizer=Adam(_MC["lr"]), steps=_MC["steps"],
                    seq_length=_MC["seq"], batch_size=_MC["batch"], clip=5.0,
                    seed=_MC["seed"], progress=False)
    losses = np.array([rec["loss"] for rec in steps]) / _MC["seq"]
    expected = np.array(history.losses)
    n_same = len(losses)
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(losses, expected[: len(losses)], rtol=1e-7, atol=0)
    if bad.any():
        n_same = int(np.argmax(bad))
    found = _mc_diagnose(steps)
    if n_same == len(expected) and found is None:
        return report(True, name)
    where = (f"your losses match rh.train's for the first {n_same} of {len(expected)} steps"
             if n_same else "your loss differs from rh.train's from the first step")
    if found is None:
        return report(False, name, f"{where}; every piece matches on its own: are the "
                                   "parameters and m, v updated in place in their dicts?")
    i, problem = found
    return report(False, name, f"{where}. At step {i + 1}: {problem}")


# --- predict-then-check: Exercise 1, the ranking at each optimiser's default rate ---


def check_default_ranking(answer, sweeps, default_rates, best_order):
    """The optimisers sorted by mean final loss at their default rates, lowest first."""
    expected = experiments.ranking_at(sweeps, default_rates)
    mistakes = [Mistake("That is the best-against-best order: take each optimiser's losses at "
                        "its default rate instead.", list(best_order)),
                Mistake("Sorted the wrong way round: the lowest loss comes first.",
                        list(reversed(expected)))]
    got = list(answer) if isinstance(answer, tuple) else answer
    return check_value("default_ranking", got, expected, mistakes=mistakes,
                       hint="For each name, find the row of its default rate in "
                            "sweeps[name].labels, average that row of .losses over the seeds, "
                            "then sort the names by it.")


# --- predict-then-check: Exercise 2, clipping by hand ---


def _clip(g, kappa):
    ref = {"g": np.array(g, dtype=float)}
    clip_gradients(ref, kappa)
    return ref["g"]


def check_clipped_elementwise(answer, g, kappa):
    """g with every entry clipped to [-kappa, kappa]."""
    g = np.asarray(g, dtype=float)
    return check_array(
        "clipped_elementwise", answer, _clip(g, kappa),
        mistakes=[Mistake("Only the upper side is clipped: entries below -kappa change too.",
                          np.minimum(g, kappa)),
                  Mistake("The signs are lost: clip to [-kappa, kappa], keeping each sign.",
                          np.minimum(np.abs(g), kappa)),
                  Mistake("That is g clipped by the norm: here each entry is clipped on its "
                          "own.", g * min(1.0, kappa / np.linalg.norm(g)))],
        hint="Clip each entry to [-kappa, kappa]: entries inside stay as they are.")


def check_clipped_length(answer, g, kappa):
    """The length (L2 norm) of the element-wise clipped g."""
    g = np.asarray(g, dtype=float)
    c = _clip(g, kappa)
    return check_value(
        "clipped_length", answer, float(np.linalg.norm(c)),
        mistakes=[Mistake("That is the length of g: take the length of the CLIPPED vector.",
                          float(np.linalg.norm(g))),
                  Mistake("That is kappa: element-wise clipping does not set the length to "
                          "kappa (norm clipping does).", float(kappa)),
                  Mistake("That is the sum of the absolute values: the length is the square "
                          "root of the sum of squares.", float(np.abs(c).sum())),
                  Mistake("That is the sum of squares: take its square root.",
                          float(np.sum(c**2)))],
        hint="The length of the clipped vector: the square root of the sum of its squares.")


def check_clipped_by_norm(answer, g, kappa):
    """g rescaled to norm kappa (its norm is above kappa)."""
    g = np.asarray(g, dtype=float)
    ref = {"g": g.copy()}
    clip_grad_norm(ref, kappa)  # the package's norm clipping, in place
    norm = np.linalg.norm(g)
    return check_array(
        "clipped_by_norm", answer, ref["g"],
        mistakes=[Mistake("That is g / ||g||, of length 1: multiply by kappa too.", g / norm),
                  Mistake("The factor is upside down: multiply g by kappa / ||g||.",
                          g * norm / kappa),
                  Mistake("That is the element-wise clipped g: here the whole vector is "
                          "rescaled.", _clip(g, kappa)),
                  Mistake("||g|| is the sum of absolute values here: use the length, the "
                          "square root of the sum of squares.", g * kappa / np.abs(g).sum())],
        hint="Multiply the whole of g by kappa / ||g||, with ||g|| the length of g.")


# --- predict-then-check: Exercise 3, the greedy text ---


def _greedy(params, vocab, prime, n, *, feed_last_twice=False):
    """Feed the prime from a zero state, then n times take the argmax and feed it back."""
    h = np.zeros(params["W"].shape[0])
    ixs = list(vocab.encode(prime))
    for ix in ixs + (ixs[-1:] if feed_last_twice else []):
        h, o = rnn_step(params, h, ix)
    out = []
    for _ in range(n):
        ix = int(np.argmax(o))
        out.append(ix)
        h, o = rnn_step(params, h, ix)
    return vocab.decode(out)


def check_greedy_text(answer, params, vocab, prime="The ", n=40):
    """The n characters of the greedy path after the prime (without the prime)."""
    expected = _greedy(params, vocab, prime, n)
    mistakes = [Mistake("Your text starts with the prime: give only the characters after it.",
                        prime + expected),
                Mistake("Your text starts with the prime: give the 40 characters after it, "
                        "without the prime.", (prime + expected)[:n]),
                Mistake("The last character of the prime is fed twice: after the prime, the "
                        "first character comes from the logits you already have.",
                        _greedy(params, vocab, prime, n, feed_last_twice=True))]
    mistakes = [m for m in mistakes if m.value != expected]
    if isinstance(answer, str) and len(answer) != n and not any(answer == m.value
                                                                for m in mistakes):
        return check_value("greedy_text", answer, expected, mistakes=mistakes,
                           hint=f"Give exactly {n} characters; your text has {len(answer)}.")
    return check_value("greedy_text", answer, expected, mistakes=mistakes,
                       hint="Each step takes the argmax of the logits o and feeds that "
                            "character back in; start from h = np.zeros(H).")
