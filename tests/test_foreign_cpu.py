"""tools/foreign_cpu.py: a child process really computes with another CPU's kernels."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                                reason="OpenBLAS kernels of x86-64 only")
TOOL = ROOT / "tools" / "foreign_cpu.py"
PROBE = ("import threadpoolctl, numpy\n"
         "from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f\n"
         "print(threadpoolctl.threadpool_info()[0]['architecture'])\n"
         "print(','.join(x for x in d if f.get(x)) or 'baseline')\n")


def run_tool(*args):
    proc = subprocess.run([sys.executable, str(TOOL), *args, "--", sys.executable, "-c", PROBE],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def native():
    """(OpenBLAS kernel, dispatched SIMD features) of this machine, as the tests see it."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return out[0], out[1]


def test_default_is_a_foreign_blas_kernel_and_numpy_baseline_simd():
    report, blas, simd = run_tool()
    assert blas in ("Sandybridge", "Nehalem") and blas != native()[0]  # really another kernel
    assert simd == "baseline"  # every dispatched AVX2 / AVX-512 loop disabled
    assert report.startswith(f"foreign CPU: OpenBLAS kernel {blas}")
    assert "NumPy SIMD beyond the baseline: none" in report


def test_another_kernel_and_native_simd_can_be_chosen():
    _, blas, simd = run_tool("--coretype", "Nehalem", "--numpy-simd", "native")
    assert blas == "Nehalem"
    assert simd == native()[1]


def test_the_command_s_exit_code_is_passed_on():
    proc = subprocess.run([sys.executable, str(TOOL), "--", sys.executable, "-c",
                           "raise SystemExit(3)"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3


def test_no_command_is_a_usage_error():
    proc = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no command given" in proc.stderr
