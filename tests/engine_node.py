"""A real OpenSearch 2.19 node (or a small cluster) for the engine tests, from Maven Central jars.

tests/engine/pom.xml copies `org.opensearch:opensearch` and the distribution modules
our mappings and queries need (netty4 transport, analysis-common, mapper-extras,
painless, parent-join, reindex) into build/engine/lib and compiles
lensmirror.EngineNode, a few-line `Node` subclass that loads those modules from
the classpath. This file builds that once (Maven, skipped when nothing changed),
starts nodes as separate JVMs on free loopback ports with a temporary home,
waits for cluster health, and kills them by PID: on `stop()`, at interpreter
exit, and (through a stdin watchdog in the JVM) when this process dies anyway.

Plain stdlib + httpx, so `scripts/opensearch` and benchmarks can use it too.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ENGINE_SRC = ROOT / "tests" / "engine"
BUILD = ROOT / "build" / "engine"
STAMP = BUILD / "lens-mirror.stamp"
ENABLE_HINT = ("install Java 17+ and Maven (the tests build an OpenSearch 2.19 node from Maven Central), "
               "or set LENS_MIRROR_ES_URL to a running Elasticsearch 8 / OpenSearch 2 node")
MIN_JAVA = 17


# -- what is needed, and building it ---------------------------------------------------------------

def java_command() -> str | None:
    """The `java` to run the node with: $JAVA_HOME/bin/java, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(Path(home) / "bin" / "java", os.X_OK):
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def _source_stamp() -> str:
    digest = hashlib.sha256()
    files = [ENGINE_SRC / "pom.xml", *sorted(p for p in (ENGINE_SRC / "src").rglob("*") if p.is_file())]
    for path in files:
        digest.update(str(path.relative_to(ENGINE_SRC)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_built() -> bool:
    """True when build/engine holds the jars and the launcher built from the current sources."""
    return (STAMP.is_file() and STAMP.read_text().strip() == _source_stamp()
            and (BUILD / "classes" / "lensmirror" / "EngineNode.class").is_file()
            and any((BUILD / "lib").glob("opensearch-2.*.jar")))


def engine_available() -> str | None:
    """None when a node can be built and started here; else why not, and how to enable it."""
    java = java_command()
    if java is None:
        return f"no `java` found (JAVA_HOME or PATH): {ENABLE_HINT}"
    major = java_major(java)
    if major is None or major < MIN_JAVA:
        return f"{java} is Java {major or '?'}, OpenSearch 2.19 needs Java {MIN_JAVA}+: {ENABLE_HINT}"
    if not is_built() and shutil.which("mvn") is None:
        return f"no `mvn` on PATH to assemble the node from Maven Central: {ENABLE_HINT}"
    return None


def build(timeout: float = 1200) -> Path:
    """Run `mvn package` on tests/engine unless build/engine is current; return build/engine.

    Idempotent and quick when nothing changed (a hash of the pom and the sources);
    a file lock keeps two sessions from building at once.
    """
    BUILD.parent.mkdir(parents=True, exist_ok=True)
    with open(BUILD.parent / ".engine-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_built():
            return BUILD
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError(f"cannot build the OpenSearch node: no `mvn` on PATH; {ENABLE_HINT}")
        env = dict(os.environ)
        java = java_command()
        if java and "JAVA_HOME" not in env:
            env["JAVA_HOME"] = str(Path(os.path.realpath(java)).parent.parent)
        shutil.rmtree(BUILD / "lib", ignore_errors=True)  # no jars left over from another version
        result = subprocess.run([mvn, "-B", "-q", "-f", str(ENGINE_SRC / "pom.xml"), "package"],
                                capture_output=True, text=True, timeout=timeout, env=env, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise RuntimeError(f"building the OpenSearch node failed (mvn exit {result.returncode}):\n{tail}")
        STAMP.write_text(_source_stamp() + "\n")
        return BUILD


# -- running nodes -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int | None:
    """Resident memory of a process (VmRSS from /proc), in KiB; None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


_LIVE: set[NodeProcess] = set()


@dataclass(eq=False)
class NodeProcess:
    """One JVM running one node."""

    name: str
    http_port: int
    transport_port: int
    home: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 20, kill: bool = False) -> None:
        """SIGTERM (the node closes cleanly), SIGKILL after `grace` seconds or at once with `kill`
        (a crash); then remove its home."""
        if self.running():
            try:
                self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            except ProcessLookupError:
                pass
        if self.process.stdin:
            self.process.stdin.close()
        _LIVE.discard(self)
        shutil.rmtree(self.home, ignore_errors=True)


@dataclass(eq=False)
class Engine:
    """A started node or cluster: `url` (the first live node), `pids`, `stop()`, `stop_node(i)`."""

    nodes: list[NodeProcess]
    cluster_name: str
    stopped: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        for i, node in enumerate(self.nodes):
            if i not in self.stopped:
                return node.url
        raise RuntimeError("every node of this engine is stopped")

    @property
    def urls(self) -> list[str]:
        return [node.url for i, node in enumerate(self.nodes) if i not in self.stopped]

    @property
    def pids(self) -> list[int]:
        return [node.pid for node in self.nodes]

    def rss_kib(self) -> list[int | None]:
        return [rss_kib(node.pid) for node in self.nodes]

    def stop_node(self, index: int, kill: bool = False) -> None:
        """Stop one node, cleanly or (`kill`) as a crash; the others go on, e.g. to test failover."""
        self.nodes[index].stop(kill=kill)
        self.stopped.add(index)

    def stop(self) -> None:
        for i in range(len(self.nodes)):
            self.stop_node(i)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _jvm_command(java: str, heap: str, home: Path) -> list[str]:
    major = java_major(java) or MIN_JAVA
    return [
        java, f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
        "-XX:-OmitStackTraceInFastThrow", "-Xss1m", "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
        # OpenSearch's ISO week rules come through the SPI locale provider (COMPAT is gone in Java 23)
        "-Djava.locale.providers=" + ("SPI,COMPAT" if major < 23 else "SPI,CLDR"),
        "-Dlog4j2.disable.jmx=true", "-Dlog4j.shutdownHookEnabled=false",
        f"-Djava.io.tmpdir={home / 'tmp'}", "-Dlensmirror.exitOnStdinEof=true",
        "-cp", f"{BUILD / 'classes'}{os.pathsep}{BUILD / 'lib'}{os.sep}*", "lensmirror.EngineNode",
    ]


_counter = 0


def _launch(java: str, name: str, heap: str, settings: dict[str, str]) -> NodeProcess:
    home = Path(tempfile.mkdtemp(prefix=f"lens-mirror-opensearch-{name}-"))
    (home / "tmp").mkdir()
    all_settings = {
        "path.home": str(home), "node.name": name, "network.host": "127.0.0.1",
        "http.port": str(free_port()), "transport.port": str(free_port()),
        # the tests' disks may be fuller than production watermarks like
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        **settings,
    }
    http_port, transport_port = int(all_settings["http.port"]), int(all_settings["transport.port"])
    log_path = home / "node.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*_jvm_command(java, heap, home), *(f"{k}={v}" for k, v in all_settings.items())],
            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=home, start_new_session=True)
    node = NodeProcess(name, http_port, transport_port, home, process, log_path)
    _LIVE.add(node)
    return node


def _wait_healthy(engine: Engine, nodes: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    with httpx.Client(timeout=10) as client:
        while True:
            for node in engine.nodes:
                if not node.running():
                    raise RuntimeError(f"OpenSearch node {node.name} (pid {node.pid}) exited with "
                                       f"{node.process.returncode} before the cluster was healthy; its log ends:\n"
                                       f"{node.log_tail()}")
            try:
                response = client.get(f"{engine.nodes[0].url}/_cluster/health",
                                      params={"wait_for_status": "yellow", "wait_for_nodes": str(nodes),
                                              "timeout": "2s"})
                last = f"{response.status_code} {response.text[:300]}"
                health = response.json() if response.status_code in (200, 408) else {}
                if health.get("cluster_name") not in (None, engine.cluster_name):
                    # someone else's node on the port we picked (a race for a free port)
                    raise RuntimeError(f"port {engine.nodes[0].http_port} answers for cluster "
                                       f"{health.get('cluster_name')!r}, not ours ({engine.cluster_name!r}): "
                                       "BindException")
                if response.status_code == 200 and not health.get("timed_out"):
                    return
            except httpx.HTTPError as exc:
                last = repr(exc)
                time.sleep(0.25)
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {n.name} (pid {n.pid}) log ends:\n{n.log_tail()}" for n in engine.nodes)
                raise TimeoutError(f"OpenSearch was not healthy within {timeout:.0f}s (last: {last})\n{logs}")


def _start(count: int, heap: str, timeout: float, settings: dict[str, str] | None, attempts: int = 3) -> Engine:
    global _counter
    java = java_command()
    if java is None:
        raise RuntimeError(f"no `java` found: {ENABLE_HINT}")
    if not is_built():
        build()
    for attempt in range(attempts):
        _counter += 1
        cluster_name = f"lens-mirror-{os.getpid()}-{_counter}"  # never joins another session's nodes
        names = [f"node-{i}" for i in range(count)]
        base = {"cluster.name": cluster_name, **(settings or {})}
        if count == 1:
            nodes = [_launch(java, names[0], heap, base)]
        else:
            transport_ports = [free_port() for _ in names]
            seeds = ",".join(f"127.0.0.1:{p}" for p in transport_ports)
            nodes = [_launch(java, name, heap, {**base, "transport.port": str(port), "discovery.seed_hosts": seeds,
                                                "cluster.initial_cluster_manager_nodes": ",".join(names)})
                     for name, port in zip(names, transport_ports, strict=True)]
        engine = Engine(nodes, cluster_name)
        try:
            _wait_healthy(engine, count, timeout)
            return engine
        except BaseException as exc:
            bind_race = isinstance(exc, Exception) and (
                "BindException" in str(exc) or any("BindException" in n.log_tail(200) for n in nodes))
            engine.stop()
            if not bind_race or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def start_node(heap: str = "1g", timeout: float = 180, settings: dict[str, str] | None = None) -> Engine:
    """One single-node OpenSearch cluster on a free loopback port; returns once it is at least yellow."""
    return _start(1, heap, timeout, settings)


def start_cluster(count: int = 3, heap: str = "512m", timeout: float = 240,
                  settings: dict[str, str] | None = None) -> Engine:
    """`count` nodes (one JVM each, so `stop_node(i)` kills one PID) forming one cluster on loopback."""
    return _start(count, heap, timeout, settings)


@atexit.register
def stop_all() -> None:
    """Stop every node this process started and has not stopped: no node outlives it."""
    for node in list(_LIVE):
        try:
            node.stop(grace=10)
        except BaseException:  # interrupted or failed: no more grace
            try:
                node.process.kill()
            except OSError:
                pass
            _LIVE.discard(node)
            shutil.rmtree(node.home, ignore_errors=True)
