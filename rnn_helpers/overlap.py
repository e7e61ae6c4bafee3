"""A second thread for one training step: the large products that do not depend on each other.

rnn_helpers runs NumPy's BLAS on one thread (see the package's docstring), and a training
step's recurrence is a chain of small products that cannot be split. But a few large pieces
of a step do not depend on what the step computes meanwhile: the output layer's gradients
(dV, dc) do not wait for the backward loop, some weight gradients not for the others, and
the backward's local factors (sigma', tanh', ...) not for the loss. ``in_background`` runs
such a piece on a second thread; NumPy releases the GIL inside it, so the two threads use
two cores. Each piece is the same single-threaded call it would be in the calling thread, so
every result is the same bit for bit with or without the second thread (``OVERLAP = False``
turns it off; ``tests/test_overlap.py`` compares the two).

Measured on 2 cores (B = 32, H = 100, float32): training is about 15% faster for the LSTM
and the GRU, 5% for the RNN; with the other core busy, about 6% slower. Small steps stay on
one thread (``second_thread``), where the hand-offs would cost more than they save.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["OVERLAP", "in_background", "at_once", "second_thread"]

_worker = None  # (pid, executor): a forked child makes its own
OVERLAP = len(os.sched_getaffinity(0)) > 1 if hasattr(os, "sched_getaffinity") else True
# below this size of a step's gate pre-activations (T B G H values) the hand-offs between
# the threads cost more than they save (measured on 2 cores at H = 100: the RNN gains from
# B = 32 in float32, 16 in float64; the LSTM loses 4% at B = 8 in float32)
MIN_OVERLAP_BYTES = 320_000


def in_background(fn, *args):
    """Start ``fn(*args)`` on a second thread; return a Future: its ``result()`` waits for
    the call and returns its value (or raises what it raised).

    For the large products of a training step that do not depend on what the calling
    thread computes meanwhile: NumPy releases the GIL inside them, so the two threads run
    on two cores. Every product is the same single-threaded BLAS call it would be in the
    calling thread, so the results are the same bit for bit. The caller's floating-point
    error settings (``np.errstate``) apply in the second thread too.
    """
    global _worker
    if _worker is None or _worker[0] != os.getpid():  # a forked child has no thread
        _worker = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="rnn_helpers"))
    return _worker[1].submit(_with_errstate, np.geterr(), fn, args)


def _with_errstate(errors, fn, args):
    with np.errstate(**errors):
        return fn(*args)


class _Done:
    """The result of a call already made, with a Future's ``result()``."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def at_once(fn, *args):
    """``fn(*args)``, called now, in this thread, behind ``in_background``'s interface."""
    return _Done(fn(*args))


def second_thread(nbytes):
    """``in_background`` for a training step whose gate pre-activations take ``nbytes``,
    ``at_once`` for a smaller one or when ``OVERLAP`` is False (the default on one core)."""
    return in_background if OVERLAP and nbytes >= MIN_OVERLAP_BYTES else at_once


def prepare_backward(cache, work, factors, nbytes):
    """In the training loop (``work`` given) of a large enough step (``second_thread``),
    start ``factors(cache, work)`` on the second thread while the loop computes the loss;
    ``backward_factors`` collects it.

    It writes into ``work``'s buffers, so the next forward pass calls ``wait_for(work)``
    first.
    """
    if work is not None and second_thread(nbytes) is in_background:
        cache["factors"] = work["pending"] = in_background(factors, cache, work)


def backward_factors(cache, work, factors):
    """What ``prepare_backward`` started for this cache, or ``factors(cache, work)`` now."""
    job = cache.pop("factors", None)  # once: the backward changes them in place
    return job.result() if job is not None else factors(cache, work)


def wait_for(work):
    """Wait for the second thread's call that writes into ``work``'s buffers, if any."""
    if work is not None and "pending" in work:
        work.pop("pending").result()
