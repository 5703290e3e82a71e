"""The scaled-out assistant on this machine, as the scale test and the replica tests start it: its own
PostgreSQL database and Redis database number, the router (nginx), action servers and Rasa replicas
started with the launcher's own commands and endpoints.production.yml, all children of this process."""
from __future__ import annotations

import secrets
import shutil
import socket
import tarfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bench.conversations import free_port, post_message
from bench.scale.router import nginx_binary, router_config
from bot.ops import launcher, readiness
from bot.ops.launcher import Service

DB_NAME = "enrollment_scale"
POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13
RASA_PORTS, ACTION_PORTS, ROUTER_PORT = (5105, 5106), (5155, 5156), 8180
REST_INTEGRATOR = "scale"
# How long the replicas may take to load the model (the launcher allows 240 s). Start-up is not what this
# test measures, and on a 2-core machine shared with other work (other Rasa servers, a training; load
# average 13) a replica was seen still loading its model after 8 minutes; in CI it takes about one.
STARTUP_TIMEOUT_S = 900


@dataclass
class Cluster:
    """What is running: the router's two servers, the replicas (by name), every child to stop."""

    scratch: Path
    env: dict
    database_url: str
    public: str = ""        # the router's public server: web chat, WeChat
    router: str = ""        # its internal one: REST and the HTTP API
    rasa_ports: list = field(default_factory=list)
    replicas: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def logs(self) -> Path:
        return self.scratch / "logs"

    @property
    def rest_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.env['REST_INTEGRATOR_KEYS'].split(':', 1)[1]}"}


def scratch_folder(prefix: str = "rasa-scale-") -> Path:
    """A private scratch folder with the folders nginx and the services write into."""
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    for folder in ("logs", "data", *(f"nginx-temp/{d}" for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"))):
        (scratch / folder).mkdir(parents=True)
    return scratch


def start(service: Service, env: dict, logs: Path) -> Service:
    """Start a launcher Service the launcher's way, its output in logs/<name>.log."""
    launcher.start(service, env, logs)
    print(f"  started {service.name} (pid {service.process.pid})", flush=True)
    return service


def port_or_free(port: int) -> int:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            return free_port()


def reset_databases(db_name: str = DB_NAME, redis_db: int = REDIS_DB) -> str:
    """Drop and create the run's own PostgreSQL database and flush its Redis database number; the
    enrollment schema is migrated in. Returns the enrollment store's URL."""
    import psycopg2
    import redis

    from bot.store.migrations import upgrade_schema

    connection = psycopg2.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER,
                                  dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{db_name}"')
    connection.close()
    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_db).flushdb()
    url = f"postgresql+psycopg2://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{db_name}"
    upgrade_schema(url)
    return url


def snapshot_model(model: Path, scratch: Path) -> Path:
    """A copy of the trained model, read through once: every replica loads the same, whole file even
    when a training rewrites models/ meanwhile (a replica that read a half-written model starts anyway,
    with no agent, and answers every message with nothing)."""
    copy = scratch / model.name
    shutil.copyfile(model, copy)
    with tarfile.open(copy) as archive:
        for member in archive:
            if member.isfile():
                archive.extractfile(member).read()
    return copy


def check_models_loaded(rasa_ports: list[int], token: str) -> None:
    """Each replica serves a model (what the Kubernetes readiness probe asks, bot/ops/readiness.py)."""
    for port in rasa_ports:
        ready, why = readiness.check(f"http://127.0.0.1:{port}", token, timeout_s=30)
        if not ready:
            raise RuntimeError(f"the Rasa replica on port {port} serves no model: {why}")


def wait_for_tracker_table(child: Service, db_name: str = DB_NAME, timeout_s: float = 240) -> None:
    """Until the first replica has created Rasa's `events` table: two replicas creating it at once can
    collide in PostgreSQL's catalog, so the second one starts after."""
    import psycopg2

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} stopped while starting; see its log in the scratch folder")
        try:
            with psycopg2.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER,
                                  dbname=db_name) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass('public.events')")
                if cursor.fetchone()[0]:
                    return
        except psycopg2.Error:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{child.name} did not create the tracker table within {timeout_s:.0f}s")


