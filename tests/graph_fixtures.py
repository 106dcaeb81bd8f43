"""Hand-built vault indexes for the graph, page and export tests.

``small_index()`` is a vault of five chats, hub notes, a private note, a note tagged
``therapy`` and a hostile note whose name and text try to break out of HTML and script. It is
built directly as a :class:`VaultIndex`, so these tests do not depend on extraction.
"""

from __future__ import annotations

from vaultlink.model import (
    ME,
    Advice,
    Entity,
    EntityType,
    Mention,
    NoteSummary,
    Relation,
    RelationType,
    Source,
    VaultIndex,
)

HOSTILE_PATH = "Edge cases/<img src=x onerror=alert(1)>.md"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_QUOTE = "Close the tag early: </script><script>alert(2)</script> and \u2028 then <!-- too"
HOSTILE_COMPANY = "Acme</script><img src=x onerror=alert(3)>"
PRIVATE_PATH = "Edge cases/Private note.md"
THERAPY_PATH = "Journal/2024-03-02.md"
STEFAN_CHAT = "Chats/Coffee chat with Stefan Mai.md"
PRIYA_CHAT = "Chats/Coffee chat with Priya Raman.md"
DANA_CHAT = "Chats/1-1 with Dana Whitfield.md"
GROUP_CHAT = "Chats/Coffee with Omar Haddad and Lena Fischer.md"
STEFAN_QUOTE = "Frame the resume so it tells the story of what you built; that is how you move from analytics into SWE."
CULTURE_QUOTE = "Amazon is process-driven and siloed; Meta is loose and values emotional intelligence."
PRIVATE_QUOTE = "Bring market data from two or three offers to the salary talk."


def _mentions(note: str, *lines: int, text: str = "x") -> tuple[Mention, ...]:
    return tuple(Mention(note=note, line=line, text=text, source=Source.TEXT) for line in lines)


def _note(path: str, title: str, date: str | None = None, **kwargs: object) -> NoteSummary:
    fields: dict[str, object] = {"tags": (), "links": (), "unresolved": ()}
    fields.update(kwargs)
    return NoteSummary(path=path, title=title, date=date, **fields)  # type: ignore[arg-type]


