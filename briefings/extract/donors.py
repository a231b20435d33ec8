"""Who gives: the donor of a figure in a pledge sentence.

A figure is only a pledge when a donor can be named, and naming it is most of the grammar: a
subject at the clause's start, joint donors ("la Suède et la Finlande"), a capital standing for its
government ("Berlin enverrait"), a demonym on the aid noun ("un paquet britannique"), a passive's
agent ("annoncé par le Pentagone"), a giver after the figure ("du Royaume-Uni"), and anaphors
resolved from earlier sentences ("son pays", "les trois pays", "nous"). It lives apart from
`pledges` so that the decision "is this figure new aid?" and the question "whose is it?" can be
read, and changed, one at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from briefings.extract.gazetteer import COUNTRY, DEMONYM, ORGANISATION, PERSON, PLACE, Mention
from briefings.extract.pledge_grammar import PledgeGrammar, clause_span, last_verb
from briefings.models import Pledge

ALLIES = "ALLIES"
UKRAINE = "UA"


@dataclass(frozen=True)
class Actor:
    """Someone who may be a sentence's donor: codes (several when joint), where it stands, and how
    it refers ("name", or "previous"/"speaker"/"counted" for phrases resolved from context)."""

    codes: tuple[str, ...]
    start: int
    end: int
    how: str = "name"
    count: int = 0  # for a counted group ("cinq pays"): how many
    demonym: bool = False  # named by its adjective ("belge", "Belgian"), which can qualify an aid noun


@dataclass
class ArticleMemory:
    """What earlier sentences of the article tell about later ones."""

    ukraine_topic: bool
    contact_group: bool
    ukraine_near: bool = False  # Ukraine named in this sentence or the two before it
    subject: tuple[str, ...] | None = None  # last subject named in full
    speaker: tuple[str, ...] | None = None  # last person or minister's country
    last_currency: str | None = None
    countries: tuple[str, ...] = ()  # the article's countries, most named first: whose "couronnes"
    groups: Callable[[], list[tuple[str, ...]]] = list  # the article's joint groups of countries
    resolved_by_anaphor: bool = False  # the last donor came from a pronoun, a speaker or a counted group
    anaphoric: set[int] = field(default_factory=set)  # ids of the pledges whose donor did


def country_of(m: Mention) -> str | None:
    """The country a mention stands for: itself, its demonym, or a person's or a place's."""
    if m.kind in (COUNTRY, DEMONYM):
        return m.code
    return m.country if m.kind in (PERSON, PLACE) else None


def ranked_countries(mentions: Iterable[Mention]) -> tuple[str, ...]:
    """Countries by how often they are named (first named first among equals)."""
    counts: dict[str, int] = {}
    for m in mentions:
        code = country_of(m)
        if code and code != UKRAINE:
            counts[code] = counts.get(code, 0) + 1
    return tuple(sorted(counts, key=lambda c: -counts[c]))


def remember(story: ArticleMemory, text: str, folded: str, mentions: list[Mention], g: PledgeGrammar) -> None:
    """Keep the sentence's subject and speaker for the sentences after it ("les trois pays", "son pays")."""
    for actor in find_actors(folded, mentions, g, anaphors=False):
        free = not _after_preposition(folded, actor.start, g) or g.group_head.search(folded, 0, actor.start)
        if actor.how == "name" and actor.codes != (UKRAINE,) and free:
            story.subject = actor.codes
            break
    for m in mentions:
        if m.kind == PERSON or (m.kind == DEMONYM and g.office.search(folded, max(0, m.start - 25), m.end + 25)):
            story.speaker = (m.country or m.code,)


