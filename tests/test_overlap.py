"""Tests for rnn_helpers.overlap: the second thread changes no result, only the time.

Training and the public backward passes are run twice, with the second thread and without
it (``OVERLAP = False``), and must agree bit for bit; the thread must really have been used
(calls are counted), and small steps must stay on one thread.
"""

import importlib
import multiprocessing
import os
import threading
import warnings

import numpy as np
import pytest

from rnn_helpers import (
    Adagrad,
    get_cell,
    init_gru_params,
    init_lstm_params,
    init_params,
    overlap,
    train,
)

K, H, B, T = 65, 100, 32, 25  # the benchmark's step: large enough for the second thread
INITS = {"rnn": init_params, "lstm": init_lstm_params, "gru": init_gru_params}


@pytest.fixture
def background_calls(monkeypatch):
    """Counts the calls the second thread runs (a list, one entry per call)."""
    calls = []
    run = overlap._with_errstate

    def counted(errors, fn, args):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return run(errors, fn, args)

    monkeypatch.setattr(overlap, "_with_errstate", counted)
    monkeypatch.setattr(overlap, "OVERLAP", True)
    return calls


def _trained(cell, dtype, switch, monkeypatch, batch_size=B, steps=4):
    monkeypatch.setattr(overlap, "OVERLAP", switch)
    params = INITS[cell](K, H, seed=3, dtype=dtype)
    data = np.random.default_rng(0).integers(0, K, 20_000)
    history = train(params, data, optimizer=Adagrad(0.1), steps=steps, seq_length=T,
                    batch_size=batch_size, progress=False)
    return params, history


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_is_the_same_bit_for_bit_with_the_second_thread(cell, dtype, monkeypatch,
                                                                 background_calls):
    alone, alone_history = _trained(cell, dtype, False, monkeypatch)
    assert background_calls == []
    both, both_history = _trained(cell, dtype, True, monkeypatch)
    # per step: the output layer's gradients and dW (the gated cells': two halves of it,
    # and their backward factors)
    assert len(background_calls) == 4 * (2 if cell == "rnn" else 4)
    for name in alone:
        assert np.array_equal(alone[name], both[name]), name
    assert alone_history.losses == both_history.losses
    assert alone_history.grad_norms == both_history.grad_norms


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_public_loss_and_grads_stay_on_one_thread(cell, monkeypatch, background_calls):
    """Outside the training loop (fresh arrays, page faults) the thread would cost time."""
    params = INITS[cell](K, H, seed=4, dtype=np.float32)
    x = np.random.default_rng(1).integers(0, K, (B, T + 1))
    get_cell(cell).loss_and_grads(params, x[:, :-1], x[:, 1:])
    assert background_calls == []


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_small_steps_stay_on_one_thread(cell, monkeypatch, background_calls):
    _trained(cell, np.float64, True, monkeypatch, batch_size=1)
    assert background_calls == []


def test_second_thread_chooses_by_place_size_and_switch(monkeypatch):
    monkeypatch.setattr(overlap, "OVERLAP", True)
    big = (T * B, H, K, 1, np.float32)  # the benchmark's RNN step: 13M multiply-adds
    half = (T * B // 2, H, K, 1, np.float32)
    assert overlap.second_thread({}, *big) is overlap.in_background
    assert overlap.second_thread({}, *half) is overlap.at_once
    assert overlap.second_thread({}, *half[:-1], np.float64) is overlap.in_background
    assert overlap.second_thread(None, *big) is overlap.at_once  # not the training loop
    monkeypatch.setattr(overlap, "OVERLAP", False)
    assert overlap.second_thread({}, *big) is overlap.at_once


def test_at_once_calls_now():
    calls = []
    done = overlap.at_once(calls.append, 1)
    assert calls == [1]
    assert done.result() is None


def test_a_shut_down_worker_means_calls_made_at_once(monkeypatch):
    """As in an atexit handler, when the interpreter no longer starts threads."""
    closed = overlap.futures.ThreadPoolExecutor(1)
    closed.shutdown()
    monkeypatch.setattr(overlap, "_worker", (os.getpid(), closed))
    assert overlap.in_background(sum, [1, 2]).result() == 3


def test_the_result_and_an_error_come_back():
    assert overlap.in_background(sum, [1, 2, 3]).result() == 6
    with pytest.raises(ValueError, match="invalid literal"):
        overlap.in_background(int, "x").result()


def test_the_callers_errstate_applies_in_the_second_thread():
    zeros = np.zeros(3)
    with np.errstate(divide="raise"):
        job = overlap.in_background(np.divide, 1.0, zeros)
    with pytest.raises(FloatingPointError):
        job.result()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail here
        with np.errstate(divide="ignore"):
            job = overlap.in_background(np.divide, 1.0, zeros)
        assert np.isinf(job.result()).all()


def _sum_in_background(values):
    return overlap.in_background(sum, values).result()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="no fork on this platform")
