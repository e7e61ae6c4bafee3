"""A second thread for one training step: the large products that do not depend on each other.

rnn_helpers runs NumPy's BLAS on one thread (see the package's docstring), and a training
step's recurrence is a chain of small products that cannot be split. But a few large pieces
of a step do not depend on what the step computes meanwhile:
- the gated cells' backward factors (sigma', tanh', ...) do not wait for the loss;
- the output layer's gradients (dV, dc) do not wait for the backward loop;
- the weight gradient dW: the gated cells sum it in two halves over time, and the later
  half is final once the backward loop has passed those steps;
- the rest of dW does not wait for dU.
``in_background`` runs such a piece on a second thread; NumPy releases the GIL inside it, so
the two threads use two cores. Each piece is the same call it would be in the calling
thread, so every result is the same bit for bit with or without the second thread
(``OVERLAP = False`` turns it off; ``tests/test_overlap.py`` compares the two). Each piece
is a few calls on large arrays, on purpose: many small calls on two threads fight over the
GIL (splitting the batch's rows between two threads made the LSTM's forward loop 2x slower).

Small steps stay on one thread (``second_thread``), where the hand-offs would cost more
than they save. Measured speed-ups are in ``benchmarks/README.md``.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["OVERLAP", "in_background", "at_once", "second_thread"]

_worker = None  # (pid, executor): a forked child makes its own
OVERLAP = len(os.sched_getaffinity(0)) > 1 if hasattr(os, "sched_getaffinity") else True
# below this size of a step's pre-activations and hidden states ((G + 1) T B H values for G
# gates) the hand-offs between the threads cost more than they save. Measured on 2 cores at
# H = 100, T = 25, float32, with the thread against without (3 runs each): B = 32, the RNN
# (640 kB) +3 to +7%, the LSTM (1.6 MB) +13 to +33%, the GRU (1.28 MB) +19 to +37%; the GRU
# at B = 16 (640 kB) -8 to 0%, within the noise; the LSTM at B = 8 (400 kB) -9 to -12%
MIN_OVERLAP_BYTES = 600_000


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
    """``in_background`` for a training step whose pre-activations and hidden states take
    ``nbytes``, ``at_once`` for a smaller one or when ``OVERLAP`` is False (the default on
    one core)."""
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
