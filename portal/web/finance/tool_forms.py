"""Forms of the finance tools: the calculator over files and the what-if."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField


class CalculatorForm(FlaskForm):
    table = FileField("Tabela do banco (XLSX ou CSV)")
    contracts = FileField("Contratos (XLSX ou CSV)")
    plans = FileField("Planos internos (opcional)")


class WhatIfForm(FlaskForm):
    version_id = SelectField("Versão rascunho da tabela", choices=[], validate_choice=False)
    period = SelectField("Período", choices=[], validate_choice=False)
    plans = FileField("Planos internos em rascunho (opcional)")
