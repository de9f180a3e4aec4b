"""Command line: ``ceyuan privacy scan FILE``, ``ceyuan privacy redact FILE --policy P -o OUT``
and ``ceyuan privacy train-names --data DIR --out FILE``.

``scan`` and ``redact`` stream the input in chunks and show progress on stderr. ``redact``
writes the output and its privacy report atomically. When the policy's rule for the chosen opening
level asks for k-anonymity and the input is a table, the whole table is loaded into memory
for that step (equivalence classes span the whole file). ``train-names`` builds the person-name
model from labelled span files (see ``detectors/name_training.py``).

Exit codes: 0 success, 1 bad input or policy, 2 usage error, 3 release blocked by policy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ceyuan.opendata.privacy.detectors import DETECTORS, scan_text
from ceyuan.opendata.privacy.detectors.name_training import (
    CORPUS_NAMES,
    TrainingDataError,
    TrainParams,
    corpora_named,
    train_from_directory,
)
from ceyuan.opendata.privacy.io import (
    Chunk,
    ChunkWriter,
    InputError,
    Progress,
    atomic_output,
    detect_encoding,
    detect_format,
    read_chunks,
)
from ceyuan.opendata.privacy.policy import (
    OPENING_LEVELS,
    SECURITY_GRADES,
    PolicyError,
    ReleaseBlocked,
    default_policy,
    load_policy,
)
from ceyuan.opendata.privacy.release import (
    ColumnPlan,
    ReleaseContext,
    apply_policy,
    plan_columns,
    rule_or_block,
    transform_frame,
)
from ceyuan.opendata.privacy.report import FindingCollector, FindingRecord, PrivacyReport
from ceyuan.opendata.privacy.tables import scan_table
from ceyuan.opendata.privacy.transforms import TransformContext, redact_text

KEY_ENV = "CEYUAN_PRIVACY_KEY"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ceyuan privacy", description="Detect and de-identify personal data in Chinese files."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", type=Path, help="CSV, Excel, JSON, JSONL or text file")
        p.add_argument(
            "--format",
            choices=["csv", "xlsx", "json", "jsonl", "text"],
            help="override the format guessed from the suffix",
        )
        p.add_argument("--encoding", help="override encoding detection (utf-8, utf-8-sig, gb18030)")
        p.add_argument(
            "--chunk-rows", type=int, default=5000, help="rows or lines per chunk (default 5000)"
        )
        p.add_argument("--quiet", action="store_true", help="no progress on stderr")

    scan = sub.add_parser("scan", help="report personal data found in a file")
    common(scan)
    scan.add_argument("--types", help="comma-separated detector names (default: all)")
    scan.add_argument("--min-confidence", type=float, default=0.5)
    scan.add_argument(
        "-o", "--output", type=Path, help="write the JSON report here (default: stdout)"
    )

    red = sub.add_parser("redact", help="de-identify a file under a release policy")
    common(red)
    red.add_argument("--policy", required=True, help="policy YAML file, or 'default'")
    red.add_argument("-o", "--output", type=Path, required=True)
    red.add_argument(
        "--level", choices=OPENING_LEVELS, default="public", help="opening level (default public)"
    )
    red.add_argument(
        "--grade",
        choices=SECURITY_GRADES,
        default="general",
        help="security grade (default general)",
    )
    red.add_argument(
        "--release-id", default="", help="identifier of the release (goes into the report)"
    )
    red.add_argument(
        "--key-file",
        type=Path,
        help=(
            f"release key for hashes and pseudonyms (default: ${KEY_ENV}, else a fresh random key)"
        ),
    )
    red.add_argument(
        "--report",
        type=Path,
        help="where to write the report (default: OUTPUT.privacy-report.json)",
    )
    red.add_argument("--quasi-identifiers", help="comma-separated QI columns (default: suggested)")
    red.add_argument("--sensitive", help="comma-separated sensitive columns (default: suggested)")

    defaults = TrainParams()
    train = sub.add_parser(
        "train-names",
        help="train the person-name model from labelled span files",
        description=(
            "Train the person-name CRF from *.spans.jsonl[.gz] files laid out as in the "
            f"shared PII sets (corpora: {', '.join(CORPUS_NAMES)}); absent files are skipped."
        ),
    )
    train.add_argument("--data", type=Path, required=True, help="directory of labelled sets")
    train.add_argument("--out", type=Path, required=True, help="model file to write")
    train.add_argument("--corpora", help="comma-separated corpora to use (default: all)")
    train.add_argument("--exclude", help="comma-separated corpora to leave out")
    train.add_argument("--c1", type=float, default=defaults.c1, help="L1 penalty")
    train.add_argument("--c2", type=float, default=defaults.c2, help="L2 penalty")
    train.add_argument(
        "--max-iterations", type=int, default=defaults.max_iterations, help="L-BFGS iterations"
    )
    train.add_argument(
        "--min-freq",
        type=int,
        default=defaults.feature_minfreq,
        help="drop features seen fewer times than this",
    )
    train.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _frame(chunk: Chunk) -> pd.DataFrame:
    return pd.DataFrame(chunk.rows, columns=list(chunk.columns), dtype=object)


def _cmd_scan(args: argparse.Namespace) -> int:
    path: Path = args.file
    fmt = detect_format(path, args.format)
    encoding = args.encoding or (None if fmt == "xlsx" else detect_encoding(path))
    types = [t.strip() for t in args.types.split(",")] if args.types else None
    for t in types or []:
        DETECTORS.get(t)
    progress = Progress(f"scan {path.name}", path.stat().st_size, enabled=not args.quiet)
    collector = FindingCollector()
    for chunk in read_chunks(path, fmt, encoding, args.chunk_rows, progress):
        if chunk.columns:
            ts = scan_table(_frame(chunk), types=types, min_confidence=args.min_confidence)
            collector.add(
                FindingRecord(
                    c.finding.type,
                    c.finding.rule,
                    c.finding.confidence,
                    "none",
                    c.finding.start,
                    c.finding.end,
                    c.column,
                    chunk.first_row + c.row,
                )
                for c in ts.findings
            )
        else:
            for i, row in enumerate(chunk.rows):
                for f in scan_text(str(row[0]), types, min_confidence=args.min_confidence):
                    collector.add(
                        [
                            FindingRecord(
                                f.type,
                                f.rule,
                                f.confidence,
                                "none",
                                f.start,
                                f.end,
                                None,
                                chunk.lines[i] if chunk.lines else chunk.first_row + i,
                            )
                        ]
                    )
    progress.finish()
    report = PrivacyReport(
        release_id="",
        created_at=_now(),
        source=str(path),
        policy="",
        opening_level="",
        security_grade="",
        counts=dict(sorted(collector.counts.items())),
        findings=tuple(collector.records),
        findings_truncated=collector.truncated,
        notes=(
            f"encoding: {encoding or 'xlsx'}",
            f"format: {fmt}",
            "text findings: row is the source line number",
        ),
    )
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    if args.output:
        with atomic_output(args.output) as fh:
            fh.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    summary = ", ".join(f"{t}={n}" for t, n in sorted(collector.counts.items())) or "nothing found"
    print(f"{path}: {summary}", file=sys.stderr)
    return 0


def _release_key(args: argparse.Namespace) -> tuple[bytes, str | None]:
    if args.key_file:
        try:
            return args.key_file.read_bytes().strip(), None
        except OSError as exc:
            raise InputError(f"{args.key_file}: cannot read the release key: {exc}") from exc
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode(), None
    return (
        secrets.token_bytes(32),
        "no release key given: a random key was used and discarded, so hashes and "
        "pseudonyms cannot be linked to any other release",
    )


def _cmd_redact(args: argparse.Namespace) -> int:
    path: Path = args.file
    out_path: Path = args.output
    if out_path.resolve() == path.resolve():
        raise InputError(f"{out_path}: the output must not overwrite the input")
    policy = default_policy() if args.policy == "default" else load_policy(args.policy)
    fmt = detect_format(path, args.format)
    out_fmt = detect_format(out_path, args.format)
    encoding = args.encoding or (None if fmt == "xlsx" else detect_encoding(path))
    key, key_note = _release_key(args)
    context = ReleaseContext(
        release_id=args.release_id,
        opening_level=args.level,
        security_grade=args.grade,
        key=key,
        now=_now(),
        source=str(path),
        quasi_identifiers=args.quasi_identifiers.split(",") if args.quasi_identifiers else None,
        sensitive=args.sensitive.split(",") if args.sensitive else None,
    )
    rule = rule_or_block(policy, context)
    progress = Progress(f"redact {path.name}", path.stat().st_size, enabled=not args.quiet)
    tctx = TransformContext(key=key, release_id=args.release_id)
    collector = FindingCollector()
    report_path: Path = args.report or out_path.with_name(out_path.name + ".privacy-report.json")
    notes = [f"encoding: {encoding or 'xlsx'}", f"format: {fmt}"]
    if key_note:
        notes.append(key_note)
    chunks = read_chunks(path, fmt, encoding, args.chunk_rows, progress)
    mode = "wb" if out_fmt == "xlsx" else "w"
    report: PrivacyReport
    with atomic_output(out_path, mode=mode) as fh:
        writer = ChunkWriter(out_fmt, fh)
        if fmt != "text" and rule.k_anonymity is not None:
            notes.append("k-anonymity required: the table was processed in memory")
            frames = [_frame(c) for c in chunks]
            table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            table = table.infer_objects()
            new, report = apply_policy(table, policy, context)
            writer.write(
                Chunk(
                    tuple(map(str, new.columns)),
                    new.astype(object).where(new.notna(), None).values.tolist(),
                    0,
                )
            )
            report = PrivacyReport.from_dict({**report.to_dict(), "notes": [*report.notes, *notes]})
        else:
            plans: dict[str, ColumnPlan] | None = None
            for chunk in chunks:
                if chunk.columns:
                    frame = _frame(chunk)
                    if plans is None:
                        plans = plan_columns(
                            scan_table(
                                frame, min_confidence=policy.min_confidence, sample_rows=2000
                            ),
                            context,
                        )
                    new = transform_frame(
                        frame,
                        plans,
                        rule,
                        tctx,
                        min_confidence=policy.min_confidence,
                        collector=collector,
                        first_row=chunk.first_row,
                    )
                    writer.write(Chunk(chunk.columns, new.values.tolist(), chunk.first_row))
                else:
                    rows: list[list[object]] = []
                    for i, row in enumerate(chunk.rows):
                        line_no = chunk.lines[i] if chunk.lines else chunk.first_row + i
                        text, found = redact_text(
                            str(row[0]), rule.actions, tctx, min_confidence=policy.min_confidence
                        )
                        collector.add(
                            FindingRecord(
                                f.type,
                                f.rule,
                                f.confidence,
                                rule.actions[f.type].name if f.type in rule.actions else "suppress",
                                f.start,
                                f.end,
                                None,
                                line_no,
                            )
                            for f in found
                        )
                        rows.append([text])
                    writer.write(Chunk((), rows, chunk.first_row))
            report = PrivacyReport(
                release_id=args.release_id,
                created_at=context.now,
                source=str(path),
                policy=policy.name,
                opening_level=args.level,
                security_grade=args.grade,
                counts=dict(sorted(collector.counts.items())),
                findings=tuple(collector.records),
                findings_truncated=collector.truncated,
                notes=tuple(notes),
            )
        writer.close()
    progress.finish()
    with atomic_output(report_path) as fh:
        fh.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    summary = ", ".join(f"{t}={n}" for t, n in sorted(report.counts.items())) or "nothing found"
    print(f"{out_path}: written; {summary}; report {report_path}", file=sys.stderr)
    return 0


def _cmd_train_names(args: argparse.Namespace) -> int:
    chosen = args.corpora.split(",") if args.corpora else list(CORPUS_NAMES)
    left_out = set(args.exclude.split(",")) if args.exclude else set()
    corpora_named(left_out)  # unknown names are an error, not silently ignored
    corpora = [c for c in corpora_named(chosen) if c.name not in left_out]
    params = TrainParams(
        c1=args.c1,
        c2=args.c2,
        max_iterations=args.max_iterations,
        feature_minfreq=args.min_freq,
    )

    def progress(iteration: int) -> None:
        if not args.quiet and (iteration % 10 == 0 or iteration == params.max_iterations):
            print(f"train-names: iteration {iteration}/{params.max_iterations}", file=sys.stderr)

    report = train_from_directory(
        args.data, args.out, corpora=corpora, params=params, on_iteration=progress
    )
    print(
        f"{args.out}: {report.model_bytes / 1e6:.2f} MB from {report.examples} sentences "
        f"({report.characters} characters, {report.names} names; "
        f"corpora {', '.join(report.corpora)}) in {report.seconds:.0f} s",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.command == "scan":
            return _cmd_scan(args)
        if args.command == "train-names":
            return _cmd_train_names(args)
        return _cmd_redact(args)
    except (InputError, PolicyError, TrainingDataError, KeyError) as exc:
        print(f"ceyuan privacy: error: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"ceyuan privacy: error: {exc.filename}: no such file", file=sys.stderr)
        return 1
    except ReleaseBlocked as exc:
        print(f"ceyuan privacy: blocked: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
