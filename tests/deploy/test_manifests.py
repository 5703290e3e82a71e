"""deploy/: the Kubernetes manifests against the Kubernetes JSON schemas, offline, and the routing rules.

The schemas are the files bundled in the `kubernetes-validate` package (strict: unknown fields are
errors); they are read with the project's jsonschema 4.17 directly, because that package's own code
needs a newer jsonschema than Rasa allows (so the package is never imported).
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import importlib.util
import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yml"))
# Located without importing the package (its __init__ needs the newer jsonschema).
PACKAGE = Path(importlib.util.find_spec("kubernetes_validate").submodule_search_locations[0])
SCHEMAS = PACKAGE / "kubernetes-json-schema" / "v1.33.0-local-strict"
NGINX = (DEPLOY / "nginx" / "rasa.conf").read_text()
SECRET_NAMES = {"RASA_API_TOKEN", "ACTION_SERVER_SECRET", "TRACKER_DB_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD", "DATABASE_URL",
                "ID_ENCRYPTION_KEY", "ID_HASH_KEY", "WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_AES_KEY",
                "WEBCHAT_SESSION_KEY", "REST_INTEGRATOR_KEYS"}


def documents() -> list[tuple[str, dict]]:
    return [(f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc)
            for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


DOCS = dict(documents())


@cache
def validator(kind: str, api_version: str) -> jsonschema.Draft202012Validator:
    group, _, version = api_version.rpartition("/")
    name = f"{kind.lower()}-{group.split('.')[0] + '-' if group else ''}{version}.json"
    schema = json.loads((SCHEMAS / name).read_text())
    definitions = json.loads((SCHEMAS / "_definitions.json").read_text())
    resolver = jsonschema.RefResolver.from_schema(schema, store={definitions["$id"]: definitions})
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def containers(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"] if doc["kind"] in ("Deployment", "StatefulSet") else []


def test_the_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yml").read_text())
    assert sorted(kustomization["resources"]) == sorted(f"k8s/{p.name}" for p in MANIFESTS)


@pytest.mark.parametrize("name", sorted(DOCS))
def test_manifest_matches_the_kubernetes_schema(name):
    doc = DOCS[name]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator(doc["kind"], doc["apiVersion"]).iter_errors(doc)]
    assert not errors, errors


def test_the_validator_catches_mistakes():
    broken = json.loads(json.dumps(DOCS["actions.yml:Deployment/actions"]))
    broken["spec"]["replicas"] = "two"
    broken["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    assert len(list(validator("Deployment", "apps/v1").iter_errors(broken))) == 2


def workload_container(name: str) -> dict:
    [workload] = [d for d in DOCS.values() if d["kind"] in ("Deployment", "StatefulSet")
                  and d["metadata"]["name"] == name]
    [container] = containers(workload)
    return container


@pytest.mark.parametrize("name, path", [("actions", "/health"), ("console", "/health")])
def test_every_service_has_probes_on_its_health_endpoint(name, path):
    container = workload_container(name)
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == path


def test_a_rasa_replica_takes_traffic_only_with_a_model_loaded():
    container = workload_container("rasa")
    assert container["readinessProbe"]["exec"]["command"][-3:] == ["-m", "bot.ops.readiness", "http://127.0.0.1:5005"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/"


def test_no_secret_values_in_the_repository():
    assert not [d for d in DOCS.values() if d["kind"] == "Secret"]
    secret_names = SECRET_NAMES
    config = DOCS["config.yml:ConfigMap/enrollment-config"]["data"]
    assert not secret_names & set(config)
    for doc in DOCS.values():
        for container in containers(doc):
            for var in container.get("env", []):
                if var["name"] in secret_names:
                    assert var["valueFrom"]["secretKeyRef"]["name"] == "enrollment-secrets", var


def test_rasa_and_the_action_server_share_the_secret_and_production_endpoints():
    config = DOCS["config.yml:ConfigMap/enrollment-config"]["data"]
    assert config["RASA_ENDPOINTS"] == "endpoints.production.yml"
    for name in ("rasa.yml:StatefulSet/rasa", "actions.yml:Deployment/actions"):
        [container] = containers(DOCS[name])
        assert "ACTION_SERVER_SECRET" in {v["name"] for v in container["env"]}
    production = (ROOT / "endpoints.production.yml").read_text()
    rasa_env = set(config) | {v["name"] for v in containers(DOCS["rasa.yml:StatefulSet/rasa"])[0]["env"]}
    assert set(re.findall(r"^\s+\w[\w-]*: \$\{(\w+)\}", production, re.M)) <= rasa_env


def test_nginx_hashes_each_sender_onto_the_statefulset_pods():
    assert re.search(r"^\s*hash \$sticky_key consistent;", NGINX, re.M)
    rasa = DOCS["rasa.yml:StatefulSet/rasa"]
    headless = DOCS[f"rasa.yml:Service/{rasa['spec']['serviceName']}"]
    assert headless["spec"]["clusterIP"] == "None"
    servers = re.findall(r"^\s*server (rasa-\d+)\.rasa-headless\.enrollment\.svc\.cluster\.local:5005", NGINX, re.M)
    assert servers == [f"rasa-{i}" for i in range(rasa["spec"]["replicas"])]
    for key in ("$arg_openid", "$http_x_sender_id", "$arg_sender", "/conversations/", "$remote_addr"):
        assert key in NGINX


WORKLOADS = {name: doc for name, doc in DOCS.items() if doc["kind"] in ("Deployment", "StatefulSet")}


def pod_spec(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]


def labels_of(name: str) -> dict:
    [workload] = [d for d in WORKLOADS.values() if d["metadata"]["name"] == name]
    return workload["spec"]["template"]["metadata"]["labels"]


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_every_workload_runs_as_non_root_on_a_read_only_root_with_limits(name):
    spec = pod_spec(WORKLOADS[name])
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] > 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])  # the only writable place


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_every_image_is_pinned(name):
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yml").read_text())
    pinned = {image["name"]: image["newTag"] for image in kustomization["images"]}
    for container in pod_spec(WORKLOADS[name])["containers"]:
        image, _, tag = container["image"].partition(":")
        assert re.fullmatch(r"\d[\w.-]*", tag), container["image"]  # a version, never latest or none
        if image in pinned:
            assert pinned[image] == tag


def test_no_secret_is_on_a_command_line():
    for doc in WORKLOADS.values():
        for container in pod_spec(doc)["containers"]:
            command = " ".join(container.get("command", []) + container.get("args", []))
            assert "--auth-token" not in command and "--jwt-secret" not in command and "$" not in command


def test_nothing_is_exposed_but_through_the_tls_ingress():
    services = [d for d in DOCS.values() if d["kind"] == "Service"]
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in services)
    ingresses = [d for d in DOCS.values() if d["kind"] == "Ingress"]
    backends = set()
    for ingress in ingresses:
        tls_hosts = {h for t in ingress["spec"]["tls"] for h in t["hosts"]}
        for rule in ingress["spec"]["rules"]:
            assert rule["host"] in tls_hosts
            backends |= {(p["backend"]["service"]["name"], p["backend"]["service"]["port"]["name"])
                         for p in rule["http"]["paths"]}
    assert backends == {("chat", "public"), ("console", "http")}  # never nginx's internal port or Rasa
    [chat] = [s for s in services if s["metadata"]["name"] == "chat"]
    nginx = workload_container("nginx")
    public = {p["name"]: p["containerPort"] for p in nginx["ports"]}["public"]
    assert [p["targetPort"] for p in chat["spec"]["ports"]] == ["public"] and public == 8080
    assert re.search(r"listen 8080;[^}]*include conf.d/public.locations;", NGINX, re.S)


def allowed_sources(target: str, port: int) -> list[dict]:
    """The `from` entries of the NetworkPolicies that select `target`'s pods and open `port`."""
    labels = labels_of(target)
    sources = []
    for policy in (d for d in DOCS.values() if d["kind"] == "NetworkPolicy"):
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        if not selector.items() <= labels.items():
            continue
        for rule in policy["spec"].get("ingress", []):
            if any(p["port"] == port for p in rule.get("ports", [])):
                sources += rule["from"]
    return sources


