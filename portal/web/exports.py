"""List exports: the same filtered statement as the page, streamed as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Response, abort, stream_with_context
from sqlalchemy import Select

from portal.core import spreadsheets
from portal.extensions import db

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(
    fmt: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Dados",
) -> Response:
    """`fmt` is "csv" or "xlsx"; rows are produced lazily by the caller's generator."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body = stream_with_context(spreadsheets.iter_csv(list(headers), rows))
        # Werkzeug appends "; charset=utf-8" to text types itself: name the type only.
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        return response
    if fmt != "xlsx":
        abort(404)
    data = spreadsheets.write_xlsx(list(headers), rows, sheet_title)
    response = Response(data, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response


def iter_query(stmt: Select, key_column: Any, batch: int = 1000) -> Iterator[Any]:
    """Yield every row of `stmt` in keyset batches from a session of its own, so a
    streamed export outlives the request's session without holding a cursor open."""
    session = db.new_session()
    try:
        last = None
        while True:
            query = stmt.order_by(key_column).limit(batch)
            if last is not None:
                query = query.where(key_column > last)
            rows = session.scalars(query).all()
            if not rows:
                return
            yield from rows
            last = getattr(rows[-1], key_column.key)
            session.expunge_all()
    finally:
        session.close()
