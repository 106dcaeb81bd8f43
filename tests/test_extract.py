"""Extraction on whole notes: what a user checks first when they point vaultlink at their vault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultlink import scan_vault
from vaultlink.cli import main
from vaultlink.extract import extract_note, make_context
from vaultlink.markdown import parse_note
from vaultlink.model import EntityType, RelationType, VaultIndex

SAMPLE = Path(__file__).resolve().parent.parent / "sample_vault"
STEFAN = "Chats/Coffee chat with Stefan Mai.md"


def _chat_entity_ids(make_vault, body: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The ids of every entity in a vault of one chat with Ana Ruiz that says ``body``."""
    index = scan_vault(make_vault({"Chats/Coffee chat with Ana Ruiz.md": f"# Coffee chat with Ana Ruiz\n\n{body}"}), use_cache=False)
    return {e.id for e in index.entities}


def _works_at(index: VaultIndex) -> set[tuple[str, str]]:
    return {(person, company) for person, company, kind in _employers(index) if kind == "works_at"}


def _names(index: VaultIndex, kind: str, note: str | None = None) -> set[str]:
    return {
        e.name
        for e in index.entities
        if e.type.value == kind and (note is None or any(m.note == note for m in e.mentions))
    }


def _employers(index: VaultIndex) -> set[tuple[str, str, str]]:
    names = {e.id: e.name for e in index.entities}
    return {
        (names[r.source], names[r.target], r.type.value)
        for r in index.relations
        if r.type in (RelationType.WORKS_AT, RelationType.WORKED_AT)
    }


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> VaultIndex:
    """The seed chat's note alone in a vault, as the user would save it."""
    root = tmp_path_factory.mktemp("seed")
    (root / "Chats").mkdir()
    (root / STEFAN).write_bytes((SAMPLE / STEFAN).read_bytes())
    return scan_vault(root, use_cache=False)


def test_the_seed_chat_names_stefan_mai_and_nobody_else(seed_index: VaultIndex) -> None:
    assert _names(seed_index, "person") == {"Stefan Mai"}
    assert seed_index.notes[0].participants == ("person:stefan-mai",)


def test_the_seed_chat_finds_amazon_and_meta_and_nothing_false(seed_index: VaultIndex) -> None:
    assert _names(seed_index, "company") == {"Amazon", "Meta"}  # not SWE, Gen AI, CRUD, ML, Takeaways


def test_the_seed_chat_says_stefan_worked_at_amazon_and_meta(seed_index: VaultIndex) -> None:
    assert _employers(seed_index) == {("Stefan Mai", "Amazon", "worked_at"), ("Stefan Mai", "Meta", "worked_at")}


def test_the_seed_chat_is_dated_by_its_written_date(seed_index: VaultIndex) -> None:
    assert seed_index.notes[0].date == "2023-05-11"
    talked = [r for r in seed_index.relations if r.type is RelationType.TALKED_WITH]
    assert [(r.source, r.target, r.date) for r in talked] == [("me", "person:stefan-mai", "2023-05-11")]


def test_the_seed_chat_gives_stefans_advice_with_the_pivot_question(seed_index: VaultIndex) -> None:
    advice = seed_index.advice
    assert len(advice) >= 6 and {a.person for a in advice} == {"person:stefan-mai"}
    pivot = [a for a in advice if a.question == "How do I move from data analytics into SWE?"]
    assert len(pivot) == 1 and pivot[0].text.startswith("Mostly through how you frame the resume")
    assert "topic:career-switch" in pivot[0].topics and "topic:resume" in pivot[0].topics


def test_the_seed_chat_covers_the_topics_a_reader_would_name(seed_index: VaultIndex) -> None:
    expected = {
        "topic:career-switch", "topic:resume", "topic:interviewing", "topic:side-projects", "topic:learning",
        "topic:ai", "topic:company-culture", "topic:starting-a-company", "topic:networking",
    }
    found = {e.id for e in seed_index.entities if e.type.value == "topic"}
    assert len(found & expected) >= 6, found


