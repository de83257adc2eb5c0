"""The autosave's two statements, compiled by the ORM once per database connection instead of per save.

Compiling the save's three-table locking read took about a third of an answer save's web CPU; its
SQL never changes, only the two numbers in it. ``CompiledRead`` has the ORM compile the queryset
once (with placeholder values it then checks are the statement's only varying parameters), and turns each
row into model instances with the ORM's own converters and select_related population, so the
objects are the ones the queryset would have returned. ``write_fields`` is the ``UPDATE`` that
``save(update_fields=...)`` issues, without the per-call machinery: the values go through each
field's ``get_db_prep_save`` as in ``save``; ``insert_rows`` is the same for ``bulk_create``.

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
    """A queryset of one model (with select_related) whose only varying parameters are ``placeholders``.

    Other parameters (a status the filter names, say) are kept as compiled, once a second compilation
    with other placeholder values has shown they do not change with them.
    """

    def __init__(self, build: Callable[..., models.QuerySet], placeholders: Sequence[int]) -> None:
        self._build = build
        self._placeholders = tuple(placeholders)

    def _slots(self, params: Sequence, placeholders: tuple[int, ...]) -> list[int | None] | None:
        """For each parameter, which of ``values`` it is (None: a constant); None if a placeholder is missing."""
        slots = [placeholders.index(p) if type(p) is int and p in placeholders else None for p in params]
        return slots if set(slots) - {None} == set(range(len(placeholders))) else None

    def _prepared(self, using: str):
        cache = _local.__dict__.setdefault("reads", {})
        connection = connections[using]
        entry = cache.get((id(self), using))
        if entry is None or entry[0] is not connection:
            compiler = self._build(*self._placeholders).query.get_compiler(using=using)
            sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
            slots = self._slots(params, self._placeholders)
            others = tuple(value + 1 for value in self._placeholders)
            other_sql, other_params = self._build(*others).query.get_compiler(using=using).as_sql()
            if slots is None or other_sql != sql or self._slots(other_params, others) != slots or [
                    p for p, slot in zip(params, slots) if slot is None] != [
                    p for p, slot in zip(other_params, slots) if slot is None]:
                entry = (connection, None)  # the statement varies in other ways: always use the ORM
            else:
                klass_info = compiler.klass_info
                first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
                init_list = [column[0].target.attname for column in compiler.select[first:last]]
                populators = get_related_populators(klass_info, compiler.select, using)
                template = [(slot, param) for slot, param in zip(slots, params)]
                entry = (connection, (compiler, sql, template, klass_info["model"], first, last, init_list, populators))
            cache[(id(self), using)] = entry
        return connection, entry[1]

    def first(self, *values: int, using: str = "default"):
        """The first object the queryset built with ``values`` returns, or None."""
        connection, prepared = self._prepared(using)
        if prepared is None:
            return self._build(*values).first()
        compiler, sql, template, model, first, last, init_list, populators = prepared
        with connection.cursor() as cursor:
            cursor.execute(sql, [param if slot is None else values[slot] for slot, param in template])
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(iter(compiler.results_iter([[row]])))  # the fields' from_db_value converters
        obj = model.from_db(using, init_list, row[first:last])
        for populator in populators:
            populator.populate(row, obj)
        return obj


def _statement(key, using: str, write: Callable) -> tuple:
    """(connection, the SQL ``write(connection)`` returns for ``key``), written once per thread and connection."""
    connection = connections[using]
    statements = _local.__dict__.setdefault("statements", {})
    entry = statements.get((key, using))
    if entry is None or entry[0] is not connection:
        entry = statements[(key, using)] = (connection, write(connection))
    return entry


def write_fields(obj: models.Model, field_names: Sequence[str], *, using: str = "default") -> None:
    """``obj.save(update_fields=field_names)`` for a model with no save() override or save signals."""
    model = type(obj)
    fields = [model._meta.get_field(name) for name in field_names]

    def update(connection) -> str:
        quote = connection.ops.quote_name
        return "UPDATE {} SET {} WHERE {} = %s".format(
            quote(model._meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            quote(model._meta.pk.column),
        )

    connection, sql = _statement(("update", model, tuple(field_names)), using, update)
    params = [field.get_db_prep_save(getattr(obj, field.attname), connection=connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])


def item_seconds_add(*, attempt_id: int, position: int, seconds: int, using: str = "default") -> None:
    """Book ``seconds`` more on one item of an attempt, in the database (no read, no lost update)."""
    from ..models import AttemptItem

    def update(connection) -> str:
        quote = connection.ops.quote_name
        meta = AttemptItem._meta
        spent, attempt, at = (quote(meta.get_field(name).column) for name in ("seconds_spent", "attempt", "position"))
        return f"UPDATE {quote(meta.db_table)} SET {spent} = {spent} + %s WHERE {attempt} = %s AND {at} = %s"

    connection, sql = _statement("item_seconds_add", using, update)
    with connection.cursor() as cursor:
        cursor.execute(sql, [seconds, attempt_id, position])


def insert_rows(model: type[models.Model], rows: Sequence[dict], *, using: str = "default") -> list[int]:
    """Insert ``rows`` (field attname → value, so a key is ``attempt_id``) in one statement and return their keys, in order.

    What ``bulk_create`` sends for a model with an automatic key and no save signals, without the
    per-object preparation: every concrete field but the key is written, a field a row leaves out
    takes its default, and the values go through each field's ``get_db_prep_save`` as in ``save``.
    The statement is written once per connection and number of rows.
    """
    if not rows:
        return []
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]

    def insert(connection) -> str:
        quote = connection.ops.quote_name
        row = "({})".format(", ".join(["%s"] * len(fields)))
        return "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(
            quote(meta.db_table), ", ".join(quote(field.column) for field in fields),
            ", ".join([row] * len(rows)), quote(meta.pk.column),
        )

    connection, sql = _statement(("insert", model, len(rows)), using, insert)
    params = []
    for row in rows:
        for field in fields:
            value = row[field.attname] if field.attname in row else field.get_default()
            params.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]
