"""Cleaning: keep a scraped news article's own blocks and drop the web page around them.

Scraped pages carry navigation, share and subscribe prompts, photo credits, fundraising
appeals, teasers of other articles and footers. They are recognised by general signs (word
lists, the shape of a line, its place on the page), never by one site's wording: every
article users add later comes from a site never seen here, just as cluttered.

The page is read as one block per non-empty line (a paragraph a stray line break cut is
joined again). Each block is first classified on its own (bylines and stamps are metadata,
never headings) and by repetition across the page (menus, copies of the article). Then
position decides the rest: the article is the page's densest stretch of prose, just under
its headline (the line the page title, the address or the first paragraph echo); lines
before its first paragraph are page header, and once an end-of-article signal follows its
last stretch of prose, the page is over. ``read_page`` gives a page's headline, outlet and
address to the reader, for files without a header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto
from functools import lru_cache

from index.text import title_key, word_list_form

log = logging.getLogger(__name__)

MIN_PROSE_WORDS = 6  # a line ending in a full stop but shorter than this is a label
SHORT_QUESTION_WORDS = 12  # "?"/"!" lines shorter than this are headlines, not paragraphs
LONG_LINE_WORDS = 20  # this long, a line is prose whatever its last character
LONG_PARAGRAPH_WORDS = 35  # one paragraph this long shows the article goes on
MAX_LABEL_WORDS = 4  # a tag, section name or breadcrumb part is no longer than this
MAX_NAV_WORDS = 12  # a breadcrumb or a header byline/date line is no longer than this
MAX_PROMPT_WORDS = 25  # link lines, comment prompts, copyright lines
MAX_PROMO_WORDS = 60  # newsletter boxes, consent notices
MAX_CAPTION_WORDS = 80  # captions, bios
MAX_APPEAL_WORDS = 150
MAX_TITLE_WORDS = 40  # a line repeating the title or subtitle is no longer than this
MAX_TEASER_PARAGRAPHS = 3


@dataclass(frozen=True, slots=True)
class Cleaned:
    """An article's own text, and the page lines removed around it (for the caller's log)."""

    text: str  # kept blocks joined by "\n\n"
    dropped: tuple[str, ...]  # the removed source lines (stripped), in order


class _Kind(Enum):
    """What a block is: decides whether it stays and whether it can end the article."""

    ARTICLE = auto()  # paragraph or heading, unless its position says otherwise
    CHROME = auto()  # page furniture: nav, tags, credits, share buttons, title repeats
    CLUTTER = auto()  # ads, prompts, consent notices, link lines: the article may go on
    END = auto()  # footers, appeals, comment sections, "related" lists: the article may be over
    BIO = auto()  # author boilerplate: dropped when it trails the article
    META = auto()  # byline, dateline, update stamp: the article's metadata, never a heading
    MARKER = auto()  # "keep reading": closes a teaser of another article
    TEASER = auto()  # part of a teaser of another article


_ENDS = frozenset({_Kind.END, _Kind.MARKER, _Kind.TEASER})


@dataclass(slots=True)
class _Block:
    """One non-empty source line and what is known about it."""

    sources: tuple[str, ...]  # stripped source lines (several when a paragraph was broken)
    text: str  # whitespace runs collapsed, as kept
    words: int
    prose: bool  # shaped like a paragraph rather than a heading or a label
    kind: _Kind = _Kind.ARTICLE

    @property
    def article_prose(self) -> bool:
        """A paragraph the article keeps (so far)."""
        return self.kind is _Kind.ARTICLE and self.prose


# --- line shape -----------------------------------------------------------------------------

_CLOSERS = "\"'”’»)\\]"
_FULL_STOP = re.compile(rf"[.…][{_CLOSERS}]*$")
_QUESTION = re.compile(rf"[?!][{_CLOSERS}]*$")
_PUNCTUATION = re.compile(r"[.,;:!?…]")
_QUOTED = re.compile(r"[“”„]|\"[^\"]+\"")
_SEPARATOR = re.compile(r"\s*[|»›•·]\s*|\s+[/>]\s+")
_SEPARATOR_CHARS = "|»›•·/>"
_TOKEN = re.compile(r"@?[\w'’+-]+")


def _is_prose(text: str, words: int) -> bool:
    """Paragraphs end in a full stop; short questions and exclamations are headlines.

    A long line is prose whatever its end, if it has punctuation at all: one without is a
    menu or a drop-down list rendered as text ("Archives Select Month October 2019 …").
    """
    if words >= LONG_LINE_WORDS:
        return bool(_PUNCTUATION.search(text))
    if _FULL_STOP.search(text):
        return words >= MIN_PROSE_WORDS
    return bool(_QUESTION.search(text)) and words >= SHORT_QUESTION_WORDS


def _parts(text: str) -> list[str]:
    """Split a line at menu separators (pipes, chevrons, bullets)."""
    return [part for part in _SEPARATOR.split(text) if part.strip()]


# --- word lists -----------------------------------------------------------------------------


def _word_set(text: str) -> frozenset[str]:
    """Read a word list written as a block of text: easier to scan and extend than a literal."""
    return frozenset(text.split())


_SHARE_CUES = _word_set(
    """
    share shares tweet email e-mail mail print follow save pin copy
    facebook twitter x linkedin whatsapp reddit pinterest telegram flipboard messenger
    bluesky threads instagram youtube tiktok mastodon tumblr sms rss
    """
)
_SHARE_WORDS = _SHARE_CUES | _word_set(
    """
    on via us this article story page post to with a an the friend friends link url copied
    social media and or her him them me gift opens in new window tab click
    """
)

_INTERFACE_LINES = frozenset(
    line.strip()
    for line in """
    ad
    ads
    sponsored
    promoted
    skip to content
    skip to main content
    skip navigation
    back to top
    menu
    open menu
    close menu
    close
    search
    toggle navigation
    subscribe
    subscribe now
    subscribe today
    sign up
    sign up now
    sign in
    log in
    log out
    login
    logout
    register
    create account
    create an account
    my account
    donate
    donate now
    donate today
    give now
    support us
    newsletter
    newsletters
    email address
    your email
    enter your email
    enter your email address
    name
    email
    website
    submit
    comment
    comments
    post comment
    post a comment
    reply
    cancel reply
    previous post
    next post
    previous article
    next article
    previous story
    next story
    older posts
    newer posts
    previous
    next
    loading
    accept
    accept all
    accept cookies
    reject all
    decline
    manage preferences
    manage cookies
    cookie settings
    got it
    ok
    i agree
    scroll to continue
    scroll to continue with content
    listen to this article
    listen to article
    enlarge
    enlarge image
    expand
    collapse
    hide caption
    toggle caption
    view gallery
    view image
    view comments
    open in app
    download the app
    get the app
    print this page
    text size
    more
    less
    breaking news
    watch live
    """.strip().splitlines()
)

# Words a site's section menu is made of; a line of only these is a category, not a heading,
# when it sits among page furniture.
_SECTION_WORDS = _word_set(
    """
    home news world national local politics business economy markets money tech technology
    science health sports sport entertainment culture arts books lifestyle style food travel
    opinion opinions analysis commentary editorial editorials reporting regions region features
    video videos podcast podcasts newsletter newsletters latest trending live breaking top
    stories more sections topics weather climate education crime election elections europe asia
    africa americas middle east investigations government
    """
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_AGENCIES = (
    r"getty|reuters|afp|epa|ap\s+photo|associated\s+press|shutterstock|istock\w*|alamy"
    r"|unsplash|pexels|wikimedia|flickr"
)

# --- clutter patterns -----------------------------------------------------------------------

_MARKER = re.compile(
    r"(?:[^\w:]*(?:(?:keep|continue)\s+reading|read\s+(?:more|on|the\s+(?:full\s+)?"
    r"(?:story|article|rest)|full\s+(?:story|article))|show\s+(?:less|more)|see\s+more"
    r"|view\s+more|load\s+more))+[^\w:]*",
    re.I,
)
_LIST_HEADER = re.compile(
    r"(?:related(?:\s+(?:stories|articles|coverage|content|links|reading|posts|news|topics))?"
    r"|read\s+(?:also|more|next)|see\s+also|also\s+read"
    r"|more\s+(?:from|on|in|about)(?:\s+\S+){1,5}|more\s+(?:stories|news|articles|coverage)"
    r"|recommended(?:\s+(?:for\s+you|reading|stories|articles))?"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy|be\s+interested\s+in)"
    r"|most\s+(?:read|popular|viewed|shared|recent)(?:\s+(?:stories|articles))?"
    r"|trending(?:\s+(?:now|stories|articles))?|top\s+stories|editor['’]?s\s+picks"
    r"|further\s+reading|what\s+to\s+read\s+next|up\s+next|tags|topics|filed\s+under"
    r"|(?:related|more|recommended)\s+(?:coverage|stories|articles|reading|news)\s+\S[^.!?]{0,60}:)"
    r"\s*:?",
    re.I,
)
_LINK_LINE = re.compile(
    r"^(?:related|read\s+(?:also|more|next|this)|see\s+also|also\s+read|more\s+coverage"
    r"|recommended|must\s+read|don['’]t\s+miss|watch|listen|video|photos|gallery)"
    r"\s*[:|»›–—-]\s*\S",
    re.I,
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|\bcopyright\b)\s*(?:©\s*)?\d{4}|\ball\s+rights\s+reserved\b", re.I
)
_FOOTER_LINK = re.compile(
    r"privacy(?:\s+(?:policy|notice|statement|settings|choices))?|your\s+privacy\s+choices"
    r"|terms(?:\s+(?:of\s+(?:use|service)|(?:and|&)\s+conditions))?"
    r"|cookie\s+(?:policy|settings|preferences|notice)|contact(?:\s+us)?|about(?:\s+us)?"
    r"|accessibility(?:\s+statement)?|site\s*map|careers|jobs|advertise(?:\s+with\s+us)?"
    r"|corrections(?:\s+policy)?|ethics(?:\s+policy)?|masthead|help|faq|rss|archives?"
    r"|editorial\s+(?:standards|policy)|licensing|syndication"
    r"|do\s+not\s+sell(?:\s+or\s+share)?\s+my\s+personal\s+information",
    re.I,
)
_COMMENT_PROMPT = re.compile(
    r"^(?:\d+\s+(?:comments?|replies|responses)"
    r"|(?:leave|post|add|write|submit|view|show|load|read|see|hide|join)\s+"
    r"(?:a\s+|the\s+|all\s+|your\s+|\d+\s+)?"
    r"(?:comments?|reply|replies|responses|conversation|discussion)"
    r"|comments?\s+(?:are\s+closed|policy|section)|be\s+the\s+first\s+to\s+comment"
    r"|no\s+comments)\b",
    re.I,
)
# A comment thread: "joetoronto says:", "Permalink 34 Comments Feed for comments".
_COMMENT_MARK = re.compile(
    r"^\S+(?:\s+\S+){0,3}\s+(?:says|wrote|writes)\s*:$|\b\d+\s+comments\b", re.I
)
_COMMENT_INVITE = re.compile(
    r"\b(?:in\s+the\s+comments|comments?\s+below|comment\s+section)\b", re.I
)
_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]*\s+){1,3}(?:is|was|has\s+been|serves\s+as)\s+(?:a|an|the|our)\s+"
    r"(?:[\w'’-]+\s+){0,6}?(?i:reporter|writer|editor|correspondent|journalist|columnist"
    r"|contributor|fellow|author|producer|photographer|critic|intern)s?\b"
    r"|^\(?(?i:(?:additional\s+)?(?:reporting|writing|editing|research)\s+by)\b"
    r"|^(?i:about\s+the\s+authors?)\b"
)
_CREDIT_LABEL = re.compile(
    r"^(?:(?:top|main|lead|featured|header|hero|cover|above|below)\s+)?"
    r"(?:image|photo|photograph|picture|pic|video|illustration|graphic|artwork|footage)s?"
    r"(?:\s+(?:credit|courtesy|source)s?)?\s*(?::|by\b|courtesy\b|via\b)"
    r"|^(?:credits?\s*:|courtesy\s+of\s)",
    re.I,
)
_GALLERY = re.compile(r"(?:image|photo|picture|slide)\s+\d+\s+(?:of|/)\s+\d+", re.I)
# A caption ending in its credit: "(Getty Images)", "(AP Photo/Jane Doe)", "(Jane Doe / Outlet)".
_CREDIT_END = re.compile(
    rf"[(\[](?:[^()\[\]]*\b(?i:{_AGENCIES}|photo|photograph|images?|courtesy|handout|credit)\b"
    r"[^()\[\]]*|(?=[^()\[\]]*\s)[A-Z][^()\[\]/]*/\s*[A-Z][^()\[\]]*)[)\]]\.?$"
)
_AGENCY = re.compile(rf"\b(?:{_AGENCIES})\b", re.I)
_AD_LABEL = re.compile(
    r"\badvertisements?\b|^(?:sponsored|paid|partner)\s+(?:content|post|story|by)\b"
    r"|\b(?:story|article)\s+continues\s+below\b",
    re.I,
)
_COOKIE = re.compile(r"\bcookies?\b", re.I)
_CONSENT = re.compile(
    r"\b(?:by\s+(?:continuing|using|signing\s+up|subscribing|clicking|registering)"
    r"|you\s+(?:agree|consent|accept))\b[^.]*\b(?:terms|privacy|polic(?:y|ies)|cookies?)\b"
    r"|\brequired\s+fields\s+are\s+marked\b|\byour\s+email(?:\s+address)?\s+will\s+not\s+be\b",
    re.I,
)
_FUND = re.compile(
    r"\bdonat(?:e|es|ed|ing|ion|ions)\b|\bcontribut(?:e|ing|ion|ions)\b|\bsupporters?\b"
    r"|\bsupport\s+(?:us|our|independent|nonprofit|local|reader)\b"
    r"|\btax[- ](?:exempt|deductible)\b|\bmembership\b"
    r"|\bbecome\s+a\s+(?:member|patron|supporter|subscriber)\b|\bpatrons?\b|\bfundrais\w*"
    r"|\b(?:year[- ]end|end[- ]of[- ](?:the[- ])?year)\s+giving\b|\breaders\s+like\s+you\b"
    r"|\bchip\s+in\b|\bnonprofit\s+(?:newsroom|news\w*|magazine|publication|journalism)\b"
    r"|\bindependent\s+(?:journalism|reporting|media|news)\b|\breader[- ](?:funded|supported)\b",
    re.I,
)
# Every _FUND alternative contains one of these: a cheap test before the regular expression.
_FUND_HINTS = (
    "donat",
    "contribut",
    "support",
    "tax",
    "member",
    "patron",
    "fundrais",
    "giving",
    "readers",
    "chip",
    "nonprofit",
    "independent",
    "reader",
)
_ORG_VOICE = re.compile(r"\b(?:we|us|our)\b", re.I)
_READER = re.compile(
    r"\byou(?:r|rs)?\b|\bour\s+(?:readers|supporters|members|audience|community)\b", re.I
)
_ADDRESS = re.compile(r"\b(?:we|us|our|you|your)\b", re.I)
_PROMO_OPENER = re.compile(
    r"^(?:please\s+)?(?:subscribe|sign\s+up|sign\s+in|log\s+in"
    r"|register\s+(?:now|today|for\s+free))\b",
    re.I,
)
_PROMO_VERB = re.compile(
    r"^(?:please\s+)?(?:join|get|become|support|donate|give|download|unlock|help|start|try)\b",
    re.I,
)
_PROMO_OBJECT = re.compile(
    r"\b(?:newsletters?|inbox|journalism|subscri\w*|membership|donat\w*|unlimited|free\s+trial"
    r"|our\s+(?:work|journalism|reporting|mission|newsroom|app|community)|us)\b",
    re.I,
)
_LAST_SENTENCE = re.compile(r"(?<=[.!?] )[^.!?]+[.!?]?$")
_NEWSLETTER = re.compile(r"\b(?:newsletters?|inbox|subscri\w*)\b", re.I)
# Bylines, datelines and update stamps: kept out of the text (the reader shows the article's
# own title and outlet), and never taken for a section heading.
_TIME = r"\b\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?"
_STAMP = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTH}\b"
    r"|\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    rf"|{_TIME}|\b\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b",
    re.I,
)
_STAMP_LEAD = re.compile(
    r"^(?:(?:last\s+|first\s+)?(?:posted|published|updated|modified|edited)|date[ds]?|on)\b"
    r"|\b(?:says|said|wrote|writes)\s*:$|^\d+\s+min(?:ute)?s?\s+read\b",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:(?:written|posted|published|reported|story|words|text|photos?|compiled)\s+)?by\s+",
    re.I,
)
MAX_STAMP_EXTRA_WORDS = 4  # a dateline has little besides its date: "Nov 18, 2019 at 6:44 am"

# --- one line at a time ---------------------------------------------------------------------


def _is_marker(b: _Block) -> bool:
    return bool(_MARKER.fullmatch(b.text))


def _is_list_header(b: _Block) -> bool:
    """Spot list headers ("Related stories", "More from …", "Tags"): a list follows, not prose."""
    return bool(_LIST_HEADER.fullmatch(b.text))


def _is_link_line(b: _Block) -> bool:
    return b.words <= MAX_PROMPT_WORDS and bool(_LINK_LINE.match(b.text))


def _is_legal_footer(b: _Block) -> bool:
    """Copyright lines and rows of legal links close a page."""
    if b.words > MAX_PROMPT_WORDS:
        return False
    if _COPYRIGHT.search(b.text):
        return True
    parts = _parts(b.text)
    return len(parts) > 1 and all(_FOOTER_LINK.fullmatch(part) for part in parts)


def _is_footer_link(b: _Block) -> bool:
    return bool(_FOOTER_LINK.fullmatch(b.text.strip(" .:")))


def _is_comment_prompt(b: _Block) -> bool:
    if b.words > MAX_PROMPT_WORDS:
        return False
    if not b.prose and _COMMENT_MARK.search(b.text):
        return True
    return bool(_COMMENT_PROMPT.match(b.text)) or (
        bool(_COMMENT_INVITE.search(b.text)) and bool(_ADDRESS.search(b.text))
    )


def _is_bio(b: _Block) -> bool:
    return b.words <= MAX_CAPTION_WORDS and bool(_BIO.search(b.text))


def _is_credit(b: _Block) -> bool:
    """Image credits, gallery counters, and captions that end in a credit."""
    if b.words > MAX_CAPTION_WORDS:
        return False
    if _GALLERY.fullmatch(b.text):
        return True
    if _CREDIT_LABEL.match(b.text) or _CREDIT_END.search(b.text):
        return True
    return not b.prose and b.words <= MAX_NAV_WORDS and bool(_AGENCY.search(b.text))


def _is_share(b: _Block) -> bool:
    """Rows of share/follow buttons: nothing but sharing words, network names and handles."""
    if b.words > LONG_LINE_WORDS:
        return False
    tokens = [t for t in _TOKEN.findall(b.text.casefold()) if not t.startswith("@")]
    return (
        0 < len(tokens) <= LONG_LINE_WORDS
        and all(t in _SHARE_WORDS for t in tokens)
        and any(t in _SHARE_CUES for t in tokens)
    )


def _is_interface(b: _Block) -> bool:
    """Buttons, form labels and ad slots, however they are worded around "advertisement"."""
    if b.words <= MAX_NAV_WORDS and word_list_form(b.text) in _INTERFACE_LINES:
        return True
    return not b.prose and b.words <= MAX_NAV_WORDS and bool(_AD_LABEL.search(b.text))


def _is_breadcrumb(b: _Block) -> bool:
    """Spot breadcrumbs ("Home › World", "Reporting | Regions"): short items and separators."""
    if b.prose or b.words > MAX_NAV_WORDS:
        return False
    parts = _parts(b.text)
    return len(parts) > 1 and all(
        len(part.split()) <= MAX_LABEL_WORDS and any(c.isalpha() for c in part) for part in parts
    )


def _is_tag(b: _Block) -> bool:
    """All-lower-case short lines are category tags; the article's headings are capitalised."""
    return (
        b.words <= MAX_LABEL_WORDS
        and b.text.islower()
        and all(ch.isalnum() or ch in " &'’-" for ch in b.text)
    )


