"""The end-to-end bench's figures as Markdown (bench/results/e2e.md and e2e-soak.md)."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

from bench.machine import load_words

LATENCY_HEAD = [
    "| open | rate (tasks/s) | subscribed | posted | errors | lost | p50 ms | p95 ms | p99 ms | max ms "
    "| p50 / floor | p99 / floor | postTask answered p50 / p99 ms |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
]


def header(args, loads: list[float], title: str) -> list[str]:
    commit = os.environ.get("BENCH_COMMIT") or os.popen("git rev-parse --short HEAD 2>/dev/null").read().strip()
    return [
        f"# {title}",
        "",
        f"Commit `{commit or 'unknown'}`, {platform.platform()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Command: `uv run python bench/e2e_bench.py {args.argv}`.",
        f"Load average (1 min, whole machine) during the run: {', '.join(f'{x:.1f}' for x in loads)}: "
        f"{load_words(loads)}.",
        "",
    ]


def latency_row(open_tasks, rate, figures: dict, floor: dict) -> str:
    errors = sum(figures["errors"].values())
    response = figures["response"]
    answered = f"{response['p50']:.0f} / {response['p99']:.0f}" if response.get("n") else "-"
    if not figures.get("n"):
        return (
            f"| {open_tasks} | {rate:g} | {figures['subscribed']} | {figures['posted']} | {errors} | {figures['lost']} "
            f"| - | - | - | - | - | - | {answered} |"
        )
    return (
        f"| {open_tasks} | {rate:g} | {figures['subscribed']} | {figures['posted']} | {errors} | {figures['lost']} "
        f"| {figures['p50']:.0f} | {figures['p95']:.0f} | {figures['p99']:.0f} | {figures['max']:.0f} "
        f"| {figures['p50'] / floor['p50']:.1f}x | {figures['p99'] / floor['p99']:.1f}x | {answered} |"
    )


def report(args, results: dict, loads: list[float]) -> str:
    floors = results["floors"]
    lines = header(args, loads, "End to end: postTask to the offer on the subscription")
    lines += ["## Latency", ""]
    if results.get("direct"):
        lines += [
            "`--direct`: the measured tasks were written onto `tasks.state` as the tasks service's relay writes "
            "them, not posted through the gateway: from the moment each was due to its first offer on a "
            "subscription, the matcher and the live path alone. The last column is the broker's ack.",
            "",
        ]
    if settle := results.get("settle_s"):
        lines += [
            "Before each level's runs the bench waited until the matcher had taken in the tasks just opened "
            "(no fresh step for 10 s): " + ", ".join(f"{level} open: {s:.0f} s" for level, s in settle.items()) + ".",
            "",
        ]
    lines += LATENCY_HEAD
    for level, figures in results["levels"].items():
        for rate, run in figures["rates"].items():
            lines.append(latency_row(level, rate, run, floors[rate]))
    last = max(results["levels"], default=0)
    for rate, run in results["sweep"].items():
        lines.append(latency_row(f"{last} (sweep)", rate, run, floors[rate]))
    lines += ["", f"The p99 passes 1 s: {p99_passes_one_second(results)}.", ""]
    lines += cpu(results)
    lines += problems(results)
    lines += [
        "## The floor, same run",
        "",
        "Two bare kafka-python hops at the same rate (produce, consume, produce, consume; the product's "
        "producer settings), plus one bare HTTP round trip to matching's `/livez`. The floor's p99 is the sum "
        "of the two p99s.",
        "",
        "| rate | Kafka 2 hops p50 / p99 ms | HTTP p50 / p99 ms | floor p50 / p99 ms |",
        "| ---: | --- | --- | --- |",
    ]
    for rate, floor in floors.items():
        lines.append(
            f"| {rate:g} | {floor['kafka']['p50']:.1f} / {floor['kafka']['p99']:.1f} | "
            f"{floor['http']['p50']:.1f} / {floor['http']['p99']:.1f} | {floor['p50']:.1f} / {floor['p99']:.1f} |"
        )
    lines += ["", "## Throughput", ""]
    if saturation := results.get("saturation"):
        lines.append(
            f"- Matcher at saturation: {saturation['tasks']} fitting tasks written onto `tasks.state` at once "
            f"(in {saturation['published_s']:.1f} s); {saturation['offered']} had their first offer on "
            f"`offers.events` after {saturation['last_s'] or 0:.1f} s: **{saturation['per_s']:.0f} tasks/s**, "
            f"with {last} other tasks open."
        )
    relay = results["relay"]
    lines += [
        f"- Outbox relay: **{relay['relay_per_s']:.0f} events/s**; bare kafka-python producer, same settings "
        f"(acks=all, idempotent): {relay['bare_per_s']:.0f} events/s; **ratio {relay['ratio']:.2f}**, the median "
        f"of {len(relay.get('rounds', [relay]))} pairs alternating which went first (each pair: "
        + ", ".join(f"{pair['ratio']:.2f}" for pair in relay.get("rounds", [relay]))
        + f"; {relay['events']} events each, `bench/relay_bench.py`).",
        "",
    ]
    lines += memory(results)
    return "\n".join(lines)


def p99_passes_one_second(results: dict) -> str:
    runs = [(rate, run) for level in results["levels"].values() for rate, run in level["rates"].items()]
    runs += list(results["sweep"].items())
    over = sorted(rate for rate, run in runs if not run.get("n") or run["p99"] > 1000 or run["lost"])
    under = sorted(rate for rate, run in runs if run.get("n") and run["p99"] <= 1000 and not run["lost"])
    if not over:
        return f"not at any rate measured (up to {max(under):g} tasks/s)"
    below = [rate for rate in under if rate < over[0]]
    return f"between {max(below):g} and {over[0]:g} tasks/s" if below else f"already at {over[0]:g} tasks/s"


def cpu(results: dict) -> list[str]:
    """Where the CPU went during each run: seconds of each process, per task posted."""
    lines = [
        "CPU time of each process during each run (posting, then waiting for the last offers), "
        "in milliseconds per `postTask` sent (refused ones included):",
        "",
        "| open | rate | members | tasks | matching | gateway |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    runs = [
        (level, rate, run) for level, figures in results["levels"].items() for rate, run in figures["rates"].items()
    ]
    runs += [("sweep", rate, run) for rate, run in results["sweep"].items()]
    for level, rate, run in runs:
        per = 1000 / max(1, run["posted"] + sum(run["errors"].values()))
        lines.append(
            f"| {level} | {rate:g} | "
            + " | ".join(f"{run['cpu'][name] * per:.0f}" for name in ("members", "tasks", "matching", "gateway"))
            + " |"
        )
    return lines + [""]


def problems(results: dict) -> list[str]:
    lines = []
    runs = [
        (level, rate, run) for level, figures in results["levels"].items() for rate, run in figures["rates"].items()
    ]
    runs += [("sweep", rate, run) for rate, run in results["sweep"].items()]
    for level, rate, run in runs:
        for reason, count in {**run["errors"], **run["sub_errors"]}.items():
            lines.append(f"- open {level}, {rate:g}/s: {count} x {reason}")
    return (["Errors seen:", "", *lines, ""]) if lines else []


def memory(results: dict) -> list[str]:
    lines = [
        "## Memory and start-up",
        "",
        "RSS of each process (MiB) after each level's runs:",
        "",
        "| open | members | tasks | matching | gateway |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for level, figures in results["levels"].items():
        rss = figures["rss"]
        lines.append(
            f"| {level} | {rss['members']:.0f} | {rss['tasks']:.0f} | {rss['matching']:.0f} | {rss['gateway']:.0f} |"
        )
    if startup := results.get("startup"):
        first, again = startup["first"], startup["restart"]
        lines += [
            "",
            f"A fresh matcher over {startup['members']:,} members (seeded onto `members.state` as "
            f"`bench/rebuild_bench.py` does) and {startup['tasks']:,} open tasks (onto `tasks.state`):",
            "",
            "| start | ready (members read) s | every task stored s | tasks stored | RSS MiB |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| first (empty database) | {first['ready_s']:.1f} | {first['tasks_s']:.1f} | {first['tasks_stored']} "
            f"| {first['rss_mib']:.0f} |",
            f"| restart (own database) | {again['ready_s']:.1f} | {again['tasks_s']:.1f} | {again['tasks_stored']} "
            f"| {again['rss_mib']:.0f} |",
        ]
    lines += ["", "Where the matcher's time went, from its own metrics, after each level:", ""]
    for level, figures in results["levels"].items():
        lines += [f"- {level} open: " + "; ".join(figures["matcher"])]
    if lag := results.get("lag"):
        settled = results.get("lag_zero_s")
        when = "not zero 10 s after the last run" if settled is None else f"zero {settled:.1f} s after the last run"
        lines += [
            "",
            f"Consumer lag at the end ({when}; records): " + ", ".join(f"`{g}` {n}" for g, n in sorted(lag.items())),
        ]
    return lines + [""]


def soak_report(args, soak: dict, loads: list[float]) -> str:
    lines = header(args, loads, "Soak: tasks posted at a steady rate, volunteers answering every offer")
    latency, response = soak["latency"], soak["response"]
    warmup = soak.get("warmup_s", 120)
    first, last = soak["rss"][0][1], soak["rss"][-1][1]
    warm_at, warm = next(((at, rss) for at, rss in soak["rss"] if at >= warmup), soak["rss"][0])
    lag = (
        f"- Consumer lag back to zero {soak['lag_zero_s']:.1f} s after the last postTask was answered "
        f"({'within' if soak['lag_zero_s'] <= 5 else 'over'} the 5 s target)."
        if soak["lag_zero_s"] is not None
        else "- Consumer lag still above zero 60 s after the load stopped: "
        + ", ".join(f"`{group}` {n}" for group, n in sorted(soak.get("lag_last", {}).items()) if n)
        + "."
    )
    errors = sum(soak["post_errors"].values()) + sum(soak["answer_errors"].values())
    lines += [
        f"{soak['tasks']} tasks at {args.soak_rate:g}/s over {args.soak_seconds:g} s to {soak['volunteers']} "
        f"subscribed volunteers accepting one offer in three and declining the others. The volunteers listen "
        f"and answer from {soak.get('listeners', 1)} child process(es) of the bench; its main process only posts.",
        "",
        f"- **Errors: {errors}.** Posted {soak['posted']}; postTask errors {sum(soak['post_errors'].values())}; "
        f"answer and subscription errors {sum(soak['answer_errors'].values())}; tasks never offered {soak['lost']}.",
        f"- Posting took {soak.get('wall_s', 0):.0f} s for {args.soak_seconds:g} s of load (open loop: each "
        f"postTask sent when due).",
        f"- Answers: {soak['answered'].get('acceptOffer', 0)} accepted, "
        f"{soak['answered'].get('declineOffer', 0)} declined; "
        f"{sum(soak.get('too_late', {}).values())} came after the task filled or the offer was withdrawn (another "
        f"volunteer was quicker: expected, not an error).",
        f"- postTask to first offer: p50 {latency.get('p50', 0):.0f} ms, p95 {latency.get('p95', 0):.0f} ms, "
        f"p99 {latency.get('p99', 0):.0f} ms, max {latency.get('max', 0):.0f} ms.",
        f"- postTask answered (from its due moment): p50 {response.get('p50', 0):.0f} ms, "
        f"p99 {response.get('p99', 0):.0f} ms, max {response.get('max', 0):.0f} ms.",
        lag,
        "",
        f"| process | RSS at start MiB | after {warm_at:.0f} s (warm) | at the end | growth after warm-up |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in first:
        lines.append(
            f"| {name} | {first[name]:.0f} | {warm[name]:.0f} | {last[name]:.0f} | {last[name] / warm[name] - 1:+.0%} |"
        )
    if cpu := soak.get("cpu_s"):
        wall = max(soak.get("wall_s", 0), 1e-9)
        lines += [
            "",
            "CPU over the run, share of one core: " + ", ".join(f"{n} {s / wall:.0%}" for n, s in cpu.items()),
        ]
    lines += [
        "",
        "RSS samples (s: members / tasks / matching / gateway MiB): "
        + "; ".join(
            f"{at:.0f}: {rss['members']:.0f} / {rss['tasks']:.0f} / {rss['matching']:.0f} / {rss['gateway']:.0f}"
            for at, rss in soak["rss"]
        ),
    ]
    if errors:
        lines += ["", "Errors seen:", ""]
    for reason, count in {**soak["post_errors"], **soak["answer_errors"]}.items():
        lines.append(f"- {count} x {reason}")
    return "\n".join(lines + [""])
