import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from index import cleaning
from index.cleaning import clean

SEEDS = Path(__file__).parents[2] / "seeds"
PAGES = Path(__file__).parent / "pages"
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)

SEED_RS = "000_583b53af50651cc4.txt"
SEED_VOICE = "001_93190b9e61a4721b.txt"
RS_TITLE = "Russia intensifies fighting after Trump’s win"
RS_SUBTITLE = "Moscow increases action in Kursk and boosts strikes inside Ukraine"
VOICE_TITLE = "Russia ramps up attacks on Ukraine amid political shifts in the US"


def seed_body(name: str) -> str:
    text = (SEEDS / name).read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{name} has no front matter"
    return text[match.end() :]


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def blocks_of(text: str) -> list[str]:
    return text.split("\n\n") if text else []


def assert_in_order(kept: list[str], expected: list[str]) -> None:
    positions = [kept.index(block) for block in expected]
    assert positions == sorted(positions)


# --- the seed pages -------------------------------------------------------------------------


def test_seed_rs_keeps_exactly_the_article():
    body = seed_body(SEED_RS)
    source = lines_of(body)
    start = next(i for i, line in enumerate(source) if line.startswith("After a more than"))
    end = next(i for i, line in enumerate(source) if line.endswith("on these developments.”"))

    result = clean(body, RS_TITLE, RS_SUBTITLE)

    assert blocks_of(result.text) == source[start : end + 1]
    assert list(result.dropped) == source[:start] + source[end + 1 :]


def test_seed_rs_keeps_headings_and_drops_page_clutter():
    result = clean(seed_body(SEED_RS), RS_TITLE, RS_SUBTITLE)
    kept = blocks_of(result.text)

    assert len(kept) == 11
    assert "Other Ukraine War News This Week:" in kept
    assert "From State Department Briefing on Nov. 12" in kept
    for clutter in (
        "Follow us on social",
        "ukraine war",
        RS_TITLE,
        RS_SUBTITLE,
        "Reporting | Regions",
        "keep readingShow less",
        "Election 2024",
        "Latest",
        "Newsletter",
        "Top image credit: Brian G. Rhodes / Shutterstock.com",
    ):
        assert clutter in result.dropped
        assert clutter not in kept
    assert sum(line == "keep readingShow less" for line in result.dropped) == 3
    for fragment in (
        "Thanks to our readers",
        "tax-exempt donation",
        "DOGE",
        "arms dealers",
        "Georgia",
        "Subscribe now",
    ):
        assert fragment not in result.text


def test_seed_rs_without_title_still_finds_the_article():
    kept = blocks_of(clean(seed_body(SEED_RS)).text)

    assert kept[0].startswith("After a more than two-month pause")
    assert kept[-1].endswith("on these developments.”")


def test_seed_voice_is_kept_whole():
    body = seed_body(SEED_VOICE)

    result = clean(body, VOICE_TITLE)

    assert result.text == "\n\n".join(lines_of(body))
    assert result.dropped == ()
    assert "Outlook" in blocks_of(result.text)


# --- pages written for these tests ----------------------------------------------------------


@dataclass(frozen=True)
class Page:
    title: str
    subtitle: str = ""
    keep: list[str] = field(default_factory=list)  # whole blocks, in page order
    drop: list[str] = field(default_factory=list)  # whole source lines


