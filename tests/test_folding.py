"""Accent-insensitive matching in SQL gives what Python's folding gives, on the database under test."""

from __future__ import annotations

from sqlalchemy import literal, select

from helpdesk.folding import FOLD_FROM, fold_text, folded

SAMPLES = [
    FOLD_FROM,
    "Santé Mentale – Service d’aide à domicile",
    "ÉPICERIE SOCIALE À IXELLES",
    "Dienst voor Geestelijke Gezondheid Sint-Gillis",
    "Maison médicale Ça Va, Forest",
    "Straatverplegers · Bruxelles-Ville · ß œ 100 %",
]


def test_sql_folding_matches_python_folding(session):
    for text in SAMPLES:
        assert session.scalar(select(folded(literal(text)))) == fold_text(text)


def test_folding_keeps_one_character_for_one():
    assert fold_text("Santé MENTALE d’Ixelles") == "sante mentale d'ixelles"
    assert len(fold_text(FOLD_FROM)) == len(FOLD_FROM) and fold_text(FOLD_FROM).isascii()
    assert fold_text(None) == ""