def test_a_forked_child_gets_a_thread_of_its_own():
    overlap.in_background(sum, [1]).result()  # the parent's thread exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_sum_in_background, ([1, 2],)).get(timeout=60) == 3


def _gate_factors(monkeypatch, cell):
    """Make ``cell``'s backward factors wait for an Event (returned) before computing."""
    module = importlib.import_module(f"rnn_helpers.{cell}")
    factors, gate = module._local_factors, threading.Event()

    def gated(cache, work=None):
        assert gate.wait(timeout=60)
        return factors(cache, work)

    monkeypatch.setattr(module, "_local_factors", gated)
    return gate


def _step_inputs(cell, seed, dtype=np.float32):
    c = get_cell(cell)
    params = INITS[cell](K, H, seed=seed, dtype=dtype)
    x = np.random.default_rng(seed).integers(0, K, (2, B, T))
    dout = np.random.default_rng(seed + 1).standard_normal((T * B, K)).astype(dtype)
    return c, params, x, c.zero_state(H, dtype, B), dout


def _fresh_grads(c, params, x, state, dout):
    _, cache = c.batch_forward(params, x, state, {})
    return c.batch_backward(dout, cache, {})


def _assert_same(grads, expected):
    for name in expected:
        assert np.array_equal(grads[name], expected[name]), name


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_forward_pass_waits_for_the_factors_that_read_its_buffers(cell, monkeypatch):
    """The backward factors of step n read the buffers step n + 1 overwrites: the next
    forward pass must wait for them (held back here until the second pass has begun)."""
    monkeypatch.setattr(overlap, "OVERLAP", True)
    gate = _gate_factors(monkeypatch, cell)
    c, params, x, state, dout = _step_inputs(cell, 5)
    work = {}
    _, first = c.batch_forward(params, x[0], state, work)
    job = first["factors"]
    assert not job.done()
    threading.Timer(0.1, gate.set).start()  # released while the second pass waits
    _, second = c.batch_forward(params, x[1], state, work)
    assert job.done()
    _assert_same(c.batch_backward(dout, second, work), _fresh_grads(c, params, x[1], state, dout))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_cache_can_be_backpropagated_twice(cell, monkeypatch):
    """The first backward takes the factors started by the forward pass (and changes them
    in place); a second one computes them again."""
    monkeypatch.setattr(overlap, "OVERLAP", True)
    c, params, x, state, dout = _step_inputs(cell, 6, np.float64)
    for backward_work in ({}, None, "same"):
        work = {}
        _, cache = c.batch_forward(params, x[0], state, work)
        assert "factors" in cache
        again = work if backward_work == "same" else backward_work
        first = c.batch_backward(dout, cache, again)
        _assert_same(c.batch_backward(dout, cache, again), first)
        _assert_same(first, _fresh_grads(c, params, x[0], state, dout))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_interleaved_passes_give_the_latest_pass_its_own_factors(cell, monkeypatch):
    """forward A, forward B, backward A, backward B on one work: A's cache is stale (B
    overwrote its buffers) but B's gradients must be B's, as on one thread."""
    monkeypatch.setattr(overlap, "OVERLAP", True)
    c, params, x, state, dout = _step_inputs(cell, 7)
    work = {}
    _, cache_a = c.batch_forward(params, x[0], state, work)
    _, cache_b = c.batch_forward(params, x[1], state, work)
    c.batch_backward(dout, cache_a, work)
    _assert_same(c.batch_backward(dout, cache_b, work), _fresh_grads(c, params, x[1], state, dout))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_failed_factors_call_raises_once(cell, monkeypatch):
    monkeypatch.setattr(overlap, "OVERLAP", True)
    module = importlib.import_module(f"rnn_helpers.{cell}")

    def broken(cache, work=None):
        raise MemoryError("no room for the factors")

    c, params, x, state, dout = _step_inputs(cell, 8)
    work = {}
    monkeypatch.setattr(module, "_local_factors", broken)
    _, cache = c.batch_forward(params, x[0], state, work)
    with pytest.raises(MemoryError, match="no room"):
        c.batch_backward(dout, cache, work)
    monkeypatch.undo()
    monkeypatch.setattr(overlap, "OVERLAP", True)
    _, cache = c.batch_forward(params, x[1], state, work)  # no second raise here
    _assert_same(c.batch_backward(dout, cache, work), _fresh_grads(c, params, x[1], state, dout))


@pytest.mark.parametrize(("files", "expected"), [
    ({"cpu.max": "max 100000"}, None),
    ({"cpu.max": "150000 100000"}, 1.5),
    ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, None),
    ({"cpu/cpu.cfs_quota_us": "100000", "cpu/cpu.cfs_period_us": "100000"}, 1.0),
    ({}, None),
])
def test_usable_cpus_reads_a_cgroup_quota(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n")
    n = overlap.usable_cpus(tmp_path)
    unlimited = overlap.usable_cpus(tmp_path / "nothing here")
    assert n == (unlimited if expected is None else min(unlimited, expected))
