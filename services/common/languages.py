"""The languages members say they speak and tasks ask for: the one list of them.

Codes are BCP 47 (``asl`` and ``fcs`` for American and Quebec Sign Language), in the order forms
offer them: the coalition's most spoken first. Each has a name in every catalogue (``lang.<code>``
in the web pages' and the mails' catalogues; a test checks it). The gateway serves this list to the
pages (GraphQL ``languages``), which hold no copy.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = (
    "en",
    "fr",
    "es",
    "ar",
    "ht",
    "pt",
    "fa",
    "prs",
    "ps",
    "ti",
    "am",
    "so",
    "sw",
    "tl",
    "vi",
    "zh",
    "yue",
    "hi",
    "pa",
    "ur",
    "bn",
    "ta",
    "ru",
    "uk",
    "tr",
    "ko",
    "asl",
    "fcs",
)
