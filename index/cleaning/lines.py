"""Rules reading one line at a time: bylines, stamps, credits, share bars, prompts, footers.

Each rule recognises a kind of page furniture by general signs (word lists, the shape of a
line), never by one site's wording; ``RULES`` gives the first that holds its kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources

from index.cleaning.blocks import (
    LONG_LINE_WORDS,
    MAX_APPEAL_WORDS,
    MAX_CAPTION_WORDS,
    MAX_LABEL_WORDS,
    MAX_NAV_WORDS,
    MAX_PROMO_WORDS,
    MAX_PROMPT_WORDS,
    QUOTED,
    SEPARATOR_CHARS,
    TOKEN,
    Block,
    Kind,
    menu_parts,
)
from index.text import word_list_form

# Word lists ship as data (index/data/), one entry per line: easier to scan and extend than
# literals, and editing one rebuilds the index without touching the code.


def _word_list(name: str) -> list[str]:
    text = resources.files("index").joinpath(f"data/{name}").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


_SHARE_CUES = frozenset(" ".join(_word_list("share_cues.txt")).split())
_SHARE_WORDS = _SHARE_CUES | frozenset(" ".join(_word_list("share_words.txt")).split())
_INTERFACE_LINES = frozenset(_word_list("interface_lines.txt"))
# Words a site's section menu is made of; a line of only these is a category, not a heading,
# when it sits among page furniture.
SECTION_WORDS = frozenset(" ".join(_word_list("section_words.txt")).split())

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
GALLERY = re.compile(r"(?:image|photo|picture|slide)\s+\d+\s+(?:of|/)\s+\d+", re.I)
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
ADDRESS = re.compile(r"\b(?:we|us|our|you|your)\b", re.I)
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


def _is_marker(b: Block) -> bool:
    return bool(_MARKER.fullmatch(b.text))


def _is_list_header(b: Block) -> bool:
    """Spot list headers ("Related stories", "More from …", "Tags"): a list follows, not prose."""
    return bool(_LIST_HEADER.fullmatch(b.text))


def _is_link_line(b: Block) -> bool:
    return b.words <= MAX_PROMPT_WORDS and bool(_LINK_LINE.match(b.text))


def _is_legal_footer(b: Block) -> bool:
    """Copyright lines and rows of legal links close a page."""
    if b.words > MAX_PROMPT_WORDS:
        return False
    if _COPYRIGHT.search(b.text):
        return True
    parts = menu_parts(b.text)
    return len(parts) > 1 and all(_FOOTER_LINK.fullmatch(part) for part in parts)


def _is_footer_link(b: Block) -> bool:
    return bool(_FOOTER_LINK.fullmatch(b.text.strip(" .:")))


def _is_comment_prompt(b: Block) -> bool:
    if b.words > MAX_PROMPT_WORDS:
        return False
    if not b.prose and _COMMENT_MARK.search(b.text):
        return True
    return bool(_COMMENT_PROMPT.match(b.text)) or (
        bool(_COMMENT_INVITE.search(b.text)) and bool(ADDRESS.search(b.text))
    )


def _is_bio(b: Block) -> bool:
    return b.words <= MAX_CAPTION_WORDS and bool(_BIO.search(b.text))


def is_credit(b: Block) -> bool:
    """Image credits, gallery counters, and captions that end in a credit."""
    if b.words > MAX_CAPTION_WORDS:
        return False
    if GALLERY.fullmatch(b.text):
        return True
    if _CREDIT_LABEL.match(b.text) or _CREDIT_END.search(b.text):
        return True
    return not b.prose and b.words <= MAX_NAV_WORDS and bool(_AGENCY.search(b.text))


def _is_share(b: Block) -> bool:
    """Rows of share/follow buttons: nothing but sharing words, network names and handles."""
    if b.words > LONG_LINE_WORDS:
        return False
    tokens = [t for t in TOKEN.findall(b.text.casefold()) if not t.startswith("@")]
    return (
        0 < len(tokens) <= LONG_LINE_WORDS
        and all(t in _SHARE_WORDS for t in tokens)
        and any(t in _SHARE_CUES for t in tokens)
    )


def _is_interface(b: Block) -> bool:
    """Buttons, form labels and ad slots, however they are worded around "advertisement"."""
    if b.words <= MAX_NAV_WORDS and word_list_form(b.text) in _INTERFACE_LINES:
        return True
    return not b.prose and b.words <= MAX_NAV_WORDS and bool(_AD_LABEL.search(b.text))


def is_breadcrumb(b: Block) -> bool:
    """Spot breadcrumbs ("Home › World", "Reporting | Regions"): short items and separators."""
    if b.prose or b.words > MAX_NAV_WORDS:
        return False
    parts = menu_parts(b.text)
    return len(parts) > 1 and all(
        len(part.split()) <= MAX_LABEL_WORDS and any(c.isalpha() for c in part) for part in parts
    )


def _is_tag(b: Block) -> bool:
    """All-lower-case short lines are category tags; the article's headings are capitalised."""
    return (
        b.words <= MAX_LABEL_WORDS
        and b.text.islower()
        and all(ch.isalnum() or ch in " &'’-" for ch in b.text)
    )


