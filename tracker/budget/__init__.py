"""Budget lines, spend and staff time."""

from flask import Blueprint

bp = Blueprint("budget", __name__)
