"""Real processes for the fault tests and the soak benchmark: a dedicated Neo4j and a live uvicorn.

Both run exactly as a user runs them (the project's own server launcher, `uvicorn app.main:app`), configured
only through the environment, so a fault injected here is a fault the product would meet in production.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from graph.settings import PROJECT_ROOT, Settings


def dedicated_neo4j_settings(base: Settings, *, home: Path, bolt_port: int, http_port: int) -> Settings:
    """Settings for a Neo4j of our own (own home, own ports), small enough for a shared 2-core machine."""
    return base.model_copy(update={
        "neo4j_home": home,
        "neo4j_bolt_port": bolt_port,
        "neo4j_http_port": http_port,
        "neo4j_uri": f"bolt://localhost:{bolt_port}",
        "neo4j_heap": "384m",
        "neo4j_pagecache": "64m",
    })


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a subprocess (`icrm …`, uvicorn) needs to see exactly these settings."""
    env = dict(os.environ)
    env.update({
        "ICRM_ENV": settings.environment,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
        "ICRM_NEO4J_HOME": str(settings.neo4j_home),
        "ICRM_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        "ICRM_NEO4J_HTTP_PORT": str(settings.neo4j_http_port),
        "ICRM_NEO4J_HEAP": settings.neo4j_heap,
        "ICRM_NEO4J_PAGECACHE": settings.neo4j_pagecache,
        "ICRM_ARTIFACTS_DIR": str(settings.artifacts_dir),
        "ICRM_VAR_DIR": str(settings.var_dir),
        "ICRM_RATE_LIMIT_PER_MINUTE": str(settings.rate_limit_per_minute),
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) != 0


class LiveApi:
    """`uvicorn app.main:app` in a subprocess on a loopback port; a context manager that always stops it."""

    def __init__(self, settings: Settings, *, port: int, log_path: Path, start_timeout_s: float = 90.0) -> None:
        self.settings = settings
        self.port = port
        self.log_path = log_path
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the API is not running"
        return self.proc.pid

    def rss_bytes(self) -> int:
        return psutil.Process(self.pid).memory_info().rss

    def start(self) -> "LiveApi":
        if not port_free(self.port):
            raise RuntimeError(f"port {self.port} is taken; the live API needs it")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "1", "--no-access-log", "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT,
            env=settings_env(self.settings), start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited during start (exit {self.proc.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + "/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"uvicorn did not answer /health within {self.start_timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> "LiveApi":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