PAGE_CASES = {
    "local_news.txt": Page(
        title="Flooding closes Mill Street bridge for second week",
        keep=[
            "Water from the Cedar River pushed over the Mill Street bridge again on Monday night, "
            "and county engineers said the crossing will stay closed at least through the weekend.",
            "“We are not going to open it until we are sure it is safe,” said county engineer Paul "
            "Ostrowski. “The river is still about two feet above flood stage.”",
            "Detours and School Buses",
            "What Comes Next",
            "Residents with flood damage can call the county’s recovery line at 555-0142.",
        ],
        drop=[
            "By Dana Whitfield, Staff Writer",  # bylines and dates are metadata, not text
            "Published March 4, 2025 at 6:15 a.m.",
            "Skip to main content",
            "Home › News › Local",
            "We use cookies to give you the best possible experience on our website. By continuing "
            "to browse, you agree to our use of cookies.",
            "Accept all",
            "Local",
            "Flooding closes Mill Street bridge for second week",
            "A county truck blocks the entrance to the Mill Street bridge on Tuesday. "
            "(Dana Whitfield / Riverton Gazette)",
            "Advertisement",
            "ADVERTISEMENT",
            "RELATED: Council delays vote on new stormwater fee",
            "Related: Photos from last spring’s flood",
            "Join the conversation: leave a comment below.",
            "14 Comments",
            "Most Popular",
            "New bakery opens on Front Street",
            "© 2025 Riverton Gazette. All rights reserved.",
            "Privacy Policy | Terms of Use | Contact Us",
        ],
    ),
    "wire_story.txt": Page(
        title="Glacier melt in the Alps hit a record in 2024, scientists say",
        keep=[
            "GENEVA (Meridian) — Swiss glaciers lost 4% of their remaining volume in 2024, the "
            "second-largest annual loss on record, a monitoring network said on Tuesday.",
            "Scientists measured ice thickness at 20 reference glaciers using radar and drilled "
            "stakes.",
            "Tourism and Water Supply",
            "The Swiss government has set aside funds to study how reservoirs could store more "
            "meltwater, a spokesman for the energy ministry said.",
        ],
        drop=[
            "Meridian Wire",
            "World",
            "Europe",
            "Share",
            "Tweet",
            "Photo: Climbers cross the Morteratsch glacier in Switzerland, Aug. 14, 2024. Lukas "
            "Brenner / Meridian Wire",
            "(Reporting by Lukas Brenner; Editing by Sarah Koh)",
            "More from Meridian Wire",
            "Arctic sea ice shrinks to near-record low",
            "The Arctic’s summer sea ice shrank to its second-lowest extent since satellite "
            "records began, U.S. researchers said.",
            "Read more",
            "Firefighters in Andalusia battled three large blazes this week, weeks earlier than "
            "usual.",
            "Read more »",
            "Copyright 2025 Meridian Wire. All rights reserved.",
        ],
    ),
    "magazine.txt": Page(
        title="The last lighthouse keepers",
        subtitle="On a rocky island off Maine, two brothers kept the light burning long after "
        "the machines arrived",
        keep=[
            "The Island",
            "Luc, now 79, remembers the storm of 1978 as the night the sea came into the kitchen. "
            "“We put the little ones on the table and waited for morning,” he said.",
            "After the Machines",
            "Gabriel died in 2019. Luc left the island the following spring and now lives with a "
            "niece in Rockland, where he keeps a barometer by the window.",
        ],
        drop=[
            "By Nora Lindqvist",
            "Harbor Review",
            "Subscribe",
            "Sign in",
            "Culture | Books",
            "Share this article",
            "Sign up for The Harbor Letter",
            "Our best stories, delivered to your inbox every Sunday.",
            "Email address",
            "Sign up",
            "By signing up, you agree to our Terms of Use and acknowledge our Privacy Policy.",
            "Nora Lindqvist is a contributing writer at Harbor Review. Her book about the Maine "
            "coast will be published next year.",
            "Follow her on X @noralind",
            "Tags",
            "lighthouses",
            "You might also like",
            "The ferry captain who never missed a crossing",
            "Harbor Review is a nonprofit magazine supported by readers like you. Become a member "
            "today.",
            "© 2024 Harbor Review Foundation",
        ],
    ),
    "blog.txt": Page(
        title="Why my tomatoes split after the rain",
        keep=[
            "If you have ever walked out after a summer storm to find your ripe tomatoes cracked "
            "open like baked potatoes, you are not alone. It happened to half my crop this week.",
            "What I Do Differently Now",
            "Finally, I pick tomatoes at the first blush of color before a forecast storm and let "
            "them finish ripening on the kitchen counter.",
        ],
        drop=[
            "The Patient Gardener",
            "Home",
            "Garden Diary",
            "Share on Facebook Share on X Share on Pinterest",
            "Pin it for later!",
            "Share on Facebook Share on X Share on Pinterest Email",
            "Posted in Garden Diary | 6 comments",
            "Previous post",
            "Next post",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Name *",
            "Post Comment",
            "Copyright © 2024 The Patient Gardener · Powered by WordPress",
        ],
    ),
    "nonprofit.txt": Page(
        title="State paid $3 million to contractor barred in two states",
        keep=[
            "The state transportation department paid more than $3 million over four years to a "
            "paving contractor that had been barred from public work in Nebraska and Minnesota, "
            "records obtained by the Prairie Ledger show.",
            "The contractor, Plainsview Paving, won eleven contracts between 2020 and 2024, "
            "most of them for rural highway repairs.",
            "A Gap in the Rules",
            "State Sen. Carla Hughes said she would introduce a bill next session to close the "
            "gap. “Taxpayers should not be paying a company other states have already shown the "
            "door,” she said.",
        ],
        drop=[
            "Follow us",
            "investigations",
            "Prairie Ledger",
            "Investigations | Government",
            "Top photo: The Department of Transportation headquarters in Pierre. Credit: Tom Reyes "
            "/ Prairie Ledger",
            "Prairie Ledger is a nonprofit newsroom. If you value reporting like this, please "
            "support our work with a donation of any size.",
            "Thank you for reading the Prairie Ledger. Our reporting is free for everyone because "
            "readers like you chip in.",
            "Make your tax-deductible gift today and your donation will be matched dollar for "
            "dollar through December 31.",
            "public health",
            "Photo: Getty Images",
            "Rural hospitals cut maternity care",
            "Nine rural hospitals have stopped delivering babies since 2020, leaving some families "
            "two hours from the nearest labor ward.",
            "Continue reading →",
            "Lawmakers have proposed raises, but funding remains uncertain.",
            "About Us",
            "Republish our stories",
        ],
    ),
}


