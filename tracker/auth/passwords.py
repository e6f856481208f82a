"""Password hashing and the password policy."""

import functools
import os

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

COMMON_PASSWORDS_FILE = os.path.join(os.path.dirname(__file__), "common-passwords.txt")


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash, password):
    return check_password_hash(password_hash, password)


@functools.lru_cache(maxsize=4)
def _dummy_hash(method):
    return generate_password_hash("not a real password, used to even out timing", method=method)


def burn_verification(password):
    """Spend the time a real check would take, for an account that does not exist."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


@functools.lru_cache(maxsize=1)
def common_passwords():
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password, email=None, full_name=None):
    """The reasons ``password`` is refused, as translated sentences (empty when fine)."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Use at least %(count)d characters.", count=minimum))
    lowered = password.strip().lower()
    if email:
        email = email.strip().lower()
        if lowered == email or lowered == email.split("@")[0]:
            problems.append(_("Do not use your email address as your password."))
    if lowered in common_passwords():
        problems.append(_("This password is too common. Choose one that is harder to guess."))
    elif len(set(lowered)) < 4:
        problems.append(_("Use more than three different characters."))
    return problems
