"""The supported languages, their script direction and fallback chains (content/languages.md).

Pure data: the engine, i18n and the validator all read it, so the list lives in one place.
"""

from __future__ import annotations

SOURCE = "de"

#: Every language a person can choose, in the order of languages.md (source first).
SUPPORTED: tuple[str, ...] = (
    "de", "en", "ar", "ru", "fa", "fr", "ps", "ur", "ka", "ckb", "ku", "tr",
)

#: Written right to left: texts get Unicode isolates around Latin runs such as "§ 25b".
RTL: frozenset[str] = frozenset({"ar", "fa", "ps", "ur", "ckb"})

_CHAINS: dict[str, tuple[str, ...]] = {
    "ckb": ("ckb", "ar", "en", "de"),
    "ps": ("ps", "fa", "en", "de"),
    "ur": ("ur", "en", "de"),
    "ku": ("ku", "tr", "en", "de"),
    "en": ("en", "de"),
    "de": ("de",),
}


def fallback_chain(language: str) -> tuple[str, ...]:
    """Return the languages to try, in order, when a text is missing in `language`.

    Always ends with the German source, so a text is never missing altogether.
    """
    chain = _CHAINS.get(language)
    if chain is not None:
        return chain
    if language in SUPPORTED:
        return (language, "en", "de")
    return ("en", "de")


def is_rtl(language: str) -> bool:
    """Whether `language` is written right to left."""
    return language in RTL