def clean_page(name: str) -> cleaning.Cleaned:
    page = PAGE_CASES[name]
    return clean((PAGES / name).read_text(encoding="utf-8"), page.title, page.subtitle)


@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_keeps_article_blocks_in_order(name):
    kept = blocks_of(clean_page(name).text)

    for block in PAGE_CASES[name].keep:
        assert block in kept
    assert_in_order(kept, PAGE_CASES[name].keep)


@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_drops_clutter(name):
    result = clean_page(name)
    kept = blocks_of(result.text)

    for line in PAGE_CASES[name].drop:
        assert line in result.dropped
        assert line not in kept


@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_keeps_and_drops_every_line_once_in_page_order(name):
    result = clean_page(name)
    source = lines_of((PAGES / name).read_text(encoding="utf-8"))
    kept = blocks_of(result.text)

    assert len(kept) + len(result.dropped) == len(source)
    assert [line for line in source if line not in result.dropped] == kept
    assert [line for line in source if line in result.dropped] == list(result.dropped)


def test_page_with_nothing_to_remove_is_unchanged():
    text = (PAGES / "plain.txt").read_text(encoding="utf-8")

    result = clean(text, "Alder Creek to close library branch")

    assert result.text == "\n\n".join(lines_of(text))
    assert result.dropped == ()


# --- the rules in general, on wording none of the pages use --------------------------------

BEFORE = (
    "The city council approved the new budget on Tuesday after a long and heated debate.",
    "The plan raises spending on roads and parks by about four percent next year.",
)
AFTER = (
    "Council members said they expect to revisit the numbers in the autumn session.",
    "A final vote on the remaining items is scheduled for the end of the month.",
)


def between_paragraphs(line: str) -> str:
    return "\n".join((*BEFORE, line, *AFTER))


@pytest.mark.parametrize(
    "line",
    [
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Read also: Parliament debates a new energy law",
        "SEE ALSO: Five things to know about the budget",
        "Photo: Maria Gomez/AFP via Getty Images",
        "(Getty Images)",
        "Workers repair a road near the old market on Sunday. (AP Photo/John Smith)",
        "Image credit: City of Springfield",
        "Share on WhatsApp Share on Telegram Copy link",
        "Follow us on Instagram @dailypost",
        "We use cookies to personalise content and ads.",
        "Get our free morning briefing delivered to your inbox.",
        "Subscribe to our newsletter",
        "Home » Politics » Congress",
        "city hall",
        "Show more",
    ],
)
def test_clutter_inside_the_article_is_dropped(line):
    result = clean(between_paragraphs(line))

    assert result.dropped == (line,)
    assert blocks_of(result.text) == [*BEFORE, *AFTER]


@pytest.mark.parametrize(
    "line",
    [
        "Background",
        "What Happens Next",
        "Key Findings:",
        "Related Costs and Delays",
        "Follow the Money",
        "Photos taken by residents show flooding in the lower part of town.",
        "The newsletter reported the decision on Monday, a day before the vote.",
        "Support for the measure has grown among voters since the spring.",
        "Share prices of the city’s utility fell 3% in early trading on Tuesday.",
        "“We hope you will support our plan and donate to the fund,” the mayor told reporters.",
    ],
)
def test_article_lines_that_resemble_clutter_are_kept(line):
    result = clean(between_paragraphs(line))

    assert result.dropped == ()
    assert blocks_of(result.text) == [*BEFORE, line, *AFTER]


