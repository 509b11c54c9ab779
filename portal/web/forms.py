"""Form helpers shared by every area."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm

from portal.core.errors import DomainError


def attach_error(form: FlaskForm, error: DomainError) -> str | None:
    """Show a DomainError under its field; return the message when no field can hold it
    (the caller shows it above the form)."""
    field = getattr(form, error.field or "", None)
    if field is None or not hasattr(field, "errors"):
        return error.message
    field.errors = [*list(field.errors), error.message]
    return None


def form_date(raw: str | None) -> date | None:
    """A `<input type=date>` value (aaaa-mm-dd), or None when missing or malformed."""
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None
