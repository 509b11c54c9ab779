"""Athenas: the portal of a Brazilian banking correspondent.

`create_app(config=None)` builds the Flask app: settings, extensions, blueprints, CLI.
It opens no connection and touches no file, so it is safe at import and before fork.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.wrappers import Response

from portal import config as config_module
from portal.config import PROJECT_ROOT

_heap_frozen = False


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the portal; `config` overrides the settings read from the environment."""
    global _heap_frozen
    if _heap_frozen:
        return _build(config)
    # The first build imports some 300 modules. Meanwhile the cyclic garbage collector
    # would rescan the growing heap hundreds of times (a seventh of a command's start-up)
    # and find next to nothing; afterwards every full collection in a worker would scan
    # all those modules, classes and mappers again. So it pauses during the build, and
    # what the build made is frozen out of its reach (objects still freed by refcount).
    collecting = gc.isenabled()
    gc.disable()
    try:
        app = _build(config)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    _heap_frozen = True
    return app


def _build(config: dict[str, Any] | None) -> Flask:
    app = Flask(
        "portal",
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    settings = config_module.from_environment()
    settings.update(config or {})
    config_module.validate(settings)
    app.config.update(settings)
    app.url_rule_class = LazyBuilderRule
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Chatty libraries keep their warnings only: WeasyPrint logs every rendering step (and
    # parses its stylesheets when loaded), fontTools every font it subsets.
    for noisy in ("alembic", "alembic.runtime.plugins", "weasyprint.progress", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    _init_kernel(app)
    _init_extensions(app)
    _init_jobs(app)
    _init_domain_hooks()
    _register_web(app)
    from portal.cli import register_cli

    register_cli(app)
    return app


def _init_kernel(app: Flask) -> None:
    import portal.model_registry  # noqa: F401  (complete metadata before first use)
    from portal.core import backups, crypto, passwords
    from portal.core.throttle import build_throttle
    from portal.people import sessions

    passwords.configure_hasher(cheap=app.config["ARGON2_CHEAP"])
    backups.configure(backups.BackupSettings.from_config(app.config, config_module.INSTANCE_DIR))
    ring = crypto.KeyRing.from_string(app.config["DATA_KEY"], index_secret=app.config["INDEX_SECRET"])
    app.extensions["athenas.keyring"] = ring
    crypto.configure_keyring(ring)
    app.extensions["athenas.throttle"] = build_throttle(app.config["REDIS_URL"], app.config)
    idle = int(app.config["IDLE_TIMEOUT_MINUTES"]) * 60
    if app.config["REDIS_URL"]:
        import redis

        sessions.configure(sessions.RedisSessions(redis.Redis.from_url(app.config["REDIS_URL"]), idle))
    else:
        sessions.configure(sessions.DatabaseSessions(idle))


def _init_extensions(app: Flask) -> None:
    from portal.extensions import csrf, db, login_manager
    from portal.people.models import User

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Faça login para continuar."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The id carries auth_version: a reset or deactivation ends old sessions; the
        # server-side record (one lookup) ends a session at logout even if the cookie lives on.
        from flask import session

        from portal.core.ints import parse_int
        from portal.people import sessions

        raw_id, _, version = user_id.partition(":")
        token = session.get("sid")
        if parse_int(raw_id) is None or parse_int(version) is None or not isinstance(token, str):
            return None
        user = sessions.registry().user_for(db.session, token, int(raw_id))
        if user is None or not user.active or user.auth_version != int(version):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Response:
        from flask import flash, request

        from portal.web.htmx import hx_redirect, is_htmx

        target = url_for("auth.login", next=request.full_path.rstrip("?"))
        if is_htmx():
            response = hx_redirect(url_for("auth.login"))
            response.status_code = 401
            return response
        flash("Faça login para continuar.", "info")
        return redirect(target)


def refuse_demo_mfa_in_production(app: Flask) -> None:
    """Production servers refuse to start while a user still has the demo TOTP secret
    (called by the servers at start-up, not by create_app, which opens no connection)."""
    if app.config["ENV_MODE"] != "production":
        return
    from sqlalchemy.exc import SQLAlchemyError

    from portal.config import DEMO_TOTP_SECRET
    from portal.extensions import db
    from portal.people import mfa

    with app.app_context():
        session = db.new_session()
        try:
            found = mfa.users_with_secret(session, DEMO_TOTP_SECRET)
        except SQLAlchemyError:  # schema not migrated yet: nobody can have it
            found = []
        finally:
            session.close()
    if found:
        raise RuntimeError(
            "Usuários com o segredo TOTP de demonstração em produção: "
            + ", ".join(found)
            + ". Redefina a verificação em duas etapas deles antes de subir o servidor."
        )


def _init_domain_hooks() -> None:
    """Listeners of lower layers' events (idempotent): commissions post a proposal's lines
    when it is paid and its clawback when it ends early, in the move's transaction."""
    from portal import insights
    from portal.commissions import posting

    posting.register()
    insights.register()


# Modules that register job kinds (`@job_kind`); later issues append theirs.
JOB_KIND_MODULES = [
    "portal.demo.jobs",
    "portal.banks.call_log_job",
    "portal.proposals.bank_sync",
    "portal.commissions.recalc",
    "portal.commissions.calc_job",
    "portal.web.statement_job",
    "portal.core.imports.job",
    "portal.insights.workbook_job",
    "portal.web.reports.recurring_job",
    "portal.proposals.retention_runs",
    "portal.core.backups.job",
]

# Modules that register import hub kinds (`register_kind`); `bank-report` comes with
# `portal.commissions.reports`.
IMPORT_KIND_MODULES = [
    "portal.commissions.reports.kind",
    "portal.proposals.import_kind",
    "portal.clients.import_kind",
    "portal.commissions.table_kind",
]


def _init_jobs(app: Flask) -> None:
    """The job service: runner chosen by JOBS_RUNNER; nothing is started or connected here."""
    import importlib

    from sqlalchemy.orm import Session

    from portal.core.jobs import JobEnvironment, JobService, JobSettings, build_runner
    from portal.extensions import db

    for module in (*JOB_KIND_MODULES, *IMPORT_KIND_MODULES):
        importlib.import_module(module)

    def session_factory() -> Session:
        with app.app_context():
            return db.new_session()

    env = JobEnvironment(
        session_factory=session_factory,
        storage_dir=app.config["STORAGE_DIR"],
        settings=JobSettings.from_config(app.config),
        progress_in_db=not str(app.config["DATABASE_URL"]).startswith("sqlite"),
    )
    service = JobService(env, build_runner(app.config["JOBS_RUNNER"], env, app.config))
    app.extensions["athenas.jobs"] = service
    app.extensions["athenas.db"]["jobs"] = service


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` ids above 64 bits are simply not found (404), never a database overflow."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


class LazyBuilderRule(Rule):
    """A URL rule whose `url_for` builders are compiled on first use, not at registration.

    Werkzeug generates and compiles two Python functions per rule when it is added; for
    the portal's ~175 rules that is a third of a second that every command, worker boot
    and test process paid before doing anything. Routing (matching) is unchanged.
    `_compile_builder` is Werkzeug's own (private) hook: were it renamed, rules would simply
    compile eagerly again.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            builder = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            result: tuple[str, str] = builder(**values)
            return result

        return build_on_first_use


def _register_web(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    from portal.web import (
        admin,
        api,
        auth,
        bank_store,
        dashboards,
        finance,
        jobs,
        operations,
        people,
        reports,
        sales,
    )
    from portal.web.errors import register_error_handlers
    from portal.web.filters import register_filters
    from portal.web.input_guard import register_input_guard
    from portal.web.navigation import register_navigation
    from portal.web.security import register_security_hooks

    for module in (auth, api, sales, operations, finance, admin, people, jobs, dashboards):
        app.register_blueprint(module.bp)
    reports.init_app(app)
    people.register_cert_warnings(app)
    register_error_handlers(app)
    register_security_hooks(app)
    register_input_guard(app)
    register_filters(app)
    register_navigation(app)
    bank_store.init_app(app)
