"""Error pages in Portuguese: full page inside the layout, or a fragment for HTMX."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, make_response, render_template
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.core.errors import Conflict, DomainError, Forbidden, NotFound, ServiceUnavailable
from portal.extensions import db
from portal.web.htmx import is_htmx

log = logging.getLogger("portal.web")

MESSAGES = {
    400: ("Requisição inválida", "O pedido não pôde ser entendido. Recarregue a página e tente de novo."),
    403: ("Acesso negado", "Você não tem permissão para acessar esta página."),
    404: ("Página não encontrada", "O endereço não existe ou o registro não está disponível para você."),
    405: ("Método não permitido", "Esta ação não é permitida neste endereço."),
    409: ("Conflito", "O registro foi alterado por outra pessoa. Recarregue a página e tente de novo."),
    413: ("Arquivo muito grande", "O arquivo enviado excede o tamanho máximo permitido."),
    422: ("Não foi possível concluir", "Verifique os dados informados."),
    429: ("Muitas tentativas", "Aguarde alguns minutos antes de tentar novamente."),
    500: ("Erro interno", "Algo deu errado do nosso lado. A equipe foi avisada; tente novamente."),
    503: ("Serviço indisponível", "Um serviço necessário está fora do ar. Tente em instantes."),
}

DATABASE_DOWN = (
    "O banco de dados está temporariamente indisponível. Nada foi gravado; tente novamente em instantes."
)


def _is_outage(error: BaseException) -> bool:
    """True for a lost or refused database connection (the server restarting, a failover)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError)


def _forget_failed_state(database_lost: bool = False) -> None:
    """Roll back what the request began. If the database is lost (or loading the signed-in
    user itself failed) the error page renders as a visitor's: the layout's menu must not
    query the lost database again."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing was committed, nothing to undo
        log.warning("rollback failed after a database error", exc_info=True)
    if database_lost or "_login_user" not in g:
        g._login_user = AnonymousUserMixin()


def error_response(status: int, detail: str | None = None) -> Response:
    title, default = MESSAGES.get(status, MESSAGES[500])
    message = detail or default
    template = "errors/_fragment.html" if is_htmx() else "errors/error.html"
    response = make_response(render_template(template, status=status, title=title, message=message), status)
    if is_htmx():
        # Let HTMX swap error fragments into the page's message area.
        response.headers["HX-Retarget"] = "#flash-area"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> Response:
        return error_response(
            400, "Sua sessão do formulário expirou ou é inválida. Recarregue a página e tente de novo."
        )

    @app.errorhandler(NotFound)
    def _not_found(e: NotFound) -> Response:
        return error_response(404, e.message)

    @app.errorhandler(Forbidden)
    def _forbidden(e: Forbidden) -> Response:
        return error_response(403, e.message)

    @app.errorhandler(Conflict)
    def _conflict(e: Conflict) -> Response:
        return error_response(409, e.message)

    @app.errorhandler(ServiceUnavailable)
    def _unavailable(e: ServiceUnavailable) -> Response:
        _forget_failed_state()
        return error_response(503, e.message)

    @app.errorhandler(DomainError)
    def _domain(e: DomainError) -> Response:
        return error_response(422, e.message)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Response:
        status = e.code or 500
        description = None if status in MESSAGES else e.description
        return error_response(status, description)

    @app.errorhandler(DBAPIError)
    def _database(e: DBAPIError) -> Response:
        _forget_failed_state(database_lost=_is_outage(e))
        if _is_outage(e):
            log.warning("database unavailable: %s", e.orig)
            return error_response(503, DATABASE_DOWN)
        log.exception("unhandled database error")
        return error_response(500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> Response:
        log.exception("unhandled error")
        # The session may be mid-failure; the error page itself must still render.
        _forget_failed_state()
        return error_response(500)
