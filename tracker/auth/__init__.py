"""Sign-in, sign-out, users and password handling."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
