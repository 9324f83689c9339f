"""Page furniture never reaches a document's cleaned text; the prose around it always does."""

from __future__ import annotations

import re

import pytest

from corpus.documents import from_text
from tests.corpus.helpers import blocks_of, raw_texts, reference, text_of

pytestmark = pytest.mark.unit

# Shapes of furniture, written independently of corpus/clean.py so the test can catch what it misses.
FURNITURE = [
    re.compile(r"^(?:back to|skip to|share this|mobile menu|read more|sign up|log in)\b", re.I),
    re.compile(r"^(?:image|photo|picture|figure)\b(?:\s+of\b|\s*:)", re.I),
    re.compile(r"(?:^|\s)@\w{2,}"),  # a social handle
    re.compile(r"^(?:no|\d+)\s+(?:comments?|replies)\b", re.I),
    re.compile(r"\]\(|!\["),  # Markdown link or image residue
    re.compile(r"^(?:twitter|linkedin|facebook|instagram)\s*:", re.I),
    re.compile(r"^\s*(?:menu|home|search|blog|news)(?:\s+icon)?\s*$", re.I),
]


# One labelled handle under an author's bio is how to reach them: a contact detail, not furniture.
CONTACT = re.compile(r"^(?:twitter|linkedin)\s*:\s*@\w+$", re.I)


def furniture_in(text: str) -> list[str]:
    return [
        block
        for block in blocks_of(text)
        for shape in FURNITURE
        if shape.search(block.lstrip("- ")) and not CONTACT.match(block)
    ]


def test_reference_documents_carry_furniture_before_cleaning() -> None:
    """Guards the next test: it only means something if the raw texts hold furniture."""
    found = [line for raw in raw_texts().values() for line in raw.splitlines() if furniture_in(line)]
    assert len(found) >= 7, found


@pytest.mark.parametrize("doc_id", sorted(raw_texts()))
def test_no_cleaned_block_of_a_reference_document_is_furniture(doc_id: str) -> None:
    (loaded,) = [d for d in reference().loaded if d.document.doc_id == doc_id]
    assert furniture_in(loaded.document.text) == []


def test_the_image_line_goes_and_the_caption_under_it_stays() -> None:
    """The caption says what the picture shows ("the da Vinci robot"): a fact partners ask about."""
    captions = 0
    for doc_id, raw in raw_texts().items():
        text = text_of(doc_id)
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        for i, line in enumerate(lines[:-1]):
            if re.match(r"^image of\b", line, re.I):
                assert line not in blocks_of(text), (doc_id, line)
                assert lines[i + 1] in blocks_of(text), (doc_id, lines[i + 1])
                captions += 1
    assert captions >= 2


def test_alt_text_glued_to_a_paragraph_is_cut_off() -> None:
    text = text_of("advancing-healthtech-innovation")
    assert "WebsterLast" not in text
    assert any(b.startswith("Last month (August), we were delighted") for b in blocks_of(text))


@pytest.mark.parametrize(
    "sentence",
    [
        "How well placed is our region to respond to this demand?",
        "It’s an exciting place to work.",
        "There are no background documents referenced in this report.",
        "Picking up the phone",
        "Goal 3: West Yorkshire is recognised as a leading place for healthtech innovation",
        "Michael Wood is Head of Health Economic Partnerships at the NHS Confederation",
        "Jo-Anne Wass is Chief Operating Officer for Leeds Academic Health Partnership.",
        "This article originally featured in the print edition of National Health Executive.",
        "6.1 There are no financial implications directly arising from this report.",
        "According to Office for Life Sciences (OLS) data there are substantially more",
        "Whoever it is and wherever it is, the onus is on the NHS to reach out",
    ],
)
def test_real_sentences_survive(sentence: str) -> None:
    assert any(sentence in d.document.text for d in reference().loaded)


def test_every_reference_paragraph_of_prose_survives() -> None:
    """Any raw line of 20 words or more that is not an image line is prose and must be kept."""
    for doc_id, raw in raw_texts().items():
        text = text_of(doc_id)
        for line in raw.splitlines():
            words = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line).split()
            if len(words) >= 20:
                assert " ".join(words[-8:]).replace("**", "") in text, (doc_id, line[:80])


OTHER_SITES = [
    "Skip to main content",
    "Share this page",
    "12 comments",
    "Comments (3)",
    "Follow us on LinkedIn: @foo",
    "Follow us on Twitter @HealthtechYorks",
    "@foo @bar",
    "Photo: Jane Smith at the launch event",
    "Home > News > Healthtech",
    "Read more",
    "Back to news",
    "Previous post",
    "Next article",
    "Print this page",
    "Accept cookies",
    "Log in | Sign up",
    "Subscribe to our newsletter",
    "Tweet",
    "![Logo](https://example.org/logo.png)",
    "https://twitter.com/example",
]
PROSE = [
    "Back pain services in Wakefield now take referrals from community physiotherapists.",
    "Share of NHS spend on innovation",
    "Next steps for the cluster",
    "Read the full evaluation before applying.",
    "The photo library is open to partners who want images of the new wards.",
    "Comments from partners will shape the second year of the programme.",
    "Follow the money: how NHS budgets flow",
]


def test_furniture_of_other_sites_is_removed_and_prose_kept() -> None:
    body = "\n\n".join(f"{furniture}\n\n{PROSE[i % len(PROSE)]}" for i, furniture in enumerate(OTHER_SITES))
    body += "\n\nThe cluster welcomes new partners from across the region."
    text = from_text("synthetic", "Cluster news", body).document.text
    blocks = blocks_of(text)
    for furniture in OTHER_SITES:
        assert furniture not in blocks, furniture
    assert furniture_in(text) == []
    for sentence in PROSE:
        assert sentence in blocks, sentence


def test_an_authors_labelled_handle_stays_as_a_contact_detail() -> None:
    """Partners ask "does he have a twitter handle I can tag?"; the answer is this line."""
    assert "Twitter: @NHSLocalGrowth" in blocks_of(text_of("digital-health-strategy-for-all"))
    body = "Jane Smith leads the hub's adoption team.\n\nTwitter: @JaneSmithNHS\n\nFollow us on Twitter @Hub"
    blocks = blocks_of(from_text("synthetic", "Bio", body).document.text)
    assert "Twitter: @JaneSmithNHS" in blocks
    assert "Follow us on Twitter @Hub" not in blocks


def test_a_photo_line_of_another_site_goes_and_its_caption_stays() -> None:
    body = (
        "Photo: the launch event\n\nPartners and patients at the opening of the hub\n\n"
        "The hub opened in March with twelve founding partners. It will test wound-care devices first."
    )
    blocks = blocks_of(from_text("synthetic", "Launch", body).document.text)
    assert blocks == [
        "Launch",
        "Partners and patients at the opening of the hub",
        "The hub opened in March with twelve founding partners. It will test wound-care devices first.",
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        "The YourVoice consultation ran for six weeks across the region.",
        "Leeds MedTech firms grew by a third. MedTech is the region's largest health sector.",
    ],
)
def test_camel_case_names_at_a_paragraph_start_are_not_taken_for_alt_text(paragraph: str) -> None:
    assert paragraph in blocks_of(from_text("names", "Names", paragraph).document.text)


def test_alt_text_glued_to_a_paragraph_of_another_site_is_cut_off() -> None:
    text = from_text("alt", "Alt", "Dr Jane SmithToday the board approved the plan.").document.text
    assert blocks_of(text)[-1] == "Today the board approved the plan."
