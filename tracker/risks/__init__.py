"""The risk log, risk reviews and the heat map."""

from flask import Blueprint

bp = Blueprint("risks", __name__)