def test_notes_without_people_yield_none(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Recipes/Apple pie.md": "# Apple pie\n\nMix flour and butter. Bake at 200C for 40 minutes.\n"
            "Serve with cream on Sunday. Notes from Grandma's Kitchen Book.\n",
            "Journal/2024-03-02.md": "Slow Saturday. Walked to the Market, read about meta-learning, "
            "the notion of slack time, and the amazon rainforest.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    assert _names(index, "person") == set()
    assert _names(index, "company") == set()  # apple pie, meta-learning, notion, slack, amazon: words


def test_an_ampersand_inside_a_company_name_does_not_split_it(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Chats/Chat with Ana Ruiz.md": '---\nrole: "Product Designer @ AT&T"\ncompanies: Google & Meta\n---\n'
            "Ana joined AT&T last year.\n",
            "Chats/Chat with Bo Li.md": "At Netflix the team plans by quarter. At least Bo is happy.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    companies = _names(index, "company")
    assert {"AT&T", "Google", "Meta"} <= companies
    assert not companies & {"AT", "T", "At"}  # "At Netflix" is a preposition, not the acronym


def test_a_company_whose_name_holds_another_is_one_company(make_vault) -> None:  # type: ignore[no-untyped-def]
    note = "Seed round led by Kakao Ventures in 2025. Aditi Rao spent three years at Tata Consultancy Services.\n"
    index = scan_vault(make_vault({"Chats/Notes.md": note}), use_cache=False)
    assert _names(index, "company") == {"Kakao Ventures", "Tata Consultancy Services"}


@pytest.mark.parametrize(
    "line",
    [
        "- went eng -> pm herself, so a good person to ask",
        "- consulting → data science took her two years",
        "How did you get from an analyst job to a data scientist title?",
        "She made a move out of civil engineering into design.",
        "## How do I get into ML engineering from backend work?",
        "So he has done exactly the engineer-to-PM move I keep circling around.",
    ],
)
def test_a_change_of_field_written_as_a_path_is_a_career_switch(make_vault, line: str) -> None:  # type: ignore[no-untyped-def]
    assert "topic:career-switch" in _chat_entity_ids(make_vault, f"{line}\nThe switch took her about a year.\n")


@pytest.mark.parametrize(
    "line",
    [
        "She moved from Google to Stripe last year, then from Stripe to Wise.",  # companies, not fields
        "It took her four years to get from junior to senior.",  # a promotion
        "She moved from engineer to senior engineer in two years; the transition was smooth.",
        "Our deploy flow is dev -> qa -> prod. She wants a new role on the platform team.",  # a pipeline
        "The handoff from design to engineering is where things break. Also the handoff from product to design.",
        "We went from research to product in six months. Big transition.",  # a team, not a person
        "Our dev-to-prod path takes a day. She wants a new role on the platform team.",  # a pipeline
        "The research-to-product transition for the search feature took a quarter.",  # a team's, not a person's
    ],
)
def test_a_move_between_companies_levels_or_stages_is_not_a_career_switch(make_vault, line: str) -> None:  # type: ignore[no-untyped-def]
    assert "topic:career-switch" not in _chat_entity_ids(make_vault, f"{line}\n")


def test_a_pasted_chat_log_gives_its_speaker_as_a_person_with_their_advice(make_vault) -> None:  # type: ignore[no-untyped-def]
    log = (
        "Pasted from our DMs.\n\n"
        "[08:05] Me: what was the hardest part of going remote?\n"
        "[08:09] Aroha Ngata: that nobody can see you working. write everything down\n"
        "[08:40] Me: and meetings?\n"
        "14:02 - Aroha Ngata: async by default. one late call a week\n"
    )
    index = scan_vault(make_vault({"Chats/Aroha (slack DMs).md": log}), use_cache=False)
    people = {e.id: e.name for e in index.entities if e.type is EntityType.PERSON}
    assert list(people.values()) == ["Aroha Ngata"]
    assert [people[a.person] for a in index.advice if a.person] == ["Aroha Ngata", "Aroha Ngata"]


def test_advice_never_names_a_speaker_that_is_no_entity(make_vault) -> None:  # type: ignore[no-untyped-def]
    note = "Me: what is hardest about remote work?\nKoru Tane: nobody sees you working, so write it all down.\n"
    root = make_vault({"Chats/Koru (slack DMs).md": note, "vaultlink.toml": 'never = ["Koru Tane"]\n'})
    index = scan_vault(root, use_cache=False)
    assert len(index.advice) == 1 and index.advice[0].person is None
    assert not [e for e in index.entities if e.type is EntityType.PERSON]


def test_a_table_of_people_in_a_crlf_note_is_read_too(make_vault) -> None:  # type: ignore[no-untyped-def]
    note = "| Name | Company |\r\n|---|---|\r\n| Harriet Okonjo | Ocado |\r\nGareth Price | Tallyframe\r\n"
    index = scan_vault(make_vault({"Chats/PyCon people.md": note}), use_cache=False)
    assert _employers(index) == {("Harriet Okonjo", "Ocado", "works_at"), ("Gareth Price", "Tallyframe", "works_at")}


@pytest.mark.parametrize(
    ("path", "note"),
    [
        ("Recipes/Weeknight.md", "| Name | Where | Time |\n|---|---|---|\n| Shakshuka Bowl | Ottolenghi Simple | 30m |\n"),
        ("Study/Finance flashcards.md", "Q: What is NPV?\nA: the value today\nNet Present Value: discount the flows.\n"
         "Working Capital: current assets minus current liabilities.\n"),
        ("Notes.md", "Me: what's blocking the release?\nAction Item: Sam to fix the flaky test.\nTeam Lead: ship on Friday.\n"),
    ],
)
def test_labels_in_tables_and_colon_lines_are_not_people(make_vault, path: str, note: str) -> None:  # type: ignore[no-untyped-def]
    index = scan_vault(make_vault({path: note}), use_cache=False)
    assert not [e.name for e in index.entities if e.type is EntityType.PERSON]
    assert not _employers(index)


def test_a_company_hub_lists_outsiders_and_people_now_elsewhere_too(make_vault) -> None:  # type: ignore[no-untyped-def]
    hub = (
        "---\ntype: company\n---\n# Kestrel\n\n## Team\n"
        "- Dana Cruz — recruiter; before that an intern at Coupang, now at Toss.\n"
        "- Anna Berg — co-founder and CTO, previously an engineer at Naver.\n\n"
        "## Candidates we interviewed\n- Eli Roth — senior engineer, previously at Meta\n"
    )
    works_at = {(p, c) for p, c, kind in _employers(scan_vault(make_vault({"Companies/Kestrel.md": hub}), use_cache=False)) if kind == "works_at"}
    assert {p for p, c in works_at if c == "Kestrel"} == {"Anna Berg"}


def test_a_table_of_people_with_a_company_column_says_where_each_works(make_vault) -> None:  # type: ignore[no-untyped-def]
    note = (
        "# PyCon UK: people I met\n\n"
        "| Name | Role | Company | Notes |\n"
        "|---|:---|---|---|\n"
        "| Harriet Okonjo | Senior data engineer | Ocado | talk on testing \\| pipelines |\n"
        "| Gareth Price | Founder | Tallyframe | his own startup |\n"
        "| Priya Dasgupta | Freelance | — | independent since 2024 |\n"
        "| Tom Achterberg | ? | ? | never found out |\n"
        "| **Priya Das** | Senior PM | *Looking* | between jobs |\n"
        "| Anna Berg (recruiter) | Recruiter | Stripe | |\n"
        "| Tom Hale | Engineer | Monzo | |\n\n"
        "| Name | Notes |\n|---|---|\n| Sam Lee | Stripe, I think |\n\n"
        "Tom Hale left Monzo in 2024, the table is old.\n"
    )
    index = scan_vault(make_vault({"Chats/PyCon people.md": note}), use_cache=False)
    assert _employers(index) == {
        ("Harriet Okonjo", "Ocado", "works_at"),
        ("Gareth Price", "Tallyframe", "works_at"),
        ("Anna Berg", "Stripe", "works_at"),
        ("Tom Hale", "Monzo", "worked_at"),  # the prose, not the table
    }


def test_dataview_inline_fields_name_the_participant_and_the_company(make_vault) -> None:  # type: ignore[no-untyped-def]
    note = "# Tomás Herrera\n\nperson:: [[Tomás Herrera]]\ncompany:: Stripe\n\nHe has been a PM on billing for 18 months.\n"
    index = scan_vault(make_vault({"Chats/Tomás Herrera.md": note}), use_cache=False)
    assert _employers(index) == {("Tomás Herrera", "Stripe", "works_at")}


def test_a_team_that_is_hiring_is_not_advice_on_hiring(make_vault) -> None:  # type: ignore[no-untyped-def]
    body = "Her team at Wise is hiring. She'll pass my CV to the recruiter and the hiring manager.\n"
    assert "topic:hiring" not in _chat_entity_ids(make_vault, body)


def test_a_topic_named_once_in_passing_is_not_what_the_note_covers(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Chats/Coffee chat with Ana Ruiz.md": "# Coffee chat with Ana Ruiz\n\n"
            "Ana told me how she hires for her team.\n\n## Takeaways\n\n"
            "- Run a structured interview loop: the same questions for every candidate.\n"
            "- Write the job description with the hiring manager, and close the role in six weeks.\n"
            "- Pay contractors on time: they talk to each other.\n",
            "Chats/Coffee chat with Bo Li.md": "# Coffee chat with Bo Li\n\nHow should I write my resume?\n\n"
            "Keep it to one page.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    topics = {(m.note.partition(" with ")[2], e.id) for e in index.entities if e.type.value == "topic" for m in e.mentions}
    assert ("Ana Ruiz.md", "topic:hiring") in topics
    assert ("Ana Ruiz.md", "topic:freelancing") not in topics  # one passing word
    assert ("Bo Li.md", "topic:resume") in topics  # what the question asked


def test_the_left_sidebar_is_a_side_not_a_company_someone_left(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Help/Ribbon.md": "It sits in the [[Sidebar#Hidden|left Sidebar]] even when the left Sidebar is closed.\n",
            "Help/Sidebar.md": "# Sidebar\n\nTwo sidebars.\n",
            "Chats/Coffee chat with Ana Ruiz.md": "Ana left Stripe in May.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    assert _names(index, "company") == {"Stripe"}


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Chloe Martin (senior PM at Doctolib) and Yusuf Demir (EM at Trendyol) met in Lyon on an exchange year in Lyon.\n",
         {("Chloe Martin", "works_at", "Doctolib"), ("Yusuf Demir", "works_at", "Trendyol")}),
        ("Olivia Brandt runs technical recruiting at N26. Before that she was a recruiter at Booking.com.\n",
         {("Olivia Brandt", "works_at", "N26"), ("Olivia Brandt", "worked_at", "Booking.com")}),
        ("Grace Adeyemi is VP Engineering at Monzo.\n", {("Grace Adeyemi", "works_at", "Monzo")}),
        ("Tue 2 May: Daniel Okoye (Wise)\n\n- Daniel moved our coffee\n", {("Daniel Okoye", "works_at", "Wise")}),
        ("Dinner with Sofia Ramirez. She's at Mercado Libre now, on payments.\n",
         {("Sofia Ramirez", "works_at", "Mercado Libre")}),
        # and what these shapes must not take for an employer
        ("Call with Anna Berg (Zoom), then Sam Lee (LinkedIn), Mia Storm (Stanford), Bo Li (2019, Google).\n", set()),
        ("Anna Berg runs a meetup at Web Summit every year. She runs marathons at Easter.\n", set()),
        ("Anna Berg said she's at Heathrow now, flying home.\n", set()),
        ("Anna Berg says her leads all come from people she worked with at Deliveroo.\n", set()),  # leads: a noun
        ("The call was fun and Anna Berg works at Stripe.\n", {("Anna Berg", "works_at", "Stripe")}),
        ("Anna Berg was so happy when she joined Stripe.\n", {("Anna Berg", "works_at", "Stripe")}),
        ("- Anna Berg — eng manager, Datadog\n- Sam Lee - platform eng at Monzo\n",
         {("Anna Berg", "works_at", "Datadog"), ("Sam Lee", "works_at", "Monzo")}),
        ("Anna Berg is the CEO of Quillfeather, a tiny startup.\n", {("Anna Berg", "works_at", "Quillfeather")}),
        ("Met Anna Berg and Sam Lee, the co-founders of Quillfeather.\n",
         {("Anna Berg", "works_at", "Quillfeather"), ("Sam Lee", "works_at", "Quillfeather")}),
        ("Anna Berg has been at Atlassian since 2019.\n", {("Anna Berg", "works_at", "Atlassian")}),
        ("Anna Berg has been at Atlassian for years and now runs her own shop.\n", {("Anna Berg", "worked_at", "Atlassian")}),
        ("Anna Berg has been at Amazon and Meta for ten years.\n",
         {("Anna Berg", "worked_at", "Amazon"), ("Anna Berg", "worked_at", "Meta")}),
        ("Anna Berg moved from Google to Stripe in 2021.\n",
         {("Anna Berg", "worked_at", "Google"), ("Anna Berg", "works_at", "Stripe")}),
        ("Anna Berg: ex-Spotify PM, previously Shopify.\n", {("Anna Berg", "worked_at", "Spotify"), ("Anna Berg", "worked_at", "Shopify")}),
        ("Anna Berg is a pm at atlassian, before that 2 yrs at canva.\n",
         {("Anna Berg", "works_at", "Atlassian"), ("Anna Berg", "worked_at", "Canva")}),
        ("Anna Berg works at Mercari; spent three years at Rakuten before that.\n",
         {("Anna Berg", "works_at", "Mercari"), ("Anna Berg", "worked_at", "Rakuten")}),
        ("Anna Berg: When I was at Twilio we hired slowly.\nMe: noted.\n", {("Anna Berg", "worked_at", "Twilio")}),
        ("Anna Berg started as an analyst at Deloitte and is a director at Wise.\n",
         {("Anna Berg", "worked_at", "Deloitte"), ("Anna Berg", "works_at", "Wise")}),
        # a sentence that drops its subject: here, with no participant, the person just named
        ("Sam Lee runs payments at Monzo. Was at Revolut for two years before that.\n",
         {("Sam Lee", "works_at", "Monzo"), ("Sam Lee", "worked_at", "Revolut")}),
        ("Anna Berg is a junior dev at Nubank. Interned at iFood before that.\n",
         {("Anna Berg", "works_at", "Nubank"), ("Anna Berg", "worked_at", "iFood")}),
        ("Anna Berg is a designer. Founded Quillfeather in 2019 and still runs it.\n", {("Anna Berg", "works_at", "Quillfeather")}),
        ("Karim Haddad is a PM at Wise. Left Stripe in 2014. The Apple pie was great.\n",
         {("Karim Haddad", "works_at", "Wise"), ("Karim Haddad", "worked_at", "Stripe")}),
        # someone else's job, and where the aside ends
        ("Anna Berg worked with a friend at Adyen before she joined Stripe.\n", {("Anna Berg", "works_at", "Stripe")}),
        ("Anna Berg met her husband when they both worked at Spotify.\n", {("Anna Berg", "worked_at", "Spotify")}),
        ("Anna Berg's friend, who I met at Web Summit, works at Revolut. Her partner is at Monzo.\n", set()),
        ("Anna Berg is a PM at Stripe. Her husband runs his own agency, Bright Pixel.\n", {("Anna Berg", "works_at", "Stripe")}),
        ("Anna Berg closed her own business, Kitchen Table Co, in 2022 and joined Stripe.\n",
         {("Anna Berg", "worked_at", "Kitchen Table Co"), ("Anna Berg", "works_at", "Stripe")}),
        # events and communities are not where anyone works
        ("Anna Berg and I talked.\n\nWas at Figma Config last week. Joined Lenny's Slack community. Quit Duolingo streak.\n", set()),
        ("Anna Berg was at Google I/O last year, and at Fintech Week in London as an organiser.\n", set()),
        ("Anna Berg joined us from Home Office wifi. She joined the meetup from Slack.\n", set()),
        # "in" after an unknown company names a place, unless the name is a group in a field
        ("Elif Yilmaz was a software engineer at Turkcell in Istanbul.\n", {("Elif Yilmaz", "worked_at", "Turkcell")}),
        ("Elif Yilmaz was an analyst at Quillfeather in Leeds.\n", {("Elif Yilmaz", "worked_at", "Quillfeather")}),
        ("Elif Yilmaz is the founder of Women in Tech Berlin.\n", set()),
        ("Kwame Asante is an architect at AWS. Joined in spring 2025 from PwC, where he spent six years.\n",
         {("Kwame Asante", "works_at", "Amazon Web Services"), ("Kwame Asante", "worked_at", "PwC")}),
        ("Anna Berg leads payments at Razorpay. She started her career at Infosys in Mysore.\n",
         {("Anna Berg", "works_at", "Razorpay"), ("Anna Berg", "worked_at", "Infosys")}),
        # the author's own jobs: the last subject before the cue is "I", or a sentence with no
        # subject follows the author telling a job of their own
        ("Call with Lauren Fitzgerald. She asked why I'm leaving Sky after four years.\n", set()),
        ("Call with Lauren Fitzgerald. I asked why she is leaving Sky after four years.\n",
         {("Lauren Fitzgerald", "worked_at", "Sky")}),
        ("Call with Lauren Fitzgerald. For context: I did three years at Accenture. Then two years at Pocketdoc.\n", set()),
        ("I found Lauren through Slack; Lauren Fitzgerald has been at Amazon for 8 years. Left Robinhood in 2014.\n",
         {("Lauren Fitzgerald", "works_at", "Amazon"), ("Lauren Fitzgerald", "worked_at", "Robinhood")}),
        # a company of one's own, named after what it is
        ("Anna Berg freelances through her own one-person company Kestrel Data.\n", {("Anna Berg", "works_at", "Kestrel Data")}),
        ("Anna Berg runs her own consultancy, Fernhill Labs.\n", {("Anna Berg", "works_at", "Fernhill Labs")}),
        # ... and not these
        ("We met at 3 pm at Google's office with Anna Berg.\n", set()),
        ("Anna Berg said the company Figma had a great culture.\n", set()),
        # someone the person knows, and that one's job
        ("Anna Berg offered to intro me to a friend on the platform team at N26.\n", set()),
        ("Anna Berg's sister works at Stripe. Her husband is at Google.\n", set()),
        ("Anna Berg, whose husband works at Google, is at Stripe.\n", {("Anna Berg", "works_at", "Stripe")}),
        ("Anna Berg introduced me to her friend Sam Lee, who works at Stripe.\n", {("Sam Lee", "works_at", "Stripe")}),
        ("Anna Berg is a partner at Sequoia.\n", {("Anna Berg", "works_at", "Sequoia Capital")}),
        ("Anna Berg is an engineer in Milan (on the maps team) and before that studied.\n", set()),
    ],
)
def test_employers_in_the_shapes_notes_write_them(make_vault, note: str, expected: set[tuple[str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    index = scan_vault(make_vault({"Chats/Notes.md": note}), use_cache=False)
    found = {(person, kind, company) for person, company, kind in _employers(index)}
    assert found == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # someone who just started is where they started
        ("Anna Berg recently started as a senior PM at Datadog.\n", {("Anna Berg", "works_at", "Datadog")}),
        ("Anna Berg stayed on as a product manager at Spotify after the reorg.\n", {("Anna Berg", "works_at", "Spotify")}),
        # a move between places, tools and schools is no employer
        ("Anna Berg moved from Lagos to London in 2021.\n", set()),
        ("Her team switched from Jira to Linear and it was painful.\n", set()),
        ("They moved from AWS to GCP last quarter.\n", set()),
        ("Anna Berg went from Stanford to Google straight out of school.\n", {("Anna Berg", "works_at", "Google")}),
        ("Most of her referrals came from LinkedIn.\n", set()),
        # a title of someone else, or of nobody
        ("Anna Berg met the CEO of Stripe at a conference.\n", set()),
        ("Anna Berg introduced me to Noor Khan and Lucas Moreau, the co-founders of Quillfeather.\n",
         {("Noor Khan", "works_at", "Quillfeather"), ("Lucas Moreau", "works_at", "Quillfeather")}),
        # a role noun is not a job held
        ("Anna Berg says eng interviews at Google are brutal.\n", set()),
        ("Tip from a recruiter at Amazon: keep the resume to one page.\n", set()),
        # a company as the subject of its own clause
        ("Anna Berg: right now Google is hiring a lot of new grads.\n", set()),
        ("Previously, Stripe was known for a hard bug-bash interview.\n", set()),
        ("She suggested 3\u202fpm at Blue Bottle.\n", set()),
        # "has been at": now, unless the sentence says otherwise
        ("Anna Berg has been with Stripe for 4 years, now leads the payments team.\n", {("Anna Berg", "works_at", "Stripe")}),
        ("Anna Berg has been at Stripe and I think she's happy there.\n", {("Anna Berg", "works_at", "Stripe")}),
        # dashes that say the job is not held
        ("- Kofi Boateng — intern last summer, Microsoft\n- Ama Owusu — engineer, Google alum\n", set()),
        # a line head is a speaker only in a transcript, and only for what they say of themselves
        ("## Follow-ups\n- Anna Berg: owes me an intro. I left Google in March so timing is good.\n", set()),
        ("Anna Berg: Great question. My husband works at Google, so I hear a lot.\nMe: ha.\n", set()),
    ],
)
def test_shapes_that_name_no_employer_of_theirs(make_vault, note: str, expected: set[tuple[str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    index = scan_vault(make_vault({"Chats/Notes.md": note}), use_cache=False)
    found = {(person, kind, company) for person, company, kind in _employers(index)}
    assert found == expected


def test_a_company_hub_item_that_turns_to_the_past_still_says_who_works_there(make_vault) -> None:  # type: ignore[no-untyped-def]
    hub = (
        "---\ntype: company\n---\n# Quillfeather\n\n"
        "- Anna Berg — co-founder and CTO, previously an engineer at Naver.\n"
        "- Sam Lee — engineer, now at Stripe.\n"
    )
    employers = _employers(scan_vault(make_vault({"Companies/Quillfeather.md": hub}), use_cache=False))
    assert ("Anna Berg", "Quillfeather", "works_at") in employers
    assert ("Anna Berg", "Naver", "worked_at") in employers
    assert ("Sam Lee", "Quillfeather", "works_at") not in employers


def test_a_sentence_without_a_subject_in_a_chat_speaks_of_the_participant(make_vault) -> None:  # type: ignore[no-untyped-def]
    note = "Quick call with Omar Rossi. Wei Lin introduced us. Left Dropbox in 2012; worked at Uber too.\n"
    index = scan_vault(make_vault({"Chats/Coffee chat with Omar Rossi.md": note}), use_cache=False)
    assert _employers(index) == {("Omar Rossi", "Dropbox", "worked_at"), ("Omar Rossi", "Uber", "worked_at")}


def test_a_linked_person_hub_heading_a_company_hub_item_works_there_and_one_mid_item_does_not(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "People/Priya Raman.md": "---\ntype: person\n---\n# Priya Raman\n",
            "People/Paul Klein.md": "---\ntype: person\n---\n# Paul Klein\n",
            "Companies/Quillfeather.md": "---\ntype: company\n---\n# Quillfeather\n\n"
            "- [[Priya Raman]]\n- Brewtech, a supplier, founded by [[Paul Klein]]\n",
        }
    )
    assert {p for p, c in _works_at(scan_vault(root, use_cache=False)) if c == "Quillfeather"} == {"Priya Raman"}


def test_a_company_hub_lists_who_works_there_not_who_left_or_who_is_elsewhere(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Companies/Quillfeather.md": "---\ntype: company\n---\n# Quillfeather\n\n"
            "- Sam Patel — engineer, now at Stripe (left in 2023)\n- Lena Fischer (former CTO)\n"
            "- Kenji Watanabe (hiring manager at Notion) said their loop is similar\n"
            "- Brewtech — founded by Paul Klein, CEO\n- Ana Souza — data scientist\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    found = _works_at(index)
    assert ("Ana Souza", "Quillfeather") in found
    assert not {p for p, c in found if c == "Quillfeather"} & {"Sam Patel", "Lena Fischer", "Kenji Watanabe", "Paul Klein"}


@pytest.mark.parametrize(
    "name",
    ["Journal/new hire lunch.md", "team offsite dinner.md", "Book Club drinks.md", "Chats/Design Review - coffee.md",
     "Acme Corp - lunch.md", "# Holiday Plans - dinner reservations at 7"],
)
def test_titles_of_ordinary_notes_name_no_participant(make_vault, name: str) -> None:  # type: ignore[no-untyped-def]
    files = {"Journal/plans.md": f"{name}\n\nReviewed the mocks.\n"} if name.startswith("#") else {name: "Reviewed the mocks.\n"}
    index = scan_vault(make_vault(files), use_cache=False)
    assert not index.notes[0].participants


def test_a_company_hub_lists_who_works_there(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Companies/Quillfeather.md": "---\ntype: company\n---\n# Quillfeather\n\n## People\n"
            "- [[Anna Berg]] — data scientist\n- Sam Lee — technical recruiter, met at a meetup\n"
            "- Founded by [[Mia Storm]] (CEO)\n\nTom Weber said it is a fine place.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    found = _works_at(index)
    assert found == {("Anna Berg", "Quillfeather"), ("Sam Lee", "Quillfeather"), ("Mia Storm", "Quillfeather")}


@pytest.mark.parametrize(
    ("title", "person"),
    [
        ("Q&A - Priya Raman (Flipkart)", "Priya Raman"),
        ("Shun Kobayashi coffee chat", "Shun Kobayashi"),
        ("Informational w Mei Lin (Grab)", "Mei Lin"),
    ],
)
def test_chat_titles_name_the_participant(make_vault, title: str, person: str) -> None:  # type: ignore[no-untyped-def]
    # a name whose given name vaultlink does not know must come back in the body too
    index = scan_vault(make_vault({f"Chats/{title}.md": f"Notes from the chat; {person} said a lot.\n"}), use_cache=False)
    names = {e.id: e.name for e in index.entities}
    assert [names[p] for p in index.notes[0].participants] == [person]


def test_a_title_company_alone_in_parentheses_is_where_they_work(make_vault) -> None:  # type: ignore[no-untyped-def]
    index = scan_vault(make_vault({"Chats/Informational w Mei Lin (Grab).md": "Notes.\n",
                                   "Chats/Call with Bo Chen (zoom).md": "Notes.\n"}), use_cache=False)
    found = _works_at(index)
    assert found == {("Mei Lin", "Grab")}


def test_a_capitals_name_is_still_found_by_its_long_alias(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "Companies/QZL.md": "---\ntype: company\naliases: [Quixotic Zebra Labs]\n---\n# QZL\n",
            "Chats/Chat with Mia Storm.md": "Mia said Quixotic Zebra Labs is hiring. At Qzl? No: at QZL.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    assert _names(index, "company", "Chats/Chat with Mia Storm.md") == {"QZL"}


def test_two_people_with_one_first_name_are_reported_not_merged(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "People/Sam Patel.md": "---\ntype: person\n---\nPM at Notion.\n",
            "People/Sam Okafor.md": "---\ntype: person\n---\nData scientist.\n",
            "Journal/2024-01-03.md": "Lunch. Sam said the data team is hiring.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    assert {"Sam Patel", "Sam Okafor"} <= _names(index, "person")
    assert "Sam" not in _names(index, "person")
    warnings = [w for w in index.warnings if w.kind == "ambiguous-name"]
    assert warnings and "Sam Okafor" in warnings[0].message and "Sam Patel" in warnings[0].message


def test_the_config_adds_people_aliases_and_never_extracts_names(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "vaultlink.toml": 'never = ["Jordan Lee"]\n[[companies]]\nname = "Loomly"\naliases = ["Loomly Health"]\n'
            '[hubs]\npeople = "Contacts/Folks"\n',
            "Contacts/Folks/Ana Souza.md": "Product lead.\n",
            "Chats/Coffee chat with Ana Souza.md": "She worked at Loomly Health before. Jordan Lee joined later.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    ana = next(e for e in index.entities if e.name == "Ana Souza")
    assert ana.note == "Contacts/Folks/Ana Souza.md"
    assert "Jordan Lee" not in _names(index, "person")
    assert ("Ana Souza", "Loomly", "worked_at") in _employers(index)


@pytest.mark.parametrize("command", [["scan"], ["scan", "--json"], ["link"]])
def test_a_config_that_cannot_be_read_is_one_line_and_exit_2(make_vault, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({"vaultlink.toml": b"\xff\xfe not text", "a.md": "hi\n"})
    result = CliRunner().invoke(main, [*command, str(root)])
    assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "vaultlink.toml: cannot be read (not UTF-8 text)" in result.stderr


def test_a_bad_config_names_the_line_and_exits_2(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({"vaultlink.toml": '[[people]]\nname = "Stefan Mai"\naliases = [Stef]\n', "a.md": "hi\n"})
    result = CliRunner().invoke(main, ["scan", str(root)])
    assert result.exit_code == 2
    assert "vaultlink.toml" in result.stderr and "line 3" in result.stderr


def test_the_json_document_carries_the_extraction(vault: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "--json", "--no-cache", str(vault)])
    doc = json.loads(result.stdout)
    stefan = next(e for e in doc["entities"] if e["id"] == "person:stefan-mai")
    assert stefan["note"] == "People/Stefan Mai.md" and "Stef" in stefan["aliases"]
    assert {m["source"] for m in stefan["mentions"]} >= {"title", "text"}
    chat = next(n for n in doc["notes"] if n["path"] == STEFAN)
    assert chat["participants"] == ["person:stefan-mai"] and chat["date"] == "2023-05-11"
    assert {"source": "person:stefan-mai", "target": "company:meta", "type": "worked_at"}.items() <= next(
        r for r in doc["relations"] if r["type"] == "worked_at" and r["target"] == "company:meta"
    ).items()
    assert any(a["person"] == "person:stefan-mai" and a["question"] for a in doc["advice"])


def test_the_streamed_json_is_the_document(vault: Path) -> None:
    from vaultlink.document import iter_json, to_document

    index = scan_vault(vault)
    assert json.loads("".join(iter_json(index))) == to_document(index)


def test_config_people_aliases_and_hub_folders_reach_every_command(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            "vaultlink.toml": '[[people]]\nname = "Stefan Mai"\naliases = ["Stef"]\n[hubs]\npeople = "Contacts"\n',
            "Chats/Coffee chat with Stefan Mai.md": "He spent years at Amazon.\n",
            "Chats/Later.md": "Stef says hi. Stefan Mai too.\n",
        }
    )
    index = scan_vault(root, use_cache=False)
    stefan = next(e for e in index.entities if e.name == "Stefan Mai")
    assert "Stef" in stefan.aliases
    assert any(m.note == "Chats/Later.md" and m.text == "Stef" for m in stefan.mentions)
    result = CliRunner().invoke(main, ["link", "--write", "--create-hubs", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "Contacts" / "Stefan Mai.md").exists() and not (root / "People").exists()
    lint = CliRunner().invoke(main, ["lint", "--json", str(root)])
    assert "duplicate-person" not in lint.stdout  # the new hub in Contacts/ is read as a hub, once


_CONTEXT = make_context([])
_SOUP = [
    "Stefan Mai", "Amazon", "ex-", "worked at ", "my mentor ", " introduced me to ", "Sam", ":", "?", "\n", "\n\n",
    "## ", "**", "*", "  • ", "- [ ] ", "Takeaways:", "Me: ", "Omar: ", "[[", "]]", "|", "`", "```", "%%", "<!--", "-->",
    "$", "#tag", "> [!note] ", "http://x.y/", "---\n", "aliases: [", "]\n", "é", "🚀", "\r\n", "'s", " and ", ", ",
]


@given(st.lists(st.one_of(st.sampled_from(_SOUP), st.text(max_size=8)), max_size=40))
@settings(max_examples=150, deadline=None)
def test_extraction_never_raises_on_any_text(parts: list[str]) -> None:
    text = "".join(parts)
    parsed = parse_note("Chats/Coffee chat with Stefan Mai.md", text)
    facts = extract_note(parsed, text, _CONTEXT)
    for found in facts.found:
        assert found.start < 0 or text[found.start : found.end].strip()




_CUE_WORDS = (  # words of the company cues, and some that are not
    "at", "for", "with", "in", "ex-", "ex", "former", "formerly", "was", "worked", "years", "left",
    "joined", "now", "currently", "works", "is", "she's", "he", "founded", "a", "startup", "called",
    "named", "engineer", "VP", "PM", "@", "vs.", "versus", "culture", "of", "the", "left", "Top",
    "runs", "leads", "the", "Amazon", "Meta,", "and", "(", ")", ".", "\n", "vs", "Inc.", "co."
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_CUE_WORDS), max_size=30), st.sampled_from(["", " ", "  ", "\t"]))
def test_company_cue_search_tries_only_where_a_cue_can_start(words: list[str], gap: str) -> None:
    """The shortcut in context._company_before finds what searching every position would: a
    new cue pattern that starts with something other than a word or '@', or that may hold a
    line break or a '.' other than the one of "vs.", breaks this."""
    from vaultlink.extract import context

    masked = gap.join(words) + " Stripe"
    start = len(masked) - len("Stripe")
    for end in range(start + 1):
        expected = context._COMPANY_BEFORE.search(masked, max(0, end - context._WINDOW), end)
        found = context._company_before(masked, end)
        got = (found.span(), found.lastgroup) if found else None
        assert got == ((expected.span(), expected.lastgroup) if expected else None), (masked, end)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFFF, exclude_categories=("Cs",)), max_size=40), st.booleans())
def test_word_view_blanks_what_is_not_a_word_character(text: str, ascii_only: bool) -> None:
    """Gazetteer, topic and vault-name matching find whole words in the word view: every
    character but letters, digits and '_' becomes a space, at the same offset, whichever way
    (the ASCII shortcut or the substitution) the view was made."""
    import re

    from vaultlink.extract.lexicon import lower, word_view

    if ascii_only:
        text = "".join(ch for ch in text if ch.isascii()) + "".join(chr(c) for c in range(128))
    assert word_view(text) == re.sub(r"\W", " ", lower(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["word", "Word", " ", " " * 45, "\n", "\n\n", ".", ". ", "?", "!", "\t", "x" * 60]), max_size=40))
def test_topic_evidence_sentence_is_that_of_a_scan_of_the_whole_window(parts: list[str]) -> None:
    """_sentence_at reads the last 100 characters first; the sentence it cuts is the one that
    scanning all 400 characters before the cue would give."""
    from vaultlink.extract import topics

    text = "".join(parts)
    for position in range(len(text) + 1):
        start = 0
        for match in topics._SENTENCE_END.finditer(text, max(0, position - 400), position):
            start = match.end()
        end_match = topics._SENTENCE_END.search(text, position)
        end = end_match.start() if end_match else len(text)
        assert topics._sentence_at(text, position) == (" ".join(text[start:end].split()), start), (text, position)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("David is ex-[[Canva]], now at Netflix", "David is ex-Canva, now at Netflix"),
        ("David is ex-[Canva](Companies/Canva.md), now here", "David is ex-Canva, now here"),
        ("the [[Canva]]'s team and [[Canva]]\u2019s", "the Canva's team and Canva\u2019s"),
        ("Figma/[[Canva]], Stripe\u2014[[Canva]], \u201c[[Canva]]\u201d", "Figma/Canva, Stripe\u2014Canva, \u201cCanva\u201d"),
        ("ex-[[Companies/Canva|Canva]] and ex-[[Ödeon]]", "ex-Canva and ex-Ödeon"),
        ("See 2024-03-13 Chat w- Ibrahim Fischer; Plan A- Bootstrap", "See 2024-03-13 Chat w- Ibrahim Fischer; Plan A- Bootstrap"),
        ("pre- and post-war hiring, a - b, see ![[board.png]].", "pre- and post-war hiring, a - b, see."),
    ],
)
def test_advice_text_reads_a_link_as_its_text_wherever_it_is_glued(written: str, read: str) -> None:
    """The mask blanks link syntax to spaces; an item's text must not keep them ("ex- Canva"), or
    it changes once vaultlink links a name, and every hub quoting it with it."""
    from vaultlink.extract.advice import find_advice
    from vaultlink.markdown import prose_mask

    text = f"# Chat\n\n## How did you get into design?\n\n{written}\n"
    parsed = parse_note("Chat.md", text)
    (item,) = find_advice(parsed, prose_mask(text, parsed.protected), frozenset())
    assert item.text == read