def small_index(root: str = "/home/ada/My Vault") -> VaultIndex:
    """A small vault with every node and edge type, a private note and hostile text."""
    notes = (
        _note(STEFAN_CHAT, "Coffee chat with Stefan Mai", "2023-05-11", participants=("person:stefan-mai",),
              links=("People/Stefan Mai.md",)),
        _note(PRIYA_CHAT, "Coffee chat with Priya Raman", "2024-02-03", participants=("Priya Raman",),
              tags=("coffee-chat",), links=("People/Priya Raman.md", STEFAN_CHAT)),
        _note(DANA_CHAT, "1-1 with Dana Whitfield", "2024-04-16", participants=("person:dana-whitfield",)),
        _note(GROUP_CHAT, "Coffee with Omar Haddad and Lena Fischer", "2024-03-21",
              participants=("person:omar-haddad", "person:lena-fischer")),
        _note("People/Stefan Mai.md", "Stefan Mai", links=(STEFAN_CHAT, "Companies/Amazon.md")),
        _note("People/Priya Raman.md", "Priya Raman", links=(PRIVATE_PATH,)),
        _note("Companies/Amazon.md", "Amazon"),
        _note("Topics/Career switch.md", "Career switch"),
        _note(PRIVATE_PATH, "Salary notes", "2024-03-11", private=True, participants=("person:hannah-cole",)),
        _note(THERAPY_PATH, "2024-03-02", "2024-03-02", tags=("Therapy/weekly",)),
        _note(HOSTILE_PATH, HOSTILE_TITLE, "2024-05-01", links=(STEFAN_CHAT,)),
        _note("Recipes/Apple pie.md", "Apple pie"),
    )
    entities = (
        Entity("person:stefan-mai", EntityType.PERSON, "Stefan Mai", ("Stef",), "People/Stefan Mai.md",
               _mentions(STEFAN_CHAT, 0, 5, 9) + _mentions("People/Stefan Mai.md", 1) + _mentions(PRIYA_CHAT, 7)),
        Entity("person:priya-raman", EntityType.PERSON, "Priya Raman", ("Priya R.",), "People/Priya Raman.md",
               _mentions(PRIYA_CHAT, 0, 3) + _mentions(THERAPY_PATH, 2)),
        Entity("person:dana-whitfield", EntityType.PERSON, "Dana Whitfield", (), None, _mentions(DANA_CHAT, 0, 4)),
        Entity("person:omar-haddad", EntityType.PERSON, "Omar Haddad", (), None, _mentions(GROUP_CHAT, 0)),
        Entity("person:lena-fischer", EntityType.PERSON, "Lena Fischer", (), None, _mentions(GROUP_CHAT, 0, 6)),
        Entity("person:hannah-cole", EntityType.PERSON, "Hannah Cole", (), None, _mentions(PRIVATE_PATH, 3)),
        Entity("person:zed-quiet", EntityType.PERSON, "Zed Quiet", (), None, _mentions(THERAPY_PATH, 4)),
        Entity("company:amazon", EntityType.COMPANY, "Amazon", ("AWS",), "Companies/Amazon.md",
               _mentions(STEFAN_CHAT, 2, 30) + _mentions("People/Stefan Mai.md", 2)),
        Entity("company:meta", EntityType.COMPANY, "Meta", ("Facebook",), None, _mentions(STEFAN_CHAT, 2, 31)),
        Entity("company:stripe", EntityType.COMPANY, "Stripe", (), None, _mentions(PRIYA_CHAT, 2)),
        Entity("company:shopify", EntityType.COMPANY, "Shopify", (), None, _mentions(DANA_CHAT, 2)),
        Entity("company:atlassian", EntityType.COMPANY, "Atlassian", (), None, _mentions(PRIVATE_PATH, 3)),
        Entity("company:acme", EntityType.COMPANY, HOSTILE_COMPANY, (), None, _mentions(HOSTILE_PATH, 1)),
        Entity("topic:career-switch", EntityType.TOPIC, "Career switch", ("pivot",), "Topics/Career switch.md",
               _mentions(STEFAN_CHAT, 5) + _mentions(PRIYA_CHAT, 4)),
        Entity("topic:company-culture", EntityType.TOPIC, "Company culture", (), None, _mentions(STEFAN_CHAT, 31)),
        Entity("topic:compensation", EntityType.TOPIC, "Compensation", (), None, _mentions(PRIVATE_PATH, 5)),
        Entity("topic:interviewing", EntityType.TOPIC, "Interviewing", (), None, _mentions(HOSTILE_PATH, 2)),
    )
    relations = (
        Relation(ME, "person:stefan-mai", RelationType.TALKED_WITH, (STEFAN_CHAT,), "2023-05-11"),
        Relation("person:dana-whitfield", ME, RelationType.TALKED_WITH, (DANA_CHAT,), "2024-04-16"),
        Relation(ME, "person:hannah-cole", RelationType.TALKED_WITH, (PRIVATE_PATH,), "2024-03-11"),
        Relation("person:stefan-mai", "company:amazon", RelationType.WORKED_AT, (STEFAN_CHAT, "People/Stefan Mai.md")),
        Relation("person:stefan-mai", "company:meta", RelationType.WORKED_AT, (STEFAN_CHAT,)),
        Relation("person:priya-raman", "company:stripe", RelationType.WORKS_AT, (PRIYA_CHAT,), "2024-02-03"),
        Relation("person:dana-whitfield", "company:shopify", RelationType.WORKS_AT, (DANA_CHAT,)),
        Relation("person:hannah-cole", "company:atlassian", RelationType.WORKS_AT, (PRIVATE_PATH,)),
        Relation("person:stefan-mai", "person:priya-raman", RelationType.INTRODUCED, (PRIYA_CHAT,)),
        Relation("note:" + PRIVATE_PATH, "topic:compensation", RelationType.MENTIONS, (PRIVATE_PATH,)),
        Relation("person:omar-haddad", "company:acme", RelationType.WORKS_AT, (HOSTILE_PATH,)),
    )
    advice = (
        Advice(STEFAN_CHAT, 6, "person:stefan-mai", "How do I move from data analytics into SWE?", STEFAN_QUOTE,
               ("topic:career-switch",), "2023-05-11"),
        Advice(STEFAN_CHAT, 32, "person:stefan-mai", "How does the culture differ?", CULTURE_QUOTE,
               ("Company culture",), "2023-05-11"),
        Advice(PRIYA_CHAT, 9, "Priya Raman", None, "Pick the adjacent role where your old experience counts.",
               ("topic:career-switch",), "2024-02-03"),
        Advice(PRIVATE_PATH, 4, "person:hannah-cole", None, PRIVATE_QUOTE, ("topic:compensation",), "2024-03-11"),
        Advice(HOSTILE_PATH, 3, "person:omar-haddad", None, HOSTILE_QUOTE, ("topic:interviewing",), "2024-05-01"),
    )
    return VaultIndex(
        root=root,
        notes=notes,
        attachments=(),
        entities=entities,
        relations=relations,
        advice=advice,
        warnings=(),
    )


def large_index(notes: int = 1600, people: int = 60, root: str = "/vaults/Big") -> VaultIndex:
    """A plain vault of ``notes`` chats, each with one person and one company; no surprises."""
    summaries = []
    entities = []
    relations = []
    companies = [f"company:c{k}" for k in range(10)]
    mentions: dict[str, list[Mention]] = {}
    for i in range(notes):
        path = f"Chats/{i:05d} chat.md"
        person = f"person:p{i % people}"
        company = companies[i % len(companies)]
        summaries.append(_note(path, f"Chat {i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", participants=(person,)))
        mentions.setdefault(person, []).append(Mention(path, 1, "p", Source.TEXT))
        mentions.setdefault(company, []).append(Mention(path, 2, "c", Source.TEXT))
    for k in range(people):
        entities.append(Entity(f"person:p{k}", EntityType.PERSON, f"Person {k}", (), None, tuple(mentions[f"person:p{k}"])))
        relations.append(Relation(f"person:p{k}", companies[k % len(companies)], RelationType.WORKS_AT))
    for company in companies:
        entities.append(Entity(company, EntityType.COMPANY, f"Company {company[-1]}", (), None, tuple(mentions[company])))
    return VaultIndex(root=root, notes=tuple(summaries), attachments=(), entities=tuple(entities),
                      relations=tuple(relations), advice=(), warnings=())
