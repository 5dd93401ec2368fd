"""The ``evalkit`` command: a thin shell over one function per subcommand.

User mistakes (``EvalkitError``) print one line each and exit 2; they never show a
traceback. Each subcommand imports its module lazily so ``evalkit --help`` is fast.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit.errors import EvalkitError, ValidationFailed

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _cmd_validate(args: argparse.Namespace) -> int:
    from evalkit.inputs.validate import validate_inputs

    problems = validate_inputs(data_dir=args.data, params_dir=args.params)
    if problems:
        for problem in problems:
            print(str(problem), file=sys.stderr)
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; nothing was run.", file=sys.stderr)
        return EXIT_INVALID
    print(f"OK: data in {args.data} and params in {args.params} are valid.")
    return EXIT_OK


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from evalkit.demo.generate import write_demo_data, write_large_data

    if args.large:
        written = write_large_data(Path(args.out), seed=args.seed, units=args.units, months=args.months)
    else:
        written = write_demo_data(Path(args.out), seed=args.seed)
    for path in written:
        print(path)
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from evalkit.batch.run import run_batch

    result = run_batch(
        params_dir=Path(args.params),
        data_dir=Path(args.data),
        out_dir=Path(args.out),
        jobs=args.jobs,
        only=args.only,
        force=args.force,
        engine=args.engine,
        progress=not args.quiet,
        scheduler=args.scheduler,
        timeout=args.timeout,
        wait_lock=args.wait_lock,
    )
    print(result.summary_table())
    return result.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Evaluate workforce initiatives: validate inputs, render per-team and per-country reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--params", default="params", metavar="DIR", help="folder of params YAML (default: params)")
    common.add_argument("--data", default="data/demo", metavar="DIR", help="folder of data tables (default: data/demo)")

    p_run = sub.add_parser("run", parents=[common], help="render every team, country and collaborative report")
    p_run.add_argument("--out", default="outputs", metavar="DIR", help="where reports go (default: outputs)")
    p_run.add_argument("--jobs", type=int, default=None, metavar="N", help="reports rendered at once (default: all cores)")
    p_run.add_argument("--only", nargs="+", default=None, metavar="ID", help="render only these team/country ids (and the index)")
    p_run.add_argument("--force", action="store_true", help="re-render even reports whose inputs have not changed")
    p_run.add_argument(
        "--engine",
        choices=["fast", "papermill"],
        default="fast",
        help="fast: pre-imported forked workers (default); papermill: a fresh kernel per report, the standard path",
    )
    p_run.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the reports on an existing Dask distributed cluster at this scheduler address "
        "(e.g. tcp://host:8786) instead of locally: each report is a task that a worker renders as the local "
        "engine does, from the params, notebooks and its own rows of the data sent to it (no shared filesystem "
        "needed; workers need the "
        "same evalkit installed: pip install 'evalkit[distributed]'); outputs, manifest, cache and exit codes "
        "are as for a local run",
    )
    p_run.add_argument("--timeout", type=float, default=1800.0, metavar="SECONDS",
                       help="seconds one report may take before it is stopped and marked failed (default: 1800)")
    p_run.add_argument("--wait-lock", type=float, default=0.0, metavar="SECONDS",
                       help="if another run is writing to --out, wait up to this long for it to finish "
                       "(default: 0, stop at once with exit code 2)")
    p_run.add_argument("--quiet", action="store_true", help="no progress bar")
    p_run.set_defaults(func=_cmd_run)

    p_val = sub.add_parser("validate", parents=[common], help="check data and params without running anything")
    p_val.set_defaults(func=_cmd_validate)

    p_demo = sub.add_parser("demo-data", help="generate the synthetic demo data (seeded, reproducible)")
    p_demo.add_argument("--seed", type=int, default=2023, help="random seed (default: 2023)")
    p_demo.add_argument("--out", default="data/demo", metavar="DIR", help="output folder (default: data/demo)")
    p_demo.add_argument("--large", action="store_true", help="write large benchmark data instead (not for committing)")
    p_demo.add_argument("--units", type=int, default=500, help="with --large: number of units (default: 500)")
    p_demo.add_argument("--months", type=int, default=36, help="with --large: number of months (default: 36)")
    p_demo.set_defaults(func=_cmd_demo_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationFailed as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return EXIT_INVALID
    except EvalkitError as exc:
        print(f"evalkit: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("evalkit: interrupted; earlier reports are untouched.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
