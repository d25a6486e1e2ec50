"""Rendering engine outputs for Telegram: escaping, splitting, keyboards, the unreviewed note."""

from __future__ import annotations

from bot.channels.render import MAX_TEXT, render, split
from bot.channels.tokens import sign, verify
from bot.engine.io import Button, Msg, Say
from bot.i18n import Catalogs
from tests.conftest import LOCALES


def test_chrome_strings_are_escaped_flow_html_is_kept() -> None:
    catalogs = Catalogs(LOCALES)
    messages = render([Say("<b>Hallo</b> &amp; willkommen", "de"),
                       Say(Msg("<script>{x}</script> & co", {"x": "<i>"}), "de")], "de",
                      catalogs)
    assert messages[0].text == "<b>Hallo</b> &amp; willkommen"
    assert messages[1].text == "&lt;script&gt;&lt;i&gt;&lt;/script&gt; &amp; co"


def test_long_composed_messages_split_at_paragraphs() -> None:
    paragraphs = [f"Absatz {n}: " + "x" * 900 for n in range(10)]
    pieces = split("\n\n".join(paragraphs))
    assert all(len(p) <= MAX_TEXT for p in pieces) and len(pieces) == 3
    assert pieces[0].startswith("Absatz 0") and pieces[1].startswith("Absatz 4")
    assert all(len(p) <= MAX_TEXT for p in split("y" * 20_000))


def test_only_the_last_piece_carries_the_keyboard_and_the_note_comes_once() -> None:
    catalogs = Catalogs(LOCALES)
    buttons = (Button("opt:a", "Kurz"), Button("opt:b", "Ein ziemlich langer Knopftext hier"),
               Button("back", Msg("« Back")), Button("menu", Msg("Menu")))
    messages = render([Say("Erste", "en", unreviewed=True),
                       Say("\n\n".join(["z" * 3000] * 3), "en", unreviewed=True,
                           buttons=buttons)], "ar", catalogs)
    assert [bool(m.keyboard) for m in messages] == [False, False, False, True]
    note = catalogs.translate("ar", Msg("This translation has not yet been checked by a "
                                        "native speaker."))
    assert sum(note in m.text for m in messages) == 1 and note in messages[-1].text
    rows = messages[-1].keyboard
    assert [[b for _, b in row] for row in rows] == [["opt:a"], ["opt:b"], ["back", "menu"]]


def test_callback_tokens_are_signed_per_chat_and_fit_telegram() -> None:
    key = b"k" * 32
    token = sign(key, "42", 17, "faq:training_16g_vs_60c")
    assert len(token.encode()) <= 64
    assert verify(key, "42", token) == (17, "faq:training_16g_vs_60c")
    assert verify(key, "43", token) is None  # another chat
    assert verify(b"x" * 32, "42", token) is None  # another key
    assert verify(key, "42", token.replace("17", "18", 1)) is None
    assert verify(key, "42", "garbage") is None
