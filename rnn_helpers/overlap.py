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
from concurrent import futures
from pathlib import Path

import numpy as np

__all__ = ["OVERLAP", "MIN_OVERLAP_WORK", "in_background", "at_once", "second_thread",
           "usable_cpus"]


def usable_cpus(cgroup="/sys/fs/cgroup"):
    """How many CPUs this process may keep busy (a float): its CPU affinity, capped by a
    cgroup CPU quota (a container's, e.g. Binder's, which may show many CPUs but allow one).
    cgroup: where the cgroup files are (v2's cpu.max or v1's cpu/cpu.cfs_quota_us)."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = n or 1
    root = Path(cgroup)
    quotas = [(root / "cpu.max", None),  # cgroup v2: "quota period" or "max period"
              (root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us")]
    for quota_file, period_file in quotas:
        try:
            fields = quota_file.read_text().split()
            if period_file is not None:
                fields.append(period_file.read_text().strip())
            quota, period = fields[0], float(fields[1])
        except (OSError, IndexError, ValueError):
            continue
        if quota not in ("max", "-1") and period > 0:
            return min(n, float(quota) / period)
    return float(n)


_worker = None  # (pid, executor): a forked child makes its own
OVERLAP = usable_cpus() >= 2  # on one core the second thread would only take turns
# below this much work taken over (float32 multiply-adds; see ``second_thread``) the hand-offs
# between the threads cost more than they save. Measured on 2 cores, T = 25, K = 65, with the
# thread against without (2 or 3 runs each): at H = 100, B = 32, float32 the RNN (13M) +3 to
# +7%, the LSTM (37M) +13 to +33%, the GRU (29M) +19 to +37%; the LSTM at B = 8 (9M) -9 to
# -12%; at H = 32 (the recall task of notebooks 07 and 08, K = 10, T = 42, float64) the RNN
# (4M) -9 to -11%, the GRU (9M) -6 to 0%, the LSTM (12M) from -14 to +20%. Near the threshold the
# measurements are within their noise (+-8%): the GRU at B = 16 (15M), over it, measured -8
# to 0%; the threshold stays under the RNN's 13M, which gains
MIN_OVERLAP_WORK = 12_500_000


def in_background(fn, *args):
    """Start ``fn(*args)`` on a second thread; return a Future: its ``result()`` waits for
    the call and returns its value (or raises what it raised).

    For the large products of a training step that do not depend on what the calling
    thread computes meanwhile: NumPy releases the GIL inside them, so the two threads run
    on two cores. Each piece is the same NumPy calls it would be in the calling thread (BLAS
    single-threaded), so the results are the same bit for bit. The caller's floating-point
    error settings (``np.errstate``) apply in the second thread too. Once the interpreter
    is exiting (no new threads), the call is made at once instead.
    """
    global _worker
    if _worker is None or _worker[0] != os.getpid():  # a forked child has no thread
        _worker = (os.getpid(), futures.ThreadPoolExecutor(1, thread_name_prefix="rnn_helpers"))
    try:
        return _worker[1].submit(_with_errstate, np.geterr(), fn, args)
    except RuntimeError:  # no new threads while the interpreter exits (an atexit handler)
        return at_once(fn, *args)


def _with_errstate(errors, fn, args):
    with np.errstate(**errors):
        return fn(*args)


def at_once(fn, *args):
    """``fn(*args)``, called now, in this thread, as a finished Future (``in_background``'s
    interface)."""
    done = futures.Future()
    done.set_result(fn(*args))
    return done


def second_thread(work, positions, H, K, gates, dtype):
    """``in_background`` for a large enough step of the training loop, else ``at_once``.

    work: the training loop's dict of reused buffers, None outside it. The step has
    ``positions`` = T B, hidden size H, K symbols and ``gates`` blocks of H rows in W (1 for
    the RNN, 4 for the LSTM, 3 for the GRU). The second thread pays when the products it
    takes over, dV (K x T B x H) and dW (G H x T B x H), are large: in float32 multiply-adds
    (a float64 one counts as two), at least ``MIN_OVERLAP_WORK``. ``OVERLAP = False`` (the
    default on one core) keeps every step on one thread.

    Outside the training loop every pass allocates fresh arrays, whose first use costs page
    faults (about 1800 a step in the LSTM's recall training before it used the loop's
    buffers), and there the second thread made training 5 to 25% slower, presumably
    because the two threads' page faults contend for the same memory map lock.
    """
    work_taken = positions * H * (K + gates * H) * np.dtype(dtype).itemsize / 4
    if OVERLAP and work is not None and work_taken >= MIN_OVERLAP_WORK:
        return in_background
    return at_once


def prepare_backward(cache, work, factors, step):
    """In a large enough step of the training loop (``second_thread(work, *step)``), start
    ``factors(cache, work)`` on the second thread while the loop computes the loss;
    ``backward_factors`` collects it.

    It writes into ``work``'s buffers, so the next forward pass calls ``wait_for(work)``
    first.
    """
    if second_thread(work, *step) is in_background:
        cache["factors"] = work["pending"] = in_background(factors, cache, work)


def backward_factors(cache, work, factors):
    """What ``prepare_backward`` started for this cache, or ``factors(cache, work)`` now.

    The started call is used once (the backward changes its arrays in place) and only while
    it is still ``work``'s latest: after another forward pass on the same ``work`` its
    arrays hold that pass's factors, so they are computed again, once nothing writes there.
    """
    job = cache.pop("factors", None)
    if job is not None and work is not None and work.get("pending") is job:
        try:
            return job.result()  # raises what the call raised
        finally:
            if job.done():  # not after a KeyboardInterrupt: the next pass must wait
                del work["pending"]
    wait_for(work)
    return factors(cache, work)


def wait_for(work):
    """Wait until the second thread's call that writes into ``work``'s buffers has ended,
    however it ended (its result is not needed any more), and forget it."""
    job = work.get("pending") if work is not None else None
    if job is not None:
        futures.wait([job])
        del work["pending"]
