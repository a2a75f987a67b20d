import pytest

from index.sentences import sentence_spans


def sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Following the U.S. presidential election, Putin acted. The U.S. Army agreed.",
            ["Following the U.S. presidential election, Putin acted.", "The U.S. Army agreed."],
        ),
        (
            "He expects more launches up to Jan. 20, officials said. Nobody knows why.",
            ["He expects more launches up to Jan. 20, officials said.", "Nobody knows why."],
        ),
        (
            "From the briefing on Nov. 12 in Washington. Dr. Smith spoke.",
            ["From the briefing on Nov. 12 in Washington.", "Dr. Smith spoke."],
        ),
        (
            "He said, “We expect more launches towards Ukraine.” “Launches” rose.",
            ["He said, “We expect more launches towards Ukraine.”", "“Launches” rose."],
        ),
        (
            "Strikes tripled in 2024—three times the year before. Losses rose too.",
            ["Strikes tripled in 2024—three times the year before.", "Losses rose too."],
        ),
        ("No final period here", ["No final period here"]),
    ],
)
def test_sentence_splitting(text, expected):
    assert sentences(text) == expected


def test_spans_cover_the_text_in_order():
    text = "One. Two! Three? Four."
    spans = sentence_spans(text)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")
