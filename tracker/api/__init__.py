"""The read-only JSON API (`api`, under /api/v1, Bearer tokens) and the page where a signed-in
user makes and revokes their tokens (`api_tokens`)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
tokens_bp = Blueprint("api_tokens", __name__)
