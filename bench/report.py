"""What `make bench` reports: the ratios against the starter bot, PASS/FAIL against the targets, the
Markdown table, the chart, and the files under bench/results/."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {  # issue 19's "Done when": ratios against the starter bot, measured in one run
    "p50_ratio_sequential": 1.0,      # this assistant's p50 / the baseline's, one conversation at a time
    "p95_ratio_10": 1.2,              # p95 at 10 concurrent conversations / the baseline's
    "throughput_ratio_50": 1.0,       # msgs/s at 50 concurrent / the baseline's (at least)
    "training_ratio": 1.5,            # full training wall time / the baseline's
    "rasa_server_peak_rss_mb": 1228.8,  # the Rasa server (process and children), VmHWM: 1.2 GB
    "first_turn_ratio": 2.0,          # first turn after start / the baseline's
    "long_conversation_ratio": 1.2,   # p50 over turns 251–300 / over turns 1–50, one conversation
}


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def per_cpu(msgs_per_s: Optional[float], cpus: int) -> Optional[float]:
    return round(msgs_per_s / cpus, 2) if msgs_per_s is not None and cpus else None


def verdicts(base: dict, ours: dict) -> list[dict]:
    def level(result, concurrency):
        return next(row for row in result["levels"] if row["concurrency"] == concurrency)

    rasa_mem = next(m for m in ours["memory"] if m["name"] == "Rasa server")["peak_rss_mb"]
    at_most = [
        ("p50 turn latency, one conversation at a time, vs baseline", "≤ 1.0×",
         ratio(level(ours, 1)["p50_ms"], level(base, 1)["p50_ms"]), TARGETS["p50_ratio_sequential"], "×"),
        ("p95 turn latency, 10 concurrent, vs baseline", "≤ 1.2×",
         ratio(level(ours, 10)["p95_ms"], level(base, 10)["p95_ms"]), TARGETS["p95_ratio_10"], "×"),
        ("full training, vs baseline", "≤ 1.5×",
         ratio(ours["training"]["seconds"], base["training"]["seconds"]), TARGETS["training_ratio"], "×"),
        ("Rasa server peak RSS (VmHWM, with children)", "≤ 1229 MB", rasa_mem,
         TARGETS["rasa_server_peak_rss_mb"], " MB"),
        ("first turn after start, vs baseline", "≤ 2.0×",
         ratio(ours.get("first_turn_ms"), base.get("first_turn_ms")), TARGETS["first_turn_ratio"], "×"),
        ("p50 over turns 251–300 / turns 1–50, one long conversation", "≤ 1.2×",
         (ours.get("long_conversation") or {}).get("last_over_first"), TARGETS["long_conversation_ratio"], "×"),
    ]
    at_least = [
        ("throughput, 50 concurrent, vs baseline", "≥ 1.0×",
         ratio(level(ours, 50)["msgs_per_s"], level(base, 50)["msgs_per_s"]), TARGETS["throughput_ratio_50"], "×"),
    ]
    return ([{"target": name, "limit": limit, "measured": value, "unit": unit,
              "pass": value is not None and value <= bound} for name, limit, value, bound, unit in at_most]
            + [{"target": name, "limit": limit, "measured": value, "unit": unit,
                "pass": value is not None and value >= bound} for name, limit, value, bound, unit in at_least])


def markdown(result: dict) -> str:
    base, ours = result["baseline"], result["assistant"]
    lines = [f"Measured {result['when']} on {result['machine']}. Turn latency = one POST to "
             "/webhooks/rest/webhook until its replies; closed loop, no think time; "
             "errors include turns answered with nothing."
             + (f" Environment: {result['environment']}." if result.get("environment") else ""), "",
             "| load | bot | turns | p50 ms | p95 ms | p99 ms | msgs/s | msgs/s per CPU | errors | p50 / p95 vs baseline |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    cpus = int(str(result.get("machine", "1")).split()[0] or 1)
    for b, o in zip(base["levels"], ours["levels"]):
        for label, row in (("baseline", b), ("this assistant", o)):
            versus = (f"{ratio(o['p50_ms'], b['p50_ms'])}× / {ratio(o['p95_ms'], b['p95_ms'])}×"
                      if row is o else "")
            lines.append(f"| {o['level']} | {label} | {row['turns']} | {row['p50_ms']} | {row['p95_ms']} | "
                         f"{row['p99_ms']} | {row['msgs_per_s']} | {per_cpu(row['msgs_per_s'], cpus)} | {row['errors'] + row['empty_replies']} | {versus} |")
    lines += ["", "| | baseline | this assistant |", "|---|---|---|",
              f"| training (wall) | {base['training']['seconds']} s | {ours['training']['seconds']} s |",
              f"| training peak RSS | {base['training']['peak_rss_mb']} MB | "
              f"{ours['training']['peak_rss_mb']} MB |",
              f"| server start-up | {base['startup_s']} s | {ours['startup_s']} s |",
              f"| first turn after start | {base['first_turn_ms']} ms | {ours['first_turn_ms']} ms |"]
    for name in ("Rasa server", "action server"):
        mem = {r["name"]: next((m["peak_rss_mb"] for m in r["memory"] if m["name"] == name), None)
               for r in (base, ours)}
        cells = [f"{mem[r['name']]} MB" if mem[r["name"]] else "— (none)" for r in (base, ours)]
        lines.append(f"| {name} peak RSS | {cells[0]} | {cells[1]} |")
    done = sum(level["successful_conversations"] for level in ours["levels"])
    total = sum(level["conversations"] for level in ours["levels"])
    stored = ours.get("stored_enrollments") or {}
    lines += [f"| whole enrollments that succeeded (measured levels) | — | {done} of {total} |",
              f"| enrollments in the store (incl. 2 warm-up) | — | "
              f"{', '.join(f'{n} {status}' for status, n in stored.items()) or 'none'} |", "",
              *long_table(base, ours), "| target | limit | measured | verdict |", "|---|---|---|---|"]
    for v in result["verdicts"]:
        lines.append(f"| {v['target']} | {v['limit']} | {v['measured']}{v['unit']} | "
                     f"{'PASS' if v['pass'] else 'FAIL'} |")
    return "\n".join(lines) + "\n"


def long_table(base: dict, ours: dict) -> list[str]:
    """The long-conversation curve: p50 per 50 turns of one conversation, each bot (bench/long_conversation.py)."""
    rows = [(label, r["long_conversation"]) for label, r in (("baseline", base), ("this assistant", ours))
            if r.get("long_conversation")]
    if not rows:
        return []
    windows = [w["turns"] for w in rows[0][1]["windows"]]
    lines = ["One conversation of 300 turns (this assistant: plan questions; baseline: hello / great / bye), "
             "p50 ms per 50 turns:", "",
             f"| bot | {' | '.join(windows)} | last / first | errors |", "|---" * (len(windows) + 3) + "|"]
    for label, curve in rows:
        cells = " | ".join(str(w["p50_ms"]) for w in curve["windows"])
        lines.append(f"| {label} | {cells} | {curve['last_over_first']}× | "
                     f"{len(curve['errors']) + curve['empty_replies']} |")
    return lines + [""]


def long_chart(axis, result: dict) -> None:
    for label, key, colour in (("baseline", "baseline", "grey"), ("this assistant", "assistant", "tab:blue")):
        curve = result[key].get("long_conversation")
        if curve:
            axis.plot([50 * (i + 1) for i in range(len(curve["windows"]))],
                      [w["p50_ms"] or 0 for w in curve["windows"]], marker="o", color=colour, label=label)
    axis.set_xlabel("turn of one conversation (p50 of each 50)")
    axis.set_ylabel("turn latency p50 (ms)")
    axis.set_ylim(bottom=0)
    axis.set_title("One long conversation")
    axis.legend(fontsize=8)


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base, ours = result["baseline"]["levels"], result["assistant"]["levels"]
    labels = [level["level"] for level in ours]
    x = range(len(labels))
    fig, (left, right, long) = plt.subplots(1, 3, figsize=(16, 4.2))
    width = 0.14
    for i, (pct, shade) in enumerate((("p50_ms", 0.45), ("p95_ms", 0.7), ("p99_ms", 0.95))):
        left.bar([p - 0.375 + i * 0.15 for p in x], [level[pct] or 0 for level in base], width,
                 color=plt.cm.Greys(shade), label=f"baseline {pct[:3]}")
        left.bar([p + 0.075 + i * 0.15 for p in x], [level[pct] or 0 for level in ours], width,
                 color=plt.cm.Blues(shade), label=f"assistant {pct[:3]}")
    left.set_xticks(list(x), labels)
    left.set_yscale("log")
    left.set_ylabel("turn latency (ms, log scale)")
    left.set_title("Turn latency: baseline (grey) vs this assistant (blue)")
    left.legend(fontsize=7, ncol=2)
    right.bar([p - 0.2 for p in x], [level["msgs_per_s"] or 0 for level in base], 0.4, color="grey",
              label="baseline")
    right.bar([p + 0.2 for p in x], [level["msgs_per_s"] or 0 for level in ours], 0.4, color="tab:blue",
              label="this assistant")
    right.set_xticks(list(x), labels)
    right.set_ylabel("messages per second")
    right.set_title("Throughput")
    right.legend(fontsize=8)
    long_chart(long, result)
    fig.suptitle(f"make bench, {result['when']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results(result: dict, name: str = "bench") -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    table = markdown(result)
    (RESULTS / f"{name}.md").write_text(table)
    chart(result, RESULTS / f"{name}.png")
    return table
