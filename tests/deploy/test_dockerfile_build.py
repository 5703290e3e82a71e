"""Builds the Dockerfile's build stages with a container tool, where one can build on this machine.

Skipped, saying why, when there is none or its daemon does not answer (as on the development
machine, which has the docker client but no daemon); set REQUIRE_CONTAINER_BUILD=1 to make that a
failure (CI with a builder). The offline checks of the Dockerfile are in test_manifests.py.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M)


def builder() -> tuple[list[str] | None, str]:
    for tool in ("docker", "podman"):
        path = shutil.which(tool)
        if not path:
            continue
        probe = subprocess.run([path, "info"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return [path, "build"], ""
        return None, f"{tool} is installed but cannot build here: {(probe.stderr or probe.stdout).strip()[-200:]}"
    if shutil.which("buildah"):
        return [shutil.which("buildah"), "bud"], ""
    return None, "no container tool (docker, podman, buildah) is installed"


@pytest.mark.parametrize("stage", STAGES)
def test_the_build_stage_builds(stage):
    command, why = builder()
    if command is None:
        if os.environ.get("REQUIRE_CONTAINER_BUILD"):
            pytest.fail(f"REQUIRE_CONTAINER_BUILD is set but {why}")
        pytest.skip(f"not building the Dockerfile's {stage} stage: {why}")
    result = subprocess.run([*command, "--target", stage, "-t", f"enrollment-assistant:test-{stage}", "."],
                            cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_stages_are_the_ones_the_runtime_copies_from():
    assert STAGES[-1] == "runtime" and {"python-deps", "web-deps", "model"} <= set(STAGES)
