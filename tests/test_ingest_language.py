"""detect_language(): French or English, with declared languages as the fallback."""

from __future__ import annotations

from briefings.ingest.language import detect_language, normalise_code


def test_french_and_english_texts():
    fr = "Le gouvernement a annoncé jeudi une nouvelle enveloppe pour la défense aérienne du pays allié."
    en = "The government announced on Thursday a new package for the air defence of its ally."
    assert detect_language(fr) == "fr"
    assert detect_language(en) == "en"


def test_a_long_text_beats_a_wrong_declaration():
    fr = "Les alliés se retrouveront en juillet pour décider du calendrier des prochaines livraisons d'armes."
    assert detect_language(fr, "en", "en") == "fr"


def test_a_short_text_follows_the_page_then_the_feed():
    assert detect_language("OTAN", "fr-FR") == "fr"
    assert detect_language("Arctic Sentry", None, "fr") == "fr"
    assert detect_language("Kyiv", "de", "en-GB") == "en"  # unsupported page language is passed over


def test_normalise_code():
    assert normalise_code("fr-FR") == "fr"
    assert normalise_code("EN_gb") == "en"
    assert normalise_code("de") is None
    assert normalise_code(None) is None
