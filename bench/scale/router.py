"""The scale test's router: nginx (Debian's) with the production edge (deploy/nginx) in front of the
local Rasa replicas and action servers, its config written into a scratch folder."""
from __future__ import annotations

import bisect
import shutil
import subprocess
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDGE = ROOT / "deploy" / "nginx"
STICKY_MAPS = EDGE / "sticky-maps.conf"
EDGE_FILES = ("edge.conf", "sticky-maps.conf", "public.locations", "internal.locations")

# nginx.conf of the router (str.format fields; literal braces doubled): see router_config.
NGINX_CONF = """# Written by bench/scale/router.py for `make scale-test`; everything in {scratch}.
daemon off;
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # Bodies and responses stay in memory: started as root, nginx's workers run as nobody and could not
    # write temp files into this private scratch folder (an action call carries the whole tracker).
    client_body_buffer_size 10m;
    proxy_max_temp_file_size 0;

    include {conf_d}/edge.conf;
    include {conf_d}/sticky-maps.conf;
    log_format scale '$time_iso8601 $remote_addr "$request_method $uri" $status $request_time '
                     'key=$sticky_key upstream=$upstream_addr upstream_status=$upstream_status';

    upstream rasa {{
        hash $sticky_key consistent;
{rasa}
    }}
    upstream actions {{
{actions}
    }}

    server {{
        listen 127.0.0.1:{router_port};
        access_log {scratch}/nginx-access.log scale;
        client_max_body_size 64k;
        add_header X-Upstream $upstream_addr always;  # which replica answered (the test reads it)
        include {conf_d}/public.locations;
    }}
    server {{
        listen 127.0.0.1:{internal_port};
        access_log {scratch}/nginx-access.log scale;
        add_header X-Upstream $upstream_addr always;
        include {conf_d}/internal.locations;
    }}
    server {{
        listen 127.0.0.1:{actions_port};
        access_log {scratch}/nginx-access.log scale;
        client_max_body_size 10m;
        location / {{
            proxy_pass http://actions;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Connection "";
            proxy_connect_timeout 2s;
            proxy_read_timeout 75s;
            proxy_next_upstream error timeout;  # refused or unreachable: the next server
        }}
    }}
}}
"""


def router_config(scratch: Path, router_port: int, internal_port: int, rasa_ports: list[int],
                  actions_port: int, action_ports: list[int]) -> str:
    """nginx.conf for a non-root nginx in `scratch`, with the production edge (deploy/nginx: its
    edge.conf, sticky maps and both servers' locations, copied into scratch/conf.d/): `router_port` is
    the public server (web chat, WeChat), `internal_port` the internal one (REST, HTTP API), the Rasa
    replicas hashed on $sticky_key; `actions_port` is the action endpoint, round robin over the action
    servers. A refused connection (a stopped replica) sends the request to the next server; a request
    that reached a server is never sent twice."""
    temp = scratch / "nginx-temp"
    conf_d = scratch / "conf.d"
    conf_d.mkdir(parents=True, exist_ok=True)
    for name in EDGE_FILES:
        shutil.copy(EDGE / name, conf_d / name)
    rasa = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in rasa_ports)
    actions = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in action_ports)
    return NGINX_CONF.format(scratch=scratch, temp=temp, conf_d=conf_d, rasa=rasa, actions=actions,
                             router_port=router_port, internal_port=internal_port, actions_port=actions_port)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise SystemExit("nginx is not installed: run scripts/setup-nginx.sh (make scale-test does)")
    return found


def nginx_version() -> str:
    out = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True)
    return (out.stderr or out.stdout).strip().rsplit("/", 1)[-1]


def replica_for(key: str, rasa_ports: list[int]) -> int:
    """The Rasa port that the router's `hash $sticky_key consistent` picks for `key` while every replica is
    up: nginx's ketama ring (ngx_http_upstream_hash_module.c: 160 points per server, each the CRC32 of
    "host\\0port" and the previous point's 4 bytes; a key goes to the first point at or after its CRC32),
    computed here so the test can choose where a family lands without asking the (busy) replicas."""
    ring: dict[int, int] = {}
    for port in rasa_ports:
        base, previous = b"127.0.0.1\0" + str(port).encode(), 0
        for _ in range(160):
            previous = zlib.crc32(base + previous.to_bytes(4, "little"))
            ring.setdefault(previous, port)
    points = sorted(ring.items())
    at = bisect.bisect_left([point for point, _ in points], zlib.crc32(key.encode()))
    return points[at % len(points)][1]
