"""Stages and stage reviews, the work plan, dependencies, milestones, baselines and the Gantt."""

from flask import Blueprint

bp = Blueprint("plan", __name__)
