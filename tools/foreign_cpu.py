"""Run a command as if on another x86-64 CPU: other OpenBLAS kernels, fewer NumPy SIMD loops.

    python tools/foreign_cpu.py [--coretype NAME] [--numpy-simd baseline|native] -- CMD ...

`make nbval-foreign` runs strict nbval this way. The stored outputs of the notebooks were
computed on one machine; a learner's laptop or a teacher's CI runs another CPU, whose BLAS
kernel (summation order, FMA) and NumPy's SIMD loops (tanh, exp, log) round differently in the
last bits. Re-running nbval under a foreign kernel checks that no stored output depends on
those bits.

By default the kernel is OpenBLAS's Sandybridge one (AVX, no FMA: every x86-64 CPU of the last
decade can run it, and it is not the kernel a current CPU picks by itself), and NumPy is reduced
to its baseline (X86_V2): every dispatched SIMD feature that this CPU has is disabled. The
child prints the kernel and SIMD features it really got, so a run says what it tested.
"""

import argparse
import os
import subprocess
import sys

REPORT = (
    "import threadpoolctl, numpy\n"
    "from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__\n"
    "blas = threadpoolctl.threadpool_info()[0]\n"
    "simd = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]\n"
    "print(f\"foreign CPU: OpenBLAS kernel {blas['architecture']}, \"\n"
    "      f\"NumPy SIMD beyond the baseline: {', '.join(simd) or 'none'}\")\n"
)


def available_dispatch_features(python):
    """NumPy's dispatched SIMD features that this CPU has (the ones that can be disabled)."""
    code = ("from numpy._core._multiarray_umath import __cpu_dispatch__ as d, "
            "__cpu_features__ as f; print(','.join(x for x in d if f.get(x)))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def foreign_env(python, coretype="Sandybridge", numpy_simd="baseline"):
    """The environment of the foreign CPU: os.environ plus the BLAS and SIMD settings."""
    env = dict(os.environ)
    env["OPENBLAS_CORETYPE"] = coretype
    env.pop("OPENBLAS_L2_SIZE", None)
    if numpy_simd == "baseline":
        features = available_dispatch_features(python)
        if features:
            env["NPY_DISABLE_CPU_FEATURES"] = features
        else:
            env.pop("NPY_DISABLE_CPU_FEATURES", None)
    return env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coretype", default="Sandybridge",
                        help="OPENBLAS_CORETYPE for the child (default Sandybridge)")
    parser.add_argument("--numpy-simd", choices=["baseline", "native"], default="baseline",
                        help="baseline: disable every dispatched NumPy SIMD feature")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")
    env = foreign_env(sys.executable, args.coretype, args.numpy_simd)
    subprocess.run([sys.executable, "-c", REPORT], env=env, check=True)
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
