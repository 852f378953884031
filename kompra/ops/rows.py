"""One row by equality (with rows it joins), read without compiling a queryset.

The pages kept whole (kompra/ops/pagecache.py) still read, on every request, the few rows
their access check and their key need: the community, its school, the person's
membership, the activity or problem named in the address. Through a queryset each such
read spends most of its time building its SQL (0.25 to 0.35 ms measured on SQLite, of
which running it takes a few hundredths); `one_row` sends a fixed statement through
`raw()`, which maps the row onto the model as the queryset would, in about a third of
the time. `one_row_joined` reads the community, its school and the person's membership
in one statement. Column names come from the models, values go as parameters: nothing
of the request is ever part of the statement.
"""

from django.db import connection


def one_row(model, **equals):
    """The `model` instance whose fields equal `equals` (all of them), or None. The fields
    must identify at most one row (a primary key, a unique field or constraint)."""
    return one_row_joined(model, {}, **equals)[0]


def one_row_joined(model, joined, **equals):
    """Like one_row, with rows of other tables in the same read: `joined` maps a name to
    (model, join condition, inner). The condition is SQL over the aliases `t` (the row)
    and the name, with %s for its parameters: ("m.user_id = %s", [5]). Returns
    (row, {name: instance or None}), or (None, {}) when no row matches."""
    quote = connection.ops.quote_name
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in equals]
    columns, joins, params = ["t.*"], [], []
    for name, (other, condition, condition_params, inner) in joined.items():
        columns += [f"{name}.{quote(f.column)} AS {quote(f'{name}__{f.attname}')}" for f in other._meta.concrete_fields]
        kind = "INNER" if inner else "LEFT OUTER"
        joins.append(f"{kind} JOIN {quote(other._meta.db_table)} {name} ON {condition}")
        params += condition_params
    where = " AND ".join(f"t.{quote(field.column)} = %s" for field in fields)
    params += [field.get_db_prep_value(value, connection) for field, value in zip(fields, equals.values(), strict=True)]
    sql = f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t {' '.join(joins)} WHERE {where}"  # noqa: S608
    rows = list(model.objects.raw(sql, params))
    if not rows:
        return None, {}
    row = rows[0]
    return row, {name: _instance(other, row, name) for name, (other, *_) in joined.items()}


def _instance(model, row, name):
    """The joined `model` read from the row's `name__` columns, converted as a queryset
    converts them (dates from SQLite's text, say); None when the join found nothing."""
    fields = model._meta.concrete_fields
    values = []
    for field in fields:
        value = getattr(row, f"{name}__{field.attname}")
        column = field.get_col(name)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = converter(value, column, connection)
        values.append(value)
    if values[fields.index(model._meta.pk)] is None:
        return None
    return model.from_db(connection.alias, [field.attname for field in fields], values)
