"""Forms of the client pages. They only carry values and the CSRF token: the domain
services validate (so the rules are the same for pages, imports and the API)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from portal.clients.models import (
    CHANNEL_LABELS,
    LEGAL_BASIS_LABELS,
    PROVENANCE_LABELS,
    PURPOSE_LABELS,
)
from portal.clients.services import ClientInput, LinkInput
from portal.core.documents import BRAZILIAN_STATES
from portal.core.ints import parse_int


def _max(n: int) -> Length:
    return Length(max=n, message=f"Máximo de {n} caracteres.")


def _choices(labels: dict, blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank), *(SelectChoice(key.value, label) for key, label in labels.items())]


class ClientForm(FlaskForm):
    cpf = StringField("CPF", validators=[_max(20)], render_kw={"inputmode": "numeric", "autocomplete": "off"})
    name = StringField("Nome completo", validators=[_max(120)])
    birth_date = StringField(
        "Data de nascimento", validators=[_max(10)], render_kw={"placeholder": "dd/mm/aaaa"}
    )
    email = StringField("E-mail", validators=[_max(254)])
    phone = StringField("Celular", validators=[_max(25)], render_kw={"placeholder": "(11) 91234-5678"})
    phone_alt = StringField("Telefone alternativo", validators=[_max(25)])
    cep = StringField("CEP", validators=[_max(10)], render_kw={"placeholder": "00000-000"})
    street = StringField("Logradouro", validators=[_max(200)])
    number = StringField("Número", validators=[_max(20)])
    complement = StringField("Complemento", validators=[_max(100)])
    district = StringField("Bairro", validators=[_max(100)])
    city = StringField("Cidade", validators=[_max(100)])
    state = SelectField(
        "UF",
        choices=[SelectChoice("", "—"), *(SelectChoice(uf, uf) for uf in sorted(BRAZILIAN_STATES))],
        validate_choice=False,
    )
    provenance = SelectField(
        "Origem dos dados", choices=_choices(PROVENANCE_LABELS, "Selecione…"), validate_choice=False
    )
    provenance_detail = StringField(
        "Detalhe da origem", validators=[_max(200)], description="Obrigatório para arquivo importado."
    )
    owner_id = SelectField("Corretor responsável", choices=[], validate_choice=False)

    def to_input(self) -> ClientInput:
        return ClientInput(
            **{name: (getattr(self, name).data or "") for name in ClientInput.__dataclass_fields__}
        )

    def owner(self) -> int | None:
        raw = self.owner_id.data
        return parse_int(raw)


class LinkForm(FlaskForm):
    agreement = StringField(
        "Convênio",
        validators=[_max(40)],
        render_kw={"list": "agreements", "placeholder": "INSS, SIAPE, GOV-SP…"},
    )
    benefit_number = StringField("Nº do benefício / matrícula", validators=[_max(30)])
    benefit_kind = StringField("Espécie / tipo", validators=[_max(60)], render_kw={"placeholder": "ex.: 41"})
    monthly_income = StringField("Renda mensal", validators=[_max(30)], render_kw={"placeholder": "1.234,56"})
    payout_bank = StringField("Banco", validators=[_max(3)], render_kw={"placeholder": "001"})
    payout_agency = StringField("Agência", validators=[_max(10)])
    payout_account = StringField("Conta", validators=[_max(20)])

    def to_input(self) -> LinkInput:
        return LinkInput(
            **{name: (getattr(self, name).data or "") for name in LinkInput.__dataclass_fields__}
        )


class ConsentForm(FlaskForm):
    purpose = SelectField("Finalidade", choices=_choices(PURPOSE_LABELS, "Selecione…"), validate_choice=False)
    legal_basis = SelectField(
        "Base legal", choices=_choices(LEGAL_BASIS_LABELS, "Selecione…"), validate_choice=False
    )
    channel = SelectField("Canal", choices=_choices(CHANNEL_LABELS, "Selecione…"), validate_choice=False)
    granted_at = StringField(
        "Data da autorização", validators=[_max(10)], render_kw={"placeholder": "dd/mm/aaaa (hoje se vazio)"}
    )
    evidence = FileField("Evidência (PDF, JPG ou PNG, até 5 MB)")


class ConfirmForm(FlaskForm):
    """An empty form: CSRF token for one-button actions."""


class FullExportForm(FlaskForm):
    """Export the client list with full personal data: the reason is audited."""

    fmt = SelectField("Formato", choices=[("xlsx", "XLSX"), ("csv", "CSV")], default="xlsx")
    reason = TextAreaField(
        "Motivo da exportação",
        description="Ex.: arquivo de portabilidade pedido pelo banco X. Fica registrado na auditoria.",
    )
    q = HiddenField()
    owner = HiddenField()
    status = HiddenField()
