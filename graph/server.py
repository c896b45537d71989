"""The local Neo4j 5.26 Community server: jars from Maven Central via `mvn`, run on the machine's Java 17.

No Docker engine is needed: `icrm neo4j start` resolves `org.neo4j:neo4j` and the Browser jar once
(cached under a file lock), writes `neo4j.conf`, sets the initial password and starts
`org.neo4j.server.CommunityEntryPoint` as a detached process whose pid lives in the data folder.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import psutil
from filelock import FileLock

from graph.errors import ServerError
from graph.settings import Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
JVM_OPENS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-Djdk.tls.ephemeralDHKeySize=2048",
]


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_port: int
    http_port: int
    home: Path

    def describe(self) -> str:
        if not self.running:
            return f"Neo4j is not running (data in {self.home})"
        return (f"Neo4j is running (pid {self.pid}): bolt://localhost:{self.bolt_port}, "
                f"Browser http://localhost:{self.http_port}/browser/ (data in {self.home})")


def _require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ServerError(f"`{name}` was not found on PATH. {hint}")
    return path


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def ensure_jars(settings: Settings) -> Path:
    """Resolve the server and Browser jars from Maven Central once; later calls reuse the cache."""
    cache = settings.neo4j_jar_cache
    marker = cache / ".complete"
    if marker.exists():
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache) + ".lock", timeout=1800):
        if marker.exists():
            return cache
        mvn = _require_tool("mvn", "Install Apache Maven (e.g. `apt-get install maven`) so the Neo4j jars can be resolved.")
        pom = Path(str(files("graph").joinpath("server/pom.xml")))
        tmp = cache.with_name(cache.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        proc = subprocess.run(
            [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
             f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"],
            capture_output=True, text=True,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
            raise ServerError(f"Maven could not resolve the Neo4j jars (exit {proc.returncode}):\n{tail}")
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
        marker.write_text("ok\n")
    return cache


def _classpath(jars: Path) -> str:
    return os.pathsep.join(str(p) for p in sorted(jars.glob("*.jar")))


def _write_conf(settings: Settings) -> Path:
    home = settings.neo4j_home
    conf_dir = home / "conf"
    for sub in ("conf", "data", "logs", "run", "plugins", "import", "licenses"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    conf = conf_dir / "neo4j.conf"
    conf.write_text("\n".join([
        "# written by `icrm neo4j start`; edit the ICRM_NEO4J_* settings instead",
        f"server.directories.data={home / 'data'}",
        f"server.directories.logs={home / 'logs'}",
        f"server.directories.run={home / 'run'}",
        f"server.directories.plugins={home / 'plugins'}",
        f"server.directories.import={home / 'import'}",
        f"server.directories.licenses={home / 'licenses'}",
        "server.default_listen_address=127.0.0.1",
        f"server.bolt.listen_address=:{settings.neo4j_bolt_port}",
        f"server.bolt.advertised_address=localhost:{settings.neo4j_bolt_port}",
        f"server.http.listen_address=:{settings.neo4j_http_port}",
        f"server.http.advertised_address=localhost:{settings.neo4j_http_port}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        f"server.memory.heap.initial_size={settings.neo4j_heap}",
        f"server.memory.heap.max_size={settings.neo4j_heap}",
        f"server.memory.pagecache.size={settings.neo4j_pagecache}",
        "dbms.security.procedures.unrestricted=",
        # query logs keep no parameters: an erased customer's values must not linger in logs
        "db.logs.query.enabled=OFF",
        "db.logs.query.parameter_logging_enabled=false",
        "db.tx_log.rotation.retention_policy=2 files",
        "dbms.usage_report.enabled=false",
        "server.jvm.additional=-XX:+UseG1GC",
        "",
    ]))
    return conf_dir


def _pid_file(settings: Settings) -> Path:
    return settings.neo4j_home / "run" / "icrm-neo4j.pid"


def _live_pid(settings: Settings) -> int | None:
    pf = _pid_file(settings)
    if not pf.exists():
        return None
    try:
        pid = int(pf.read_text().strip())
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE or not proc.is_running():
            return None
        if ENTRY_POINT not in " ".join(proc.cmdline()):
            return None
        return pid
    except (ValueError, psutil.Error):
        return None


def status(settings: Settings) -> ServerStatus:
    pid = _live_pid(settings)
    running = pid is not None and _port_open(settings.neo4j_bolt_port)
    return ServerStatus(running, pid, settings.neo4j_bolt_port, settings.neo4j_http_port, settings.neo4j_home)


def log_tail(settings: Settings, lines: int = 30) -> str:
    out = []
    for name in ("console.log", "neo4j.log", "debug.log"):
        p = settings.neo4j_home / "logs" / name
        if p.exists():
            text = p.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {p} (last {len(text)} lines)\n" + "\n".join(text))
    return "\n".join(out) or "(no log written)"


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return _require_tool("java", "Install a Java 17 runtime (e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME.")


def _set_initial_password(settings: Settings, java: str, classpath: str, conf_dir: Path) -> None:
    marker = settings.neo4j_home / "data" / ".icrm-password-set"
    if marker.exists():
        return
    env = dict(os.environ, NEO4J_HOME=str(settings.neo4j_home), NEO4J_CONF=str(conf_dir))
    proc = subprocess.run(
        [java, *JVM_OPENS, "-Xmx256m", "-cp", classpath, ADMIN_TOOL, "dbms", "set-initial-password",
         settings.neo4j_password.get_secret_value()],
        capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        raise ServerError("could not set Neo4j's initial password:\n" + (proc.stdout + proc.stderr)[-2000:])
    marker.write_text("set\n")


def start(settings: Settings) -> ServerStatus:
    """Start the server if it is not running and wait until Bolt answers. Idempotent."""
    current = status(settings)
    if current.running:
        return current
    java = _java()
    for port, what in ((settings.neo4j_bolt_port, "Bolt"), (settings.neo4j_http_port, "HTTP")):
        if _port_open(port):
            raise ServerError(
                f"port {port} ({what}) is already taken by another process. Stop it, or choose other ports "
                f"with ICRM_NEO4J_BOLT_PORT / ICRM_NEO4J_HTTP_PORT (and NEO4J_URI)."
            )
    jars = ensure_jars(settings)
    classpath = _classpath(jars)
    conf_dir = _write_conf(settings)
    _set_initial_password(settings, java, classpath, conf_dir)
    console = (settings.neo4j_home / "logs" / "console.log").open("ab")
    env = dict(os.environ, NEO4J_HOME=str(settings.neo4j_home), NEO4J_CONF=str(conf_dir))
    proc = subprocess.Popen(
        [java, *JVM_OPENS, f"-Xms{settings.neo4j_heap}", f"-Xmx{settings.neo4j_heap}", "-cp", classpath,
         ENTRY_POINT, f"--home-dir={settings.neo4j_home}", f"--config-dir={conf_dir}"],
        stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        start_new_session=True, cwd=settings.neo4j_home,
    )
    console.close()
    _pid_file(settings).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + settings.neo4j_start_timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"Neo4j exited during start (exit {proc.returncode}).\n{log_tail(settings)}")
        if _port_open(settings.neo4j_bolt_port) and _bolt_ready(settings):
            return status(settings)
        time.sleep(0.5)
    stop(settings)
    raise ServerError(f"Neo4j did not answer on Bolt within {settings.neo4j_start_timeout_s:.0f} s.\n{log_tail(settings)}")


def _bolt_ready(settings: Settings) -> bool:
    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(f"bolt://localhost:{settings.neo4j_bolt_port}", auth=settings.neo4j_auth,
                                  connection_timeout=2.0) as driver:
            driver.verify_connectivity()
            driver.execute_query("RETURN 1", database_="neo4j")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return False


def stop(settings: Settings, *, timeout_s: float = 60.0) -> bool:
    """Stop the server this project started; returns whether one was running."""
    pid = _live_pid(settings)
    if pid is None:
        _pid_file(settings).unlink(missing_ok=True)
        return False
    try:
        proc = psutil.Process(pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    except psutil.NoSuchProcess:
        pass
    _pid_file(settings).unlink(missing_ok=True)
    return True


def kill(settings: Settings) -> bool:
    """SIGKILL the server (fault tests: a crash, not a clean stop)."""
    pid = _live_pid(settings)
    if pid is None:
        return False
    try:
        proc = psutil.Process(pid)
        proc.kill()
        proc.wait(10)
    except psutil.Error:
        pass
    _pid_file(settings).unlink(missing_ok=True)
    return True
