"""docker-compose.yml and the Dockerfile hold what a Docker user relies on (Docker itself cannot run here)."""

import re
from pathlib import Path

import pytest
import yaml

from graph.settings import PLACEHOLDER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _ports(service: dict) -> set[int]:
    return {int(str(p).rsplit(":", 1)[-1]) for p in service.get("ports", [])}


def test_neo4j_is_526_community_with_a_health_check_and_its_ports(compose):
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert _ports(neo4j) == {7474, 7687}
    check = neo4j["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and "7474" in " ".join(check["test"])
    assert check["retries"] >= 3
    assert {"neo4j-data"} <= {v.split(":")[0] for v in neo4j["volumes"]}  # data survives a restart


def test_api_and_jupyter_wait_for_a_healthy_neo4j_and_reach_it_by_service_name(compose):
    for name, port in (("api", 8000), ("jupyter", 8888)):
        svc = compose["services"][name]
        assert svc["depends_on"]["neo4j"]["condition"] == "service_healthy", name
        assert svc["environment"]["NEO4J_URI"] == "bolt://neo4j:7687", name
        assert _ports(svc) == {port}, name
        assert (ROOT / svc["build"]["context"] / "Dockerfile").is_file()


def test_no_secret_is_written_in_the_file(compose):
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert PLACEHOLDER_PASSWORD not in text
    assert compose["services"]["neo4j"]["environment"]["NEO4J_AUTH"] == "neo4j/${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"
    for name, svc in compose["services"].items():
        env = svc.get("environment", {})
        for key, value in env.items():
            if re.search(r"PASSWORD|TOKEN|SECRET|KEY", key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(value)), (name, key, value)
    token_args = [a for a in compose["services"]["jupyter"]["command"] if "token" in a.lower()]
    assert token_args and all("${JUPYTER_TOKEN:?" in a for a in token_args)


def test_dockerfile_runs_icrm_serve_on_all_interfaces_and_copies_what_exists():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM \S+ AS (\w+)$", text, flags=re.M)
    assert stages == ["api", "notebook"]
    api_stage = text.split("FROM api AS notebook")[0]
    assert "icrm serve --host 0.0.0.0 --port 8000" in api_stage and "icrm db migrate" in api_stage
    assert re.search(r"^USER (?!root)\w+", api_stage, flags=re.M)  # the API does not run as root
    for src in re.findall(r"^COPY (\S+) \S+$", text, flags=re.M):
        assert (ROOT / src).exists(), src
