"""The scale test's SIGKILL figures: the killed replica's in-flight turns may fail, nothing else may,
and the turns sent again after the kill must be answered within 5 s (p95)."""
from __future__ import annotations

from bench.scale.enrollers import Attempt, Conversation, Wave
from bench.scale.figures import kill_figures
from bench.scale.verdict import resent_checks

KILL = {"port": "5106", "at_s": 10.0, "seconds_to_exit": 0.1, "signal": "SIGKILL"}
VICTIM, SURVIVOR = "127.0.0.1:5106", "127.0.0.1:5105"


def wave_with(*attempts: Attempt) -> tuple[Wave, list, list]:
    conversation = Conversation(0, "s", "zh", ["你好"], "报名成功", attempts=list(attempts))
    wave = Wave("kill (kill)", [conversation], (1, 3), 3, kill=dict(KILL))
    return wave, list(attempts), [a for a in attempts if a.error]


def test_the_killed_replicas_in_flight_turns_are_its_own_and_the_resent_ones_are_timed():
    wave, attempts, errors = wave_with(
        Attempt(0, 1, 9.0, 1.2, 502, [], upstream=VICTIM, error="HTTP 502"),
        Attempt(0, 2, 12.0, 1.5, 200, [{"text": "好"}], upstream=SURVIVOR),
        Attempt(1, 1, 9.5, 0.9, None, [], error="ServerDisconnectedError"))
    figures = kill_figures(wave, attempts, errors)
    assert figures == {"resent_turns": 1, "resent_p95_ms": 1500.0, "errors_of_the_kill": 2,
                       "errors_outside_kill": 0, "http_5xx_outside_kill": 0}
    assert resent_checks({"phase": "kill (kill)", "kill": KILL, **figures}) == []


def test_a_5xx_from_the_survivor_or_a_slow_resent_turn_fails():
    wave, attempts, errors = wave_with(
        Attempt(0, 1, 9.0, 1.2, 502, [], upstream=VICTIM, error="HTTP 502"),
        Attempt(0, 2, 12.0, 6.5, 200, [{"text": "好"}], upstream=SURVIVOR),
        Attempt(1, 1, 20.0, 0.3, 500, [], upstream=SURVIVOR, error="HTTP 500"))
    figures = kill_figures(wave, attempts, errors)
    assert figures["http_5xx_outside_kill"] == 1 and figures["errors_of_the_kill"] == 1
    assert resent_checks({"phase": "kill (kill)", "kill": KILL, **figures}) == [
        "kill (kill): p95 of the resent turns 6500.0 ms (want < 5000)"]


def test_a_kill_that_failed_no_turn_needs_none_sent_again_but_failed_turns_must_be():
    # A run had 1 turn in flight at the SIGKILL and it was answered: nothing failed, nothing to resend.
    quiet = {"resent_turns": 0, "resent_p95_ms": None, "errors_of_the_kill": 0}
    assert resent_checks({"phase": "kill (kill)", "kill": KILL, **quiet}) == []
    failed = {**quiet, "errors_of_the_kill": 2}
    assert resent_checks({"phase": "kill (kill)", "kill": KILL, **failed}) == [
        "kill (kill): 2 turns failed at the SIGKILL and none was sent again"]
