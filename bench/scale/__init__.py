"""`make scale-test`: the scaled-out assistant on this one machine, under load and with a replica taken away.

What it starts (all children of this process, stopped again at the end; loopback only):

- nginx (Debian's, `daemon off`, config and logs in a scratch folder) as the router, with the production
  edge (deploy/nginx: the public and internal servers' locations, rate limits, the `$sticky_key` maps):
  a public port (web chat, WeChat only) and an internal one (REST, HTTP API), both hashing each sender
  onto one of the Rasa replicas; a third port is the action endpoint, round robin over the action
  servers (`proxy_next_upstream` moves a call off a dead one);
- 2 action servers and 2 Rasa replicas, started with the launcher's own commands (bot/ops/launcher.py) and
  `endpoints.production.yml`: conversations in PostgreSQL, locks in Redis, the action endpoint behind
  the generated ACTION_SERVER_SECRET, the HTTP API behind JWTs signed with a generated RASA_API_TOKEN,
  REST behind a generated integrator key (REST_INTEGRATOR_KEYS, senders `rest:scale:<sender>`);
- its own PostgreSQL database `enrollment_scale` (dropped and created again at start) for both the
  tracker store and the enrollment store, and its own Redis database number (flushed at start).

The fake WeChat API (at the network edge: it records what the assistant sends) runs in this process,
and the support console (`python -m bot.console`) as one more child, its Rasa calls going straight to
replica 2, with a staff account of its own.

Then, through the router's internal REST channel (the integrator key, and the `X-Sender-Id` header, as
integrators must send them):

1. the main wave: USERS simulated enrollers at once (half Chinese, half English, each a whole enrollment
   with a member of its own: bench/conversations.py), each waiting a think time between turns, so the
   offered load stays near what the machine serves instead of piling up. Meanwhile 4 web chat and 4
   WeChat families on replica 1 (socket.io and signed pushes through the router's public port) ask for
   a person, and a staff member claims and replies to each through the console's HTTP routes; every
   reply must reach its family, counted at the family's end (staff.py, families.py);
2. the SIGTERM wave: more enrollers; once a share of their turns is done, one Rasa replica gets SIGTERM
   (what Kubernetes sends) and the router moves its senders to the other;
3. the SIGKILL wave: that replica started again, this time with the web chat's Redis client manager off
   (WEBCHAT_CLIENT_MANAGER=memory), which first serves as the negative control: the console's reply to
   a web chat family on replica 1 must reach nobody. Then more enrollers, and it gets SIGKILL (a crash, an OOM
   kill) mid-turn. Its in-flight turns fail (a 502 or a reset) and are sent again with the same
   message id (bot/channels/rest.py answers a message once), to the survivor, which may take the
   conversation's lock within seconds (bot/rasa/lock_store.py): the p95 of those resent turns must
   stay under 5 s, and no error may come from anything but the killed replica's in-flight turns.

After each wave every conversation's tracker is read back through the HTTP API (an admin JWT for half
of them, a sender-scoped JWT for the other half) and compared with what the client sent and received:
each user message exactly once and in order, each reply the client got right after it ("events lost",
"duplicates"), the texts exactly as the private store keeps them (numbers masked, the member's name
forgotten once the enrollment ended, and then never left in); the enrollment store must hold exactly one active enrollment per enroller and nothing
else. It prints the table, writes bench/results/scale.{json,md} and exits 1 when a check fails.

One job per module: router.py (nginx and its config), cluster.py (databases, secrets, starting the
services), enrollers.py (the simulated enrollers, the waves, the kill), tracker_check.py (reading the
trackers back and comparing them exactly with what was sent, as the private store keeps it),
api_auth.py, staff.py (the console, the staff member, the replies counted), families.py (the web chat
and WeChat families and the fake WeChat API), figures.py (one wave's figures), verdict.py (the checks), report.py (the table) and
run.py (the command line and the run).
"""
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "results"
