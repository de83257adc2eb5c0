"""The autosave's two statements, compiled by the ORM once per database connection instead of per save.

Compiling the save's three-table locking read took about a third of an answer save's web CPU; its
SQL never changes, only the two numbers in it. ``CompiledRead`` has the ORM compile the queryset
once (with placeholder values it then checks are the statement's only parameters), and turns each
row into model instances with the ORM's own converters and select_related population, so the
objects are the ones the queryset would have returned. ``write_fields`` is the ``UPDATE`` that
``save(update_fields=...)`` issues, without the per-call machinery: the values go through each
field's ``get_db_prep_save`` as in ``save``.

Both are per thread (a compiled statement holds its connection) and fall back to the ORM whenever
a value is one the compiled statement cannot stand for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connections, models
from django.db.models.query import get_related_populators

_local = threading.local()


class CompiledRead:
    """A queryset of one model (with select_related) whose only parameters are ``placeholders``."""

    def __init__(self, build: Callable[..., models.QuerySet], placeholders: Sequence[int]) -> None:
        self._build = build
        self._placeholders = tuple(placeholders)

    def _prepared(self, using: str):
        cache = _local.__dict__.setdefault("reads", {})
        connection = connections[using]
        entry = cache.get((id(self), using))
        if entry is None or entry[0] is not connection:
            compiler = self._build(*self._placeholders).query.get_compiler(using=using)
            sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
            if tuple(params) != self._placeholders:
                entry = (connection, None)  # the statement has other parameters: always use the ORM
            else:
                klass_info = compiler.klass_info
                first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
                init_list = [column[0].target.attname for column in compiler.select[first:last]]
                populators = get_related_populators(klass_info, compiler.select, using)
                entry = (connection, (compiler, sql, klass_info["model"], first, last, init_list, populators))
            cache[(id(self), using)] = entry
        return connection, entry[1]

    def first(self, *values: int, using: str = "default"):
        """The first object the queryset built with ``values`` returns, or None."""
        connection, prepared = self._prepared(using)
        if prepared is None:
            return self._build(*values).first()
        compiler, sql, model, first, last, init_list, populators = prepared
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(iter(compiler.results_iter([[row]])))  # the fields' from_db_value converters
        obj = model.from_db(using, init_list, row[first:last])
        for populator in populators:
            populator.populate(row, obj)
        return obj


def write_fields(obj: models.Model, field_names: Sequence[str], *, using: str = "default") -> None:
    """``obj.save(update_fields=field_names)`` for a model with no save() override or save signals."""
    model = type(obj)
    connection = connections[using]
    fields = [model._meta.get_field(name) for name in field_names]
    cache = _local.__dict__.setdefault("writes", {})
    key = (model, tuple(field_names), using)
    entry = cache.get(key)
    if entry is None or entry[0] is not connection:
        quote = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            quote(model._meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            quote(model._meta.pk.column),
        )
        entry = cache[key] = (connection, sql)
    params = [field.get_db_prep_save(getattr(obj, field.attname), connection=connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(entry[1], [*params, obj.pk])


def item_seconds_add(*, attempt_id: int, position: int, seconds: int, using: str = "default") -> None:
    """Book ``seconds`` more on one item of an attempt, in the database (no read, no lost update)."""
    from ..models import AttemptItem

    connection = connections[using]
    cache = _local.__dict__.setdefault("writes", {})
    entry = cache.get("item_seconds_add")
    if entry is None or entry[0] is not connection:
        quote = connection.ops.quote_name
        meta = AttemptItem._meta
        spent, attempt, at = (quote(meta.get_field(name).column) for name in ("seconds_spent", "attempt", "position"))
        sql = f"UPDATE {quote(meta.db_table)} SET {spent} = {spent} + %s WHERE {attempt} = %s AND {at} = %s"
        entry = cache["item_seconds_add"] = (connection, sql)
    with connection.cursor() as cursor:
        cursor.execute(entry[1], [seconds, attempt_id, position])
