"""A synthetic news collection, written as article files, for the scale benchmark.

Why synthetic: the benchmark needs 10k to 1M passages with known passage boundaries, and the
seed articles are two. The text is built to stress what real news stresses:

* a Zipf-Mandelbrot vocabulary of pronounceable pseudo-words (short words are the frequent
  ones), mixed with real English function words, so stopword removal does real work;
* per-article topics and key words, so passages of one article share vocabulary;
* capitalized names (people recur across articles, famous ones more) and numbers written
  the way news writes them ("2,072", "64.1%", "3.5", years);
* articles of about ten passages of 80-120 words, written as paragraphs of 2-6 sentences
  separated by blank lines, most with a ``---`` header (title, outlet, url) like ``seeds/``.

Passage boundaries are chosen so the project's own splitter (``index/passages.py``: keep a
paragraph whole up to 120 words, close a passage at a paragraph boundary from 80 words on)
lands on exactly the generated passages: each passage is one paragraph of 80-120 words, or
two paragraphs whose first has fewer than 80 words. The benchmark checks that the project
indexed the same passages (same count, same token lengths) before comparing scores.

Everything is vectorized numpy over chunks of articles, and each chunk has its own seeded
generator, so a collection is a pure function of (size, seed) and the 10k collection is the
first tenth of the 100k one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 2  # bump when the generated text changes: it keys the cache
PASSAGES_PER_ARTICLE = 10
ARTICLES_PER_CHUNK = 500
QUESTION_SETS = {"latency": 1000, "batch": 2000}
OFF_TOPIC_SHARE = 0.1  # questions made of random words: most still match something


def _words(text: str) -> list[str]:
    """A word list written as a block of text: easier to read than a list literal."""
    return text.split()


# Real English function words, most frequent first; all are in the project's stopword list.
FUNCTION_WORDS = _words(
    "the of and to a in that is for on was with as by at it from his be has have he "
    "are were an this which but not they their its had been will who after more would "
    "also about over into than up there when other some could she her we our all what "
    "if only while can no so out such most many these those then them through against "
    "during before between under again both each few very should because"
)
# Real words a pseudo-word must not be: the project's stopwords and the words its cleaner keys
# on ("video", "cookie", "get" ...), so no generated paragraph turns into clutter by accident.
# A frozen snapshot (only words the syllable grammar below can produce), not read from the
# project, so a seed's collection stays the same while the project's word lists change.
AVOID = _words(
    "above africa agencies agree americas among another archives around article articles asia "
    "asking audience author auto bare become being bio bios bool bour box boxes breader "
    "breaking callable caller cancel carries case categories choices clean cleaning climate "
    "close closes clutter columnist comes compare compile continue continues continuing "
    "contribut contributor conversation cookie cookies cover coverage create credit crime "
    "cues culture dangling dataclasses date dates decides decline discussion doe does doing "
    "don donat donate easier east editing editor education either else email ember end ending "
    "enlarge enter enum epa europe ever expand expression extend facebook false far features "
    "finditer fit footage footer free friend frozen frozenset fund fundrais fundraising "
    "furniture further future general get give giving goes got handles handout having header "
    "heading here heres hero hes hide him home however ies illustration image images inbox "
    "index information ing inside instagram interface intern invite ion isalnum isdigit "
    "islower ive jan jane join journalist june just kind label last later latest leave legal "
    "len licensing like line lines linkedin list listen literal live loading local login "
    "logout long longer lower made magazine mail main manage mar marker mastodon max media "
    "member menu menus messenger min mission must name names national navigation neither "
    "never newer non none nonprofit nor nothing notice notices ober older once one ones open "
    "opener opinion order otherwise ourselves outlet page pages patron per personal pin "
    "pinterest pipes place please popular position post preferences previous producer promo "
    "prose publication question quotation quote range rather reader reading region register "
    "registering regular repeating replies reporter reporting responses rest return rule "
    "rules run same save scan science see seen separator serves service set shape shapes "
    "share shares sharing shes shorter site size social source spacing spot stories tail tax "
    "teaser telegram test themselves theres thus tiktok time title titles token too travel "
    "trending trial true tuple until upon use uses using ust via video videos voice walking "
    "weather weve within without wording"
)
QUESTION_OPENERS = (
    "how many",
    "how much",
    "what did",
    "what is the",
    "when did",
    "who",
    "why is",
    "where was",
    "which",
    "is there",
    "what happened to",
    "did",
)
QUESTION_JOINERS = ("in", "of", "the", "about", "after", "for", "on", "with", "at", "to")
OUTLETS = (
    "The Daily Marrow",
    "Velbrook Herald",
    "Tessar Post",
    "Northgate Ledger",
    "Ambrel Wire",
    "Coastline Courier",
    "Kanto Review",
    "The Plainfield Standard",
)
TITLE_LINKS = ("in", "over", "after", "on", "for", "as", "at")

# Pseudo-word syllables: onset + vowel + coda.
ONSETS = [
    *_words(
        "b bl br c ch cl cr d dr f fl fr g gl gr h j k kl l m n p pl pr qu r s sc sh sk sl sm "
        "sn sp st str t th tr v w z"
    ),
    "",
]
VOWELS = _words("a e i o u a e i o ai ea ou io ie")
CODAS = ["", "", "", "n", "r", "l", "s", "m", "nd", "st", "k", "t", "rn", "x", "ng"]

# Pool sizes are fixed (not scaled with the collection), so smaller collections are
# prefixes of larger ones and the vocabulary grows with the collection as in real text.
N_BACKGROUND = 200_000
N_FIRST_NAMES = 3_000
N_PEOPLE = 40_000
N_PLACES = 6_000
N_NUMBERS = 30_000
N_TOPICS = 400
TOPIC_WORDS = 30
ZIPF_S, ZIPF_Q = 1.05, 20.0  # Zipf-Mandelbrot: p(rank) ~ 1 / (rank + q)^s
SLOT_KINDS = ("function", "background", "topic", "name", "number")
SLOT_SHARES = (0.44, 0.33, 0.14, 0.05, 0.04)
MIN_SENTENCE_WORDS = 4
MAX_PASSAGE_WORDS, MIN_PASSAGE_WORDS = 120, 80  # index/passages.py: MAX_WORDS, 2 * MIN_WORDS
MIN_PARAGRAPH_WORDS = 26  # longer than any prompt or link line the cleaner drops (25 words)
MAX_PASSAGE_SLOTS = 110  # word slots; full names ("First Last") may add words up to the 120
MAX_FIRST_PARAGRAPH_SLOTS = 70  # a first paragraph stays under 80 words, so none closes early


@dataclass(frozen=True, slots=True)
class Corpus:
    """A generated collection on disk, and what the benchmark needs to know about it."""

    root: Path
    passages: int
    articles: int
    seed: int

    @classmethod
    def at(cls, root: Path) -> Corpus:
        """The collection already generated in ``root``."""
        manifest = json.loads((root / "manifest.json").read_text("utf-8"))
        return cls(root, manifest["passages"], manifest["articles"], manifest["seed"])

    @property
    def articles_dir(self) -> Path:
        return self.root / "articles"

    @property
    def spans_path(self) -> Path:
        """Per passage: article number, byte start and byte end in the article file."""
        return self.root / "passages.npy"

    def questions(self, name: str) -> list[dict]:
        """A question set: ``text`` and ``source`` (the passage it was drawn from, or -1)."""
        path = self.root / f"questions-{name}.jsonl"
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]

    def question_file(self, name: str) -> Path:
        """One question per line, for ``python -m index search --batch``."""
        return self.root / f"questions-{name}.txt"

    def manifest(self) -> dict:
        return json.loads((self.root / "manifest.json").read_text("utf-8"))


# --- the lexicon: every string the generator can write ---------------------------------------


@dataclass(frozen=True, slots=True)
class Lexicon:
    """All entries as bytes in one blob; ids are grouped by kind (see the ``*_base`` fields).

    Entries ``[0, n)`` are as written mid-sentence; ``[n, 2n)`` are the same entries with a
    capital first letter (sentence starts); separators follow at ``2n``.
    """

    words: list[str]
    blob: np.ndarray  # uint8
    offsets: np.ndarray
    lengths: np.ndarray
    word_counts: np.ndarray  # how many whitespace-separated words an entry is
    n: int
    function_base: int
    background_base: int
    people_base: int  # full names "First Last"; the surname alone is at + N_PEOPLE
    places_base: int
    numbers_base: int
    topic_words: np.ndarray  # (N_TOPICS, TOPIC_WORDS) background entry ids
    background_cdf: np.ndarray
    people_cdf: np.ndarray
    numbers_cdf: np.ndarray

    @property
    def separators_base(self) -> int:
        return 2 * self.n


SEPARATORS = (" ", ", ", ". ", ".\n\n", ".\n")
SPACE, COMMA, SENTENCE_END, PARAGRAPH_END, ARTICLE_END = range(len(SEPARATORS))


def zipf_cdf(n: int, s: float = ZIPF_S, q: float = ZIPF_Q) -> np.ndarray:
    """Cumulative Zipf-Mandelbrot probabilities over ranks 1..n (sample by searchsorted)."""
    weights = 1.0 / (np.arange(1, n + 1) + q) ** s
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def draw(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """Ranks drawn from a cumulative distribution (0 = most frequent)."""
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


def pseudo_words(rng: np.random.Generator, count: int, banned: set[str]) -> list[str]:
    """``count`` distinct pronounceable words, shortest first (frequent words are short)."""
    found: list[str] = []
    seen = set(banned)
    while len(found) < count:
        batch = 4 * (count - len(found)) + 1000
        syllables = rng.choice([1, 2, 3, 4], size=batch, p=[0.12, 0.5, 0.3, 0.08])
        words = np.full(batch, "", dtype="<U40")
        for position in range(4):
            use = syllables > position
            syllable = np.char.add(
                np.char.add(
                    np.asarray(ONSETS)[rng.integers(len(ONSETS), size=batch)],
                    np.asarray(VOWELS)[rng.integers(len(VOWELS), size=batch)],
                ),
                np.asarray(CODAS)[rng.integers(len(CODAS), size=batch)],
            )
            words = np.where(use, np.char.add(words, syllable), words)
        for word in words.tolist():
            if len(word) >= 3 and word not in seen:
                seen.add(word)
                found.append(word)
    found = found[:count]
    order = np.lexsort((rng.random(count), [len(w) for w in found]))
    return [found[i] for i in order]


def number_strings(rng: np.random.Generator, count: int) -> list[str]:
    """Numbers as news writes them: counts, thousands with commas, decimals, percents, years."""
    kinds = rng.choice(5, size=count, p=[0.3, 0.25, 0.15, 0.2, 0.1])
    values = rng.random(count)
    out: list[str] = []
    for kind, v in zip(kinds.tolist(), values.tolist(), strict=True):
        if kind == 0:
            out.append(str(2 + int(v * 98)))
        elif kind == 1:
            out.append(f"{1000 + int(v**2 * 998_000):,}")
        elif kind == 2:
            out.append(f"{v * 40:.1f}")
        elif kind == 3:
            out.append(f"{v * 99:.1f}%" if v < 0.6 else f"{int(v * 99)}%")
        else:
            out.append(str(1990 + int(v * 36)))
    return list(dict.fromkeys(out))


def build_lexicon(seed: int) -> Lexicon:
    """The fixed lexicon and topic model for a seed (independent of the collection size)."""
    rng = np.random.default_rng([seed, 0])
    banned = set(FUNCTION_WORDS) | set(AVOID)
    pool = pseudo_words(rng, N_BACKGROUND + N_FIRST_NAMES + N_PEOPLE + N_PLACES, banned)
    shuffled = rng.permutation(len(pool))
    names = [pool[i].capitalize() for i in shuffled[: N_FIRST_NAMES + N_PEOPLE + N_PLACES]]
    taken = set(shuffled[: N_FIRST_NAMES + N_PEOPLE + N_PLACES].tolist())
    background = [w for i, w in enumerate(pool) if i not in taken]  # still shortest first
    firsts = names[:N_FIRST_NAMES]
    surnames = names[N_FIRST_NAMES : N_FIRST_NAMES + N_PEOPLE]
    places = names[N_FIRST_NAMES + N_PEOPLE :]
    first_of = rng.integers(N_FIRST_NAMES, size=N_PEOPLE)
    people = [f"{firsts[f]} {s}" for f, s in zip(first_of.tolist(), surnames, strict=True)]
    numbers = number_strings(rng, N_NUMBERS)

    words = list(FUNCTION_WORDS)
    background_base = len(words)
    words += background
    people_base = len(words)
    words += people + surnames
    places_base = len(words)
    words += places
    numbers_base = len(words)
    words += numbers
    n = len(words)
    capitalized = [w[:1].upper() + w[1:] for w in words]
    encoded = [w.encode() for w in [*words, *capitalized, *SEPARATORS]]
    lengths = np.fromiter((len(b) for b in encoded), np.int64, len(encoded))
    offsets = np.zeros(len(encoded), np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    word_counts = np.fromiter((len(w.split()) for w in [*words, *capitalized]), np.int64, 2 * n)

    # Topics are sets of mid-frequency words: frequent enough to recur, rare enough to matter.
    topic_pool = rng.choice(np.arange(300, 60_000), size=(N_TOPICS, TOPIC_WORDS), replace=True)
    return Lexicon(
        words=words,
        blob=np.frombuffer(b"".join(encoded), np.uint8),
        offsets=offsets,
        lengths=lengths,
        word_counts=np.concatenate([word_counts, np.zeros(len(SEPARATORS), np.int64)]),
        n=n,
        function_base=0,
        background_base=background_base,
        people_base=people_base,
        places_base=places_base,
        numbers_base=numbers_base,
        topic_words=topic_pool + background_base,
        background_cdf=zipf_cdf(len(background)),
        people_cdf=zipf_cdf(N_PEOPLE, 0.9, 50.0),
        numbers_cdf=zipf_cdf(len(numbers), 0.8, 10.0),
    )


# --- one chunk of articles -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chunk:
    """Generated articles: file bodies plus per-passage spans and slot data for questions."""

    bodies: list[bytes]
    passage_spans: np.ndarray  # (passages, 3): article (in chunk), byte start, byte end
    slot_ids: np.ndarray  # lexicon id per word slot (lower-case form)
    slot_kinds: np.ndarray
    passage_slots: np.ndarray  # slot offset of each passage, plus the end
    article_keys: np.ndarray  # (articles, 4) topic key words
    article_people: np.ndarray
    article_places: np.ndarray


def _paragraphs(rng: np.random.Generator, passages: int) -> tuple[np.ndarray, np.ndarray]:
    """Word slots per paragraph, and paragraphs per passage (1 or 2), within the split rules."""
    total = rng.integers(MIN_PASSAGE_WORDS, MAX_PASSAGE_SLOTS + 1, size=passages)
    two = rng.random(passages) < 0.6
    most = np.minimum(MAX_FIRST_PARAGRAPH_SLOTS, total - MIN_PARAGRAPH_WORDS)
    first = rng.integers(MIN_PARAGRAPH_WORDS, most + 1)
    per_passage = np.where(two, 2, 1)
    lengths = np.empty(per_passage.sum(), np.int64)
    starts = np.cumsum(per_passage) - per_passage
    lengths[starts] = np.where(two, first, total)
    lengths[starts[two] + 1] = (total - first)[two]
    return lengths, per_passage


def _sentences(rng: np.random.Generator, paragraph_words: np.ndarray) -> np.ndarray:
    """Sentence lengths, paragraph by paragraph: 2-6 sentences of at least 4 words each."""
    most = np.clip(paragraph_words // 6, 2, 6)
    count = rng.integers(2, most + 1)
    shares = rng.gamma(4.0, size=(len(paragraph_words), 6))
    shares[np.arange(6)[None, :] >= count[:, None]] = 0
    shares /= shares.sum(axis=1, keepdims=True)
    spare = paragraph_words - MIN_SENTENCE_WORDS * count
    lengths = np.floor(shares * spare[:, None]).astype(np.int64)
    lengths[:, 0] += spare - lengths.sum(axis=1)
    lengths += MIN_SENTENCE_WORDS
    lengths[np.arange(6)[None, :] >= count[:, None]] = 0
    return lengths[lengths > 0]


def _article_traits(rng: np.random.Generator, lex: Lexicon, articles: int) -> dict[str, np.ndarray]:
    """Each article's topics, key words, people, places and numbers."""
    topics = rng.integers(N_TOPICS, size=(articles, 2))
    topic_share = rng.beta(4, 2, size=articles)
    chosen = np.where(
        rng.random((articles, 4)) < topic_share[:, None], topics[:, :1], topics[:, 1:]
    )
    keys = lex.topic_words[chosen, rng.integers(TOPIC_WORDS, size=(articles, 4))]
    return {
        "topics": topics,
        "topic_share": topic_share,
        "keys": keys,
        "people": lex.people_base + draw(rng, lex.people_cdf, articles * 3).reshape(articles, 3),
        "places": lex.places_base + rng.integers(N_PLACES, size=(articles, 2)),
        "numbers": lex.numbers_base + draw(rng, lex.numbers_cdf, articles * 4).reshape(-1, 4),
    }


