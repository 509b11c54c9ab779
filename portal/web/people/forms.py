"""Forms of the people pages. Lengths are checked here (friendly message before the
service runs); every business rule lives in the services."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.core.ints import parse_int
from portal.people.constants import ISSUER_LABELS
from portal.people.models import ORG_KIND_LABELS, ROLE_GROUP_LABELS

REQUIRED = "Campo obrigatório."


def _max(n: int) -> Length:
    return Length(max=n, message=f"Máximo de {n} caracteres.")


def optional_int(value: object) -> int | None:
    """Select values: an id, or None for blank/garbage/out of range (the service decides)."""
    return parse_int(value)


class BrDateField(DateField):
    """HTML date input (aaaa-mm-dd) with a Portuguese error message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = datetime.strptime(raw[:10], "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError("Data inválida.") from None


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def _choice_field(label: str, pairs, **kwargs) -> SelectField:
    return SelectField(label, choices=select_choices(pairs), validate_choice=False, **kwargs)


class CollaboratorForm(FlaskForm):
    name = StringField("Nome completo", validators=[DataRequired(REQUIRED), _max(120)])
    cpf = StringField("CPF", validators=[_max(20)])
    email = StringField("E-mail", validators=[_max(254)])
    phone = StringField("Telefone", validators=[_max(25)])
    role_group = _choice_field("Grupo", [(g.value, label) for g, label in ROLE_GROUP_LABELS.items()])
    unit_id = SelectField("Loja / equipe", coerce=optional_int, validate_choice=False)
    supervisor_id = SelectField("Supervisor", coerce=optional_int, validate_choice=False)
    hired_on = BrDateField("Data de admissão", validators=[Optional()])
    user_email = StringField("Login vinculado (e-mail do usuário)", validators=[_max(254)])


class MoveForm(FlaskForm):
    unit_id = SelectField("Nova unidade", coerce=optional_int, validate_choice=False)
    moved_on = BrDateField("A partir de", validators=[DataRequired(REQUIRED)], default=date.today)


class DeactivateForm(FlaskForm):
    left_on = BrDateField("Data de saída", validators=[DataRequired(REQUIRED)], default=date.today)


class CertificationForm(FlaskForm):
    issuer = _choice_field("Emissor", [(i.value, label) for i, label in ISSUER_LABELS.items()])
    number = StringField("Número", validators=[DataRequired(REQUIRED), _max(60)])
    issued_on = BrDateField("Emissão", validators=[DataRequired(REQUIRED)])
    expires_on = BrDateField("Validade", validators=[DataRequired(REQUIRED)])
    evidence = FileField("Comprovante (PDF, JPG ou PNG, até 10 MB)")


class OperatorCodeForm(FlaskForm):
    bank_code = _choice_field("Banco", [])  # the bank registry, set by the view
    operator_code = StringField("Código / login no banco", validators=[DataRequired(REQUIRED), _max(60)])
    secret = PasswordField("Senha ou token (opcional)", validators=[_max(500)])
    clear_secret = BooleanField("Remover a senha guardada")


class OrgUnitForm(FlaskForm):
    kind = _choice_field("Tipo", [(k.value, label) for k, label in ORG_KIND_LABELS.items()])
    name = StringField("Nome", validators=[DataRequired(REQUIRED), _max(120)])
    parent_id = SelectField("Unidade superior", coerce=optional_int, validate_choice=False)
    cnpj = StringField("CNPJ", validators=[_max(20)])
    cep = StringField("CEP", validators=[_max(10)])
    city = StringField("Cidade", validators=[_max(80)])
    state = StringField("UF", validators=[_max(2)])
    active = BooleanField("Ativa", default=True)


class ConfirmForm(FlaskForm):
    """An empty form: CSRF token for one-button actions."""