def test_heading_is_kept_but_lowercase_tag_and_nav_are_dropped():
    body = "\n".join(
        ("Home / Local / Transport", "city budget", "Opinion", *BEFORE, "Roads First", *AFTER)
    )

    result = clean(body)

    assert blocks_of(result.text) == [*BEFORE, "Roads First", *AFTER]
    assert result.dropped == ("Home / Local / Transport", "city budget", "Opinion")


def test_teaser_of_another_article_after_the_end_is_dropped():
    teaser = (
        "Photo: Jane Doe / AFP",
        "Why the budget fight is not over",
        "Opinion",
        "The council’s vote settles little, because the state still has to sign off on the "
        "borrowing plan.",
        "Read more",
    )
    body = "\n".join((*BEFORE, *AFTER, *teaser, "Latest", "Podcasts"))

    result = clean(body)

    assert blocks_of(result.text) == [*BEFORE, *AFTER]
    assert result.dropped == (*teaser, "Latest", "Podcasts")


def test_box_inside_the_article_does_not_end_it():
    appeal = (
        "We rely on readers like you. Please support our independent journalism with a "
        "donation today."
    )
    body = "\n".join((*BEFORE, appeal, "Next Steps", *AFTER))

    result = clean(body)

    assert blocks_of(result.text) == [*BEFORE, "Next Steps", *AFTER]
    assert result.dropped == (appeal,)


def test_end_signal_drops_the_rest_of_the_page():
    footer = (
        "Jane Roe is a senior correspondent for the Daily Tribune based in Denver.",
        "Recommended",
        "Five hikes to try this weekend",
        "© Copyright 2023 Example Media Group",
        "Contact",
    )
    body = "\n".join((*BEFORE, *AFTER, *footer))

    result = clean(body)

    assert blocks_of(result.text) == [*BEFORE, *AFTER]
    assert result.dropped == footer


def test_title_repeats_are_dropped_ignoring_case_spacing_and_quotes():
    body = "\n".join(("THE  ‘QUIET’   Budget", *BEFORE, *AFTER))

    result = clean(body, title="The 'quiet' budget")

    assert result.dropped == ("THE  ‘QUIET’   Budget",)


def test_whitespace_inside_lines_is_collapsed_and_characters_kept():
    body = "  The mayor’s  “plan”\tcosts\u00a0$2,072 — or 64.1%   of the fund.  \n\n\n  Next  "

    result = clean(body + "\nA second line of the report follows here.")

    assert blocks_of(result.text)[0] == "The mayor’s “plan” costs $2,072 — or 64.1% of the fund."


@pytest.mark.parametrize("body", ["", "\n", "   \n\t\n  "])
def test_empty_body_gives_empty_text(body):
    assert clean(body) == cleaning.Cleaned("", ())


def test_blank_lines_are_not_reported_as_dropped():
    result = clean("\n".join(("Advertisement", "", "  ", *BEFORE)))

    assert result.dropped == ("Advertisement",)


@pytest.mark.parametrize(
    ("body", "title", "subtitle"),
    [
        (seed_body(SEED_RS), RS_TITLE, RS_SUBTITLE),
        (seed_body(SEED_VOICE), VOICE_TITLE, ""),
        *(
            ((PAGES / name).read_text(encoding="utf-8"), page.title, page.subtitle)
            for name, page in PAGE_CASES.items()
        ),
        ((PAGES / "plain.txt").read_text(encoding="utf-8"), "", ""),
    ],
)
def test_cleaning_is_idempotent(body, title, subtitle):
    once = clean(body, title, subtitle)

    twice = clean(once.text, title, subtitle)

    assert twice.text == once.text
    assert twice.dropped == ()


def test_rules_do_not_quote_the_test_pages():
    """The heuristics must be general: no clutter line of a page appears in their code or lists."""
    package = Path(cleaning.__file__).parent
    files = [*package.glob("*.py"), *(package.parent / "data").glob("*.txt")]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    source = " ".join(re.sub(r"[^\w\s]", " ", text).split()).lower()
    pages = [seed_body(SEED_RS), *(p.read_text(encoding="utf-8") for p in PAGES.glob("*.txt"))]
    for page in pages:
        for line in clean(page).dropped:
            words = " ".join(re.sub(r"[^\w\s]", " ", line).split()).lower()
            if len(words.split()) >= 5:
                assert words not in source, line
