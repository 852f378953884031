"""One row by equality (with rows it joins), read without building a queryset.

Every signed-in request reads a few rows before anything else: the session with its
person, then for a community page the community, its school and the person's
membership, and the activity or problem named in the address. Through a queryset each
such read spends most of its time building its SQL (0.25 to 0.35 ms measured on SQLite,
of which running it takes a few hundredths), and `raw()` still works out its columns and
the model's field order on every call. Here the statement for each shape of read is
built once per process and kept; the row goes through the converters a queryset would
apply (dates from SQLite's text, say) into `Model.from_db`, as a queryset's row does.
Column names come from the models, values go as parameters: nothing of the request is
ever part of a statement.
"""

from django.db import connection

_statements = {}
_converters = {}


def one_row(model, **equals):
    """The `model` instance whose fields equal `equals` (all of them), or None. The fields
    must identify at most one row (a primary key, a unique field or constraint)."""
    return one_row_joined(model, {}, **equals)[0]


def one_row_joined(model, joined, **equals):
    """Like one_row, with rows of other tables in the same read: `joined` maps a name to
    (model, join condition, its parameters, inner). The condition is SQL over the aliases
    `t` (the row) and the name, with %s for its parameters: ("m.user_id = %s", [5]).
    Returns (row, {name: instance or None}), or (None, {}) when no row matches."""
    tables = {"t": model} | {name: other for name, (other, *_) in joined.items()}
    shape = (
        connection.vendor,
        model,
        tuple((name, other, condition, inner) for name, (other, condition, _, inner) in joined.items()),
        tuple(equals),
    )
    statement = _statements.get(shape)
    if statement is None:
        statement = _statements[shape] = _statement(model, joined, equals)
    sql, fields = statement
    params = [param for _, _, condition_params, _ in joined.values() for param in condition_params]
    params += [field.get_db_prep_value(value, connection) for field, value in zip(fields, equals.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    if values is None:
        return None, {}
    instances, start = {}, 0
    for name, table in tables.items():
        width = len(table._meta.concrete_fields)
        instances[name] = _instance(table, name, values[start : start + width])
        start += width
    return instances.pop("t"), instances


def _statement(model, joined, equals):
    """(SQL, the fields compared in its WHERE), built once for each shape of read."""
    quote = connection.ops.quote_name

    def columns(table, alias):
        return [f"{alias}.{quote(field.column)}" for field in table._meta.concrete_fields]

    selected, joins = columns(model, "t"), []
    for name, (other, condition, _, inner) in joined.items():
        selected += columns(other, name)
        joins.append(f"{'INNER' if inner else 'LEFT OUTER'} JOIN {quote(other._meta.db_table)} {name} ON {condition}")
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in equals]
    where = " AND ".join(f"t.{quote(field.column)} = %s" for field in fields)
    sql = f"SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)} t {' '.join(joins)} WHERE {where}"  # noqa: S608
    return sql, fields


def _instance(model, alias, values):
    """The `model` instance from its columns' values, converted as a queryset converts
    them; None when a join found nothing (its primary key is NULL)."""
    fields = model._meta.concrete_fields
    if values[fields.index(model._meta.pk)] is None:
        return None
    key = (connection.vendor, model, alias)
    converters = _converters.get(key)
    if converters is None:
        columns = [field.get_col(alias) for field in fields]
        converters = _converters[key] = [
            (column, connection.ops.get_db_converters(column) + column.field.get_db_converters(connection))
            for column in columns
        ]
    converted = []
    for value, (column, functions) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