def find_actors(folded: str, mentions: list[Mention], g: PledgeGrammar, anaphors: bool = True) -> list[Actor]:
    """Every phrase of the sentence that may name a donor, joint donors grouped, in text order
    (pronouns and other anaphors left out when `anaphors` is false: they only matter in pledges)."""
    singles: list[Actor] = []
    taken: list[tuple[int, int]] = []
    for m in mentions:
        codes = _codes_of(m, folded, g)
        if codes:
            singles.append(Actor(codes, m.start, m.end, demonym=m.kind == DEMONYM))
        taken.append((m.start, m.end))
    patterns = ((g.counted, "counted"), (g.allies, "allies"), (g.previous, "previous"), (g.speaker, "speaker"))
    for pattern, how in patterns if anaphors else patterns[1:2]:
        for m in pattern.finditer(folded):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                codes = (ALLIES,) if how == "allies" else ()
                count = int(m.group("n")) if how == "counted" and m.group("n").isdigit() else 0
                count = g.cardinals.get(m.group("n"), count) if how == "counted" else 0
                singles.append(Actor(codes, m.start(), m.end(), "name" if how == "allies" else how, count))
                taken.append((m.start(), m.end()))
    singles.sort(key=lambda a: a.start)
    singles = _titled_people(singles, mentions, folded)
    grouped: list[Actor] = []
    for actor in singles:
        last = grouped[-1] if grouped else None
        if (
            last
            and last.how == "name"
            and actor.how == "name"
            and _is_country_group(last.codes)
            and _is_country_group(actor.codes)
            and UKRAINE not in (*last.codes, *actor.codes)
            and g.joiner.match(folded[last.end : actor.start])
            and not _after_preposition(folded, last.start, g)
        ):
            grouped[-1] = Actor(tuple(sorted({*last.codes, *actor.codes})), last.start, actor.end)
        else:
            grouped.append(actor)
    return grouped


_TITLE_GAP = re.compile(r"\s+(?:[a-z'-]+\s+){0,3}")


def _titled_people(actors: list[Actor], mentions: list[Mention], folded: str) -> list[Actor]:
    """A person named right after a demonym of their title speaks for that country: "le Premier
    ministre néerlandais Mark Rutte" is the Netherlands, whatever office the person holds later."""
    people = {(m.start, m.end) for m in mentions if m.kind == PERSON}
    out = list(actors)
    for i, actor in enumerate(out):
        if (actor.start, actor.end) not in people or i == 0:
            continue
        title = out[i - 1]
        if title.demonym and _TITLE_GAP.fullmatch(folded, title.end, actor.start):
            out[i] = Actor(title.codes, actor.start, actor.end, actor.how, actor.count)
    return out


def _is_country_group(codes: tuple[str, ...]) -> bool:
    return bool(codes) and all(len(c) == 2 for c in codes)


def _codes_of(m: Mention, folded: str, g: PledgeGrammar) -> tuple[str, ...]:
    """The donor code a gazetteer mention stands for, or () when it cannot give."""
    if m.kind == ORGANISATION:
        return () if m.code in g.not_donors else (m.code,)
    if (m.country or m.code) in g.not_donors:
        return ()
    if m.kind in (COUNTRY, DEMONYM):
        return (m.code,)
    if m.kind == PERSON:
        return (m.country or m.code,)
    if m.kind == PLACE and m.country:
        # A capital stands for its government only as a subject: "Berlin enverrait", not "à Bruxelles,".
        after = folded[m.end : m.end + 2]
        if not after.startswith((",", ":", " (")) and not _after_preposition(folded, m.start, g):
            return (m.country,)
    return ()


def _after_preposition(folded: str, start: int, g: PledgeGrammar) -> bool:
    return bool(g.preposition_before.search(folded[max(0, start - 14) : start]))


def share_respectively(out: list[Pledge], folded: str, mentions: list[Mention], g: PledgeGrammar) -> list[Pledge]:
    """ "La Suède et la Finlande verseront respectivement 200 et 100 millions": as many joint donors as
    figures, shared out in the order the donors are named."""
    donors = {p.donor for p in out}
    if len(out) < 2 or len(donors) != 1 or not g.respectively.search(folded):
        return out
    codes = (next(iter(donors)) or "").split("+")
    if len(codes) != len(out):
        return out
    order = [c for c in dict.fromkeys(country_of(m) or m.code for m in mentions) if c in codes]
    if len(order) != len(codes):
        return out
    for pledge, code in zip(out, order, strict=True):
        pledge.donor = code
    return out


def elided_donor(
    previous_end: int | None, start: int, folded: str, actors: list[Actor], g: PledgeGrammar
) -> tuple[str, ...] | None:
    """A list that leaves its verb out: "l'Allemagne 500 millions, la France 200 millions" — the
    actor standing alone between two figures gives the second one."""
    if previous_end is None:
        return None
    between = [a for a in actors if previous_end <= a.start and a.end <= start and a.how == "name"]
    between = [a for a in between if a.codes != (UKRAINE,)]
    if len(between) != 1:
        return None
    actor = between[0]
    if _ELLIPSIS_BEFORE.fullmatch(folded, previous_end, actor.start) and _ELLIPSIS_AFTER.fullmatch(
        folded, actor.end, start
    ):
        return actor.codes
    return None