def environment(scratch: Path, database_url: str, actions_url: str, db_name: str = DB_NAME,
                redis_db: int = REDIS_DB) -> dict:
    """The production settings of every child: fresh secrets, the run's own databases."""
    from cryptography.fernet import Fernet

    return {
        "RASA_ENDPOINTS": "endpoints.production.yml",
        "TRACKER_DB_HOST": POSTGRES_HOST, "TRACKER_DB_PORT": str(POSTGRES_PORT), "TRACKER_DB_NAME": db_name,
        "TRACKER_DB_USER": POSTGRES_USER, "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT), "REDIS_DB": str(redis_db),
        "REDIS_PASSWORD": "",
        # The production event broker (the insight consumer's source): the local RabbitMQ, a queue of the run's own.
        "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": "guest",
        "RABBITMQ_PASSWORD": "guest", "RABBITMQ_QUEUE": f"{db_name}_events",
        "DATABASE_URL": database_url,
        "ACTION_ENDPOINT_URL": actions_url,
        # Hex: a value starting with "-" would read as an option on the `rasa run` command line.
        "RASA_API_TOKEN": secrets.token_hex(32),
        "REST_INTEGRATOR_KEYS": f"{REST_INTEGRATOR}:{secrets.token_urlsafe(32)}",
        "WEBCHAT_SESSION_KEY": secrets.token_hex(32),
        "ACTION_SERVER_SECRET": secrets.token_urlsafe(32),
        "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ID_HASH_KEY": secrets.token_urlsafe(32),
        "CONVERSATION_SEAL_KEY": Fernet.generate_key().decode(),
        "DATA_DIR": str(scratch / "data"),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "LOG_LEVEL": "WARNING",
    }


def start_cluster(scratch: Path, replicas: int = 2, db_name: str = DB_NAME, redis_db: int = REDIS_DB,
                  ports: tuple = (RASA_PORTS, ACTION_PORTS, ROUTER_PORT), extra_env: Optional[dict] = None
                  ) -> Cluster:
    """Databases reset, the router, one action server per replica, the replicas (the first alone until
    it has created the tracker table), every replica serving a model; `extra_env` added to every
    child's settings (the fake WeChat API's). The caller stops cluster.children (launcher.stop); when
    this raises, what it started is stopped already."""
    import os

    rasa_ports = [port_or_free(p) for p in list(ports[0])[:replicas]]
    action_ports = [port_or_free(p) for p in list(ports[1])[:replicas]]
    public_port, actions_port, internal_port = (port_or_free(ports[2] + n) for n in range(3))
    print(f"PostgreSQL database {db_name} (dropped, created, migrated), Redis db {redis_db} (flushed)", flush=True)
    database_url = reset_databases(db_name, redis_db)
    env = environment(scratch, database_url, f"http://127.0.0.1:{actions_port}/webhook", db_name, redis_db)
    env.update(extra_env or {})
    os.environ.update(env)  # the launcher's commands and child_environment read them
    cluster = Cluster(scratch, env, database_url, f"http://127.0.0.1:{public_port}",
                      f"http://127.0.0.1:{internal_port}", rasa_ports)
    conf = scratch / "nginx.conf"
    conf.write_text(router_config(scratch, public_port, internal_port, rasa_ports, actions_port, action_ports))
    nginx = Service("router (nginx)", [nginx_binary(), "-p", str(scratch), "-c", str(conf)],
                    f"{cluster.public}/nginx-health")
    try:
        cluster.children.append(start(nginx, dict(os.environ), cluster.logs))
        launcher.wait_until_ready([nginx])
        start_services(cluster, rasa_ports, action_ports, db_name)
    except BaseException:
        launcher.stop(cluster.children)
        raise
    return cluster


def start_services(cluster: Cluster, rasa_ports: list[int], action_ports: list[int], db_name: str) -> None:
    for n, (rasa_port, action_port) in enumerate(zip(rasa_ports, action_ports), start=1):
        env = launcher.child_environment(rasa_port, action_port)
        action, rasa = launcher.services(rasa_port, action_port)
        action.name, rasa.name = f"action server {n}", f"rasa replica {n}"
        cluster.children.append(start(action, env, cluster.logs))
        cluster.replicas.append((rasa, env))
    for n, (rasa, env) in enumerate(cluster.replicas):
        cluster.children.append(start(rasa, env, cluster.logs))
        if n == 0:
            wait_for_tracker_table(rasa, db_name)
    launcher.wait_until_ready(cluster.children, STARTUP_TIMEOUT_S)
    check_models_loaded(rasa_ports, cluster.env["RASA_API_TOKEN"])


async def warm_up(rasa_ports: list[int], headers: dict) -> None:
    """One message in each language straight to each replica, so the first measured turns do not pay
    for building the model's graphs; these senders enroll nobody."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        for port in rasa_ports:
            for text in ("你好", "hello"):
                await post_message(session, f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                   f"warm-up-{port}-{uuid.uuid4().hex[:6]}", text, timeout_s=120,
                                   headers=headers)
