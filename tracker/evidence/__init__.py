"""The standard, the evidence library, ratings, readiness and gap actions."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)