def _is_consent(b: _Block) -> bool:
    if b.words > MAX_PROMO_WORDS or _QUOTED.search(b.text):
        return False
    if _CONSENT.search(b.text):
        return True
    return bool(_COOKIE.search(b.text)) and bool(_ADDRESS.search(b.text))


def _fund_terms(text: str) -> int:
    """How many distinct fundraising terms a block uses (a substring test skips most prose)."""
    lowered = text.casefold()
    if not any(hint in lowered for hint in _FUND_HINTS):
        return 0
    return len({m.group().casefold() for m in _FUND.finditer(text)})


def _is_appeal(b: _Block) -> bool:
    """Spot the site asking its readers for money, in its own voice (never in a quotation)."""
    return (
        b.words <= MAX_APPEAL_WORDS
        and bool(_ORG_VOICE.search(b.text))
        and bool(_READER.search(b.text))
        and not _QUOTED.search(b.text)
        and _fund_terms(b.text) >= 2
    )


def _is_promo(b: _Block) -> bool:
    """Subscribe/sign-up/newsletter/membership prompts."""
    if b.words > MAX_PROMO_WORDS:
        return False
    if _PROMO_OPENER.match(b.text):
        return True
    last = _LAST_SENTENCE.search(b.text)
    asks = last.group() if last and b.words <= MAX_PROMPT_WORDS else b.text  # "… Donate today."
    if _PROMO_VERB.match(asks) and _PROMO_OBJECT.search(asks):
        return True
    return (
        not _QUOTED.search(b.text)
        and bool(_NEWSLETTER.search(b.text))
        and bool(_ORG_VOICE.search(b.text))
        and bool(_READER.search(b.text))
    )


