"""Forms of the admin area."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

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
