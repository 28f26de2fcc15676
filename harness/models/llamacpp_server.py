"""llama.cpp's OpenAI-compatible server (``python -m llama_cpp.server``) for a GGUF file.

For tests and benchmarks: :class:`LocalServer` starts the server on a free
port of 127.0.0.1 and stops it again, so that
:class:`harness.models.openai_compat.OpenAISummarizer` can be measured and
tested against a real endpoint (``benchmarks/generation.py``,
``tests/test_llamacpp_server.py``). The in-process summarizer is
:mod:`harness.models.llamacpp`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from harness.models.llamacpp import import_llama_cpp
from harness.models.llamacpp_probe import probe


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """``python -m llama_cpp.server`` on 127.0.0.1 for a GGUF file, as a context manager.

    For tests and benchmarks: starts the server on a free port, waits until
    ``GET /v1/models`` answers, and stops it on exit. ``base_url`` ends in ``/v1``;
    the model is served under ``alias``.

    Args:
        gguf: The GGUF file.
        alias: The model name clients ask for.
        n_ctx: Context size in tokens.
        n_threads: CPU threads; None means one per core.
        startup_timeout: Seconds to wait for the server to answer.
        extra: Further ``llama_cpp.server`` options, e.g. ``{"logits_all": "true"}``.

    """

    def __init__(self, gguf: Path, alias: str = "smollm2", n_ctx: int = 2048,
                 n_threads: int | None = None, startup_timeout: float = 120.0,
                 extra: dict[str, str] | None = None) -> None:
        self.gguf, self.alias, self.n_ctx = gguf, alias, n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.startup_timeout = startup_timeout
        self.extra = extra or {}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.process: Any = None
        self.log_path: Path | None = None

    def __enter__(self) -> LocalServer:
        import_llama_cpp()
        probe(str(self.gguf))
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf),
                   "--model_alias", self.alias, "--host", "127.0.0.1", "--port", str(self.port),
                   "--n_ctx", str(self.n_ctx), "--n_threads", str(self.n_threads),
                   "--n_threads_batch", str(self.n_threads)]
        for key, value in self.extra.items():
            command += [f"--{key}", str(value)]
        log = tempfile.NamedTemporaryFile("w+b", prefix="llama-server-", suffix=".log",
                                          delete=False)
        self.log_path = Path(log.name)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2):
                    return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"llama_cpp.server did not answer within {self.startup_timeout} s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:  # noqa: BLE001 - a server that ignores SIGTERM is killed
                self.process.kill()
                self.process.wait()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
