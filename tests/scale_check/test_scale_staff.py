"""The scale test's staff replies: every reply counted at the family's end, each family on the replica the
console's calls did not reach, and the negative control (no client manager) delivering nothing."""
from __future__ import annotations

from bench.scale.families import socket_replicas
from bench.scale.report import delivered
from bench.scale.staff import Handover, figures
from bench.scale.verdict import staff_checks

A, B = "127.0.0.1:5105", "127.0.0.1:5106"
PORTS = [5105, 5106]


def handover(channel: str, n: int, delivered_after: float | None = 0.4, served_by: str = A) -> Handover:
    return Handover(channel, f"{'web:' if channel == 'web chat' else 'wx:'}{n}", routed_to=A,
                    served_by={served_by}, ticket=n + 1, reply=f"reply {n}", console_said="sent", sent_at=100.0,
                    delivered_at=None if delivered_after is None else 100.0 + delivered_after)


def result(*handovers: Handover) -> dict:
    return figures(list(handovers), {h.ticket for h in handovers}, A, wait_s=60)


def passing() -> dict:
    return {"during the main wave": result(*(handover("web chat", n) for n in range(4)),
                                           *(handover("WeChat", n) for n in range(4, 8))),
            "without the client manager": result(handover("web chat", 9, delivered_after=None))}


def test_every_reply_delivered_and_nothing_without_the_client_manager_passes():
    staff = passing()
    assert staff_checks(staff, PORTS) == []
    assert delivered(staff["during the main wave"]) == "web chat 4/4, WeChat 4/4"
    assert staff["during the main wave"]["web chat"]["delivery_ms_max"] == 400


def test_a_reply_that_did_not_arrive_fails():
    staff = passing()
    staff["during the main wave"] = result(handover("web chat", 0), handover("web chat", 1, delivered_after=None),
                                           handover("WeChat", 2))
    assert staff_checks(staff, PORTS) == ["staff replies delivered (web chat): 1/2"]


def test_a_family_on_the_consoles_replica_proves_nothing_and_fails():
    staff = passing()
    staff["during the main wave"] = result(handover("web chat", 0, served_by=B), handover("WeChat", 1))
    assert staff_checks(staff, PORTS) == [
        "staff during the main wave, web chat: families routed to ['127.0.0.1:5105'], served by "
        "['127.0.0.1:5106'] (want only 127.0.0.1:5105, not 127.0.0.1:5106)"]


def test_a_negative_control_that_delivers_fails_and_one_that_did_not_run_too():
    staff = passing()
    staff["without the client manager"] = result(handover("web chat", 9))
    assert staff_checks(staff, PORTS)[0].startswith("negative control: 1 of 1 replies sent arrived")
    del staff["without the client manager"]
    assert staff_checks(staff, PORTS) == [
        "the negative control (no client manager on the console's replica) did not run"]


def test_an_error_in_the_staff_phase_fails_with_its_message():
    staff = passing()
    staff["during the main wave"] = {"error": "RuntimeError: the console refused the staff login: HTTP 401"}
    assert staff_checks(staff, PORTS) == [
        "staff during the main wave: RuntimeError: the console refused the staff login: HTTP 401"]


def test_the_socket_io_requests_of_a_route_key_are_read_from_the_routers_log(tmp_path):
    log = tmp_path / "nginx-access.log"
    log.write_text(
        '2026-12-02T05:00:00+00:00 127.0.0.1 "GET /socket.io/" 200 0.003 key=0123456789abcdef '
        f'upstream={A} upstream_status=200\n'
        '2026-12-02T05:00:01+00:00 127.0.0.1 "POST /socket.io/" 200 0.002 key=0123456789abcdef '
        f'upstream={A} upstream_status=200\n'
        '2026-12-02T05:00:01+00:00 127.0.0.1 "GET /socket.io/" 200 0.002 key=fedcba9876543210 '
        f'upstream={B} upstream_status=200\n'
        '2026-12-02T05:00:02+00:00 127.0.0.1 "POST /webhooks/rest/webhook" 200 0.5 key=0123456789abcdef '
        f'upstream={B} upstream_status=200\n')
    assert socket_replicas(log, "0123456789abcdef") == {A}
