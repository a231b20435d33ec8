"""`python -m bot demo`: the bundled feeds, served on loopback, give the brief the README promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NNBSP, NBSP = "\u202f", "\u00a0"


def test_demo_prints_the_bilingual_brief_without_tokens_or_internet():
    result = subprocess.run([sys.executable, "-m", "bot", "demo"], capture_output=True, text=True, cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 0, result.stderr
    # One brief: each story in French then English, a rule between stories (issue #9).
    stories = result.stdout.split("─" * 40)
    assert len(stories) == 3  # the Brussels meeting, Eastern Sentry, and an unrelated sports story kept apart
    pairs = [story.split("▸ ")[1:] for story in stories]
    assert all(len(pair) == 2 for pair in pairs), pairs
    french, english = "".join("▸ " + fr for fr, _ in pairs), "".join("▸ " + en for _, en in pairs)
    brussels_fr = pairs[0][0].split("  Sources")[0]  # facts only; headlines restate figures
    brussels_en = pairs[0][1].split("  Sources")[0]

    assert brussels_fr.startswith("Réunion des ministres de la Défense de l'OTAN, Bruxelles, 12 février 2026")
    [big] = [line for line in brussels_fr.splitlines() if "35 milliards de dollars" in line]
    assert int(re.search(r"· (\d+) sources", big).group(1)) >= 3  # one pledge, several outlets
    assert "500 millions de livres sterling" in brussels_fr and "150 millions de livres sterling" in brussels_fr
    assert "5 intercepteurs PAC-3, à condition que" in brussels_fr
    assert "Arctic Sentry (OTAN), lancée le 11 février 2026" in brussels_fr
    assert "juillet 2026 — prochain sommet de l'OTAN, Ankara" in brussels_fr
    assert "2035 — " in brussels_fr

    assert brussels_en.startswith("NATO defence ministers meet, Brussels, 12 February 2026")
    assert brussels_en.count("$35 billion") == 1
    assert "£500 million" in brussels_en and "£150 million" in brussels_en and "PURL" in brussels_en
    assert "5 PAC-3 interceptors, if allies send thirty more" in brussels_en  # the English source's words
    assert "Arctic Sentry (NATO), launched on 11 February 2026" in brussels_en
    assert "July 2026" in brussels_en and "Ankara" in brussels_en and "2035 — " in brussels_en
    # Every fact line reads in the brief's language: no line keeps another language's words (issue #9).
    for brief in (french, english):
        facts = [story.split("  Sources")[0] for story in brief.split("▸ ")[1:]]
        marked = [line for story in facts for line in story.splitlines() if re.search(r"\((?:en|fr)\)", line)]
        assert not marked, marked
