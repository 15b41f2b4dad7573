"""The project, its people and work streams, meetings and the project home page."""

from flask import Blueprint

bp = Blueprint("projects", __name__)