_ELLIPSIS_BEFORE = re.compile(r"[^,;]{0,40}?(?:,|;|\bet|\band)\s*(?:(?:le|la|les|l'|the)\s*)?")
_ELLIPSIS_AFTER = re.compile(r"\s*(?:,\s*)?(?:(?:a|has|have|will|va|vont|de son cote|pour sa part)\s+)?")


_AND_FROM = re.compile(r"\s*(?:,|et|and)\s*(?:du|de la|de l'|des|de|from)?\s*(?:the\s+)?")


def find_donor(
    start: int,
    end: int,
    folded: str,
    actors: list[Actor],
    story: ArticleMemory,
    g: PledgeGrammar,
    after_figure: int | None = None,
) -> tuple[str, ...] | None:
    """Who gives the figure at [start, end): a donor named on the aid noun ("paquet britannique",
    "… du Royaume-Uni"), else the subject of its clause, else the sentence's, else the story's.
    `after_figure` is the end of an earlier figure of the same clause: a giver named between it and
    this figure's verb is this figure's ("le Canada a alloué 19 millions, et un groupe d'alliés fournira …")."""
    clause_start, _ = clause_span(folded, start, g)
    attached = _attached_donor(start, end, folded, actors, g)
    if attached:
        return attached
    trigger = last_verb(folded, clause_start, start, g)
    if trigger is None:  # a passive after the figure: "… 400 millions … a été annoncé par le Pentagone"
        after = g.verb.search(folded, end, clause_span(folded, start, g)[1])
        trigger = after.start() if after else None
    if trigger is not None:
        before = [a for a in actors if a.end <= trigger and a.codes != (UKRAINE,)]
        if before and before[-1].how == "name" and g.relative_before.search(folded[before[-1].end : trigger]):
            return before[-1].codes  # "… les Pays-Bas, qui ont engagé …"
        agent = _agent(trigger, folded, actors, g)
        if agent:
            return agent
        named = _adjacent_giver(trigger, folded, actors, g)
        if named:
            return named  # "Paris soutient Kiev et la Suède verse 300 millions": Sweden gives the figure
        if after_figure is not None:
            own = [a for a in before if a.start >= after_figure and a.how in ("name", "counted")]
            own = [a for a in own if a.codes == (ALLIES,) or not _after_preposition(folded, a.start, g)]
            if own:
                return _resolve(own[-1], actors, story, folded, g)
    for lo, hi, last in ((clause_start, start, False), (0, clause_start, True)):
        subject = _first_subject(folded, actors, lo, hi, g, last=last)
        if subject is not None and subject.codes == (UKRAINE,):
            # Ukraine is the subject: it receives ("… from Norway") or asks; it does not give. But
            # "Kiev et Paris concluent un accord où la France promet de livrer …": the
            # giver is the subject right before the verb of giving.
            giver = _giver_of_receipt(subject.end, clause_start, folded, actors, g)
            giver = giver or (_verb_subject(trigger, folded, actors, g) if trigger is not None else None)
            if giver or last or not g.receive.search(folded, subject.end, start):
                return giver
            continue  # "les ministres de X et Y ont annoncé que l'Ukraine recevrait …": the announcers give
        if subject is not None:
            return _resolve(subject, actors, story, folded, g)
    return story.subject


def _verb_subject(trigger: int, folded: str, actors: list[Actor], g: PledgeGrammar) -> tuple[str, ...] | None:
    """The giver written right before the verb of giving, with only auxiliaries and other verbs of
    the same chain between ("la France s'engage à fournir")."""
    for actor in reversed(actors):
        if actor.end > trigger or actor.how != "name" or actor.codes == (UKRAINE,):
            continue
        gap = folded[actor.end : trigger]
        words = [w for w in re.findall(r"[\w']+", g.verb.sub(" ", gap)) if w not in g.auxiliaries]
        if len(re.findall(r"[\w']+", gap)) <= 5 and not words and not _after_preposition(folded, actor.start, g):
            return actor.codes
        return None
    return None


