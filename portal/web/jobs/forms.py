"""Forms of the jobs area."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import NumberRange, Optional


class DemoJobForm(FlaskForm):
    steps = IntegerField(
        "Etapas",
        default=20,
        validators=[Optional(), NumberRange(min=1, max=200, message="Entre 1 e 200 etapas.")],
    )
    simulate_failure = BooleanField("Simular uma falha no meio do processo")


class CancelForm(FlaskForm):
    """Only the CSRF token."""
