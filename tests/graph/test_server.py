"""The local Neo4j launcher: clear errors a user can act on, an idempotent start, and `icrm neo4j status` exit codes."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph import server
from graph.errors import ServerError
from graph.settings import Settings, get_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(home: Path, bolt: int, http: int) -> Settings:
    return Settings(ICRM_NEO4J_HOME=home, ICRM_NEO4J_BOLT_PORT=bolt, ICRM_NEO4J_HTTP_PORT=http,
                    NEO4J_URI=f"bolt://localhost:{bolt}")


def test_a_taken_port_is_named_with_what_to_do(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        settings = _settings(tmp_path / "home", port, _free_port())
        with pytest.raises(ServerError) as err:
            server.start(settings)
    message = str(err.value)
    assert f"port {port} (Bolt) is already taken" in message
    assert "ICRM_NEO4J_BOLT_PORT" in message
    assert not (tmp_path / "home" / "run" / "icrm-neo4j.pid").exists()  # nothing was launched


def test_missing_java_is_named_with_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without java
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ServerError, match="`java` was not found on PATH.*Java 17"):
        server.start(_settings(tmp_path / "home", _free_port(), _free_port()))


def test_start_is_idempotent(neo4j_server):
    first = server.status(neo4j_server)
    again = server.start(neo4j_server)
    assert first.running and again.running and again.pid == first.pid


@pytest.fixture
def cli_env(monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """Let a test point the CLI's settings elsewhere, and put them back afterwards."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_status_exit_codes(neo4j_server, cli_env, tmp_path):
    runner = CliRunner()
    get_settings.cache_clear()
    up = runner.invoke(app, ["neo4j", "status"])
    assert up.exit_code == 0 and "is running" in up.output
    cli_env.setenv("ICRM_NEO4J_HOME", str(tmp_path / "elsewhere"))
    cli_env.setenv("ICRM_NEO4J_BOLT_PORT", str(_free_port()))
    get_settings.cache_clear()
    down = runner.invoke(app, ["neo4j", "status"])
    assert down.exit_code == 3 and "not running" in down.output
