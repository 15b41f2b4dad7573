"""The issue log and requests for change (one register, as PRINCE2 keeps them)."""

from flask import Blueprint

bp = Blueprint("issues", __name__)
