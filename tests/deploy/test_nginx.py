"""deploy/nginx with Debian's nginx: the production config and the scale test's router both pass `nginx -t`
with the one shared sticky-maps.conf, and the router keeps a sender on one replica, sends the HTTP API's
/conversations/<sender>/ paths to that replica too, and moves a stopped replica's senders to the other.

Skipped when nginx is not installed, unless REQUIRE_NGINX is set (scripts/setup-nginx.sh installs it).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from bench.conversations import free_port
from bench.scale.router import replica_for, router_config

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(
    NGINX is None and not os.environ.get("REQUIRE_NGINX"),
    reason="nginx is not installed (scripts/setup-nginx.sh); set REQUIRE_NGINX=1 to make this a failure")


def nginx_test(prefix: Path, conf: Path) -> subprocess.CompletedProcess:
    assert NGINX, "REQUIRE_NGINX is set but nginx is not installed: run scripts/setup-nginx.sh"
    return subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)


def scratch(tmp_path: Path) -> Path:
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "nginx-temp" / folder).mkdir(parents=True, exist_ok=True)
    return tmp_path


def configmap_files() -> dict[str, Path]:
    """What deploy/kustomization.yml puts into the nginx ConfigMap (mounted as /etc/nginx/conf.d/)."""
    kustomization = yaml.safe_load((ROOT / "deploy" / "kustomization.yml").read_text())
    [generator] = [g for g in kustomization["configMapGenerator"] if g["name"] == "nginx-rasa"]
    return {key: ROOT / "deploy" / path for key, path in (f.split("=", 1) for f in generator["files"])}


def production_as_the_image_loads_it(prefix: Path, public_port: int = 8080, internal_port: int = 8081,
                                     replicas: tuple[int, int, int] = (5005, 5006, 5007)) -> Path:
    """The production config in `prefix`: conf.d/ holds what the ConfigMap holds, nginx.conf includes
    conf.d/*.conf as the nginx image's does. Debian's nginx 1.22 has no `resolve` and cannot look up the
    cluster's names offline, so those are swapped for loopback replicas; the ports and the log path are
    moved into reach of a non-root test. Nothing else changes."""
    conf_d = prefix / "conf.d"
    conf_d.mkdir(exist_ok=True)
    for key, source in configmap_files().items():
        text = source.read_text()
        if key == "rasa.conf":
            text = re.sub(r"^resolver .*$", "", text, flags=re.M)
            text = re.sub(r"rasa-(\d)\.rasa-headless\.enrollment\.svc\.cluster\.local:5005 resolve;",
                          lambda m: f"127.0.0.1:{replicas[int(m.group(1))]};", text)
            assert text.count("127.0.0.1:") == 3 and " resolve;" not in text
            text = text.replace("listen 8080;", f"listen 127.0.0.1:{public_port};")
            text = text.replace("listen 8081;", f"listen 127.0.0.1:{internal_port};")
            text = text.replace("/var/log/nginx/access.log", str(prefix / "access.log"))
        (conf_d / key).write_text(text)
    conf = prefix / "nginx.conf"
    temp = prefix / "nginx-temp"
    conf.write_text(f"""pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
daemon off;
events {{}}
http {{
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
    include {conf_d}/*.conf;
}}
""")
    return conf


def test_the_configmap_carries_every_file_of_the_edge():
    assert set(configmap_files()) == {"rasa.conf", "sticky-maps.conf", "edge.conf", "public.locations",
                                      "internal.locations"}
    for key, source in configmap_files().items():
        assert source.name == key and source.exists()


def test_the_production_config_passes_nginx_t_as_the_image_loads_it(tmp_path):
    checked = nginx_test(scratch(tmp_path), production_as_the_image_loads_it(tmp_path))
    assert checked.returncode == 0, checked.stderr


def test_no_access_log_format_of_the_edge_writes_query_strings():
    formats = re.findall(r"^\s*log_format\s[^;]*;", (ROOT / "deploy" / "nginx" / "edge.conf").read_text(), re.M | re.S)
    assert len(formats) == 1
    for variable in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_"):
        assert variable not in formats[0]
    assert re.findall(r"access_log \S+ (\w+);", (ROOT / "deploy" / "nginx" / "rasa.conf").read_text()) == \
        ["edge", "edge"]


def test_without_the_shared_maps_the_production_config_is_refused(tmp_path):
    prefix = scratch(tmp_path)
    conf = production_as_the_image_loads_it(prefix)
    (prefix / "conf.d" / "sticky-maps.conf").unlink()
    checked = nginx_test(prefix, conf)
    assert checked.returncode != 0 and "sticky_key" in checked.stderr


def test_the_scale_test_router_config_passes_nginx_t(tmp_path):
    prefix = scratch(tmp_path)
    conf = prefix / "nginx.conf"
    conf.write_text(router_config(prefix, free_port(), free_port(), [free_port(), free_port()], free_port(),
                                  [free_port(), free_port()]))
    assert f"include {prefix / 'conf.d'}/sticky-maps.conf;" in conf.read_text()
    for name in ("public.locations", "internal.locations", "edge.conf"):
        assert (prefix / "conf.d" / name).read_text() == (ROOT / "deploy" / "nginx" / name).read_text()
    checked = nginx_test(prefix, conf)
    assert checked.returncode == 0, checked.stderr


class Replica(BaseHTTPRequestHandler):
    """Answers every request with the port it listens on, the path and the headers it was given."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"port": self.server.server_address[1], "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):  # quiet
        pass


def serve(port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), Replica)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def started_nginx(prefix: Path, conf: Path, health: str) -> subprocess.Popen:
    assert NGINX, "REQUIRE_NGINX is set but nginx is not installed: run scripts/setup-nginx.sh"
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(health, timeout=1).close()
            return nginx
        except (urllib.error.URLError, OSError):
            assert time.monotonic() < deadline and nginx.poll() is None, "nginx did not start"
            time.sleep(0.1)


def replica_of(router: str, sender: str, via: str = "header") -> int:
    if via == "header":
        request = urllib.request.Request(f"{router}/webhooks/rest/webhook", method="POST",
                                         data=json.dumps({"sender": sender, "message": "hi"}).encode(),
                                         headers={"Content-Type": "application/json", "X-Sender-Id": sender})
    elif via == "rest-path":
        request = urllib.request.Request(f"{router}/conversations/rest:partner:{sender}/tracker")
    else:
        request = urllib.request.Request(f"{router}/conversations/{sender}/tracker")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())["port"]


def test_the_router_is_sticky_per_sender_and_moves_a_stopped_replicas_senders(tmp_path):
    prefix = scratch(tmp_path)
    ports = [free_port(), free_port()]
    servers = {port: serve(port) for port in ports}
    public_port, internal_port = free_port(), free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(router_config(prefix, public_port, internal_port, ports, free_port(), [free_port()]))
    router = f"http://127.0.0.1:{internal_port}"
    nginx = started_nginx(prefix, conf, f"{router}/nginx-health")
    try:
        senders = [f"sender-{n}" for n in range(40)]
        placed = {s: replica_of(router, s) for s in senders}
        assert set(placed.values()) == set(ports)  # both replicas get senders
        # The scale test places its families with nginx's own ring, computed (bench/scale/router.py).
        assert placed == {s: replica_for(s, ports) for s in senders}
        for sender in senders[:10]:  # the same replica every time, for REST and for the HTTP API
            assert {replica_of(router, sender) for _ in range(3)} == {placed[sender]}
            assert replica_of(router, sender, via="path") == placed[sender]
            assert replica_of(router, sender, via="rest-path") == placed[sender]  # rest:<integrator>:<sender>

        stopped, survivor = ports
        servers[stopped].shutdown()
        servers[stopped].server_close()  # connections to it are now refused
        for sender in senders:
            assert replica_of(router, sender) == survivor, sender
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in servers.values():
            server.server_close()


class Edge:
    """nginx with the production config in front of three stub replicas."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.replicas = [serve(free_port()) for _ in range(3)]
        self.public_port, self.internal_port = free_port(), free_port()
        conf = production_as_the_image_loads_it(
            scratch(prefix), self.public_port, self.internal_port,
            tuple(r.server_address[1] for r in self.replicas))
        self.public = f"http://127.0.0.1:{self.public_port}"
        self.internal = f"http://127.0.0.1:{self.internal_port}"
        self.nginx = started_nginx(prefix, conf, f"{self.public}/nginx-health")

    def call(self, url: str, method: str = "GET", body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, {}

    def close(self) -> None:
        self.nginx.terminate()
        self.nginx.wait(timeout=10)
        for replica in self.replicas:
            replica.shutdown()
            replica.server_close()


@pytest.fixture
def edge(tmp_path):
    running = Edge(tmp_path)
    yield running
    running.close()


@pytest.mark.parametrize("method, path", [
    ("GET", "/conversations/wx:o6_bmjrPTlm6/tracker"),           # every transcript
    ("POST", "/conversations/web:abc/tracker/events"),           # writing into a conversation
    ("PUT", "/model"),                                           # replacing the model
    ("GET", "/status"), ("GET", "/version"), ("GET", "/"),
    ("POST", "/webhooks/rest/webhook"),                          # REST: internal only
    ("POST", "/webhooks/callback/webhook"),
    ("GET", "/webhooks/wechat/webhook/../../conversations/x/tracker"),
])
def test_the_public_server_refuses_everything_but_the_chat_and_wechat(edge, method, path):
    status, _ = edge.call(edge.public + path, method, b"{}" if method != "GET" else None)
    assert status == 404


def test_the_public_server_serves_the_web_chat_and_the_wechat_webhook(edge):
    for path, method in (("/webhooks/webchat/", "GET"), ("/webhooks/webchat/static/embed.js", "GET"),
                         ("/socket.io/?EIO=4&transport=polling", "GET"),
                         ("/socket.io/?EIO=4&transport=polling&sid=x", "POST"),
                         ("/webhooks/wechat/webhook?signature=s&timestamp=1&nonce=n", "GET"),
                         ("/webhooks/wechat/webhook?signature=s&timestamp=1&nonce=n&openid=o", "POST")):
        status, seen = edge.call(edge.public + path, method, b"<xml/>" if method == "POST" else None,
                                 {"X-Forwarded-Proto": "https", "Host": "chat.example.org"})
        assert status == 200, path
        assert seen["path"] == path  # unchanged, query string included, for Rasa to check
        assert seen["headers"]["host"] == "chat.example.org"
    # The web chat's same-origin check needs the scheme the browser used: the Ingress's, else nginx's own.
    _, page = edge.call(edge.public + "/socket.io/?EIO=4", headers={"X-Forwarded-Proto": "https"})
    assert page["headers"]["x-forwarded-proto"] == "https"
    _, page = edge.call(edge.public + "/socket.io/?EIO=4")
    assert page["headers"]["x-forwarded-proto"] == "http"


def test_every_path_of_one_sender_lands_on_one_replica(edge):
    """WeChat pushes (?openid=) and the console's API calls about wx:<openid>; a web chat's socket.io
    connection (?session=, web/embed.js) and the replies pushed to web:<session>: one key each."""
    def replica(base, path, method="GET"):
        status, seen = edge.call(base + path, method, b"<xml/>" if method == "POST" else None)
        assert status == 200, path
        return seen["port"]

    for n in range(12):
        openid, session = f"o6_user{n}", f"{n:02d}" + "ab" * 31
        pushed = replica(edge.public, f"/webhooks/wechat/webhook?signature=s&timestamp=1&nonce=n&openid={openid}",
                         "POST")
        assert replica(edge.internal, f"/conversations/wx:{openid}/tracker/events", "POST") == pushed
        assert replica(edge.internal, f"/conversations/wx:{openid}/tracker") == pushed
        socket = replica(edge.public, f"/socket.io/?EIO=4&transport=polling&session={session}")
        assert replica(edge.public, f"/socket.io/?EIO=4&transport=websocket&session={session}&sid=x") == socket
        assert replica(edge.internal, f"/conversations/web:{session}/tracker/events", "POST") == socket


def test_a_first_web_chat_visit_lands_where_every_later_request_of_its_sender_does(edge):
    """Before its first handshake a page has no session yet: it sends a route key of its own
    (?session=<16 hex digits>, web/embed.js), and the server issues the session starting with it
    (bot/channels/webchat.py). The handshake, the connection's later requests, a reload with the whole
    session id and the console's replies to web:<session> must all reach one replica, for whichever
    client address; without a route key they would follow the address instead."""
    def replica(base, path, method="GET", client="127.0.0.1"):
        status, seen = edge.call(base + path, method, b"{}" if method == "POST" else None,
                                 {"X-Forwarded-For": client})
        assert status == 200, path
        return seen["port"]

    placed = set()
    for n in range(16):
        route = secrets.token_hex(8)
        session = route + secrets.token_hex(24)  # as the server issues it: the route key, then the rest
        first = replica(edge.public, f"/socket.io/?EIO=4&transport=polling&session={route}")
        placed.add(first)
        assert replica(edge.public, f"/socket.io/?EIO=4&transport=polling&session={route}&sid=x", "POST") == first
        assert replica(edge.public, f"/socket.io/?EIO=4&transport=websocket&session={route}&sid=x") == first
        assert replica(edge.public, f"/socket.io/?EIO=4&transport=polling&session={session}",
                       client=f"10.1.{n}.7") == first  # the page reloaded, from another address
        for method, path in (("POST", "tracker/events"), ("GET", "tracker"), ("POST", "trigger_intent")):
            assert replica(edge.internal, f"/conversations/web:{session}/{path}", method) == first
        # 16 visits' 64 public requests all come from 127.0.0.1, which the edge allows 20 a second after a
        # burst of 60: on a quiet machine they took under 0.2 s and the last got 429. Paced like visits.
        time.sleep(0.06)
    assert len(placed) > 1  # senders spread over the replicas, not all on the one address's


def test_wrong_methods_and_oversized_bodies_are_refused_at_the_edge(edge):
    assert edge.call(edge.public + "/webhooks/wechat/webhook", "DELETE")[0] == 403
    assert edge.call(edge.public + "/webhooks/webchat/", "POST", b"x")[0] == 403
    assert edge.call(edge.public + "/webhooks/wechat/webhook", "POST", b"x" * 70_000)[0] == 413
    assert edge.call(edge.public + "/socket.io/?EIO=4", "POST", b"x" * 20_000)[0] == 413
    assert edge.call(edge.internal + "/webhooks/rest/webhook", "POST", b"x" * 20_000,
                     {"Content-Type": "application/json"})[0] == 413
    assert edge.call(edge.internal + "/webhooks/rest/webhook", "GET")[0] == 403


def test_the_internal_server_serves_rest_and_the_http_api_but_no_model_changes(edge):
    assert edge.call(edge.internal + "/webhooks/rest/webhook", "POST", b"{}",
                     {"Content-Type": "application/json", "Authorization": "Bearer k"})[0] == 200
    status, seen = edge.call(edge.internal + "/conversations/web:abc/tracker",
                             headers={"Authorization": "Bearer jwt"})
    assert status == 200 and seen["headers"]["authorization"] == "Bearer jwt"
    for method, path in (("PUT", "/model"), ("POST", "/model/train"), ("DELETE", "/model")):
        assert edge.call(edge.internal + path, method, b"{}")[0] == 403


def test_a_flood_from_one_address_gets_429_and_others_are_not_slowed(edge):
    statuses = [edge.call(edge.public + "/webhooks/webchat/")[0] for _ in range(120)]
    assert statuses[0] == 200 and 429 in statuses
    assert statuses.count(200) < 100
    # WeChat's own zone is separate: a web chat flood does not block WeChat's servers.
    assert edge.call(edge.public + "/webhooks/wechat/webhook?signature=s")[0] == 200


def test_access_logs_keep_no_query_string(edge):
    secret = "SIGNATURE-7f3a9c"
    edge.call(edge.public + f"/webhooks/wechat/webhook?signature={secret}&timestamp=1&nonce=n&openid=o",
              "POST", b"<xml/>")
    edge.call(edge.internal + f"/conversations/web:abc/tracker?token={secret}")
    edge.call(edge.public + f"/socket.io/?EIO=4&sid={secret}")
    edge.nginx.terminate()  # flushes the log
    edge.nginx.wait(timeout=10)
    log = (edge.prefix / "access.log").read_text()
    assert "/webhooks/wechat/webhook" in log and "/conversations/web:abc/tracker" in log
    assert secret not in log and "?" not in log


def test_no_server_of_the_edge_serves_the_metrics(edge):
    """Prometheus scrapes the pods from the monitoring namespace; through nginx, public or internal,
    /metrics is refused before it reaches a replica."""
    for base in (edge.public, edge.internal):
        for path in ("/metrics", "/metrics/", "/metrics?format=prometheus", "/webhooks/webchat/../../metrics"):
            status, seen = edge.call(base + path)
            assert status == 404 and seen == {}, (base, path)
    assert edge.call(edge.internal + "/status")[0] == 200  # while the rest of the API goes through