def _is_meta(b: _Block) -> bool:
    """Bylines ("By AP"), stamps ("Updated 9:30 a.m. CT") and bare dates or times."""
    if b.words > MAX_NAV_WORDS:
        return False
    byline = _BYLINE.match(b.text)
    if byline:
        names = b.text[byline.end() :].split()
        return sum(w[0].isupper() or not w[0].isalpha() for w in names) >= 0.6 * len(names)
    if _STAMP_LEAD.search(b.text) and (not b.prose or _STAMP.search(b.text)):
        return True
    return (
        not b.prose
        and bool(_STAMP.search(b.text))
        and len(_STAMP.sub(" ", b.text).split()) <= MAX_STAMP_EXTRA_WORDS
    )


_LEGAL_LINK = re.compile(
    r"\b(?:terms\s+(?:of\s+(?:use|service)|(?:and|&)\s+conditions)|privacy\s+(?:policy|notice)"
    r"|cookie\s+(?:policy|settings))\b",
    re.I,
)


def _is_fragment(b: _Block) -> bool:
    """Pieces of page furniture: a menu separator at either end ("File Photo |").

    Also a phrase said twice ("Site Name Site Name") and a link to the site's legal pages.
    """
    if b.prose or b.words > MAX_NAV_WORDS:
        return False
    if b.text[0] in _SEPARATOR_CHARS or b.text[-1] in _SEPARATOR_CHARS:
        return True
    words = b.text.casefold().split()
    half = len(words) // 2
    return (len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]) or bool(
        _LEGAL_LINK.search(b.text)
    )


