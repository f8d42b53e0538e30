"""``demo``: the demo warehouse from synthetic data (the generator in ``sample_data``, which only the
command line, the tests and the benchmark import)."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_demo(args: argparse.Namespace) -> int:
    from sample_data.demo import build_demo  # only when asked: the other commands do not load the generator
    from services.practices import measure_pending

    summary = build_demo(Path(args.db), scale=args.scale, seed=args.seed)
    measured = measure_pending(Path(args.db))  # the seeded practices' effects, so no first reader waits for them
    print(summary)
    print(f"gemeten effecten van gedeelde aanpakken: {measured}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="bouw het demo-warehouse uit synthetische gegevens")
    demo.add_argument("--db", required=True)
    demo.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    demo.add_argument("--seed", type=int, default=20261123)
    demo.set_defaults(run=cmd_demo)
