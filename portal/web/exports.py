"""List exports: the same filtered statement as the page, streamed as CSV or XLSX.

Every export goes through `export_response`, which writes an audit entry naming the list,
the filters and the number of rows (`list.exported`). An XLSX is built inside the request,
so its entry joins the request's transaction; a CSV streams after the request committed, so
its entry is written by a session of its own when the stream ends (or is interrupted)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Response, abort, request, stream_with_context
from sqlalchemy import Select

from portal.core import audit, spreadsheets
from portal.extensions import db
from portal.web.access import current_actor

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ACTION = "list.exported"
_IGNORED_ARGS = {"after", "fmt", "csrf_token"}
_LONG_DIGITS = re.compile(r"\d{5,}")


def _filters() -> dict[str, str]:
    """The request's filters, with long digit runs (CPF, benefit numbers) masked."""
    merged = {**request.args.to_dict(), **request.form.to_dict()}
    return {
        k[:40]: _LONG_DIGITS.sub(lambda m: "*" * len(m.group()), v[:100])
        for k, v in sorted(merged.items())
        if k not in _IGNORED_ARGS and v != ""
    }


def _details(fmt: str, filename: str, sheet_title: str, rows: int, complete: bool = True) -> dict[str, Any]:
    details: dict[str, Any] = {
        "list": sheet_title,
        "file": filename,
        "format": fmt,
        "filters": _filters(),
        "rows": rows,
        "route": request.endpoint or "",
    }
    if not complete:
        details["interrupted"] = True
    return details


class _Counter:
    """Wraps the caller's rows and counts what was actually written."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _streamed_csv(headers: Sequence[str], counter: _Counter, target: str, details: dict[str, Any]):
    actor = current_actor()
    complete = False
    try:
        yield from spreadsheets.iter_csv(list(headers), counter)
        complete = True
    finally:
        details = {**details, "rows": counter.count}
        if not complete:
            details["interrupted"] = True
        session = db.new_session()
        try:
            audit.record(session, actor, EXPORT_ACTION, target, details)
            session.commit()
        finally:
            session.close()


def export_response(
    fmt: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Dados",
) -> Response:
    """`fmt` is "csv" or "xlsx"; rows are produced lazily by the caller's generator.
    The export is audited with the list, its filters and the row count."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    target = f"list:{filename[:150]}"
    counter = _Counter(rows)
    if fmt == "csv":
        details = _details(fmt, filename, sheet_title, 0)
        body = stream_with_context(_streamed_csv(headers, counter, target, details))
        # Werkzeug appends "; charset=utf-8" to text types itself: name the type only.
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        return response
    if fmt != "xlsx":
        abort(404)
    data = spreadsheets.write_xlsx(list(headers), counter, sheet_title)
    audit.record(
        db.session,
        current_actor(),
        EXPORT_ACTION,
        target,
        _details(fmt, filename, sheet_title, counter.count),
    )
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
