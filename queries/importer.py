"""Command line import of real data: ``python -m queries.importer cases|suspects|events|sentencing FILE``.

Prints the report (line, column, reason) and exits 0 when the file was imported (or was already
imported, or a dry run found no error) and 2 when it was rejected: then nothing was written.
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from domain.import_rules import KIND_ZH, KINDS, MAX_BYTES

EXIT_OK, EXIT_REJECTED = 0, 2


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width where CJK characters take two columns."""
    w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - w)
    return fill + text if right else text + fill


def format_report(res) -> str:
    lines = [res.summary_zh()]
    if res.problems:
        lines.append("")
        lines.append(f"{_pad('行号', 6, True)}  {_pad('级别', 4)}  {_pad('列', 18)}  问题")
        for p in sorted(res.problems, key=lambda p: (p.line, p.severity)):
            where = str(p.line) if p.line else "文件"
            lines.append(f"{_pad(where, 6, True)}  {_pad(p.severity, 4)}  {_pad(p.column or '—', 18)}  {p.reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m queries.importer",
        description="导入真实数据（CSV，UTF-8 / UTF-8 BOM / GBK）。有任何错误行时整份文件不写入。")
    ap.add_argument("kind", choices=KINDS, help="cases=案件, suspects=犯罪嫌疑人, events=案件事件, sentencing=量刑判决")
    ap.add_argument("file", help="CSV 文件路径")
    ap.add_argument("--good-rows-only", action="store_true", help="只导入无误的行，报告其余各行的问题")
    ap.add_argument("--dry-run", action="store_true", help="只校验并打印报告，不写入")
    ap.add_argument("--url", default=None, help="数据库 URL（默认 DATABASE_URL 或 data/jcy.sqlite3）")
    ap.add_argument("--actor", default="cli", help="审计日志中记录的操作人（默认 cli）")
    args = ap.parse_args(argv)

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_BYTES:
            print(f"文件过大：上限 {MAX_BYTES // 1048576} MB", file=sys.stderr)
            return EXIT_REJECTED
        data = path.read_bytes()
    except OSError as exc:
        print(f"无法读取文件 {path}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_REJECTED

    from queries.db import make_engine
    from queries.imports import import_file
    from domain.scope import ALL

    engine = make_engine(args.url)
    try:
        res = import_file(engine, ALL, args.kind, data, path.name, good_rows_only=args.good_rows_only,
                          dry_run=args.dry_run, actor=args.actor, role="admin")
    except Exception as exc:  # a database that is down: a clear message, not a traceback
        print(f"导入{KIND_ZH[args.kind]}失败：数据库不可用或出错（{type(exc).__name__}），未写入任何数据",
              file=sys.stderr)
        return EXIT_REJECTED
    finally:
        engine.dispose()
    print(format_report(res))
    return EXIT_OK if res.ok else EXIT_REJECTED


if __name__ == "__main__":
    raise SystemExit(main())
