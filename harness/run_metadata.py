"""What produced a run: code version, package versions, machine.

``run_metadata()`` is merged into ``run.json`` by :func:`harness.run_folder.write_record`,
beside the seed, the metric declarations and the pipeline's stage timings.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

# Distributions whose versions change scores or speed.
PACKAGES = (
    "harness",
    "torch",
    "transformers",
    "datasets",
    "rouge-score",
    "hydra-core",
    "omegaconf",
    "numpy",
    "nltk",
    "trafilatura",
)

REPO = Path(__file__).resolve().parents[1]


def run_metadata() -> dict[str, Any]:
    """Git state, package versions, Python, platform, CPUs, memory and GPUs."""
    return {
        "git": git_state(REPO),
        "packages": package_versions(PACKAGES),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "hardware": {
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
            "memory_bytes": _memory_bytes(),
            "gpus": _gpus(),
        },
    }


def git_state(repo: Path) -> dict[str, Any] | None:
    """Commit and dirty flag of ``repo``; ``None`` outside a git checkout or without git.

    An installed (non-editable) package lives in site-packages, possibly inside
    some other checkout; the toplevel check keeps that checkout's commit out.
    """
    try:
        if Path(_git(repo, "rev-parse", "--show-toplevel")).resolve() != repo:
            return None
        commit = _git(repo, "rev-parse", "HEAD")
        status = _git(repo, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "dirty": bool(status)}


def _git(repo: Path, *args: str) -> str:
    """Run one git command in ``repo`` and return its stripped output."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return done.stdout.strip()


def package_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """Installed version of each distribution (``None`` when not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _memory_bytes() -> int | None:
    """Physical memory, where the OS reports it through sysconf."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gpus() -> list[str]:
    """Names of the CUDA devices: from torch when the run imported it, else nvidia-smi.

    Importing torch only to ask takes seconds, so a process that never loaded
    it (``harness compare``, the tests) asks the driver's tool instead.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        if not torch.cuda.is_available():
            return []
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            check=True,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]
