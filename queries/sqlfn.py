"""SQL expressions that differ between SQLite and PostgreSQL, compiled per dialect.

Bucketing timestamps by day and month is the only thing the two engines spell differently; keeping
it here lets every query be written once and give the same strings on both.
"""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_of(FunctionElement):
    """'YYYY-MM-DD' of a timestamp."""

    type = String()
    inherit_cache = True


class month_of(FunctionElement):
    """'YYYY-MM' of a timestamp or date."""

    type = String()
    inherit_cache = True


class year_of(FunctionElement):
    """'YYYY' of a timestamp or date."""

    type = String()
    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_sqlite(el, compiler, **kw):
    return "strftime('%%Y-%%m-%%d', %s)" % compiler.process(el.clauses, **kw)


@compiles(day_of, "postgresql")
def _day_pg(el, compiler, **kw):
    return "to_char(%s, 'YYYY-MM-DD')" % compiler.process(el.clauses, **kw)


@compiles(month_of, "sqlite")
def _month_sqlite(el, compiler, **kw):
    return "strftime('%%Y-%%m', %s)" % compiler.process(el.clauses, **kw)


@compiles(month_of, "postgresql")
def _month_pg(el, compiler, **kw):
    return "to_char(%s, 'YYYY-MM')" % compiler.process(el.clauses, **kw)


@compiles(year_of, "sqlite")
def _year_sqlite(el, compiler, **kw):
    return "strftime('%%Y', %s)" % compiler.process(el.clauses, **kw)


@compiles(year_of, "postgresql")
def _year_pg(el, compiler, **kw):
    return "to_char(%s, 'YYYY')" % compiler.process(el.clauses, **kw)