# First match wins: specific signals before the generic shapes they would also fit.
_RULES: tuple[tuple[Callable[[_Block], bool], _Kind], ...] = (
    (_is_marker, _Kind.MARKER),
    (_is_list_header, _Kind.END),
    (_is_link_line, _Kind.CLUTTER),
    (_is_legal_footer, _Kind.END),
    (_is_comment_prompt, _Kind.END),
    (_is_bio, _Kind.BIO),
    (_is_meta, _Kind.META),
    (_is_credit, _Kind.CHROME),
    (_is_fragment, _Kind.CHROME),
    (_is_share, _Kind.CHROME),
    (_is_interface, _Kind.CLUTTER),
    (_is_footer_link, _Kind.CLUTTER),
    (_is_breadcrumb, _Kind.CHROME),
    (_is_tag, _Kind.CHROME),
    (_is_consent, _Kind.CLUTTER),
    (_is_appeal, _Kind.END),
    (_is_promo, _Kind.CLUTTER),
)


# A line break inside a sentence: the line does not end one, and the next goes on with it.
_OPEN_END = re.compile(
    r"(?:[,;–—-]|\b(?:and|or|but|nor|the|a|an|of|to|in|on|at|for|with|from|into|that|which"
    r"|who|as|by|is|are|was|were|be|has|have|had|its|their|his|her|our|this|these|those))$",
    re.I,
)
_SENTENCE_END = re.compile(rf"[.!?…][{_CLOSERS}]*(?:\s|$)")
MIN_MENU_RUN = 12  # this many capitalised words in a row open a line: a menu run into the text


