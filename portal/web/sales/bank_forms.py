"""Forms of the bank pages (simulation)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.banks.lookups import PRODUCT_LABELS

REQUIRED = "Campo obrigatório."


class SimulationForm(FlaskForm):
    product = SelectField(
        "Produto",
        choices=[SelectChoice(product.value, label) for product, label in PRODUCT_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    benefit_link_id = SelectField("Benefício / vínculo", choices=[], validate_choice=False)
    mode = RadioField(
        "Simular por",
        choices=[SelectChoice("amount", "Valor desejado"), SelectChoice("installment", "Valor da parcela")],
        default="amount",
        validators=[DataRequired(REQUIRED)],
    )
    requested_amount = StringField("Valor desejado (R$)", validators=[Length(max=20)])
    installment = StringField("Valor da parcela (R$)", validators=[Length(max=20)])
    # Text, not IntegerField: the message for a bad number must be Portuguese (see views).
    term_months = StringField(
        "Prazo (meses)", default="84", validators=[DataRequired(REQUIRED), Length(max=3)]
    )
    benefit_granted_on = DateField(
        "Concessão do benefício (se recente)", validators=[Optional()], render_kw={"type": "date"}
    )
    banks = SelectMultipleField(
        "Bancos",
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )


class SubmitForm(FlaskForm):
    """Which stored option to submit (the rest is on the server)."""

    simulation_id = StringField(validators=[DataRequired()])
    option = StringField(validators=[DataRequired()])