def test_ingress_is_denied_unless_a_policy_allows_it():
    [deny] = [d for d in DOCS.values() if d["kind"] == "NetworkPolicy" and d["spec"]["podSelector"] == {}]
    assert deny["spec"]["policyTypes"] == ["Ingress"] and "ingress" not in deny["spec"]


MONITORING = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}


def test_only_nginx_reaches_rasa_and_only_rasa_reaches_the_action_server():
    """Besides Prometheus (the monitoring namespace), which scrapes their /metrics on the same ports."""
    assert allowed_sources("rasa", 5005) == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "nginx"}}},
                                             MONITORING]
    assert allowed_sources("actions", 5055) == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rasa"}}},
                                                MONITORING]
    internal = allowed_sources("nginx", 8081)
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "console"}}} in internal
    assert all("podSelector" in source for source in internal)  # never a whole namespace or the world
    assert all("namespaceSelector" in s and "podSelector" not in s for s in allowed_sources("nginx", 8080))


def test_the_dockerfile_builds_the_image_the_manifests_run():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", dockerfile, re.M)
    assert len(stages) >= 3, "multi-stage"
    bases = dict(re.findall(r"^ARG (\w+_IMAGE)=(\S+)", dockerfile, re.M))
    assert bases and all(re.search(r":\d+\.\d+\.\d+", image) for image in bases.values()), bases
    runtime = dockerfile[dockerfile.rindex("\nFROM "):]
    assert re.search(r"^USER 10001:10001$", runtime, re.M)  # what the pods' runAsUser says
    assert "--from=model /app/models" in runtime and "web/node_modules" in runtime
    assert all(pod_spec(WORKLOADS[n])["securityContext"]["runAsUser"] == 10001
               for n in WORKLOADS if "enrollment-assistant" in containers(WORKLOADS[n])[0]["image"])
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", "models"} <= set(ignored)  # no local data or keys in the image


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_every_service_of_the_enrollment_store_migrates_it_before_it_starts(name):
    spec = pod_spec(WORKLOADS[name])
    uses_store = any(variable["name"] == "DATABASE_URL" for container in spec["containers"]
                     for variable in container.get("env", []))
    if not uses_store:
        return
    (migrate,) = spec["initContainers"]
    assert migrate["command"][1:5] == ["-m", "bot", "db", "upgrade"]  # locked: safe when all start at once
    assert migrate["image"] == spec["containers"][0]["image"]
    assert migrate["securityContext"]["readOnlyRootFilesystem"] is True


SCRAPED = {"rasa": 5005, "actions": 5055, "console": 5090, "notifier": 5091}


@pytest.mark.parametrize("name, port", sorted(SCRAPED.items()))
def test_prometheus_scrapes_every_service_from_the_monitoring_namespace_only(name, port):
    [workload] = [d for d in WORKLOADS.values() if d["metadata"]["name"] == name]
    annotations = workload["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                           "prometheus.io/path": "/metrics"}
    [container] = containers(workload)
    assert port in {p["containerPort"] for p in container["ports"]}
    assert MONITORING in allowed_sources(name, port)
    if name in ("console", "notifier"):  # a port of their own: Prometheus is all that reaches it
        assert allowed_sources(name, port) == [MONITORING]
        config = DOCS["config.yml:ConfigMap/enrollment-config"]["data"]
        assert config[f"{'CONSOLE' if name == 'console' else 'NOTIFY'}_METRICS_PORT"] == str(port)
        assert config["METRICS_HOST"] == "0.0.0.0"
    # the console's public port (the Ingress's) is not the metrics port
    assert MONITORING not in allowed_sources("console", 5080)
