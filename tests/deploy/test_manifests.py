"""deploy/: the Kubernetes manifests against the Kubernetes JSON schemas, offline, and the routing rules.

The schemas are the files bundled in the `kubernetes-validate` package (strict: unknown fields are
errors); they are read with the project's jsonschema 4.17 directly, because that package's own code
needs a newer jsonschema than Rasa allows (so the package is never imported).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
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


def documents() -> list[tuple[str, dict]]:
    return [(f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc)
            for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


DOCS = dict(documents())


@lru_cache(maxsize=None)
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
    assert container["readinessProbe"]["exec"]["command"][-2:] == ["-m", "bot.readiness"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/"


def test_no_secret_values_in_the_repository():
    assert not [d for d in DOCS.values() if d["kind"] == "Secret"]
    secret_names = {"RASA_API_TOKEN", "ACTION_SERVER_SECRET", "TRACKER_DB_PASSWORD", "REDIS_PASSWORD",
                    "DATABASE_URL", "ID_ENCRYPTION_KEY", "ID_HASH_KEY", "WECHAT_TOKEN", "WECHAT_APP_SECRET",
                    "WECHAT_AES_KEY"}
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