def _adjacent_giver(trigger: int, folded: str, actors: list[Actor], g: PledgeGrammar) -> tuple[str, ...] | None:
    """A giver written right before the verb of giving, in the same clause with no comma between:
    it beats the first subject of a sentence that coordinates two clauses ("Paris soutient Kiev et la
    Suède verse 300 millions"). An example list ("dont l'Allemagne, ont annoncé")
    stands behind a comma and is left to the subject rules."""
    named = _verb_subject(trigger, folded, actors, g)
    if not named:
        return None
    actor = next(a for a in reversed(actors) if a.end <= trigger and a.codes == named)
    return named if "," not in folded[actor.end:trigger] else None


def _giver_of_receipt(
    after: int, clause_start: int, folded: str, actors: list[Actor], g: PledgeGrammar
) -> tuple[str, ...] | None:
    """ "Ukraine will receive €1bn from the EU" / "Kiev recevra … de la part de la Norvège"."""
    clause_end = clause_span(folded, after, g)[1]
    if not g.receive.search(folded, after, clause_end):
        return None
    for actor in actors:
        named = after < actor.start < clause_end and actor.how == "name" and actor.codes != (UKRAINE,)
        if named and _FROM_BEFORE.search(folded, max(clause_start, actor.start - 20), actor.start):
            return actor.codes
    return None


_QUOTE_OPEN = re.compile(r"[«“\"]")
_QUOTE_CLOSE = re.compile(r"[»”\"]")
_BY_BEFORE = re.compile(r"(?:\bpar|\bby)\s+(?:(?:le|la|les|l'|the)\s*)?$")
_FROM_BEFORE = re.compile(r"(?:\bfrom|de la part d[eu']|\bde la part des|\bdu|\bde l'|\bde la|\bdes)\s*(?:the\s+)?$")


def _agent(trigger: int, folded: str, actors: list[Actor], g: PledgeGrammar) -> tuple[str, ...] | None:
    """A passive's agent: "… dévoilée lundi par les Pays-Bas"."""
    verb_end = re.match(r"[\w'-]+", folded[trigger:])
    if not verb_end:
        return None
    after = trigger + verb_end.end()
    for actor in actors:
        if actor.start >= after and actor.how == "name":
            return actor.codes if g.agent_after.match(folded[after : actor.start]) else None
    return None


def _attached_donor(start: int, end: int, folded: str, actors: list[Actor], g: PledgeGrammar) -> tuple[str, ...] | None:
    """A donor written on the package itself: an adjective next to the aid noun ("un nouveau paquet
    britannique", "a British package"), or "du Royaume-Uni et de la Norvège" right after the figure."""
    # After the figure (and its conversion in parentheses): "… de livres sterling du Royaume-Uni".
    tail = end
    paren = re.match(r"\s*\([^)]*\)", folded[end:])
    if paren:
        tail = end + paren.end()
    for actor in actors:
        if actor.start >= tail and actor.how == "name" and actor.codes != (UKRAINE,):
            if g.source_after.match(folded[tail : actor.start]):
                return _joined_after(actor, actors, folded, g)
            # "€977 million in Belgian military aid" / "500 millions d'euros d'aide militaire belge"
            if actor.demonym and (
                (g.aid_adjective_en.fullmatch(folded, tail, actor.start) and g.aid_noun_after.match(folded, actor.end))
                or g.aid_adjective_fr.fullmatch(folded, tail, actor.start)
            ):
                return actor.codes
            break
    # An agent or a thanked giver just before the aid noun: "la validation par l'UE d'une aide de 50 milliards",
    # "remercier l'UE d'avoir validé une aide de …".
    for actor in reversed(actors):
        if actor.end > start or actor.how != "name" or actor.codes == (UKRAINE,):
            continue
        if start - actor.end > 60:
            break
        by_before = _BY_BEFORE.search(folded, max(0, actor.start - 12), actor.start)
        if by_before and g.nominal_agent.match(folded[actor.end : start]):
            return actor.codes
        if g.thanked.search(folded, max(0, actor.start - 25), actor.start):
            return actor.codes
        break
    # The giver after the aid noun: "l'aide de la Suède … s'élève à", "du 20e paquet d'aide de la Suède, d'un montant".
    for noun in g.package_or_aid.finditer(folded, max(0, start - 80), start):
        for actor in actors:
            if actor.start < noun.end() or actor.start > start:
                continue
            named = actor.how == "name" and actor.codes != (UKRAINE,)
            of_giver = g.of_giver.fullmatch(folded, noun.end(), actor.start)
            if named and of_giver and _governs(actor, start, folded, actors, g):
                return actor.codes
            break
    # On the noun before the figure: "un nouveau paquet britannique de défense … de 500 millions".
    nouns = [m for m in g.package.finditer(folded, max(0, start - 80), start)]
    if nouns:
        noun = nouns[-1]
        for actor in actors:
            near_after = 0 <= actor.start - noun.end() <= 2
            near_before = 0 <= noun.start() - actor.end <= 12 and actor.end > max(0, start - 100)
            if actor.how == "name" and actor.codes != (UKRAINE,) and (near_after or near_before):
                gap = folded[actor.end : noun.start()] if near_before else ""
                if near_before and not re.fullmatch(r"\s*(?:'s\s+|new\s+|nouveau\s+|additional\s+)*", gap):
                    continue
                return actor.codes
    return None