def _continues(previous: str, words: int, line: str) -> bool:
    """Whether ``line`` continues a paragraph that a stray line break cut after ``previous``.

    The sentence must end in ``line`` (or a later piece): a run of lower-case labels does not.
    """
    if words < MIN_PROSE_WORDS or _FULL_STOP.search(previous) or _QUESTION.search(previous):
        return False
    if previous.endswith((":", *_SEPARATOR_CHARS)) or not _SENTENCE_END.search(line):
        return False
    return line[0].islower() or (line[0].isalnum() and bool(_OPEN_END.search(previous)))


def _without_menu(text: str) -> str:
    """A line with the menu pasted in front of its first sentence taken off.

    A run of MIN_MENU_RUN capitalised words without punctuation is a menu ("Home News Sport
    Business …"), never a sentence or a headline ("Daily Deals: More …"). The capitalised run
    is cut before its last word, the sentence's subject ("… Weather By Jane Doe, BBC News Kyiv
    Zelensky said"): a byline run into the menu goes with it.
    """
    tokens = text.split(" ")

    def capitalised(i: int) -> bool:
        return i < len(tokens) and (tokens[i][:1].isupper() or tokens[i] == "&")

    menu = 0
    while capitalised(menu) and tokens[menu][-1].isalnum():
        menu += 1
    run = menu
    while capitalised(run):
        run += 1
    if menu < MIN_MENU_RUN or run == len(tokens):
        return text
    return " ".join(tokens[run - 1 :])


def _lines(body: str) -> list[tuple[tuple[str, ...], str]]:
    """The page's lines, stripped, a paragraph cut by line breaks joined again.

    Returns the source lines of each and its text (whitespace runs collapsed).
    """
    lines: list[tuple[tuple[str, ...], str]] = []
    for line in body.splitlines():
        source = line.strip()
        if not source:
            continue
        text = " ".join(source.split())
        if lines and _continues(lines[-1][1], len(lines[-1][1].split()), text):
            sources, previous = lines.pop()
            lines.append(((*sources, source), f"{previous} {text}"))
        else:
            lines.append(((source,), _without_menu(text)))
    return lines


def _blocks(body: str, titles: frozenset[str]) -> list[_Block]:
    """One classified block per paragraph (non-empty line, or lines a stray break cut).

    Lines repeating one of ``titles`` are page furniture: the title is shown apart.
    """
    blocks = [_Block(b.sources, b.text, b.words, b.prose, b.kind) for b in _classified(body)]
    for b in blocks:
        if b.words <= MAX_TITLE_WORDS and title_key(b.text) in titles:
            b.kind = _Kind.CHROME
    return blocks


@lru_cache(maxsize=4)
def _classified(body: str) -> tuple[_Block, ...]:
    """Each block classified on its own and by its repeats.

    Cached: the reader reads a page for its headline just before the cleaner reads it.
    """
    blocks: list[_Block] = []
    for sources, text in _lines(body):
        words = len(text.split())
        block = _Block(sources, text, words, _is_prose(text, words))
        block.kind = next((kind for rule, kind in _RULES if rule(block)), _Kind.ARTICLE)
        blocks.append(block)
    _mark_repeats(blocks)
    _mark_copies(blocks)
    _mark_captions_and_teasers(blocks)
    return tuple(blocks)


MIN_COPY_WORDS = 8
MIN_COPY_PARAGRAPHS = 2
MIN_RUN_TOGETHER_WORDS = 250  # longer than any paragraph the passages keep whole
_ELLIPSES = ("...", "…")


def _mark_copies(blocks: list[_Block]) -> None:
    """Copies of the article further down the page, which a stretch of prose would take in.

    A teaser cut short ("Good morning! This is…") of an earlier paragraph, or the paragraphs
    run together into one too long to be a paragraph (a description, a second rendering).
    """
    earlier: dict[str, _Block] = {}
    for b in blocks:
        if b.words < MIN_COPY_WORDS or not (b.prose or b.text.endswith(_ELLIPSES)):
            continue
        words = b.text.split()
        key = title_key(" ".join(words[:MIN_COPY_WORDS]))
        first = earlier.get(key)
        cut_short = b.text.endswith(_ELLIPSES) and first is not None and b.words <= first.words
        if cut_short or (b.words > MIN_RUN_TOGETHER_WORDS and _holds_paragraphs(words, earlier)):
            b.kind = _Kind.CLUTTER
        else:
            earlier.setdefault(key, b)


def _holds_paragraphs(words: list[str], earlier: dict[str, _Block]) -> bool:
    """Whether MIN_COPY_PARAGRAPHS earlier paragraphs are in this text, word for word.

    Looked up by the words each starts with: linear in the text, whatever the page's length.
    """
    text = " ".join(words)
    found: set[int] = set()
    for i in range(len(words) - MIN_COPY_WORDS + 1):
        paragraph = earlier.get(title_key(" ".join(words[i : i + MIN_COPY_WORDS])))
        if paragraph is not None and paragraph.text in text:
            found.add(id(paragraph))
            if len(found) >= MIN_COPY_PARAGRAPHS:
                return True
    return False


MIN_TEASER_WORDS = 12  # a summary cut short under a headline; shorter: a breadcrumb, a label
MIN_CAPTION_WORDS = 7  # a heading is shorter; a line this long beside a photo credit is its caption


def _mark_captions_and_teasers(blocks: list[_Block]) -> None:
    """Captions and teasers, by what is next to them.

    Captions sit beside a photo credit or under a gallery's counter ("Image 2 of 5"); a teaser
    is a headline over a summary cut short ("…").
    """
    for i, b in enumerate(blocks):
        if b.kind is not _Kind.ARTICLE:
            continue
        if i and _GALLERY.match(blocks[i - 1].text) and b.words <= MAX_CAPTION_WORDS:
            b.kind = _Kind.CHROME
        elif not b.prose and b.words >= MIN_CAPTION_WORDS:
            if any(_is_bare_credit(n) for n in _neighbours(blocks, i)):
                b.kind = _Kind.CHROME
        elif (
            b.words >= MIN_TEASER_WORDS
            and b.text.endswith(_ELLIPSES)
            and i
            and not blocks[i - 1].prose
        ):
            b.kind = _Kind.TEASER
            if blocks[i - 1].kind is _Kind.ARTICLE:
                blocks[i - 1].kind = _Kind.TEASER


