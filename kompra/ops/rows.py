"""One row by equality, read without compiling a queryset.

The pages kept whole (kompra/ops/pagecache.py) still read, on every request, the few rows
their access check and their key need: the community, its school, the person's
membership, the activity or problem named in the address. Through a queryset each such
read spends most of its time building its SQL (0.25 to 0.35 ms measured on SQLite, of
which running it takes a few hundredths); `one_row` sends a fixed statement through
`raw()`, which maps the row onto the model as the queryset would, in about a third of
the time. Column names come from the model, values go as
parameters: nothing of the request is ever part of the statement.
"""

from django.db import connection


def one_row(model, **equals):
    """The `model` instance whose fields equal `equals` (all of them), or None. The fields
    must identify at most one row (a primary key, a unique field or constraint)."""
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in equals]
    where = " AND ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    params = [field.get_db_prep_value(value, connection) for field, value in zip(fields, equals.values(), strict=True)]
    table = connection.ops.quote_name(model._meta.db_table)
    rows = list(model.objects.raw(f"SELECT * FROM {table} WHERE {where}", params))  # noqa: S608 - names from the model
    return rows[0] if rows else None
