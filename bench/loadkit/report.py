"""The figures of a bench/load.py run as one dict (``--json``) and as text."""

from __future__ import annotations

import math
import statistics
from typing import Any

from bench.loadkit.cpu import REST
from bench.loadkit.measure import QUEUES, IntakeTracker, OutboundTracker, Recorder, summary


def collect(recorder: Recorder, intake: IntakeTracker, outbound: OutboundTracker,
            samples: list[dict[str, Any]], failed_jobs: dict[str, int], cpu: dict[str, Any],
            seconds: float, extra: dict[str, Any]) -> dict[str, Any]:
    requests = {}
    for name, kind in sorted(recorder.kinds.items()):
        requests[name] = {
            "count": kind.count, "per_s": kind.count / seconds,
            **{k: v * 1000 for k, v in summary(kind.latencies).items()},  # ms
            "errors_5xx": kind.server_errors, "errors_4xx": kind.client_errors,
            "timeouts": kind.timeouts, "connection_errors": kind.connection_errors,
            "samples": kind.samples,
        }
    lags = {channel: {"sent": e["sent"], "filed": len(e["lags"]), **summary(e["lags"])}
            for channel, e in sorted(intake.by_channel().items())}
    out_lags = outbound.lags()
    queues = {}
    for name in QUEUES:
        depths = [s["queues"][name]["depth"] for s in samples]
        ages = [s["queues"][name]["oldest"] for s in samples]
        queues[name] = {"depth_mean": statistics.fmean(depths) if depths else 0.0,
                        "depth_max": max(depths, default=0),
                        "oldest_max_s": max(ages, default=0.0),
                        "failed_jobs": failed_jobs.get(name, 0)}
    loads = [s["load1"] for s in samples]
    return {
        **extra, "seconds": seconds, "requests": requests, "intake_lag_s": lags,
        "outbound_lag_s": {"posted": outbound.counted(), "accepted": len(out_lags),
                           **summary(out_lags)},
        "queues": queues,
        "load_average_1m": {"min": min(loads, default=0.0), "mean": statistics.fmean(loads)
                            if loads else 0.0, "max": max(loads, default=0.0)},
        "cpu": cpu, "bottleneck": bottleneck(cpu, queues, lags),
    }


def bottleneck(cpu: dict[str, Any], queues: dict[str, Any], lags: dict[str, Any]) -> str:
    cores: dict[str, float] = cpu["cores"]
    ours = {k: v for k, v in cores.items() if k != REST}
    top, used = max(ours.items(), key=lambda kv: kv[1])
    busy, cpus = cpu["machine_busy"], cpu["cpus"]
    share = used / max(sum(ours.values()), 1e-9)
    saturated = busy >= 0.9 * cpus
    text = (f"{'CPU-bound: the machine was saturated' if saturated else 'CPU not saturated'} "
            f"({busy:.2f} of {cpus} cores busy, {cores[REST]:.2f} of them others' work); "
            f"the largest consumer of ours was {top}: {used:.2f} cores, "
            f"{share:.0%} of the system under test")
    slow = [f"{q} (oldest job waited up to {v['oldest_max_s']:.0f} s)" for q, v in queues.items()
            if v["oldest_max_s"] > 30]
    if slow:
        text += "; queues that lagged: " + ", ".join(slow)
    return text


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}"


def _s(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def text(result: dict[str, Any]) -> str:
    lines = [f"== bench/load.py: {result['seconds']:.0f} s of load ==", ""]
    lines.append(f"{'request':<34} {'count':>6} {'/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} "
                 f"{'max':>6} {'5xx':>4} {'4xx':>4} {'t/o':>4} {'conn':>4}   (ms)")
    for name, r in result["requests"].items():
        lines.append(f"{name:<34} {r['count']:>6} {r['per_s']:>6.2f} {_ms(r['p50']):>6} "
                     f"{_ms(r['p95']):>6} {_ms(r['p99']):>6} {_ms(r['max']):>6} "
                     f"{r['errors_5xx']:>4} {r['errors_4xx']:>4} {r['timeouts']:>4} "
                     f"{r['connection_errors']:>4}")
    for name, r in result["requests"].items():
        for sample in r["samples"]:
            lines.append(f"  e.g. {name}: {sample}")
    lines += ["", f"{'intake lag (sent -> in messages)':<34} {'sent':>6} {'filed':>6} "
              f"{'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}   (s)"]
    for channel, r in result["intake_lag_s"].items():
        lines.append(f"{channel:<34} {r['sent']:>6} {r['filed']:>6} {_s(r['p50']):>6} "
                     f"{_s(r['p95']):>6} {_s(r['p99']):>6} {_s(r['max']):>6}")
    o = result["outbound_lag_s"]
    lines.append(f"{'outbound: reply -> SMTP/Twilio':<34} {o['posted']:>6} {o['accepted']:>6} "
                 f"{_s(o['p50']):>6} {_s(o['p95']):>6} {_s(o['p99']):>6} {_s(o['max']):>6}")
    lines += ["", f"{'RQ queue':<12} {'mean depth':>10} {'max depth':>10} "
              f"{'oldest job (max s)':>19} {'failed jobs':>12}"]
    for name, q in result["queues"].items():
        lines.append(f"{name:<12} {q['depth_mean']:>10.1f} {q['depth_max']:>10} "
                     f"{q['oldest_max_s']:>19.1f} {q['failed_jobs']:>12}")
    lines += ["", f"{'CPU by process group':<58} {'cores':>6} {'share':>6}"]
    cpu = result["cpu"]
    for name, cores in sorted(cpu["cores"].items(), key=lambda kv: -kv[1]):
        lines.append(f"{name:<58} {cores:>6.2f} {cores / cpu['cpus']:>6.0%}")
    lines.append(f"{'machine busy (all)':<58} {cpu['machine_busy']:>6.2f} "
                 f"{cpu['machine_busy'] / cpu['cpus']:>6.0%}")
    la = result["load_average_1m"]
    lines += ["", f"load average (1 min) during the run: min {la['min']:.2f}, mean "
              f"{la['mean']:.2f}, max {la['max']:.2f} on {cpu['cpus']} CPUs (a shared machine)"]
    if result.get("server_side"):
        lines += ["", f"{'time in the app (its /metrics)':<58} {'count':>6} {'mean ms':>8}"]
        for name, r in result["server_side"].items():
            lines.append(f"{name:<58} {r['count']:>6.0f} {r['mean_ms']:>8.1f}")
    for key in ("failed_intakes", "log_errors", "processes_died"):
        if key in result:
            lines.append(f"{key.replace('_', ' ')}: {result[key]}")
    lines += ["", f"bottleneck: {result['bottleneck']}"]
    return "\n".join(lines)