def _is_bare_credit(b: _Block) -> bool:
    """A credit on its own ("Getty Images"), whose caption is a line beside it.

    A credit ending a caption ("Photo: Crews clear the road … / AP") has its caption in it,
    and the line above may well be the headline.
    """
    return b.kind is _Kind.CHROME and b.words <= MAX_LABEL_WORDS and _is_credit(b)


def _mark_repeats(blocks: list[_Block]) -> None:
    """Short lines said twice on one page are its furniture (menus, teasers), not headings.

    Unless a paragraph follows each time: an article may repeat a heading over its parts.
    """
    places: dict[str, list[int]] = {}
    for i, b in enumerate(blocks):
        if not b.prose:
            places.setdefault(title_key(b.text), []).append(i)
    for where in places.values():
        if len(where) > 1 and not all(
            i + 1 < len(blocks) and blocks[i + 1].article_prose for i in where
        ):
            for i in where:
                if blocks[i].kind is _Kind.ARTICLE:
                    blocks[i].kind = _Kind.CHROME


# --- position on the page -------------------------------------------------------------------


def _neighbours(blocks: list[_Block], i: int) -> list[_Block]:
    return blocks[max(i - 1, 0) : i] + blocks[i + 1 : i + 2]


def _extend_appeals(blocks: list[_Block]) -> None:
    """Extend appeals to the paragraphs around them: the later ones ask less explicitly."""
    for i, b in enumerate(blocks):
        if (
            b.kind is _Kind.ARTICLE
            and any(n.kind is _Kind.END and _fund_terms(n.text) for n in _neighbours(blocks, i))
            and _ADDRESS.search(b.text)
            and not _QUOTED.search(b.text)
            and _fund_terms(b.text)
        ):
            b.kind = _Kind.END


def _absorb_lists(blocks: list[_Block]) -> None:
    """Drop the short lines right under a list header ("Most read", "Tags"): its items."""
    in_list = False
    for b in blocks:
        if b.kind is _Kind.END and not b.prose:
            in_list = True
        elif b.article_prose or b.kind in _ENDS:
            in_list = False
        elif in_list and b.kind is _Kind.ARTICLE:
            b.kind = _Kind.CLUTTER


def _is_teaser_label(b: _Block) -> bool:
    """Headline, section, credit or label lines at the top of a teaser."""
    return b.kind is _Kind.CHROME or (b.kind in (_Kind.ARTICLE, _Kind.CLUTTER) and not b.prose)


def _teaser_start(blocks: list[_Block], marker: int) -> int | None:
    """Where the teaser closed by ``marker`` starts, or ``None`` if there is no teaser.

    Walking back: up to three paragraphs, then headline/label/credit lines. It is a teaser
    only if it has such lines and either follows another end signal (or starts the page) or
    carries page furniture (an image credit, a category tag); otherwise the marker just
    closes a collapsed article and only the marker goes.
    """
    i = marker - 1
    paragraphs = 0
    while i >= 0 and paragraphs < MAX_TEASER_PARAGRAPHS and blocks[i].article_prose:
        i -= 1
        paragraphs += 1
    labels_end = i
    while i >= 0 and _is_teaser_label(blocks[i]):
        i -= 1
    if i == labels_end:
        return None
    run = blocks[i + 1 : marker]
    after_end = i < 0 or blocks[i].kind in _ENDS
    return i + 1 if after_end or any(b.kind is _Kind.CHROME for b in run) else None


def _mark_teasers(blocks: list[_Block]) -> None:
    for marker, b in enumerate(blocks):
        if b.kind is _Kind.MARKER:
            start = _teaser_start(blocks, marker)
            for teaser in blocks[marker if start is None else start : marker]:
                teaser.kind = _Kind.TEASER


def _is_section_name(b: _Block) -> bool:
    if b.prose or b.kind is not _Kind.ARTICLE or b.words > MAX_LABEL_WORDS:
        return False
    tokens = word_list_form(b.text).split()
    return 0 < len(tokens) <= MAX_LABEL_WORDS and all(
        t in _SECTION_WORDS or t.isdigit() for t in tokens
    )


def _drop_section_names(blocks: list[_Block]) -> None:
    """Drop section names next to page furniture: categories there, headings elsewhere."""
    furniture = (_Kind.CHROME, _Kind.TEASER, _Kind.MARKER)
    for i, b in enumerate(blocks):
        if _is_section_name(b) and any(n.kind in furniture for n in _neighbours(blocks, i)):
            b.kind = _Kind.CHROME


def _article_end(blocks: list[_Block]) -> int:
    """Index of the first end signal after the article's last stretch of long-form prose.

    Long-form prose is two paragraphs in a row (page clutter in between does not count) or
    one long paragraph; an end signal followed by such prose was a box inside the article.
    """
    last_prose = -1
    run = 0
    for i, b in enumerate(blocks):
        if b.article_prose:
            run += 1
            if run >= 2 or b.words >= LONG_PARAGRAPH_WORDS:
                last_prose = i
        elif b.kind not in (_Kind.CHROME, _Kind.CLUTTER):
            run = 0
    return next(
        (i for i in range(last_prose + 1, len(blocks)) if blocks[i].kind in _ENDS), len(blocks)
    )


def _drop_tail(blocks: list[_Block]) -> None:
    """Everything after the article's end, and headings/bios left dangling before it."""
    end = _article_end(blocks)
    for b in blocks[end:]:
        if b.kind in (_Kind.ARTICLE, _Kind.BIO):
            b.kind = _Kind.CLUTTER
    last = next((i for i in range(end - 1, -1, -1) if blocks[i].article_prose), None)
    if last is None:
        return
    for b in blocks[last + 1 : end]:
        if b.kind in (_Kind.ARTICLE, _Kind.BIO):
            b.kind = _Kind.CLUTTER


# The article is the page's densest stretch of prose: each paragraph adds its words beyond
# PROSE_OFFSET, every other line costs a little, a byline or date (which repeat down lists
# of teasers and comments) more. The best-scoring stretch is the article (Kadane's maximum
# subarray); a paragraph must be long to bridge a list of short lines.
PROSE_OFFSET = 8
LINE_COST = 2
LIST_COST = 1
META_COST = 6
END_COST = 25  # "Related stories", "34 comments", a copyright line: the article is over


