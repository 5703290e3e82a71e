"""`make bench` judges a run by issue 19's targets: every ratio against the starter bot, the memory
ceiling and the long-conversation slope, with throughput judged as "at least" and reported per CPU."""
from bench.report import markdown, verdicts


def _bot(p50, p95, msgs, training_s, first_turn_ms, rss_mb, last_over_first=None):
    levels = [{"level": label, "concurrency": n, "turns": 10, "p50_ms": p50, "p95_ms": p95, "p99_ms": p95,
               "msgs_per_s": msgs, "errors": 0, "empty_replies": 0, "conversations": 1,
               "successful_conversations": 1}
              for label, n in (("1 at a time", 1), ("10 concurrent", 10), ("50 concurrent", 50))]
    long = ({"windows": [{"turns": "1–50", "p50_ms": 50.0}], "last_over_first": last_over_first,
             "errors": [], "empty_replies": 0} if last_over_first else None)
    return {"name": "bot", "levels": levels, "training": {"seconds": training_s, "peak_rss_mb": 900.0},
            "startup_s": 60.0, "first_turn_ms": first_turn_ms, "long_conversation": long,
            "memory": [{"name": "Rasa server", "peak_rss_mb": rss_mb}]}


def _judged(ours):
    base = _bot(p50=60.0, p95=100.0, msgs=15.0, training_s=140.0, first_turn_ms=1000.0, rss_mb=1100.0,
                last_over_first=4.5)
    return {v["target"]: v for v in verdicts(base, ours)}


def test_a_run_that_beats_the_starter_everywhere_passes_every_target():
    judged = _judged(_bot(p50=55.0, p95=110.0, msgs=16.0, training_s=200.0, first_turn_ms=300.0,
                          rss_mb=1200.0, last_over_first=1.1))
    assert len(judged) == 7
    assert all(v["pass"] for v in judged.values()), judged


def test_fewer_messages_per_second_than_the_starter_fails_throughput():
    judged = _judged(_bot(p50=55.0, p95=110.0, msgs=14.0, training_s=200.0, first_turn_ms=300.0,
                          rss_mb=1200.0, last_over_first=1.1))
    assert not judged["throughput, 50 concurrent, vs baseline"]["pass"]
    assert judged["throughput, 50 concurrent, vs baseline"]["measured"] == 0.93


def test_training_memory_and_first_turn_are_judged_against_the_issue_limits():
    judged = _judged(_bot(p50=55.0, p95=110.0, msgs=16.0, training_s=220.0, first_turn_ms=2100.0,
                          rss_mb=1300.0, last_over_first=1.3))
    assert not judged["full training, vs baseline"]["pass"]          # 1.57× > 1.5×
    assert not judged["first turn after start, vs baseline"]["pass"]  # 2.1× > 2×
    assert not judged["Rasa server peak RSS (VmHWM, with children)"]["pass"]  # over 1.2 GB
    assert not judged["p50 over turns 251–300 / turns 1–50, one long conversation"]["pass"]


def test_the_table_reports_throughput_per_cpu():
    ours = _bot(p50=55.0, p95=110.0, msgs=16.0, training_s=200.0, first_turn_ms=300.0, rss_mb=1200.0,
                last_over_first=1.1)
    base = _bot(p50=60.0, p95=100.0, msgs=15.0, training_s=140.0, first_turn_ms=1000.0, rss_mb=1100.0)
    result = {"when": "test", "machine": "2 CPUs, x86_64, Python 3.10", "baseline": base, "assistant": ours,
              "verdicts": verdicts(base, ours)}
    table = markdown(result)
    assert "msgs/s per CPU" in table
    assert "| 16.0 | 8.0 |" in table
