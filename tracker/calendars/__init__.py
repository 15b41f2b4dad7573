"""Calendars: each person's private feed of their projects' dates (subscribed to in Outlook or
Google Calendar), the account page that shows and resets its address, and a meeting's `.ics`."""

from flask import Blueprint

bp = Blueprint("calendars", __name__)
