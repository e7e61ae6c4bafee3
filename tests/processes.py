"""Stopping the servers that tests start."""

import os
import signal
import subprocess


def stop_process_group(proc, seconds=30):
    """SIGTERM the process group of ``proc`` (started with start_new_session=True), then
    SIGKILL it if it has not exited within ``seconds``."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
