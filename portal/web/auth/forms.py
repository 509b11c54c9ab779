"""Forms of the auth area."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

REQUIRED = "Campo obrigatório."


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Senha", validators=[DataRequired(REQUIRED), Length(max=128)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Senha atual", validators=[DataRequired(REQUIRED), Length(max=128)])
    password = PasswordField("Nova senha", validators=[DataRequired(REQUIRED), Length(max=128)])
    confirm = PasswordField("Confirme a nova senha", validators=[DataRequired(REQUIRED), Length(max=128)])


class MfaCodeForm(FlaskForm):
    code = StringField(
        "Código de verificação",
        validators=[DataRequired(REQUIRED), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )
