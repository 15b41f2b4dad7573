"""Which passwords the tracker refuses, wherever one is set (user forms, `flask create-user`).

The NCSC advises a minimum length and a deny-list of the passwords attackers try first, rather
than rules about character classes. The deny-list is zxcvbn's (the Python port of Dropbox's
password strength estimator, on PyPI): it ships the 30,000 most common passwords of leaked sets,
compares them case-insensitively and through common substitutions (`P@ssw0rd`), and also finds
what a list cannot hold: repeated characters and patterns (`aaaaaaaaaaaa`, `abcabcabcabc`),
sequences (`abcdefghijkl`, `123456789012`) and keyboard runs (`qwertyuiop12`). A password is
refused when zxcvbn rates it below 3 of 4 (guessable in fewer than 10^8 tries), which a 12
character password made of anything but those passes: three random words always do. A list
committed here would have to be kept up to date by hand and would still miss the patterns.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_PASSWORD = 12
# zxcvbn's scores: 0 to 4; 3 means "safely unguessable" by an online attack and then some.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching is quadratic); the first 72 characters tell enough.
_CHECKED_LENGTH = 72
_PATTERNS = frozenset({"repeat", "sequence", "spatial"})

TOO_SHORT = f"Password must be {MIN_PASSWORD} characters or more"
PATTERN = "Password must not be a repeated character, a pattern or a sequence, like abcdefghijkl"
COMMON = "Password is too easy to guess. Choose one that is not a common password"
HINT = (
    f"At least {MIN_PASSWORD} characters. Three random words are easy to remember and hard to guess"
)


def password_problem(password: str) -> str | None:
    """Why the password is refused, as a message for beside the field, or None if it is fine."""
    if len(password or "") < MIN_PASSWORD:
        return TOO_SHORT
    found = zxcvbn(password[:_CHECKED_LENGTH])
    if found["score"] >= MIN_SCORE:
        return None
    if all(match["pattern"] in _PATTERNS for match in found["sequence"]):
        return PATTERN
    return COMMON
