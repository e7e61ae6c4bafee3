"""Run a command as if on another x86-64 CPU: other OpenBLAS kernels, fewer NumPy SIMD loops.

    python tools/foreign_cpu.py [--coretype NAME] [--numpy-simd baseline|native] -- CMD ...

`make nbval-foreign` runs strict nbval this way. The stored outputs of the notebooks were
computed on one machine; a learner's laptop or a teacher's CI runs another CPU, whose BLAS
kernel (summation order, FMA) and NumPy's SIMD loops (tanh, exp, log) round differently in the
last bits. Re-running nbval under a foreign kernel checks that no stored output depends on
those bits.

By default the kernel is OpenBLAS's Sandybridge one (AVX, no FMA: not the kernel a current CPU
picks by itself); on a CPU without AVX (some Celeron and Pentium Silver chips), or one whose own
kernel is already Sandybridge, it is the Nehalem one (SSE4.2). NumPy is reduced to its baseline
(X86_V2): every dispatched SIMD feature that this CPU has is disabled. The child prints the
kernel and SIMD features it really got, so a run says what it tested. On a CPU that is not
x86-64 (an ARM laptop, say) there is nothing to emulate: the tool says so and runs nothing.
"""

import argparse
import os
import platform
import subprocess
import sys

X86_64 = ("x86_64", "amd64")

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


def native_kernel_and_avx(python):
    """(OpenBLAS kernel this environment picks, whether the CPU has AVX), from a child."""
    code = ("import threadpoolctl\n"
            "from numpy._core._multiarray_umath import __cpu_features__ as f\n"
            "print(threadpoolctl.threadpool_info()[0]['architecture'], bool(f.get('AVX')))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    kernel, avx = out.stdout.split()
    return kernel, avx == "True"


def default_coretype(python):
    """Sandybridge, unless this CPU cannot run it or already runs it: then Nehalem."""
    kernel, avx = native_kernel_and_avx(python)
    return "Sandybridge" if avx and kernel != "Sandybridge" else "Nehalem"


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
    parser.add_argument("--coretype", default=None,
                        help="OPENBLAS_CORETYPE for the child (default: Sandybridge, or "
                             "Nehalem on a CPU without AVX or whose own kernel is Sandybridge)")
    parser.add_argument("--numpy-simd", choices=["baseline", "native"], default="baseline",
                        help="baseline: disable every dispatched NumPy SIMD feature")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")
    if platform.machine().lower() not in X86_64:
        print(f"foreign CPU: this is a {platform.machine()} CPU, not x86-64: "
              "nothing to emulate, skipped")
        return 0
    coretype = args.coretype or default_coretype(sys.executable)
    env = foreign_env(sys.executable, coretype, args.numpy_simd)
    subprocess.run([sys.executable, "-c", REPORT], env=env, check=True)
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
