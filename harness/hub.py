"""Is the Hugging Face hub there? The one check for models (weights) and data sets (load).

``huggingface_hub`` itself retries five times with back-off (about 45 s here
without DNS) before it gives up on an unreachable hub, so the callers ask
first, with a short TCP probe, and go offline (the local cache only) when it fails.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

#: Seconds to wait for the hub's host before declaring it unreachable.
HUB_CONNECT_TIMEOUT_S = 3.0


def hub_offline() -> bool:
    """Tell whether ``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` is set to a true value."""
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE"), os.environ.get("TRANSFORMERS_OFFLINE"))
    return constants.HF_HUB_OFFLINE or any(
        (flag or "").strip().lower() in {"1", "true", "yes", "on"} for flag in flags
    )


def hub_reachable(timeout: float = HUB_CONNECT_TIMEOUT_S) -> bool:
    """Whether a TCP connection to the hub's host opens within ``timeout`` seconds.

    Behind a proxy the direct connection says nothing, so the check passes and the
    hub library's own requests decide.
    """
    from huggingface_hub import constants

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False