def _score(b: _Block) -> int:
    if b.article_prose:
        return b.words - PROSE_OFFSET
    if b.kind is _Kind.META:
        return -META_COST
    if b.kind is _Kind.TEASER or (b.kind is _Kind.END and not _fund_terms(b.text)):
        return -END_COST  # an appeal box or a "show more" button may sit inside the article
    if b.kind is _Kind.ARTICLE and (b.words > MAX_LABEL_WORDS or any(c.isdigit() for c in b.text)):
        return -LIST_COST  # a row of a table or list in the article, or a menu's longer item
    return -LINE_COST


def densest(scores: list[int], start: int = 0, reach: int | None = None) -> tuple[int, int, int]:
    """The best stretch of lines from ``start`` on, beginning within ``reach`` lines of it.

    ``scores`` are the lines' ``_score``; returns the stretch's first index, end, and score.
    """
    best = (start, start, 0)
    run_start, total = start, 0
    latest = len(scores) if reach is None else start + reach
    for i in range(start, len(scores)):
        if total <= 0 and i <= latest:
            run_start, total = i, 0
        total += scores[i]
        if total > best[2]:
            best = (run_start, i + 1, total)
    return best


def _keep_densest(blocks: list[_Block], start: int) -> None:
    """Drop what lies outside the article's stretch (just under the headline, if found).

    Headings right above the stretch stay when nothing before them is page furniture: a
    clean article may open with a heading.
    """
    scores = [_score(b) for b in blocks]
    first, end, score = densest(scores, start, None if start == 0 else HEADLINE_REACH)
    if score <= 0:  # no paragraph long enough to tell the article by: the other rules decide
        return
    while (
        first > 0
        and blocks[first - 1].kind is _Kind.ARTICLE
        and all(b.kind is _Kind.ARTICLE for b in blocks[:first])
    ):
        first -= 1
    end = _closing_list(blocks, end)
    for b in blocks[:first] + blocks[end:]:
        if b.kind in (_Kind.ARTICLE, _Kind.BIO):
            b.kind = _Kind.CLUTTER


def _closing_list(blocks: list[_Block], end: int) -> int:
    """Take in a list the article's last paragraph introduces ("Tour dates:").

    Its items, up to the next piece of furniture, are the article's, and read as its text by
    the rules after this one.
    """
    if end >= len(blocks) or blocks[end].kind is not _Kind.ARTICLE:
        return end
    if not blocks[end].text.endswith(":") or not blocks[end - 1].article_prose:
        return end
    while end < len(blocks) and blocks[end].kind is _Kind.ARTICLE:
        blocks[end].prose = True
        end += 1
    return end


# --- the headline and what the page says of itself --------------------------------------

MIN_HEADLINE_WORDS = 3
STRONG_ECHO = 0.75  # share of words a headline has in common with the page title or its slug
LEDE_ECHO = 0.5  # share of a headline's words its first paragraph uses
HEADLINE_REACH = 10  # lines above the article a headline may be
LEDE_LINES = 3  # a headline pasted under the first paragraph is this close under it
HEADER_LINES = 6  # a headline is this close above the byline (or the article, without one)
FALLBACK_TITLE_WORDS = 12
MAX_HEADLINES = 20  # candidates weighed
HEADLINE_SHARE = 0.9  # of the best article found under a headline candidate
_URL = re.compile(r"https?://[^\s\"'<>]+")
_OUTLET_LINE = re.compile(
    r"(?:©|\(c\)|\bcopyright\b)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?[,.]?\s*"
    r"(?P<a>[^.|©]{2,60}?)\s*(?:[.|,]|all\s+rights|$)|^published\s+by\s+(?P<b>[^.|]{2,60})",
    re.I,
)
MAX_OUTLET_WORDS = 6


@dataclass(frozen=True, slots=True)
class Page:
    """What a page without a header says of itself: its headline, outlet and address."""

    headline: str
    outlet: str
    url: str


def _content(text: str) -> set[str]:
    """A line's words as an echo is measured: longer than two letters, and cut to five.

    Five letters are stem enough for "guarantees" to echo "guaranteed".
    """
    return {w[:5] for w in word_list_form(text).split() if len(w) > 2}


def _main_part(text: str) -> str:
    """The headline part of a page title ("Headline | Site" → "Headline")."""
    parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+|\s*[|»]\s*", text) if p.strip()]
    return max(parts, key=len) if parts else text


def _echo(line: str, reference: set[str]) -> float:
    words = _content(line)
    return len(words & reference) / max(len(words), len(reference), 1)


def _may_be_headline(b: _Block) -> bool:
    return (
        MIN_HEADLINE_WORDS <= b.words <= MAX_TITLE_WORDS
        and b.kind not in (_Kind.META, _Kind.END, _Kind.MARKER)
        and not _is_fragment(b)
        and not (b.prose and _FULL_STOP.search(b.text))
    )


def _references(blocks: list[_Block], title: str) -> list[tuple[int, set[str]]]:
    """What a headline echoes: the given title, the page title (first line), URL slugs.

    Each with the line it comes from (-1: none), which cannot echo itself.
    """
    references = [(-1, _content(title))] if title else []
    if blocks and _may_be_headline(blocks[0]) and blocks[0].kind in (_Kind.ARTICLE, _Kind.CHROME):
        references.append((0, _content(_main_part(blocks[0].text))))
    for i, b in enumerate(blocks):
        for url in _URL.findall(b.text):
            slug = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if slug.count("-") >= MIN_HEADLINE_WORDS:
                references.append((i, _content(slug.replace("-", " "))))
    return [(i, r) for i, r in references if len(r) >= MIN_HEADLINE_WORDS - 1]


