"""Prepared downloads: slow files (the assessor's pack, a highlight report's PDF) built by the
background worker when REDIS_URL is set, and fetched from a waiting page once ready.

Without REDIS_URL nothing here is used: the original routes build the file in the request.
"""

from flask import Blueprint

bp = Blueprint("prepared", __name__)
