"""Whole-project export and import: one ZIP (project.json and the evidence files)."""

from flask import Blueprint

bp = Blueprint("transfer", __name__)