def _headline(blocks: list[_Block], title: str) -> tuple[int | None, bool]:
    """Where the page's headline is, and whether the article starts under it.

    A line the page title or address echoes, the one best placed above the article; else a
    short line just above the article (or just under its first paragraph, the headline of a
    page pasted from its menu on) that the first paragraph echoes; else the first
    headline-shaped line just above the byline, or the article.
    """
    references = _references(blocks, title)
    scores = [_score(b) for b in blocks]
    strong = [
        i
        for i, b in enumerate(blocks)
        if _may_be_headline(b)
        and any(_echo(b.text, r) >= STRONG_ECHO for at, r in references if at != i)
    ]
    strong = [i for i in strong if i > 0] or strong  # the first line: a page title, if no other
    del strong[MAX_HEADLINES:]  # a headline is near the top; a page of repeats stays linear
    if strong:
        # the last one with most of the article under it: a headline may also open the page
        # (a page title) or sit in a breadcrumb above the real one
        under = {i: densest(scores, i + 1, HEADLINE_REACH)[2] for i in strong}
        at = max(i for i in strong if under[i] >= HEADLINE_SHARE * max(under.values()))
        return at, not (
            at > 0 and blocks[at - 1].article_prose and _echoes_lede(blocks, at, at - 1)
        )
    first, _, _ = densest(scores)
    if first >= len(blocks):
        return None, False
    near = range(max(first - HEADLINE_REACH, 0), min(first + LEDE_LINES + 1, len(blocks)))
    echoed = [
        i
        for i in near
        if i != first and _is_header_title(blocks[i]) and _echoes_lede(blocks, i, first)
    ]
    if echoed:
        above = [i for i in echoed if i < first]
        return (above[-1], True) if above else (echoed[0], False)
    meta = next((i for i in range(first) if blocks[i].kind is _Kind.META), first)
    above = (i for i in range(max(meta - HEADER_LINES, 0), meta) if _is_header_title(blocks[i]))
    return next(above, None), True


def _echoes_lede(blocks: list[_Block], headline: int, lede: int) -> bool:
    words = _content(blocks[headline].text)
    shared = len(words & _content(blocks[lede].text))
    return shared >= MIN_HEADLINE_WORDS and shared >= LEDE_ECHO * len(words)


def _is_header_title(b: _Block) -> bool:
    return (
        _may_be_headline(b)
        and not b.prose
        and b.kind is _Kind.ARTICLE
        and not _is_section_name(b)
        and not _is_breadcrumb(b)
    )


def read_page(body: str) -> Page:
    """The page's own headline, outlet and address, for a file without a header.

    Without a headline, the first headline-shaped line above the article stands for it (the
    page title, if the page starts with it), else the article's first words.
    """
    blocks = _blocks(body, frozenset())
    at, _ = _headline(blocks, "")
    first, end, _ = densest([_score(b) for b in blocks])
    if at is None:  # the first headline-shaped line above the article, the page title first
        at = next(
            (i for i in range(first if end else len(blocks)) if _is_header_title(blocks[i])), None
        )
    if at is None and blocks and blocks[0].kind is _Kind.ARTICLE and not blocks[0].article_prose:
        at = 0  # a short first line: "Harbour news"
    if at is not None:
        headline = _main_part(blocks[at].text) if at == 0 else blocks[at].text
    else:
        lead = blocks[first if end else 0].text.split() if blocks else []
        headline = " ".join(lead[:FALLBACK_TITLE_WORDS]) + (
            "…" if len(lead) > FALLBACK_TITLE_WORDS else ""
        )
    return Page(headline, _outlet(blocks, headline), _url(blocks))


def _outlet(blocks: list[_Block], headline: str) -> str:
    """The outlet where the page names itself: its title's other part, copyright, publisher."""
    if blocks and headline:
        rest = title_key(blocks[0].text).replace(title_key(headline), " ", 1)
        if rest != title_key(blocks[0].text):
            parts = _parts(rest) + [p for p in re.split(r"\s+[–—-]\s+", rest) if p.strip()]
            for part in parts:
                words = part.strip(" -–—|:").split()
                if 0 < len(words) <= MAX_OUTLET_WORDS:
                    start = blocks[0].text.casefold().find(" ".join(words))
                    if start >= 0:
                        return blocks[0].text[start : start + len(" ".join(words))]
    for b in reversed(blocks):
        match = _OUTLET_LINE.search(b.text) if b.words <= MAX_PROMPT_WORDS else None
        if match:
            name = (match.group("a") or match.group("b") or "").strip(" ,.")
            if 0 < len(name.split()) <= MAX_OUTLET_WORDS and not name[0].isdigit():
                return name
    return ""


def _url(blocks: list[_Block]) -> str:
    """The page's address, if a line of it is one (a saved page's address bar, a link)."""
    return next((b.text for b in blocks if _URL.fullmatch(b.text)), "")


def _drop_header(blocks: list[_Block]) -> None:
    """Above the first paragraph of a scraped page, short lines are masthead and menus.

    Only when that stretch shows page furniture: a clean body may open with a heading.
    """
    first = next((i for i, b in enumerate(blocks) if b.article_prose), None)
    if first is None or all(
        b.kind is _Kind.ARTICLE and not _is_section_name(b) for b in blocks[:first]
    ):
        return
    for b in blocks[:first]:
        if b.kind is _Kind.ARTICLE:
            b.kind = _Kind.CHROME


def _joined(kept: list[_Block]) -> list[str]:
    """Kept paragraphs, one cut by a line break or by a dropped line (a caption) joined."""
    texts: list[str] = []
    for b in kept:
        if texts and _continues(texts[-1], len(texts[-1].split()), b.text):
            texts[-1] = f"{texts[-1]} {b.text}"
        else:
            texts.append(b.text)
    return texts


def clean(body: str, title: str = "", subtitle: str = "", extracted: bool = False) -> Cleaned:
    """Return the article's own blocks from a scraped page, and the lines dropped around them.

    Lines repeating ``title`` or ``subtitle`` are dropped: the title is shown separately. An
    ``extracted`` body (from a saved page, by trafilatura) is the article already: only the
    rules reading one line at a time apply to it, not those finding the article on the page
    (on the extraction benchmark they cost it more recall than they bought precision).
    """
    titles = frozenset(key for key in (title_key(title), title_key(subtitle)) if key)
    blocks = _blocks(body, titles)
    _extend_appeals(blocks)
    _absorb_lists(blocks)
    _mark_teasers(blocks)
    _drop_section_names(blocks)
    if not extracted:
        headline, opens = _headline(blocks, title)
        _keep_densest(blocks, headline + 1 if headline is not None and opens else 0)
        _drop_tail(blocks)
        _drop_header(blocks)
    kept = [b for b in blocks if b.kind in (_Kind.ARTICLE, _Kind.BIO)]
    dropped = tuple(
        line for b in blocks if b.kind not in (_Kind.ARTICLE, _Kind.BIO) for line in b.sources
    )
    if dropped:
        log.debug("dropped %d of %d lines", len(dropped), len(blocks))
    return Cleaned("\n\n".join(_joined(kept)), dropped)