def _governs(actor: Actor, start: int, folded: str, actors: list[Actor], g: PledgeGrammar) -> bool:
    """Whether the noun phrase naming `actor` still speaks of the figure at `start`: no verb of giving
    and no other giver between them ("face au retrait du soutien des États-Unis, l'Allemagne débloque …")."""
    if g.verb.search(folded, actor.end, start):
        return False
    return not any(actor.end <= a.start < start and a.codes != (UKRAINE,) for a in actors)


def _joined_after(first: Actor, actors: list[Actor], folded: str, g: PledgeGrammar) -> tuple[str, ...]:
    """ "du Royaume-Uni et de la Norvège": the coordination after a figure repeats "de"."""
    codes = set(first.codes)
    last = first
    for actor in actors:
        if actor.start <= last.start or actor.how != "name":
            continue
        if _AND_FROM.fullmatch(folded, last.end, actor.start):
            codes.update(actor.codes)
            last = actor
        else:
            break
    return tuple(sorted(codes))


def _first_subject(
    folded: str, actors: list[Actor], lo: int, hi: int, g: PledgeGrammar, last: bool = False
) -> Actor | None:
    """The first actor of [lo, hi) that is not inside a prepositional phrase or an example list
    (the last one when `last`: the subject nearest to a clause that names none, as in
    "…, while Sweden said it would give …")."""
    for actor in reversed(actors) if last else actors:
        if not (lo <= actor.start < hi):
            continue
        window = folded[max(lo, actor.start - 25) : actor.start]
        prepositional = _after_preposition(folded, actor.start, g) and not g.group_head.search(folded, lo, actor.start)
        if actor.how == "name" and prepositional and actor.codes != (ALLIES,):
            continue
        if g.example_before.search(window):
            continue
        if actor.codes == (UKRAINE,) and folded.startswith("'s", actor.end):
            continue  # "Ukraine's allies pledged …"
        return actor
    return None


def _resolve(
    actor: Actor, actors: list[Actor], story: ArticleMemory, folded: str, g: PledgeGrammar
) -> tuple[str, ...] | None:
    """Anaphors: "son pays"/"we" → the speaker named earlier; "les trois pays"/"they" → the last subject."""
    if actor.how == "name":
        return actor.codes
    story.resolved_by_anaphor = True
    if actor.how == "counted":
        return next((c for c in story.groups() if len(c) == actor.count), (ALLIES,))
    earlier = [a for a in actors if a.how == "name" and a.end <= actor.start and a.codes != (UKRAINE,)]
    if actor.how == "speaker":
        if earlier:
            return earlier[-1].codes
        # « Nous fournirons … », a déclaré le ministre néerlandais: the speaker is named after the quote.
        close = _QUOTE_CLOSE.search(folded, actor.end)
        if close and _QUOTE_OPEN.search(folded, 0, actor.start):
            after = [a for a in actors if a.start >= close.end() and a.how == "name" and a.codes != (UKRAINE,)]
            if after:
                return after[0].codes
        return story.speaker or story.subject
    # "Poland, Norway and Germany announced that they will finance …": the subject of the clause
    # before, in the same sentence, before the subject of the sentence before.
    subjects = [a for a in earlier if not _after_preposition(folded, a.start, g)]
    return subjects[-1].codes if subjects else story.subject


def donor_code(codes: tuple[str, ...], story: ArticleMemory) -> str:
    """Joint donors joined with '+'; the allies as a group are the contact group in its stories."""
    named = [c for c in codes if c != ALLIES]
    if named:
        return "+".join(sorted(set(named)))
    return "UDCG" if story.contact_group else "NATO"
