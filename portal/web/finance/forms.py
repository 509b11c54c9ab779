"""Forms of the finance commission pages (labels and messages in Portuguese).

Money and percentages are typed as text: the views parse them with the Brazilian
parsers and answer in Portuguese (a browser number field would refuse "1.234,56").
Choices are checked by the services, in Portuguese (`validate_choice=False`: WTForms'
own message is English)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.commissions.models import OVERRIDE_LEVELS
from portal.commissions.types import PlanBasis, TierMode

REQUIRED = "Campo obrigatório."
DATE_MESSAGE = "Data inválida."
BASIS_CHOICES = [
    SelectChoice(PlanBasis.COMMISSION.value, "Sobre a comissão da empresa"),
    SelectChoice(PlanBasis.PRODUCTION.value, "Sobre a produção (base do contrato)"),
]
TIER_MODE_CHOICES = [
    SelectChoice(TierMode.WHOLE.value, "Taxa da faixa vale para toda a produção"),
    SelectChoice(TierMode.ABOVE.value, "Taxa da faixa só acima da meta"),
]
LEVEL_CHOICES = [SelectChoice(code, label) for code, label in OVERRIDE_LEVELS.items()]


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token of one-button actions."""


class TableImportForm(FlaskForm):
    bank_code = SelectField("Banco", validators=[DataRequired(REQUIRED)], validate_choice=False)
    valid_from = DateField("Vigência de", validators=[Optional()], format="%Y-%m-%d")
    valid_to = DateField("Vigência até", validators=[Optional()], format="%Y-%m-%d")
    note = StringField(
        "Observação", validators=[Optional(), Length(max=300, message="Máximo de 300 caracteres.")]
    )
    file = FileField("Arquivo da tabela (XLSX ou CSV)")


class PlanForm(FlaskForm):
    payee = SelectField("Beneficiário", validators=[DataRequired(REQUIRED)], validate_choice=False)
    name = StringField(
        "Nome do plano", validators=[Optional(), Length(max=120, message="Máximo de 120 caracteres.")]
    )
    valid_from = DateField("Vigência a partir de", validators=[DataRequired(REQUIRED)], format="%Y-%m-%d")
    basis = SelectField(
        "Base", choices=BASIS_CHOICES, validators=[DataRequired(REQUIRED)], validate_choice=False
    )
    percent = StringField("Percentual (%)", validators=[DataRequired(REQUIRED), Length(max=12)])
    tier_mode = SelectField("Modo das metas", choices=TIER_MODE_CHOICES, validate_choice=False)
    tiers = TextAreaField(
        "Metas (uma por linha: produção a partir de; percentual)",
        validators=[Optional(), Length(max=2000, message="Máximo de 2000 caracteres.")],
    )


class PlanEndForm(FlaskForm):
    valid_to = DateField("Último dia do plano", validators=[DataRequired(REQUIRED)], format="%Y-%m-%d")


class OverrideForm(FlaskForm):
    level = SelectField(
        "Nível", choices=LEVEL_CHOICES, validators=[DataRequired(REQUIRED)], validate_choice=False
    )
    percent = StringField("Percentual da base (%)", validators=[DataRequired(REQUIRED), Length(max=12)])
    valid_from = DateField("Vigência a partir de", validators=[DataRequired(REQUIRED)], format="%Y-%m-%d")


class ManualEntryForm(FlaskForm):
    """A manual ledger entry; `confirmed` is set by the confirmation step."""

    payee = SelectField("Beneficiário", validators=[DataRequired(REQUIRED)], validate_choice=False)
    competence = StringField("Competência (aaaa-mm)", validators=[DataRequired(REQUIRED), Length(max=7)])
    amount = StringField(
        "Valor (R$, negativo para débito)", validators=[DataRequired(REQUIRED), Length(max=20)]
    )
    contract = StringField("Contrato (opcional)", validators=[Optional(), Length(max=60)])
    bank_code = SelectField("Banco (opcional)", validators=[Optional()], validate_choice=False)
    reason = TextAreaField(
        "Motivo",
        validators=[
            DataRequired("Informe o motivo do lançamento manual."),
            Length(min=5, max=500, message="O motivo deve ter entre 5 e 500 caracteres."),
        ],
    )
    confirmed = HiddenField()


class RecalcForm(FlaskForm):
    reason = StringField("Motivo do recálculo", validators=[Optional(), Length(max=500)])


class ReceivedForm(FlaskForm):
    """Money received, typed by finance."""

    bank_code = SelectField("Banco", validators=[DataRequired(REQUIRED)], validate_choice=False)
    received_on = DateField("Data do crédito", validators=[DataRequired(DATE_MESSAGE)], format="%Y-%m-%d")
    amount = StringField("Valor (R$)", validators=[DataRequired(REQUIRED), Length(max=30)])
    period = StringField("Período (aaaa-mm)", validators=[Optional(), Length(max=7)])
    reference = StringField("Referência", validators=[Optional(), Length(max=100)])
    memo = StringField("Histórico", validators=[Optional(), Length(max=300)])


class StatementForm(FlaskForm):
    """An OFX or CSV bank statement."""

    file = FileField("Extrato (OFX ou CSV)")
    bank_code = SelectField(
        "Banco (vazio: identificar pelo histórico)", validators=[Optional()], validate_choice=False
    )
    period = StringField("Período (vazio: mês do crédito)", validators=[Optional(), Length(max=7)])


class RulesForm(FlaskForm):
    bank_code = SelectField("Banco", validators=[DataRequired(REQUIRED)], validate_choice=False)
    tolerance = StringField("Tolerância (R$)", validators=[DataRequired(REQUIRED), Length(max=20)])
    missing_after_days = StringField(
        "Não reportado após (dias)", validators=[DataRequired(REQUIRED), Length(max=4)]
    )
    valid_from = StringField("Vale a partir de", validators=[Length(max=10)])


class DecisionForm(FlaskForm):
    """Accept or dispute one divergence (the item's key travels in hidden fields)."""

    bank = HiddenField()
    period = HiddenField()
    contract = HiddenField()
    component = HiddenField()
    dup = HiddenField()
    reason = TextAreaField("Motivo", validators=[Optional(), Length(max=500)])
    protocol = StringField("Protocolo no banco", validators=[Optional(), Length(max=60)])
    confirmed = HiddenField()


class CloseDisputeForm(FlaskForm):
    outcome = SelectField("Resultado", validate_choice=False)
    note = TextAreaField("Observação", validators=[Optional(), Length(max=500)])


class LinkForm(FlaskForm):
    bank = HiddenField()
    reported_contract = HiddenField()
    contract = StringField("Nosso contrato", validators=[Optional(), Length(max=60)])
    reason = TextAreaField("Motivo", validators=[Optional(), Length(max=500)])
