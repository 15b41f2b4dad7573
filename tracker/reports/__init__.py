"""The dashboard, highlight reports, meeting packs, exports and the API."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
