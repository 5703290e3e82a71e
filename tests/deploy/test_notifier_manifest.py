"""deploy/k8s/notifier.yml: the notifier runs as its own Deployment with more than one replica (the outbox
makes that safe), with the store and channel credentials from the Secret, never written in the repo."""
from __future__ import annotations

from tests.deploy.test_manifests import DOCS, workload_container


def test_the_notifier_runs_python_m_bot_notify_with_several_replicas():
    deployment = DOCS["notifier.yml:Deployment/notifier"]
    assert deployment["spec"]["replicas"] >= 2
    container = workload_container("notifier")
    assert container["command"][-3:] == ["-m", "bot", "notify"]
    secrets = {v["name"]: v["valueFrom"]["secretKeyRef"]["key"] for v in container["env"] if "valueFrom" in v}
    assert {"DATABASE_URL", "RASA_API_TOKEN", "WECHAT_APP_SECRET"} <= set(secrets)
    assert {"configMapRef": {"name": "enrollment-config"}} in container["envFrom"]
