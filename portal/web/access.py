"""Route access policy: every view declares `@require(...)` or `@public`.

A test walks `app.url_map` and fails when a view has no declared policy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user

from portal.core.audit import Actor
from portal.extensions import login_manager
from portal.people.permissions import Permission

F = TypeVar("F", bound=Callable[..., Any])
POLICY_ATTR = "_athenas_policy"


def public(view: F) -> F:
    """Mark a view reachable without login (login page, health check)."""
    setattr(view, POLICY_ATTR, ("public",))
    return view


def require(*permissions: Permission) -> Callable[[F], F]:
    """Allow the view only to signed-in users holding every given permission."""
    if not permissions:
        raise ValueError("require() needs at least one permission")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not all(current_user.can(p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTR, tuple(permissions))
        return wrapped  # type: ignore[return-value]

    return decorator


def require_any(*permissions: Permission) -> Callable[[F], F]:
    """Allow the view to signed-in users holding at least one of the given permissions
    (pages shared by areas, e.g. the import hub; the view checks the record's own rule)."""
    if not permissions:
        raise ValueError("require_any() needs at least one permission")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not any(current_user.can(p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTR, ("any", *permissions))
        return wrapped  # type: ignore[return-value]

    return decorator


def policy_of(view: Callable[..., Any]) -> tuple[Any, ...] | None:
    return getattr(view, POLICY_ATTR, None)


def client_ip() -> str | None:
    return request.remote_addr


def current_actor() -> Actor:
    """The signed-in user as the domain's audit actor."""
    if current_user.is_authenticated:
        return Actor(id=current_user.id, label=current_user.email, ip=client_ip())
    return Actor(id=None, label="anônimo", ip=client_ip())
