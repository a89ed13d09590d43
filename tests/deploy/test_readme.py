"""README "Deploy to AWS": its commands fit the files they use, as pasted."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml
from cfnlint.decode import cfn_yaml

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
DEPLOY = README[README.index("## Deploy to AWS") :]
BLOCKS = re.findall(r"```sh\n(.*?)```", DEPLOY, re.DOTALL)
REQUEST_URL = "https://bot.test.example/slack/events"


def block_with(text: str) -> str:
    """The one shell block of the section that contains `text`."""
    [block] = [b for b in BLOCKS if text in b]
    return block


def test_the_manifest_command_makes_an_http_mode_manifest_with_the_stacks_url(
    tmp_path: Path,
) -> None:
    """The sed command of step 6, run as written on the shipped manifest: Socket Mode off, and
    the slash command, events and interactivity all at the stack's request URL."""
    block = block_with("slack-app-manifest.http.yaml")
    sed = block[block.index("sed ") :]
    (tmp_path / "deploy").mkdir()
    shutil.copy(REPO / "deploy" / "slack-app-manifest.yaml", tmp_path / "deploy")
    subprocess.run(
        ["bash", "-euc", sed], cwd=tmp_path, env={"REQUEST_URL": REQUEST_URL}, check=True
    )
    manifest = yaml.safe_load((tmp_path / "slack-app-manifest.http.yaml").read_text())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == REQUEST_URL
    assert settings["interactivity"]["request_url"] == REQUEST_URL
    assert [c["url"] for c in manifest["features"]["slash_commands"]] == [REQUEST_URL]


def test_the_deploy_command_sets_every_required_stack_parameter() -> None:
    """`aws cloudformation deploy` names only parameters the template has, and every one the
    template has no default for."""
    block = block_with("aws cloudformation deploy")
    given = set(re.findall(r"\b([A-Z][A-Za-z]+)=\"\$", block))
    parameters = cfn_yaml.load(str(REPO / "deploy/cloudformation/ecs-fargate.yaml"))["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}
    assert given <= set(parameters)
    assert required <= given


def test_the_image_is_built_from_the_dockerfile_in_the_repository() -> None:
    """The build command uses deploy/Dockerfile with the repository root as context, for the
    platform the task definition runs on."""
    block = block_with("docker build")
    assert 'docker build --platform linux/amd64 -f deploy/Dockerfile -t "$IMAGE" .' in block
    template = (REPO / "deploy/cloudformation/ecs-fargate.yaml").read_text(encoding="utf-8")
    assert "CpuArchitecture: X86_64" in template
