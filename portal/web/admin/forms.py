"""Forms of the admin area."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.banks.rules import PARAMETERS
from portal.banks.service import CAPABILITY_CHOICES
from portal.people.permissions import ROLE_LABELS

REQUIRED = "Campo obrigatório."
ROLE_CHOICES = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    name = StringField(
        "Nome", validators=[DataRequired(REQUIRED), Length(max=120, message="Máximo de 120 caracteres.")]
    )
    email = EmailField(
        "E-mail", validators=[DataRequired(REQUIRED), Length(max=254, message="Máximo de 254 caracteres.")]
    )
    role = SelectField("Perfil", choices=ROLE_CHOICES, validators=[DataRequired(REQUIRED)])
    active = BooleanField("Ativo", default=True)


class ConfirmForm(FlaskForm):
    """An empty form: CSRF token for one-button actions."""


class BankForm(FlaskForm):
    """Bank settings; credentials and webhook secret are write-only (never pre-filled)."""

    name = StringField("Nome", validators=[DataRequired(REQUIRED), Length(max=80)])
    base_url = StringField("Endereço da API", validators=[Length(max=300)])
    enabled = BooleanField("Integração ativa")
    under_liquidation = BooleanField("Banco em liquidação extrajudicial")
    capabilities = SelectMultipleField(
        "Capacidades habilitadas",
        choices=[SelectChoice(c.value, label) for c, label in CAPABILITY_CHOICES.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )
    # Numbers as text: the service accepts "1,5" and answers in Portuguese.
    connect_timeout = StringField("Tempo de conexão (s)", validators=[DataRequired(REQUIRED)])
    read_timeout = StringField("Tempo de resposta (s)", validators=[DataRequired(REQUIRED)])
    breaker_threshold = StringField(
        "Falhas seguidas para pausar o banco", validators=[DataRequired(REQUIRED)]
    )
    breaker_cooldown_s = StringField("Pausa após falhas (s)", validators=[DataRequired(REQUIRED)])
    credentials = TextAreaField(
        "Novas credenciais da empresa (JSON)",
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"},
    )
    webhook_secret = PasswordField("Novo segredo do webhook", render_kw={"autocomplete": "new-password"})


class ParameterForm(FlaskForm):
    """A new version of a regulatory parameter."""

    name = SelectField(
        "Parâmetro",
        choices=[SelectChoice(name, spec.label) for name, spec in PARAMETERS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    value = StringField("Valor", validators=[DataRequired(REQUIRED), Length(max=20)])
    valid_from = DateField("Vigente a partir de", validators=[DataRequired("Informe uma data válida.")])
    note = StringField("Fundamento (norma, resolução)", validators=[Length(max=200)])
