"""Text normalisation for matching what people type against FAQ phrasings and button labels.

People write on phones, in many scripts, with or without diacritics, in Arabic or Persian letter
variants and digits. Matching must not depend on any of that.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and bidi controls: invisible, but they break matching (and can be abused).
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C, *range(0x202A, 0x202F),
     *range(0x2066, 0x206A)])
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_DIGIT_MAP = {**{chr(0x0660 + d): str(d) for d in range(10)},  # Eastern Arabic digits
              **{chr(0x06F0 + d): str(d) for d in range(10)}}  # Persian digits
_DIGITS = str.maketrans(_DIGIT_MAP)
_LETTERS = str.maketrans({
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0626": "\u06cc",  # ي ى ئ → ی
    "\u0643": "\u06a9",  # ك → ک
    "\u0629": "\u0647", "\u06c0": "\u0647", "\u06d5": "\u0647",  # ة ۀ ە → ه
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # أ إ آ ٱ → ا
    "\u0624": "\u0648",  # ؤ → و
    **_DIGIT_MAP,
})
_SPACE = re.compile(r"\s+")
_LETTER_AFTER_NUMBER = re.compile(r"\b(\d+) ([a-z])\b")  # "25 b" is "25b"


def strip_invisible(text: str) -> str:
    """Remove zero-width and bidirectional control characters."""
    return text.translate(_INVISIBLE)


def normalize(text: str) -> str:
    """Fold `text` to a comparable form: NFKC, casefold, no marks, unified letters and digits."""
    text = unicodedata.normalize("NFKC", strip_invisible(text)).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).translate(_LETTERS)
    cleaned = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text)
    return _LETTER_AFTER_NUMBER.sub(r"\1\2", _SPACE.sub(" ", cleaned).strip())


def ascii_digits(text: str) -> str:
    """Eastern Arabic and Persian digits as ASCII (for dates and numbers people type)."""
    return unicodedata.normalize("NFKC", strip_invisible(text)).translate(_DIGITS)
