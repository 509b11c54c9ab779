"""Forms of the operations pipeline pages (labels and messages in Portuguese)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.proposals.catalogue import TypeRow
from portal.proposals.models import PRODUCT_LABELS
from portal.proposals.pipeline_models import PendencyOwner, PendencyType
from portal.proposals.statuses import LABELS

REQUIRED = "Campo obrigatório."
PRODUCT_CHOICES = [SelectChoice(p.value, label) for p, label in PRODUCT_LABELS.items()]
STATUS_CHOICES = [SelectChoice(s.value, label) for s, label in LABELS.items()]
OWNER_CHOICES = [SelectChoice(o.value, o.label) for o in PendencyOwner]


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class MoveForm(FlaskForm):
    """A status move: the version seen on screen travels with it (optimistic lock)."""

    target = HiddenField(validators=[DataRequired(REQUIRED)])
    version = HiddenField(validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(
        "Motivo", validators=[Optional(), Length(max=500, message="Máximo de 500 caracteres.")]
    )
    sub_status = StringField(
        "Sub-status", validators=[Optional(), Length(max=80, message="Máximo de 80 caracteres.")]
    )
    origin = HiddenField()
    board_query = HiddenField()
    # Moving to "Pendente" opens the pendency the agent must clear (type + the reason as note).
    pendency_type_id = SelectField(
        "Tipo de pendência", coerce=_int_or_none, validate_choice=False, validators=[Optional()]
    )


class ConfirmForm(FlaskForm):
    """An empty form: CSRF token for one-button actions."""

    version = HiddenField()


CHOOSE_TYPE = "Escolha o tipo de pendência."


class PendencyForm(FlaskForm):
    # No type is preselected: an untouched form must not open a pendency.
    type_id = SelectField("Tipo", coerce=_int_or_none, validators=[DataRequired(CHOOSE_TYPE)])
    owner_kind = SelectField("Responsável", choices=OWNER_CHOICES, validators=[DataRequired(REQUIRED)])
    due_on = DateField("Prazo", validators=[Optional()])
    description = TextAreaField(
        "Descrição", validators=[Optional(), Length(max=500, message="Máximo de 500 caracteres.")]
    )


class ResolveForm(FlaskForm):
    note = StringField("Como foi resolvida", validators=[Optional(), Length(max=500)])


class UploadForm(FlaskForm):
    file = FileField("Documento (PDF, JPG ou PNG)")


class MappingForm(FlaskForm):
    # choices: the bank registry, set by the view
    bank_code = SelectField("Banco", choices=[], validators=[DataRequired(REQUIRED)])
    bank_status = StringField(
        "Status no banco",
        validators=[DataRequired(REQUIRED), Length(max=120, message="Máximo de 120 caracteres.")],
    )
    status = SelectField("Status canônico", choices=STATUS_CHOICES, validators=[DataRequired(REQUIRED)])
    sub_status = StringField("Sub-status (opcional)", validators=[Optional(), Length(max=80)])


class PendencyTypeForm(FlaskForm):
    name = StringField(
        "Nome", validators=[DataRequired(REQUIRED), Length(max=80, message="Máximo de 80 caracteres.")]
    )
    active = BooleanField("Ativo", default=True)


class ManualProposalForm(FlaskForm):
    cpf = StringField("CPF do cliente", validators=[DataRequired(REQUIRED), Length(max=20)])
    bank_code = SelectField(
        "Banco", choices=[], default="bradesco", validators=[DataRequired(REQUIRED)]
    )
    product = SelectField("Produto", choices=PRODUCT_CHOICES, validators=[DataRequired(REQUIRED)])
    agreement = StringField("Convênio", validators=[DataRequired(REQUIRED), Length(max=40)])
    term_months = IntegerField(
        "Prazo (meses)",
        validators=[InputRequired(REQUIRED), NumberRange(1, 420, "Prazo entre 1 e 420 meses.")],
    )
    # Money and rates typed the Brazilian way ("1.234,56"); parsed by the view.
    gross_amount = StringField("Valor bruto (R$)", validators=[DataRequired(REQUIRED), Length(max=20)])
    net_amount = StringField("Valor líquido (R$)", validators=[Optional(), Length(max=20)])
    installment = StringField("Parcela (R$)", validators=[Optional(), Length(max=20)])
    monthly_rate = StringField("Taxa mensal (%)", validators=[Optional(), Length(max=10)])
    bank_proposal_number = StringField("Nº da proposta no banco", validators=[Optional(), Length(max=60)])
    bank_status = StringField("Status no banco (opcional)", validators=[Optional(), Length(max=120)])
    submitted_on = DateField("Data da digitação", validators=[Optional()])


def type_choices(kinds: Sequence[PendencyType | TypeRow] | None = None) -> list[SelectChoice]:
    """Active pendency types for the pendency form (`kinds` when the page already read them)."""
    from portal.extensions import db
    from portal.proposals.pendencies import types

    if kinds is None:
        kinds = types(db.session, only_active=True)
    return [SelectChoice("", "Selecione…"), *(SelectChoice(t.id, t.name) for t in kinds)]
