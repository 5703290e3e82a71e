"""deploy/nginx with Debian's nginx: the production config and the scale test's router both pass `nginx -t`
with the one shared sticky-maps.conf, and the router keeps a sender on one replica, sends the HTTP API's
/conversations/<sender>/ paths to that replica too, and moves a stopped replica's senders to the other.

Skipped when nginx is not installed, unless REQUIRE_NGINX is set (scripts/setup-nginx.sh installs it).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.conversations import free_port
from bench.scale import STICKY_MAPS, router_config

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


def test_the_production_config_passes_nginx_t_as_the_image_loads_it(tmp_path):
    """conf.d/ holds what the ConfigMap holds; nginx.conf includes conf.d/*.conf as the nginx image's
    does. Debian's nginx 1.22 has no `resolve` and cannot look up the cluster's names offline, so only
    those are swapped for loopback addresses."""
    prefix = scratch(tmp_path)
    conf_d = prefix / "conf.d"
    conf_d.mkdir()
    production = (ROOT / "deploy" / "nginx" / "rasa.conf").read_text()
    local = re.sub(r"^resolver .*$", "", production, flags=re.M)
    local = re.sub(r"rasa-(\d)\.rasa-headless\.enrollment\.svc\.cluster\.local:5005 resolve;",
                   lambda m: f"127.0.0.1:{5005 + int(m.group(1))};", local)
    assert local.count("127.0.0.1:") == 3 and " resolve;" not in local
    (conf_d / "rasa.conf").write_text(local)
    shutil.copy(STICKY_MAPS, conf_d / "sticky-maps.conf")
    kustomization = (ROOT / "deploy" / "kustomization.yml").read_text()
    assert "sticky-maps.conf=nginx/sticky-maps.conf" in kustomization  # the ConfigMap carries both files
    conf = prefix / "nginx.conf"
    temp = prefix / "nginx-temp"
    conf.write_text(f"""pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{}}
http {{
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
    access_log off;
    include {conf_d}/*.conf;
}}
""")
    checked = nginx_test(prefix, conf)
    assert checked.returncode == 0, checked.stderr


def test_without_the_shared_maps_the_production_config_is_refused(tmp_path):
    prefix = scratch(tmp_path)
    conf = prefix / "nginx.conf"
    production = (ROOT / "deploy" / "nginx" / "rasa.conf").read_text()
    local = re.sub(r"^resolver .*$", "", production, flags=re.M).replace(" resolve;", ";")
    local = re.sub(r"rasa-\d\.rasa-headless\.enrollment\.svc\.cluster\.local", "127.0.0.1", local)
    (prefix / "rasa.conf").write_text(local)
    conf.write_text(f"pid {prefix}/nginx.pid; error_log {prefix}/error.log; events {{}} "
                    f"http {{ access_log off; include {prefix}/rasa.conf; }}\n")
    checked = nginx_test(prefix, conf)
    assert checked.returncode != 0 and "sticky_key" in checked.stderr


def test_the_scale_test_router_config_passes_nginx_t(tmp_path):
    prefix = scratch(tmp_path)
    conf = prefix / "nginx.conf"
    conf.write_text(router_config(prefix, free_port(), [free_port(), free_port()], free_port(),
                                  [free_port(), free_port()]))
    assert f"include {STICKY_MAPS};" in conf.read_text()
    checked = nginx_test(prefix, conf)
    assert checked.returncode == 0, checked.stderr


class Replica(BaseHTTPRequestHandler):
    """Answers every request with the port it listens on."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"port": self.server.server_address[1]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):  # quiet
        pass


def serve(port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), Replica)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def replica_of(router: str, sender: str, via: str = "header") -> int:
    if via == "header":
        request = urllib.request.Request(f"{router}/webhooks/rest/webhook", method="POST",
                                         data=json.dumps({"sender": sender, "message": "hi"}).encode(),
                                         headers={"Content-Type": "application/json", "X-Sender-Id": sender})
    else:
        request = urllib.request.Request(f"{router}/conversations/{sender}/tracker?token=t")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())["port"]


def test_the_router_is_sticky_per_sender_and_moves_a_stopped_replicas_senders(tmp_path):
    prefix = scratch(tmp_path)
    ports = [free_port(), free_port()]
    servers = {port: serve(port) for port in ports}
    router_port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(router_config(prefix, router_port, ports, free_port(), [free_port()]))
    assert NGINX, "REQUIRE_NGINX is set but nginx is not installed: run scripts/setup-nginx.sh"
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    router = f"http://127.0.0.1:{router_port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(f"{router}/nginx-health", timeout=1).close()
                break
            except (urllib.error.URLError, OSError):
                assert time.monotonic() < deadline and nginx.poll() is None, "nginx did not start"
                time.sleep(0.1)
        senders = [f"sender-{n}" for n in range(40)]
        placed = {s: replica_of(router, s) for s in senders}
        assert set(placed.values()) == set(ports)  # both replicas get senders
        for sender in senders[:10]:  # the same replica every time, for REST and for the HTTP API
            assert {replica_of(router, sender) for _ in range(3)} == {placed[sender]}
            assert replica_of(router, sender, via="path") == placed[sender]

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
