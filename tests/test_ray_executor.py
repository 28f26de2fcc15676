"""executor=ray against executor=local: the same rows, errors and resume; a lost worker
costs a retry; and a run on a real head node (``ray start --head``) joined by address.

Kept small (2 cores shared with the rest of the suite): a local Ray of 2 CPUs
for the tests in this process, then one head node for the subprocess runs.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch

from harness.config import build, default_metrics, resolve_plugin
from harness.embed import Encoders
from harness.models.llamacpp_server import free_port
from harness.pipeline import RunPlan, run
from harness.types import RawDoc
from tests.conftest import REPO, kill_midway
from tests.guards import wait_until

ray = pytest.importorskip("ray")
from harness.executors.ray_actors import RayExecutor  # noqa: E402 - after the skip

ROW_FILES = ("articles", "summaries", "scores", "errors", "warnings")


def _text(i: int) -> str:
    body = " ".join(f"Sentence {j} of story {i} says the council of Leeds voted {i + j} to "
                    f"{j + 2} on the new bridge." for j in range(8))
    return f"Council story {i} on the bridge\n\n{body}\n\nMore on {i}.\n"


def _docs(n: int) -> list[RawDoc]:
    docs = [RawDoc(id=f"d{i}", source=f"mem{i}", text=_text(i)) for i in range(n)]
    docs.append(RawDoc(id="empty", source="mem-empty", text=""))  # a clean error
    return docs


def _configs(group: str, entries: list) -> list[dict]:
    from omegaconf import OmegaConf

    return [OmegaConf.to_container(resolve_plugin(e, group), resolve=True) for e in entries]


def _rows(out: Path, name: str) -> list[str]:
    rows = [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("seconds", None)  # a summary's own timing
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def _plan(out: Path, models: list, metrics: list, executor=None, batch_size=2) -> RunPlan:
    model_configs, metric_configs = _configs("model", models), _configs("metric", metrics)
    built = [build(m, "model") for m in model_configs]
    if executor is None:  # as harness.app builds a local run
        encoders = Encoders()
        return RunPlan(source=_docs(6), models=built, out_dir=out, batch_size=batch_size,
                       metrics=[build(m, "metric", encoders=encoders) for m in metric_configs],
                       encoders=encoders, progress=False)
    return RunPlan(source=_docs(6), models=built, metrics=[], out_dir=out, batch_size=batch_size,
                   progress=False, executor=executor, model_configs=model_configs,
                   metric_configs=metric_configs)


def _local(out: Path, models: list, metrics: list) -> dict:
    # One torch thread, as in each 1-CPU actor: the embeddings are then bit for bit the same
    # (2 threads sum in another order, about 1e-7 apart; docs/scale.md).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run(_plan(out, models, metrics))
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning",
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}})
    yield
    ray.shutdown()


def test_worker_killed_mid_run_costs_a_retry(tmp_path, local_ray):
    marker = tmp_path / "died"
    model = {"_target_": "tests.fakes.DiesOnce", "marker": str(marker)}
    remote = run(_plan(tmp_path / "ray", ["lead3", model], ["rouge"], RayExecutor(actors=1)))
    assert marker.exists(), "the actor's process was not killed"
    assert int(marker.read_text()) != os.getpid()
    _local(tmp_path / "local", ["lead3", model], ["rouge"])  # the marker is there: no kill
    for name in ROW_FILES:
        assert _rows(tmp_path / "ray", name) == _rows(tmp_path / "local", name), name
    assert remote["articles"] == 6


def test_a_metric_no_actor_can_build_is_a_config_error(tmp_path, local_ray):
    from harness.config import ConfigError

    cannot = {"_target_": "tests.fakes.CannotLoad", "model": "/nowhere"}
    with pytest.raises(ConfigError, match="nowhere"):
        run(_plan(tmp_path / "ray", ["lead3"], [cannot], RayExecutor(actors=1)))


# --- a real head node, joined by address --------------------------------------------------

@pytest.fixture(scope="module")
def head_node():
    """``ray start --head`` on 127.0.0.1 in its own session, stopped by its process group.

    ``--block`` keeps ``ray start`` in the foreground as the parent of the node's
    processes; they all share its new session, so killing that process group
    stops exactly this node (never ``ray stop``, which stops every node here).
    """
    if ray.is_initialized():
        ray.shutdown()
    port = free_port()
    # The node's own token (Ray turns token authentication on by default); a driver
    # joins with it in its environment.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    temp = tempfile.mkdtemp(prefix="rayh", dir="/tmp")  # short: Ray's socket paths
    ray_bin = Path(sys.executable).with_name("ray")
    proc = subprocess.Popen(
        [str(ray_bin), "start", "--head", "--block", f"--port={port}",
         "--node-ip-address=127.0.0.1", "--num-cpus=2", "--num-gpus=0",
         "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **auth, "PYTHONPATH": str(REPO)})
    try:
        _wait_for_node(proc, port)
        yield f"127.0.0.1:{port}", auth
    finally:
        _stop_group(proc)


def _wait_for_node(proc: subprocess.Popen, port: int) -> None:
    def listening() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"ray start exited: {proc.stderr.read()}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, 90, f"the Ray head node listening on port {port}")


def _stop_group(proc: subprocess.Popen) -> None:
    pgid = proc.pid  # the session leader: its group is the node's processes
    proc.send_signal(signal.SIGTERM)  # ray start --block stops its node on SIGTERM
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(pgid, signal.SIGKILL)  # whatever of this node is left
    except ProcessLookupError:
        pass


def _articles(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i:03d}.txt").write_text(_text(i))


def _cmd(data: Path, out: Path, *extra: str, models: str = "[lead3,textrank]",
         metrics: str = "[rouge]") -> list[str]:
    return [sys.executable, "-m", "harness.cli", "run", "data=dir", f"data.path={data}",
            f"models={models}", f"metrics={metrics}", "batch_size=2",
            f"hydra.run.dir={out}", *extra]


def _run_group(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_head_node_run_and_kill_resume_equal_local(tmp_path, head_node):
    """A run on the head node by address equals a local run; SIGKILL and rerun resumes."""
    data = tmp_path / "data"
    _articles(data, 60)
    address, auth = head_node
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **auth}
    ray_args = ("executor=ray", f"executor.address={address}")
    local, whole, killed = tmp_path / "local", tmp_path / "whole", tmp_path / "killed"
    subprocess.run(_cmd(data, local), cwd=REPO, env=env, check=True, capture_output=True)
    done = subprocess.run(_cmd(data, whole, *ray_args), cwd=REPO, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    for name in ROW_FILES:
        assert _rows(whole, name) == _rows(local, name), name

    proc = _run_group(_cmd(data, killed, *ray_args), env)
    # SIGKILL to the driver; its actors on the node go with its job.
    partial = kill_midway(proc, killed / "scores.jsonl", at=10)
    assert 0 < partial < 120, "the kill must land in the middle of the run"
    resumed = subprocess.run(_cmd(data, killed, *ray_args), cwd=REPO, env=env,
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    for name in ROW_FILES:
        assert _rows(killed, name) == _rows(local, name), name


#: One thread for torch and the BLAS libraries in every process: local and Ray then sum the
#: embeddings in the same order, bit for bit (2 threads against 1 differ by about 1e-7).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def test_ray_equals_local_with_every_default_metric_and_bad_input(tmp_path):
    """``harness run executor=ray`` (a local Ray of 2 CPUs, 2 actors) against executor=local.

    A bad file, a model that fails on one article and a metric that fails on
    another stay error rows; ``harness compare --max-abs-diff 0`` finds no difference.
    """
    data = tmp_path / "data"
    _articles(data, 6)
    (data / "a006.txt").write_text("")  # a clean error
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **ONE_THREAD}
    models = "[lead3,textrank,{_target_:tests.fakes.FailsOn,bad:a004}]"
    metrics = f"[{','.join(default_metrics())},{{_target_:tests.fakes.WordsOrRaise,bad:a003}}]"
    local, remote = tmp_path / "local", tmp_path / "ray"
    for out, extra in ((local, ()), (remote, ("executor=ray", "executor.num_cpus=2"))):
        cmd = _cmd(data, out, *extra, models=models, metrics=metrics)
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    for name in ROW_FILES:
        assert _rows(remote, name) == _rows(local, name), name
    errors = [json.loads(r) for r in _rows(remote, "errors")]
    assert {(e["id"], e["stage"]) for e in errors} == {("a006", "clean"), ("a004", "summarize"),
                                                      ("a003", "score")}
    compare = subprocess.run([sys.executable, "-m", "harness.cli", "compare", str(local),
                              str(remote), "--max-abs-diff", "0"], cwd=REPO, env=env,
                             capture_output=True, text=True)
    assert compare.returncode == 0, compare.stdout + compare.stderr
