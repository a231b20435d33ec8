"""The container recipe: compose.yaml (checked by `docker compose config` where that exists, else
read here) runs workers and the web on PostgreSQL with every secret from the environment, and the
commands it and the Dockerfile start are ones the CLI accepts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import parser

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "POSTGRES_PASSWORD")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_workers_and_web_on_postgresql_with_secrets_from_the_environment() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "worker", "web"}
    for name in ("worker", "web"):
        service = services[name]
        assert service["build"] == "." and service["depends_on"]["postgres"]["condition"] == "service_healthy"
        env = service["environment"]
        assert env["BRIEFBOT_DATABASE_URL"].startswith("postgresql+psycopg://")
        for key, value in env.items():
            if key in SECRETS or "PASSWORD" in key or key == "BRIEFBOT_DATABASE_URL":
                assert re.search(r"\$\{\w+", str(value)), f"{name}.{key} comes from the environment"
        args = parser().parse_args(service["command"][3:])  # past "python -m bot"
        assert args.command in ("run", "web") and str(args.config) == "/app/config.toml"
    assert "${POSTGRES_PASSWORD" in services["postgres"]["environment"]["POSTGRES_PASSWORD"]


def test_the_dockerfile_installs_the_package_and_starts_the_bot() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (\S+(?: \S+)*) \S+$", text, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), f"COPY {path}: not in the repository"
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    assert parser().parse_args(command[3:]).command == "run"
    assert re.search(r"^USER (?!root)\w+", text, re.M), "the bot does not run as root"


@pytest.mark.skipif(not shutil.which("docker"), reason="docker is not installed")
def test_docker_compose_accepts_the_file() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("docker has no compose plugin here")
    done = subprocess.run(["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
                          capture_output=True, text=True, env={"POSTGRES_PASSWORD": "x", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
