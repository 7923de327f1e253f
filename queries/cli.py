"""``jcy``: the operator's command line for the steps the serving apps never take themselves.

    jcy db upgrade          create the database if need be and migrate it to head (explicit step)
    jcy db check            is the database there, at the expected revision, and whose is it?
    jcy settings [--check]  print the configuration table, or validate the environment
    jcy models run [--full] run every legal-supervision model (incremental: unchanged inputs are skipped,
                            nothing written; --full reruns everything); per model: version, mode, hits, new, seconds
    jcy models export FILE [--key K ...]   write the models in effect here to one JSON file
    jcy models import FILE [--yes]         show what the file would create; write it only with --yes
    jcy quality run         run every data-quality check once; per check: data set, kind, checked, failed

The sample data has its own command (``python -m sample_data.build``, run by ``make demo-data``): the
query layer does not import the generators. Exit status 0 on success, 1 when the database or a setting is not usable (with a message that says
what to do), 2 on a usage error.
"""
from __future__ import annotations

import argparse
import sys

from domain.settings import SettingsError


def _db_upgrade(args: argparse.Namespace) -> int:
    from queries.db import create_database, current_revision, database_identity

    engine = create_database(args.url)
    try:
        print(f"数据库已就绪 (database ready): revision {current_revision(engine)}, "
              f"identity {database_identity(engine)}")
    finally:
        engine.dispose()
    return 0


def _db_check(args: argparse.Namespace) -> int:
    from sqlalchemy import text

    from queries.db import DatabaseUnavailable, make_engine

    engine = make_engine(args.url)
    try:
        with engine.connect() as conn:
            identity, created = conn.execute(text("SELECT instance_id, created_at FROM db_identity")).one()
    except DatabaseUnavailable as exc:
        print(f"{exc.zh}\n{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # missing file, server down: say which, no traceback
        print(f"数据库无法打开 (cannot open the database): {type(exc).__name__}: "
              f"{(str(exc).splitlines() or [''])[0]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"ok: {engine.url.render_as_string(hide_password=True)} identity {identity} created {created}")
    return 0


def _settings(args: argparse.Namespace) -> int:
    from domain.settings import main as settings_main

    return settings_main(["--check"] if args.check else [])


def _on_database(url: str | None, work):
    """``work(engine)`` on the database at ``url`` (disposed afterwards); None, with the reason on
    stderr, when the database is not usable."""
    from queries.db import DatabaseUnavailable, make_engine

    engine = make_engine(url)
    try:
        return work(engine)
    except DatabaseUnavailable as exc:
        print(f"{exc.zh}\n{exc}", file=sys.stderr)
        return None
    finally:
        engine.dispose()


def _models_run(args: argparse.Namespace) -> int:
    from queries.models import run_all

    results = _on_database(args.url, lambda engine: run_all(engine, full=args.full))
    if results is None:
        return 1
    print(f"{'model':<24} {'version':<12} {'mode':<11} {'hits':>6} {'new':>6} {'seconds':>8}")
    for r in results:
        print(f"{r.key:<24} {r.version:<12} {r.mode:<11} {r.hits_found:>6} {r.new_hits:>6} {r.seconds:>8.2f}")
    return 0


def _models_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from domain.models import ModelError
    from queries.db import make_engine
    from queries.model_library import export_models

    engine = make_engine(args.url)
    try:
        text = export_models(engine, args.key or None)
    except ModelError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    Path(args.file).write_text(text, encoding="utf-8")
    import json

    print(f"已导出 (exported) {len(json.loads(text)['models'])} 个模型 → {args.file}")
    return 0


def _models_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from domain.access import OPERATOR
    from domain.scope import ALL
    from queries.db import make_engine
    from queries.model_library import STATUS_ZH, apply_import, preview_import

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"无法读取文件 (cannot read the file): {exc}", file=sys.stderr)
        return 1
    engine = make_engine(args.url)
    try:
        preview = preview_import(engine, text)
        if preview.error:
            print(f"拒绝导入 (refused): {preview.error}", file=sys.stderr)
            return 1
        print(f"来自 (from) {preview.installation}，导出于 (exported at) {preview.exported_at}")
        for i in preview.items:
            print(f"{i.key:<28} {STATUS_ZH[i.status]:<4} {i.current_version or '-':<12} → {i.version or '-':<12} {i.reason}")
        if not args.yes:
            print("仅预览，未写入；确认后加 --yes 执行 (preview only: add --yes to write)")
            return 0
        done = apply_import(engine, ALL, text, OPERATOR, source_name=Path(args.file).name)
        print(f"已写入 (written) {len(done.to_write)} 个模型版本")
    finally:
        engine.dispose()
    return 0


def _quality_run(args: argparse.Namespace) -> int:
    """Run every data-quality check once; per check: data set, kind, rows checked and failing."""
    from queries.quality import run_checks

    results = _on_database(args.url, run_checks)
    if results is None:
        return 1
    print(f"{'check':<30} {'dataset':<20} {'kind':<4} {'checked':>9} {'failed':>7}")
    for r in results:
        print(f"{r.key:<30} {r.dataset:<20} {r.kind:<4} {r.checked:>9} {r.failed:>7}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jcy", description="检察工作台 operator commands")
    sub = p.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="create, migrate or check the database")
    dbsub = db.add_subparsers(dest="action", required=True)
    for name, fn, text in (("upgrade", _db_upgrade, "create if need be and migrate to head"),
                           ("check", _db_check, "check revision and identity")):
        a = dbsub.add_parser(name, help=text)
        a.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
        a.set_defaults(fn=fn)
    models = sub.add_parser("models", help="legal-supervision models")
    msub = models.add_subparsers(dest="action", required=True)
    run = msub.add_parser("run", help="run every model (incremental; a hit is stored once)")
    run.add_argument("--full", action="store_true", help="rerun every model in full")
    run.set_defaults(fn=_models_run)
    exp = msub.add_parser("export", help="write the models in effect here to a JSON file")
    exp.add_argument("file")
    exp.add_argument("--key", action="append", help="only this model (repeatable)")
    exp.set_defaults(fn=_models_export)
    imp = msub.add_parser("import", help="preview a model file; write it with --yes")
    imp.add_argument("file")
    imp.add_argument("--yes", action="store_true", help="write what the preview shows")
    imp.set_defaults(fn=_models_import)
    for a in (run, exp, imp):
        a.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    quality = sub.add_parser("quality", help="data-quality checks (issue 13)")  # data quality (issue 13)
    qrun = quality.add_subparsers(dest="action", required=True).add_parser("run", help="run every check once")
    qrun.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    qrun.set_defaults(fn=_quality_run)
    st = sub.add_parser("settings", help="print or check the configuration")
    st.add_argument("--check", action="store_true")
    st.set_defaults(fn=_settings)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
