"""What an email address or a phone number looks like in free text, in one place.

Used to keep contact data out of logs (``observability``: replaced by a marker) and out of text the
public sees (``http_api.public_text``: refused). A phone is a run of digits and phone punctuation
standing on its own, 7 to 15 digits long (a local number up to a full E.164 one); dates,
decimals, UUIDs and other ids are not phones.

Invisible formatting characters (zero-width spaces and joiners, bidirectional overrides and
isolates, byte-order marks) are ignored when looking for contact details, so they cannot hide a
phone number, and public text refuses them: they can reverse or disguise what a reader sees.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Not a piece of a UUID, hex id or word: nothing word-like or a dash right before or after.
_PHONE_LIKE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{6,}\d(?![\w-])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d+\.\d+")
PHONE_DIGITS = range(7, 16)
# Unicode's format characters (category Cf) that are used in running text.
HIDDEN_FORMATTING = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0001\U000e0020-\U000e007f]"
)


def hidden_formatting(text: str) -> list[str]:
    """The invisible formatting characters in ``text``, in order."""
    return HIDDEN_FORMATTING.findall(text)


def _is_phone(text: str) -> bool:
    digits = sum(char.isdigit() for char in text)
    return digits in PHONE_DIGITS and not _DATE.search(text) and not _DECIMAL.fullmatch(text.strip())


def phone_numbers(text: str) -> list[str]:
    return [match.group() for match in _PHONE_LIKE.finditer(text) if _is_phone(match.group())]


def has_contact_details(text: str) -> bool:
    text = HIDDEN_FORMATTING.sub("", text)
    return bool(EMAIL.search(text) or phone_numbers(text))


def redact(text: str) -> str:
    """Emails and phone numbers replaced by markers; ids, dates and figures left as they are."""
    text = EMAIL.sub("[redacted-email]", HIDDEN_FORMATTING.sub("", text))
    return _PHONE_LIKE.sub(lambda m: "[redacted-phone]" if _is_phone(m.group()) else m.group(), text)