def _is_consent(b: Block) -> bool:
    if b.words > MAX_PROMO_WORDS or QUOTED.search(b.text):
        return False
    if _CONSENT.search(b.text):
        return True
    return bool(_COOKIE.search(b.text)) and bool(ADDRESS.search(b.text))


def fund_terms(text: str) -> int:
    """How many distinct fundraising terms a block uses (a substring test skips most prose)."""
    lowered = text.casefold()
    if not any(hint in lowered for hint in _FUND_HINTS):
        return 0
    return len({m.group().casefold() for m in _FUND.finditer(text)})


def _is_appeal(b: Block) -> bool:
    """Spot the site asking its readers for money, in its own voice (never in a quotation)."""
    return (
        b.words <= MAX_APPEAL_WORDS
        and bool(_ORG_VOICE.search(b.text))
        and bool(_READER.search(b.text))
        and not QUOTED.search(b.text)
        and fund_terms(b.text) >= 2
    )


def _is_promo(b: Block) -> bool:
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
        not QUOTED.search(b.text)
        and bool(_NEWSLETTER.search(b.text))
        and bool(_ORG_VOICE.search(b.text))
        and bool(_READER.search(b.text))
    )


def _is_meta(b: Block) -> bool:
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


def is_fragment(b: Block) -> bool:
    """Pieces of page furniture: a menu separator at either end ("File Photo |").

    Also a phrase said twice ("Site Name Site Name") and a link to the site's legal pages.
    """
    if b.prose or b.words > MAX_NAV_WORDS:
        return False
    if b.text[0] in SEPARATOR_CHARS or b.text[-1] in SEPARATOR_CHARS:
        return True
    words = b.text.casefold().split()
    half = len(words) // 2
    return (len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]) or bool(
        _LEGAL_LINK.search(b.text)
    )


# First match wins: specific signals before the generic shapes they would also fit.
RULES: tuple[tuple[Callable[[Block], bool], Kind], ...] = (
    (_is_marker, Kind.MARKER),
    (_is_list_header, Kind.END),
    (_is_link_line, Kind.CLUTTER),
    (_is_legal_footer, Kind.END),
    (_is_comment_prompt, Kind.END),
    (_is_bio, Kind.BIO),
    (_is_meta, Kind.META),
    (is_credit, Kind.CHROME),
    (is_fragment, Kind.CHROME),
    (_is_share, Kind.CHROME),
    (_is_interface, Kind.CLUTTER),
    (_is_footer_link, Kind.CLUTTER),
    (is_breadcrumb, Kind.CHROME),
    (_is_tag, Kind.CHROME),
    (_is_consent, Kind.CLUTTER),
    (_is_appeal, Kind.END),
    (_is_promo, Kind.CLUTTER),
)