def _fill_slots(
    rng: np.random.Generator, lex: Lexicon, traits: dict[str, np.ndarray], article: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A lexicon id and a kind for every word slot, given the article each slot belongs to."""
    size = len(article)
    kinds = rng.choice(len(SLOT_KINDS), size=size, p=SLOT_SHARES)
    ids = np.empty(size, np.int64)

    mask = kinds == 0
    ids[mask] = draw(rng, zipf_cdf(len(FUNCTION_WORDS), 1.0, 2.0), int(mask.sum()))

    mask = kinds == 1
    ids[mask] = lex.background_base + draw(rng, lex.background_cdf, int(mask.sum()))

    mask = kinds == 2
    a = article[mask]
    key = traits["keys"][a, rng.integers(4, size=len(a))]
    topic = np.where(
        rng.random(len(a)) < traits["topic_share"][a],
        traits["topics"][a, 0],
        traits["topics"][a, 1],
    )
    within = draw(rng, zipf_cdf(TOPIC_WORDS, 0.8, 1.0), len(a))
    ids[mask] = np.where(rng.random(len(a)) < 0.4, key, lex.topic_words[topic, within])

    mask = kinds == 3
    a = article[mask]
    entity = rng.choice(5, size=len(a), p=[0.35, 0.2, 0.1, 0.2, 0.15])
    person = traits["people"][a, np.minimum(entity, 2)]
    person += np.where(rng.random(len(a)) < 0.7, N_PEOPLE, 0)  # usually the surname alone
    place = traits["places"][a, np.clip(entity - 3, 0, 1)]
    ids[mask] = np.where(entity < 3, person, place)

    mask = kinds == 4
    a = article[mask]
    own = traits["numbers"][a, rng.integers(4, size=len(a))]
    other = lex.numbers_base + draw(rng, lex.numbers_cdf, len(a))
    ids[mask] = np.where(rng.random(len(a)) < 0.5, own, other)
    return ids, kinds


def _keep_within_limits(
    lex: Lexicon,
    ids: np.ndarray,
    slot_paragraph: np.ndarray,
    passage_of_paragraph: np.ndarray,
    per_passage: np.ndarray,
) -> None:
    """Full names are two words: where a passage would break the splitter's rules, use surnames.

    The rules, in words: a passage has at most 120, and the first of two paragraphs fewer than
    80 (else the splitter would close the passage after it). Slot counts already obey them.
    """
    full = (ids >= lex.people_base) & (ids < lex.people_base + N_PEOPLE)
    words = np.bincount(slot_paragraph, lex.word_counts[ids], len(passage_of_paragraph))
    total = np.bincount(passage_of_paragraph, words, len(per_passage))
    first = words[np.cumsum(per_passage) - per_passage]
    bad = (total > MAX_PASSAGE_WORDS) | ((per_passage == 2) & (first >= MIN_PASSAGE_WORDS))
    ids[full & bad[passage_of_paragraph[slot_paragraph]]] += N_PEOPLE


def generate_chunk(lex: Lexicon, seed: int, chunk: int, articles: int) -> Chunk:
    """``articles`` articles of ``PASSAGES_PER_ARTICLE`` passages, from chunk ``chunk``'s seed."""
    rng = np.random.default_rng([seed, 1, chunk])
    passages = articles * PASSAGES_PER_ARTICLE
    traits = _article_traits(rng, lex, articles)
    paragraph_words, per_passage = _paragraphs(rng, passages)
    passage_of_paragraph = np.repeat(np.arange(passages), per_passage)
    slot_paragraph = np.repeat(np.arange(len(paragraph_words)), paragraph_words)
    slot_passage = passage_of_paragraph[slot_paragraph]
    slot_article = slot_passage // PASSAGES_PER_ARTICLE
    ids, kinds = _fill_slots(rng, lex, traits, slot_article)

    _keep_within_limits(lex, ids, slot_paragraph, passage_of_paragraph, per_passage)

    sentence_words = _sentences(rng, paragraph_words)
    sentence_end = np.cumsum(sentence_words) - 1
    paragraph_end = np.cumsum(paragraph_words) - 1
    separators = np.where(rng.random(len(ids)) < 0.05, COMMA, SPACE)
    separators[sentence_end] = SENTENCE_END
    separators[paragraph_end] = PARAGRAPH_END
    slots_per_article = np.bincount(slot_article, minlength=articles)
    separators[np.cumsum(slots_per_article) - 1] = ARTICLE_END

    written = ids.copy()
    sentence_start = np.concatenate([[0], sentence_end[:-1] + 1])
    written[sentence_start] += lex.n  # capital first letter
    stream = np.empty(2 * len(ids), np.int64)
    stream[0::2] = written
    stream[1::2] = lex.separators_base + separators
    blob, ends = _render(lex, stream)

    slot_end_byte = ends[1::2]  # byte offset after each slot's separator
    slot_start_byte = np.concatenate([[0], slot_end_byte[:-1]])
    article_first_slot = np.cumsum(slots_per_article) - slots_per_article
    article_start_byte = slot_start_byte[article_first_slot]
    article_end_byte = slot_end_byte[np.cumsum(slots_per_article) - 1]
    passage_slots = np.concatenate([[0], np.cumsum(np.bincount(slot_passage, minlength=passages))])
    p_start = slot_start_byte[passage_slots[:-1]]
    p_end = slot_end_byte[passage_slots[1:] - 1]
    p_article = np.arange(passages) // PASSAGES_PER_ARTICLE
    spans = np.stack(
        [p_article, p_start - article_start_byte[p_article], p_end - article_start_byte[p_article]],
        axis=1,
    )
    bodies = [
        blob[s:e]
        for s, e in zip(article_start_byte.tolist(), article_end_byte.tolist(), strict=True)
    ]
    return Chunk(
        bodies,
        spans,
        ids,
        kinds,
        passage_slots,
        traits["keys"],
        traits["people"],
        traits["places"],
    )


def _render(lex: Lexicon, stream: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Concatenate lexicon entries in one gather: the text, and each entry's end offset."""
    lengths = lex.lengths[stream]
    ends = np.cumsum(lengths)
    source = np.repeat(lex.offsets[stream] - (ends - lengths), lengths)
    source += np.arange(int(ends[-1]), dtype=np.int64)
    return lex.blob[source].tobytes(), ends


# --- articles, questions, the cache ----------------------------------------------------------


def article_header(lex: Lexicon, rng: np.random.Generator, chunk: Chunk, i: int) -> str:
    """A title line (repeated in the body, as scraped pages do) and usually a ``---`` header."""
    words = [
        lex.words[int(chunk.article_people[i, 0]) + N_PEOPLE],
        lex.words[int(chunk.article_keys[i, 0])].capitalize(),
        lex.words[int(chunk.article_keys[i, 1])].capitalize(),
        TITLE_LINKS[int(rng.integers(len(TITLE_LINKS)))],
        lex.words[int(chunk.article_places[i, 0])],
        lex.words[int(chunk.article_keys[i, 2])].capitalize(),
    ]
    title = " ".join(words)
    if rng.random() < 0.1:  # no header: the project infers the title from the first line
        return f"{title}\n\n"
    outlet = OUTLETS[int(rng.integers(len(OUTLETS)))]
    slug = "-".join(w.lower() for w in words)
    domain = outlet.lower().removeprefix("the ").replace(" ", "")
    return f"---\ntitle: {title}\noutlet: {outlet}\nurl: https://{domain}.example/{slug}/\n---\n{title}\n\n"


def make_question(
    lex: Lexicon, rng: np.random.Generator, slot_ids: np.ndarray, slot_kinds: np.ndarray
) -> str:
    """A 3-10-word question from one passage's words: topic words first, a name or a number."""
    content = {kind: slot_ids[slot_kinds == kind] for kind in range(1, 5)}
    picked: list[int] = []
    for kind, chance in ((2, 1.0), (2, 0.7), (3, 0.4), (4, 0.3), (1, 0.4), (2, 0.2)):
        if len(content[kind]) and rng.random() < chance:
            picked.append(int(rng.choice(content[kind])))
    picked = list(dict.fromkeys(picked))[:5] or [int(slot_ids[0])]
    parts = [QUESTION_OPENERS[int(rng.integers(len(QUESTION_OPENERS)))]]
    for n, entry in enumerate(picked):
        if n and rng.random() < 0.35:
            parts.append(QUESTION_JOINERS[int(rng.integers(len(QUESTION_JOINERS)))])
        word = lex.words[entry]
        if lex.people_base <= entry < lex.people_base + N_PEOPLE and rng.random() < 0.5:
            word = word.split()[-1]
        parts.append(word)
    words = " ".join(parts).split()
    while len(words) < 3:
        words.append(QUESTION_JOINERS[int(rng.integers(len(QUESTION_JOINERS)))])
    return " ".join(words[:10]) + "?"


def off_topic_question(lex: Lexicon, rng: np.random.Generator) -> str:
    """Random background words: may match weakly, or not at all."""
    count = int(rng.integers(2, 5))
    words = [lex.words[lex.background_base + int(r)] for r in draw(rng, lex.background_cdf, count)]
    opener = QUESTION_OPENERS[int(rng.integers(len(QUESTION_OPENERS)))]
    return f"{opener} {' '.join(words)}?"


def corpus_dir(out: Path, passages: int, seed: int) -> Path:
    return out / f"corpus-{passages}-seed{seed}-v{GENERATOR_VERSION}"


def ensure_corpus(
    out: Path, passages: int, seed: int, log: Callable[[str], None] = print
) -> Corpus:
    """The cached collection for (size, seed), generated first if missing or incomplete."""
    root = corpus_dir(out, passages, seed)
    articles = -(-passages // PASSAGES_PER_ARTICLE)
    corpus = Corpus(root, articles * PASSAGES_PER_ARTICLE, articles, seed)
    if (root / "manifest.json").exists():
        return corpus
    shutil.rmtree(root, ignore_errors=True)
    log(f"generating {corpus.passages:,} passages in {articles:,} article files ...")
    started = time.perf_counter()
    _generate(corpus)
    seconds = time.perf_counter() - started
    manifest = {
        "passages": corpus.passages,
        "articles": articles,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "generate_seconds": round(seconds, 2),
        "bytes": sum(p.stat().st_size for p in corpus.articles_dir.iterdir()),
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    log(f"  generated in {seconds:.1f} s ({manifest['bytes'] / 1e6:.0f} MB)")
    return corpus


def _generate(corpus: Corpus) -> None:
    lex = build_lexicon(corpus.seed)
    corpus.articles_dir.mkdir(parents=True)
    wanted = sum(QUESTION_SETS.values())
    qrng = np.random.default_rng([corpus.seed, 2])
    sources = np.sort(qrng.choice(corpus.passages, size=wanted, replace=corpus.passages < wanted))
    off_topic = qrng.random(wanted) < OFF_TOPIC_SHARE
    questions: list[dict] = []
    spans: list[np.ndarray] = []
    for chunk_no, first in enumerate(range(0, corpus.articles, ARTICLES_PER_CHUNK)):
        count = min(ARTICLES_PER_CHUNK, corpus.articles - first)
        chunk = generate_chunk(lex, corpus.seed, chunk_no, count)
        hrng = np.random.default_rng([corpus.seed, 3, chunk_no])
        for i, body in enumerate(chunk.bodies):
            header = article_header(lex, hrng, chunk, i).encode()
            (corpus.articles_dir / f"{first + i:07d}.txt").write_bytes(header + body)
            rows = chunk.passage_spans[chunk.passage_spans[:, 0] == i]
            spans.append(np.column_stack([rows[:, 0] + first, rows[:, 1:] + len(header)]))
        base = first * PASSAGES_PER_ARTICLE
        mine = np.flatnonzero((sources >= base) & (sources < base + len(chunk.passage_spans)))
        for q in mine.tolist():
            local = int(sources[q]) - base
            lo, hi = chunk.passage_slots[local], chunk.passage_slots[local + 1]
            rng = np.random.default_rng([corpus.seed, 4, q])
            if off_topic[q]:
                questions.append({"text": off_topic_question(lex, rng), "source": -1})
            else:
                text = make_question(lex, rng, chunk.slot_ids[lo:hi], chunk.slot_kinds[lo:hi])
                questions.append({"text": text, "source": int(sources[q])})
    np.save(corpus.spans_path, np.concatenate(spans).astype(np.int64))
    order = np.random.default_rng([corpus.seed, 5]).permutation(len(questions))
    shuffled = [questions[i] for i in order]
    start = 0
    for name, count in QUESTION_SETS.items():
        chosen = shuffled[start : start + count]
        start += count
        lines = "\n".join(json.dumps(q) for q in chosen) + "\n"
        (corpus.root / f"questions-{name}.jsonl").write_text(lines, "utf-8")
        corpus.question_file(name).write_text("\n".join(q["text"] for q in chosen) + "\n", "utf-8")


# --- tokens: the passages through the project's analyzer, once --------------------------------


@dataclass(frozen=True, slots=True)
class Tokens:
    """Every passage's analyzer terms as ids into ``vocabulary``, flat with offsets."""

    vocabulary: list[str]
    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, passages + 1
    seconds: float  # how long the analyzer took over all passages (measured once)

    def lists(self) -> list[list[str]]:
        """One list of term strings per passage: the input rank-bm25 and bm25s index."""
        words = np.asarray(self.vocabulary, dtype=object)[self.ids]
        return [
            words[a:b].tolist() for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)
        ]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)


def analyzer_version() -> str:
    """Hash of the analyzer's code and word lists: cached tokens go stale when they change."""
    import index.analysis

    source = Path(index.analysis.__file__)
    digest = hashlib.blake2b(source.read_bytes(), digest_size=8)
    for path in sorted((source.parent / "data").glob("*.txt")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def passage_texts(corpus: Corpus) -> list[str]:
    """The generated passages' text, read back from the article files."""
    spans = np.load(corpus.spans_path)
    texts: list[str] = []
    bounds = np.flatnonzero(np.diff(spans[:, 0])) + 1
    for rows in np.split(spans, bounds):
        data = (corpus.articles_dir / f"{int(rows[0, 0]):07d}.txt").read_bytes()
        texts.extend(data[s:e].decode("utf-8").strip() for _, s, e in rows.tolist())
    return texts


def tokens_path(corpus: Corpus) -> Path:
    return corpus.root / f"tokens-{analyzer_version()}.npz"


def load_tokens(path: Path) -> Tokens:
    with np.load(path) as data:
        return Tokens(
            data["vocabulary"].tolist(), data["ids"], data["offsets"], float(data["seconds"])
        )


def ensure_tokens(corpus: Corpus, log: Callable[[str], None] = print) -> Tokens:
    """The passages' terms from ``index.analysis.Analyzer().terms``, cached per analyzer version."""
    path = tokens_path(corpus)
    if path.exists():
        return load_tokens(path)
    from index.analysis import Analyzer

    texts = passage_texts(corpus)
    log(f"analyzing {len(texts):,} passages with the project's analyzer ...")
    analyzer = Analyzer()
    started = time.perf_counter()
    docs = [analyzer.terms(t) for t in texts]
    seconds = time.perf_counter() - started
    vocabulary: dict[str, int] = {}
    flat = np.fromiter(
        (vocabulary.setdefault(t, len(vocabulary)) for d in docs for t in d), np.int32
    )
    offsets = np.zeros(len(docs) + 1, np.int64)
    np.cumsum([len(d) for d in docs], out=offsets[1:])
    words = np.asarray(list(vocabulary), dtype=str)
    np.savez(path, vocabulary=words, ids=flat, offsets=offsets, seconds=seconds)
    log(f"  {offsets[-1]:,} terms, {len(vocabulary):,} distinct, in {seconds:.1f} s")
    return Tokens(list(vocabulary), flat, offsets, seconds)
