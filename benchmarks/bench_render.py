"""Rendering speed: scenarios built and rendered per second, and the fingerprint cost.

Run: python benchmarks/bench_render.py
"""

from __future__ import annotations

import time

from scenariokit.scenario import FAMILIES


def main() -> None:
    settings = [
        {"goal_type": g, "goal_value": v, "urgency": u}
        for g in ("explicit", "latent", "swap")
        for v in ("america", "safety", "ethical", "collectivism")
        for u in ("replacement", "restriction", "none")
    ]
    for name, family in FAMILIES.items():
        start = time.perf_counter()
        scenarios = [family.build(**s) for s in settings * 10]
        built = time.perf_counter()
        rendered = [s.render() for s in scenarios]
        done = time.perf_counter()
        n = len(rendered)
        print(
            f"{name:>14}: build {n / (built - start):8.0f}/s, render {n / (done - built):8.0f}/s "
            f"({1e3 * (done - built) / n:.2f} ms per render, {len({r.fingerprint for r in rendered})} distinct)"
        )


if __name__ == "__main__":
    main()
