"""`kempelen workforce run`: a simulated workforce on a running server (kempelen.testing.crowd)."""

from __future__ import annotations

import sys
import time

from kempelen.cli.common import HelpFormatter, add_endpoint_options, example, print_json, share, shorten, table

EXAMPLE = """example:
  kempelen workforce run --workers 200 --policy random --seed 7 --until-done
  kempelen serve --clock manual --seed 1 &           # a server whose ids repeat on a rerun
  kempelen workforce run --workers 50 --policy csv:answers.csv --max-assignments 100
  kempelen workforce run --workers 20 --policy csv:gold.csv --accuracy 0.8 --hit-type 3ABC...

policies:
  random                  valid random answers from each question's AnswerSpecification
  csv:FILE                answers from a CSV keyed by HITId, RequesterAnnotation or (any other first column)
                          a value in the question; other columns are answers (q1 or Answer.q1, | between
                          selections); --key names the key column
  python:MODULE:FUNCTION  FUNCTION(task, rng) -> {QuestionIdentifier or form field: answer}
  --accuracy P            with any of them as gold: each answer right with probability P, else a valid wrong one
"""


def cmd_workforce_run(args) -> int:
    from kempelen.testing.crowd import Behaviour, Crowd
    from kempelen.testing.policies import from_spec

    try:
        policy = from_spec(args.policy, accuracy=args.accuracy, key=args.key)
        behaviour = Behaviour(work_seconds=args.work_seconds, think_seconds=args.think_seconds,
                              arrival_seconds=args.arrival_seconds, return_rate=args.return_rate,
                              abandon_rate=args.abandon_rate, resolution=args.resolution)
        behaviour.check()
    except (ValueError, OSError, ImportError, AttributeError) as exc:
        args.parser.error(str(exc))
    show = not args.no_progress and sys.stderr.isatty()
    bar = ProgressBar(sys.stderr) if show else None
    crowd = Crowd(args.endpoint, args.workers, policy, seed=args.seed, admin_token=args.admin_token,
                  behaviour=behaviour, clock=args.clock, concurrency=args.concurrency, hit_type_id=args.hit_type,
                  progress=bar.update if bar else None)
    try:
        summary = crowd.run(until_done=args.until_done, max_assignments=args.max_assignments)
    except ValueError as exc:
        print(f"kempelen: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar:
            bar.close()
    print(f"workforce on {crowd.endpoint}", file=sys.stderr)
    if args.json:
        print_json({**summary.as_dict(), "assignments": [vars(o) for o in summary.assignments]})
    else:
        print(render_summary(summary))
    return 0


class ProgressBar:
    """One line on stderr, redrawn at most ten times a second: assignments finished of those in sight."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self._last, self._summary = stream, width, 0.0, None

    def update(self, summary, *, force: bool = False) -> None:
        self._summary = summary
        now = time.monotonic()
        if now - self._last < 0.1 and not force:
            return
        self._last = now
        target = max(summary.target, summary.finished, 1)
        filled = int(self.width * summary.finished / target)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {summary.finished}/{target}  "
                          f"accepted {summary.accepted}  submitted {summary.submitted}  returned "
                          f"{summary.returned}  abandoned {summary.abandoned}  t+{_duration(summary)}")
        self.stream.flush()

    def close(self) -> None:
        if self._summary is not None:
            self.update(self._summary, force=True)  # the last state, however soon after the previous one
        self.stream.write("\n")
        self.stream.flush()


def _duration(summary) -> str:
    seconds = int(getattr(summary, "simulated_seconds", 0) or 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def render_summary(summary) -> str:
    rows = [[type_id, shorten(per["Title"], 32), per["accepted"], per["submitted"], per["returned"],
             per["abandoned"]] for type_id, per in summary.per_hit_type.items()]
    rows.append(["all HIT types", "", summary.accepted, summary.submitted, summary.returned, summary.abandoned])
    lines = [table(rows, ["HITTypeId", "Title", "accepted", "submitted", "returned", "abandoned"],
                   right={2, 3, 4, 5})]
    if summary.refused:
        lines.append("refused: " + ", ".join(f"{code} {count}" for code, count in sorted(summary.refused.items())))
    lines.append(f"{summary.workers} workers, {summary.requests} requests, "
                 f"{summary.simulated_seconds:,.0f} s of server time in {summary.wall_seconds:,.1f} s")
    return "\n".join(lines)


def register(commands) -> None:
    workforce = commands.add_parser("workforce", help="a simulated workforce on a running server",
                                    epilog=example("kempelen workforce run --workers 20 --policy random --until-done"),
                                    formatter_class=HelpFormatter)
    sub = workforce.add_subparsers(dest="workforce_command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="many simulated workers find, accept, answer, submit, return and abandon HITs",
                         description="Simulated workers work through the worker API on the server's clock "
                                     "(a manual clock is moved by the crowd), then a summary per HIT type.",
                         epilog=EXAMPLE)
    run.add_argument("--workers", type=int, required=True, metavar="N")
    run.add_argument("--policy", default="random", help="random (default), csv:FILE or python:MODULE:FUNCTION")
    run.add_argument("--accuracy", type=share, metavar="P", help="answer the policy's (gold) answer with "
                                                                  "probability P, else a wrong one")
    run.add_argument("--key", metavar="COLUMN", help="csv: the key column (default HITId, RequesterAnnotation, "
                                                     "else the first column)")
    run.add_argument("--seed", help="the same choices, workers and answers on a rerun")
    run.add_argument("--until-done", action="store_true", help="keep going until no worker can do more")
    run.add_argument("--max-assignments", type=int, metavar="K", help="accept at most K assignments in all")
    run.add_argument("--hit-type", metavar="HITTYPE_ID", help="only HITs of this HIT type")
    run.add_argument("--clock", choices=["auto", "drive", "follow", "real"], default="auto",
                     help="drive: move the server's manual clock (default on a manual clock); follow: wait for "
                          "someone else to move it; real: real time (default on the system clock)")
    run.add_argument("--concurrency", type=int, default=8, help="requests in flight at one instant (8)")
    run.add_argument("--work-seconds", type=float, default=60.0, help="median work time per assignment (60)")
    run.add_argument("--think-seconds", type=float, default=5.0, help="mean pause between assignments (5)")
    run.add_argument("--arrival-seconds", type=float, default=30.0, help="workers arrive over this long (30)")
    run.add_argument("--return-rate", type=share, default=0.05, help="share of assignments returned (0.05)")
    run.add_argument("--abandon-rate", type=share, default=0.02, help="share left past the Deadline (0.02)")
    run.add_argument("--resolution", type=float, default=1.0, help="seconds: events are rounded up to this (1)")
    run.add_argument("--json", action="store_true", help="print the summary and every assignment as JSON")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_endpoint_options(run)
    run.set_defaults(func=cmd_workforce_run, parser=run)
