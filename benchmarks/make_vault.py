"""Generate a synthetic, deterministic Obsidian vault of conversation notes.

The vault is shaped like a real coffee-chat vault: about 80% chat notes under
``Chats/`` (some in nested folders), hub notes for people, companies and
topics, journal days, recipes, templates, a few attachments and an
``.obsidian/app.json``. It carries the mess real vaults have: invalid YAML,
CRLF line endings, a BOM, emoji and ``&`` in file names, duplicate note names
in different folders, and links (wikilinks, embeds, markdown links) to notes
that exist and to notes that do not.

Usage::

    python benchmarks/make_vault.py OUT_DIR --notes 10000 --seed 1

or from Python::

    from make_vault import make_vault
    make_vault(Path("out/vault"), notes=10000, seed=1)

Only the standard library is used and every random choice comes from one
seeded ``random.Random``, so the same arguments give byte-identical files
(modification times are set from each note's date, so they repeat too).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import TypeVar
from urllib.parse import quote

__all__ = ["GENERATOR_VERSION", "VaultStats", "make_vault", "summarize_vault"]

GENERATOR_VERSION = 1
"""Bumped whenever the output for the same arguments changes."""

MIN_NOTES = 20

_T = TypeVar("_T")
_DATED = re.compile(r"\d{4}-\d{2}-\d{2} ")

FIRST_NAMES = (
    "Priya", "Marcus", "Dana", "Stefan", "Aisha", "Wei", "Carlos", "Elena",
    "Tomás", "Fatima", "Kenji", "Olivia", "Noah", "Sofia", "Liam", "Mei",
    "Arjun", "Chloe", "Diego", "Hannah", "Ibrahim", "Julia", "Kwame", "Laura",
    "Mateo", "Nadia", "Oscar", "Paula", "Rahul", "Sara", "Theo", "Uma",
    "Victor", "Yuki", "Zoe", "Ana", "Ben", "Chen", "David", "Emma", "Farah",
    "Gabriel", "Hiro", "Isabel", "Jonas", "Leila", "Maya", "Nikhil", "Omar",
    "Rosa",
)

LAST_NAMES = (
    "Raman", "Lee", "Whitfield", "Mai", "Khan", "Zhang", "Garcia", "Petrova",
    "Silva", "Haddad", "Tanaka", "Brown", "Schmidt", "Rossi", "O'Brien",
    "Nguyen", "Patel", "Dubois", "Moreno", "Fischer", "Okafor", "Kowalski",
    "Andersson", "Cohen", "Müller", "Santos", "Kim", "Park", "Ivanova",
    "Johansson", "Mensah", "Novak", "Costa", "Yamamoto", "Ahmed", "Larsen",
    "Reyes", "Walsh", "Bianchi", "Sato", "Gupta", "Fernandes",
)

NICKNAMES = {
    "Priya": "Pri", "Marcus": "Marc", "Stefan": "Steff", "Elena": "Lena",
    "Tomás": "Tom", "Olivia": "Liv", "Sofia": "Sof", "Gabriel": "Gabe",
    "Isabel": "Izzy", "Nikhil": "Nik", "Hannah": "Han", "Victor": "Vic",
    "Julia": "Jules", "Mateo": "Teo", "Kenji": "Ken", "Ibrahim": "Ibby",
}

COMPANIES = (
    "Google", "Meta", "Amazon", "Apple", "Microsoft", "Netflix", "Shopify",
    "Stripe", "Airbnb", "Uber", "Lyft", "Spotify", "Salesforce", "Oracle",
    "IBM", "Intel", "Nvidia", "AMD", "Adobe", "Atlassian", "Slack", "Zoom",
    "Dropbox", "Pinterest", "Snap", "Twitter", "LinkedIn", "GitHub", "GitLab",
    "Figma", "Notion", "Canva", "Square", "Block", "Coinbase", "Robinhood",
    "Palantir", "Databricks", "Snowflake", "Datadog", "Cloudflare", "Twilio",
    "HubSpot", "Zendesk", "Asana", "Instacart", "DoorDash", "Reddit",
    "Discord", "Duolingo", "Etsy", "eBay", "PayPal", "Intuit", "Workday",
    "ServiceNow", "VMware", "Cisco", "Dell", "HP", "Samsung", "Sony", "Tesla",
    "SpaceX", "OpenAI", "Anthropic", "DeepMind", "Hugging Face", "Mozilla",
    "Red Hat", "Canonical", "Elastic", "MongoDB", "Confluent", "HashiCorp",
    "Vercel", "Netlify", "Supabase", "Plaid", "Brex", "Ramp", "Chime",
    "Revolut", "Monzo", "Wise", "Klarna", "Adyen", "Booking.com", "Expedia",
    "Zillow", "Wayfair", "Peloton", "Squarespace", "Wix", "Mailchimp",
    "Grammarly", "Miro", "Airtable", "Zapier", "Linear", "Retool", "Rippling",
    "Gusto", "Deel", "McKinsey", "BCG", "Bain", "Deloitte", "Accenture",
    "Goldman Sachs", "JPMorgan", "Morgan Stanley", "BlackRock", "Bloomberg",
    "Capital One", "American Express", "Visa", "Mastercard", "Walmart",
    "Target", "Costco", "Nike", "Disney", "Warner Bros", "The New York Times",
    "Procter & Gamble", "Johnson & Johnson", "AT&T", "Verizon", "Boeing",
    "Siemens", "SAP", "Bosch", "Philips", "ASML", "Unilever", "Nestlé",
    "L'Oréal", "Roblox", "Epic Games", "Riot Games", "Unity",
    "Electronic Arts", "Twitch", "Khan Academy", "Coursera", "Udemy",
    "Stack Overflow",
)

COMPANY_ALIASES = {
    "Meta": ("Facebook", "FB"), "Google": ("Alphabet",), "Amazon": ("AWS",),
    "Twitter": ("X Corp",), "Block": ("Square Inc",), "JPMorgan": ("JPMorgan Chase", "JPM"),
    "Electronic Arts": ("EA",), "The New York Times": ("NYT",),
    "Procter & Gamble": ("P&G",), "BCG": ("Boston Consulting Group",),
    "Hugging Face": ("HF",), "Johnson & Johnson": ("J&J",),
}

STARTUPS = (
    "Paperkite", "Northwind Labs", "Tiny Robots", "Lumenfield", "Quartzly",
    "Fernbank", "Driftwood AI", "Cobalt Health", "Orchard Ledger",
    "Saltmarsh", "Brightloop", "Kestrel Data",
)

ROLES = (
    "Software Engineer", "Senior SWE", "Staff Engineer", "Eng Manager",
    "Product Manager", "Data Scientist", "ML Engineer", "Product Designer",
    "Recruiter", "Founder", "CTO", "VP Engineering", "Director of Product",
    "Developer Advocate", "Technical Program Manager", "SRE",
    "Data Analyst", "Engineering Director",
)

FIELDS = (
    "backend engineering", "data science", "product management", "design",
    "machine learning", "developer relations", "security", "consulting",
    "data analytics", "frontend", "infrastructure", "fintech",
)

PLACES = (
    "Blue Bottle", "Ritual Coffee", "the office cafe", "Zoom", "a Google Meet",
    "the park near the station", "a meetup after-party", "Sightglass",
    "a ramen place downtown", "Starbucks on 3rd",
)

COMMUNITIES = (
    "Rands Leadership", "Women in Data", "Python meetup", "alumni",
    "Lenny's Newsletter", "dbt community", "local Rust", "bootcamp alumni",
)

TOPICS = (
    ("Resume", ("CV", "résumé"), "resume"),
    ("Interviewing", ("interviews", "job interviews"), "interviewing"),
    ("Career Switch", ("career change", "pivot"), "career-switch"),
    ("Networking", ("networking events",), "networking"),
    ("Founding a Company", ("startups", "founding"), "founding"),
    ("Learning", ("learning plan",), "learning"),
    ("Culture", ("company culture",), "culture"),
    ("AI", ("Gen AI", "LLMs"), "ai"),
    ("Compensation", ("comp", "salary negotiation"), "compensation"),
    ("Mentorship", ("mentors",), "mentorship"),
    ("Open Source", ("OSS",), "open-source"),
    ("Management", ("people management",), "management"),
    ("Remote Work", ("remote",), "remote-work"),
    ("Product Management", ("PM",), "product"),
    ("Side Projects", ("side project",), "side-projects"),
)

ADVICE = {
    "resume": (
        "Keep the resume to one page and lead every bullet with the impact, not the task.",
        "Quantify things: 'cut p95 latency by 40%' beats 'worked on performance'.",
        "Tailor the top third of the resume to each role, because recruiters skim it in seconds.",
        "Drop the objective statement and the word cloud of skills.",
        "Put side projects above education if you are switching careers.",
        "Frame the resume so it tells one story; if you built pipelines or shipped a product, write it down.",
    ),
    "interviewing": (
        "Practice system design out loud, with a timer, at least twice a week.",
        "For behavioural rounds, prepare six STAR stories and map them to the company's values.",
        "Ask the recruiter for the exact loop format; most of them will tell you.",
        "It is fine to say you don't know, as long as you say how you would find out.",
        "Do mock interviews with friends before the ones that matter.",
        "Take a deep breath before each question and ask about edge cases first.",
        "Don't give up on a problem at zero; getting to 80% still counts.",
    ),
    "career-switch": (
        "Switch one axis at a time: a new role or a new domain, not both.",
        "An internal transfer is the cheapest way to change roles.",
        "Find the adjacent role where your old experience is an advantage.",
        "Expect the switch to take a year, and plan the money for it.",
        "Tell your manager early; good managers help you move.",
    ),
    "networking": (
        "Ask for advice, not for a job; the referrals follow.",
        "Send a short thank-you note within a day and follow up with what you did.",
        "Go to small meetups rather than big conferences.",
        "Keep a list of everyone you talk to and check in every few months.",
    ),
    "founding": (
        "Talk to fifty customers before writing any code.",
        "Pick a co-founder you have already shipped something with.",
        "Raise less than you think, and later than you think.",
        "Charge money from the first month; free users lie to you.",
    ),
    "learning": (
        "Read the source of the tools you use every day.",
        "Build one real project end to end instead of ten tutorials.",
        "Make sure your rate of learning stays positive; the industry moves fast.",
        "Teach what you just learned, even if only in a blog post.",
    ),
    "culture": (
        "Ask how decisions get made and who breaks the ties.",
        "Watch how the team talks about the people who left.",
        "Process-heavy companies run on thin margins; the rich ones let you explore.",
        "Experience in a big company depends mostly on the team, not the logo.",
    ),
    "ai": (
        "Learn enough ML to evaluate a model honestly; that is rarer than training one.",
        "Every team is being asked for an AI story, so be the person who measures it.",
        "There is less focus on training models now and more on fine-tuning and evaluation.",
        "Focus on fundamentals; every hype cycle ends up closer to normal than predicted.",
    ),
    "compensation": (
        "Never give the first number; ask for the band.",
        "Negotiate the whole package: level, equity refreshers and sign-on.",
        "Get competing offers in the same week if you can.",
        "Level matters more than base; it compounds.",
    ),
    "mentorship": (
        "Have two mentors: one inside the company and one outside.",
        "Come to each 1:1 with one specific question.",
        "Ask your mentor what they would do, not what you should do.",
    ),
    "open-source": (
        "Start with docs and tests; maintainers remember who made their life easier.",
        "Pick a project you actually use, so you notice what is missing.",
    ),
    "management": (
        "The first year as a manager you will feel unproductive, and that is normal.",
        "Do skip-levels early and often.",
        "Write down what you expect from each report and share it.",
    ),
    "remote-work": (
        "Write things down: in a remote team, the doc is the meeting.",
        "Overcommunicate progress, especially when it is slow.",
    ),
    "product": (
        "Spend time with support tickets; that is where the real roadmap is.",
        "Say no to most requests, politely and with a reason.",
    ),
    "side-projects": (
        "Ship something small every month; momentum beats ambition.",
        "A side project with ten real users says more than a certificate.",
    ),
}

QUESTIONS = (
    ("How did you get into {field}?", "career-switch"),
    ("What does the interview loop look like at {company}?", "interviewing"),
    ("What would you do differently if you started again?", "learning"),
    ("How do you decide when to leave a job?", "culture"),
    ("What do you look for in a resume?", "resume"),
    ("How did you move from {past} to {company}?", "career-switch"),
    ("Is it worth doing a bootcamp?", "learning"),
    ("How do you negotiate an offer?", "compensation"),
    ("What is the culture like at {company}?", "culture"),
    ("Any advice for someone switching from {field2} to {field}?", "career-switch"),
    ("Who else should I talk to?", "networking"),
    ("How much does the team use AI tools day to day?", "ai"),
    ("What makes a candidate stand out?", "interviewing"),
    ("What are some common mistakes candidates make?", "interviewing"),
    ("How did you find your mentors?", "mentorship"),
    ("Would you start a company again?", "founding"),
    ("How do you pick what to learn next?", "learning"),
    ("What was the hardest part of becoming a manager?", "management"),
    ("Does open source help when you apply?", "open-source"),
    ("How does your team work across time zones?", "remote-work"),
    ("How do PMs and engineers split the work at {company}?", "product"),
    ("Are side projects still worth it?", "side-projects"),
)

ELABORATION = (
    "At {company} that mostly shows up in how the team plans the quarter.",
    "{first} said the people who do well at {company} are the ones who write things down.",
    "When {first} was hiring last year, this was the first thing the panel looked at.",
    "Apparently this is different on every team, so take it with a grain of salt.",
    "{first} gave an example from a project that slipped by two months because nobody asked.",
    "The short version: be specific, be honest about what you don't know, and follow up.",
    "This came up twice, which tells me it matters more than I thought.",
    "{first} thinks most people underestimate how long this takes, including {first} back then.",
    "It sounded a lot like what I heard at the last meetup, which is reassuring.",
    "The honest answer was that it depends on the manager more than on the company.",
)

FILLER = (
    "We talked for about forty minutes and it went by fast.",
    "I should have prepared more specific questions.",
    "The conversation drifted to travel for a while, which was nice.",
    "It was raining, so we moved inside halfway through.",
    "I took notes on my phone, so some of this is paraphrased.",
    "Overall a really generous conversation; I owe {first} a coffee.",
    "We compared notes on a few books and podcasts.",
    "They were candid about the parts of the job they don't like.",
    "Good energy, very direct answers, no fluff.",
    "I'm still not sure what I think about this, need to sit with it.",
)

RECIPES = (
    "Banana bread", "Shakshuka", "Weeknight dal", "Apple crumble",
    "Overnight oats", "Miso soup", "Sourdough starter", "Pad thai",
    "Lemon pasta", "Chili con carne", "Focaccia", "Granola",
    "Chicken adobo", "Mushroom risotto", "Pancakes", "Hummus",
)

MISC_TITLES = (
    "Untitled", "Meeting notes", "Ideas", "Reading list", "Job search plan",
    "Questions to ask", "2024 goals", "Books", "Podcast notes", "Inbox",
)

MISSING_NOTES = (
    "Salary negotiation scripts", "Reading list 2025", "Job search tracker",
    "Offer comparison", "Portfolio ideas", "System design notes",
)

TAGS = (
    "coffee-chat", "networking", "career/switch", "interviewing", "mentor",
    "informational-interview", "follow-up", "career/growth", "ai", "1-1",
)

def _png_1x1() -> bytes:
    """Return a valid 1x1 grey PNG, built here so this file stays pure text."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80", 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG_BYTES = _png_1x1()

_EPOCH = dt.date(2019, 1, 1)
_SPAN_DAYS = 6 * 365


@dataclass(frozen=True)
class Person:
    """One person of the generated pool."""

    name: str
    first: str
    company: str
    past: tuple[str, ...]
    role: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Chat:
    """A planned chat note: where it lives, who it is with, and when."""

    path: str
    title: str
    """The file name without ``.md``: what a wikilink to the chat says."""
    people: tuple[Person, ...]
    date: dt.date


@dataclass(frozen=True)
class VaultStats:
    """Sizes of the Markdown notes of a vault, outside dot-folders."""

    notes: int
    total_bytes: int
    median_bytes: float
    attachments: int


def make_vault(out: Path, notes: int, seed: int) -> None:
    """Write a synthetic vault of exactly ``notes`` Markdown files under ``out``.

    ``out`` must not exist or be an empty directory; a non-empty one raises
    ``FileExistsError`` so nothing of the caller's is ever overwritten. A
    ``.trash/`` note, ``.obsidian/app.json`` and PNG attachments come on top of
    the ``notes`` count. ``notes`` below ``MIN_NOTES`` raises ``ValueError``.
    """
    if notes < MIN_NOTES:
        raise ValueError(f"notes must be at least {MIN_NOTES}, got {notes}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty directory")
    files = _VaultBuilder(Random(seed), notes).build()
    for rel, (data, mtime) in sorted(files.items()):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if mtime is not None:
            os.utime(target, (mtime, mtime))


def summarize_vault(root: Path) -> VaultStats:
    """Count the ``.md`` notes (and other files) of ``root``, skipping dot-folders."""
    sizes: list[int] = []
    others = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            size = os.path.getsize(os.path.join(dirpath, name))
            if name.endswith(".md"):
                sizes.append(size)
            else:
                others += 1
    median = statistics.median(sizes) if sizes else 0.0
    return VaultStats(len(sizes), sum(sizes), float(median), others)


class _VaultBuilder:
    """Plans and renders every file of one vault from one random stream."""

    def __init__(self, rng: Random, notes: int) -> None:
        self.rng = rng
        self.notes = notes
        self.files: dict[str, tuple[bytes, float | None]] = {}
        self.taken: set[str] = set()

    # planning -----------------------------------------------------------

    def build(self) -> dict[str, tuple[bytes, float | None]]:
        """Plan and render every file; keys are vault-relative POSIX paths."""
        scale = min(1.0, 0.12 * self.notes / 225)
        n_people_hubs = max(1, round(150 * scale))
        n_company_hubs = max(1, round(60 * scale))
        n_topic_hubs = max(1, round(15 * scale))
        n_templates = 2
        n_fixed = n_people_hubs + n_company_hubs + n_topic_hubs + n_templates
        n_chats = min(round(0.8 * self.notes), self.notes - n_fixed - 3)
        n_other = self.notes - n_chats - n_fixed

        self.companies = list(COMPANIES)
        self.company_weights = [1 / (i + 1) ** 0.7 for i in range(len(self.companies))]
        self.people = self._make_people(400)
        self.person_weights = [1 / (i + 1) ** 0.8 for i in range(len(self.people))]
        self.hub_people = self._pick_hubs(self.people, n_people_hubs)
        self.hub_companies = self._pick_hubs(self.companies, n_company_hubs)
        self.topics = list(TOPICS[:n_topic_hubs])
        self.attachments = [f"Attachments/whiteboard-{i:03d}.png" for i in range(max(2, self.notes // 100))]
        self.attachments.append("Attachments/image.png")

        self.chats = [self._plan_chat() for _ in range(n_chats)]
        self.by_person: dict[str, list[Chat]] = {}
        for chat in self.chats:
            for p in chat.people:
                self.by_person.setdefault(p.name, []).append(chat)

        for chat in self.chats:
            self._add(chat.path, self._render_chat(chat), chat.date)
        for person in self.hub_people:
            self._add(f"People/{person.name}.md", self._render_person_hub(person), None)
        for company in self.hub_companies:
            self._add(f"Companies/{company}.md", self._render_company_hub(company), None)
        for title, aliases, tag in self.topics:
            self._add(f"Topics/{title}.md", self._render_topic_hub(title, aliases, tag), None)
        self._add("Templates/Coffee chat template.md", self._render_template(), None)
        self._add("Templates/Daily note.md", "# {{date}}\n\n## Log\n- \n\n## Who I talked to\n- [[]]\n", None)
        self._plan_others(n_other)

        self._add(".trash/Old coffee chat.md", "Deleted note about [[Priya Raman]] at Google.\n", None)
        self.files[".obsidian/app.json"] = (
            (json.dumps({"userIgnoreFilters": ["Templates/"]}, indent=2) + "\n").encode(),
            None,
        )
        for rel in self.attachments:
            self.files[rel] = (PNG_BYTES, None)
        count = sum(1 for k in self.files if k.endswith(".md") and not k.startswith("."))
        assert count == self.notes, (count, self.notes)
        return self.files

    def _make_people(self, count: int) -> list[Person]:
        rng = self.rng
        pairs = [(f, l) for f in FIRST_NAMES for l in LAST_NAMES]
        people = []
        for first, last in rng.sample(pairs, count):
            company = rng.choices(self.companies, self.company_weights)[0]
            past = tuple(
                c for c in rng.choices(self.companies, self.company_weights, k=rng.randint(0, 3)) if c != company
            )
            aliases: list[str] = []
            if first in NICKNAMES and rng.random() < 0.6:
                aliases.append(f"{NICKNAMES[first]} {last}")
            if rng.random() < 0.4:
                aliases.append(f"{first} {last[0]}.")
            people.append(Person(f"{first} {last}", first, company, tuple(dict.fromkeys(past)),
                                 rng.choice(ROLES), tuple(aliases)))
        return people

    def _pick_hubs(self, items: list[_T], count: int) -> list[_T]:
        """Most of the hubs go to the most frequent items, the rest at random."""
        head = max(0, count * 4 // 5)
        rest = items[head:]
        return items[:head] + self.rng.sample(rest, min(len(rest), count - head))

    def _pick_person(self) -> Person:
        return self.rng.choices(self.people, self.person_weights)[0]

    def _random_date(self) -> dt.date:
        return _EPOCH + dt.timedelta(days=self.rng.randrange(_SPAN_DAYS))

    def _plan_chat(self) -> Chat:
        rng = self.rng
        person = self._pick_person()
        date = self._random_date()
        r = rng.random()
        if r < 0.70:
            folder = "Chats"
        elif r < 0.88:
            folder = f"Chats/{date.year}"
        elif r < 0.94:
            folder = "Chats/Mentoring"
        else:
            folder = "Networking/Meetups"
        people: tuple[Person, ...] = (person,)
        if rng.random() < 0.006:
            other = self._pick_person()
            if other != person:
                people = (person, other)
                title = rng.choice((
                    "☕ Coffee with {a} & {b}", "Lunch & learn with {a} and {b} 🎉",
                    "{a} & {b} - panel follow-up 🚀",
                )).format(a=person.name, b=other.first)
                return self._chat(folder, title, people, date)
        return self._chat(folder, self._chat_title(person, date), people, date)

    def _chat(self, folder: str, title: str, people: tuple[Person, ...], date: dt.date) -> Chat:
        path = self._claim(folder, title, date)
        return Chat(path, path.rsplit("/", 1)[-1][: -len(".md")], people, date)

    def _chat_title(self, p: Person, date: dt.date) -> str:
        styles = (
            (30, "Coffee chat with {name}"),
            (18, "{date} Chat w- {name}"),
            (10, "1-1 with {name} ({role}, {company})"),
            (10, "{name} coffee chat"),
            (8, "Informational interview - {name}"),
            (8, "{date} {name}"),
            (6, "Chat w- {first} - {md}"),
            (5, "Mentoring session with {first} {date}"),
            (5, "{date} Coffee chat with {name}"),
        )
        style = self.rng.choices([s for _, s in styles], [w for w, _ in styles])[0]
        return style.format(name=p.name, first=p.first, role=p.role, company=p.company,
                            date=date.isoformat(), md=f"{date.month}-{date.day}")

    def _claim(self, folder: str, title: str, date: dt.date | None = None) -> str:
        """Reserve a path; on a clash in the folder, put the date first, then number it."""
        prefix = f"{folder}/" if folder else ""
        if date is not None and f"{prefix}{title}.md".casefold() in self.taken and not _DATED.match(title):
            title = f"{date.isoformat()} {title}"
        candidate, n = title, 1
        while f"{prefix}{candidate}.md".casefold() in self.taken:
            n += 1
            candidate = f"{title} ({n})"
        path = f"{prefix}{candidate}.md"
        self.taken.add(path.casefold())
        return path

    def _plan_others(self, count: int) -> None:
        rng = self.rng
        n_recipes = max(1, count // 10)
        n_misc = max(1, count * 3 // 10)
        n_journal = count - n_recipes - n_misc
        for offset in sorted(rng.sample(range(_SPAN_DAYS), n_journal)):
            day = _EPOCH + dt.timedelta(days=offset)
            self._add(self._claim(f"Journal/{day.year}", day.isoformat()), self._render_journal(day), day)
        for i in range(n_recipes):
            base = RECIPES[i % len(RECIPES)]
            title = base if i < len(RECIPES) else f"{base} v{i // len(RECIPES) + 1}"
            self._add(self._claim("Recipes", title), self._render_recipe(base), None)
        folders = ("Inbox", "Archive", "Projects", "Archive/2021", "")
        for i in range(n_misc):
            folder = folders[i % len(folders)]
            title = MISC_TITLES[(i // len(folders)) % len(MISC_TITLES)]
            date = self._random_date()
            self._add(self._claim(folder, title, date), self._render_misc(title), date)

    def _add(self, path: str, text: str, date: dt.date | None) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.04:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if rng.random() < 0.02:
            data = b"\xef\xbb\xbf" + data
        mtime = None
        if date is not None:
            mtime = dt.datetime(date.year, date.month, date.day, 18, tzinfo=dt.timezone.utc).timestamp()
        self.taken.add(path.casefold())
        self.files[path] = (data, mtime)

    # rendering ----------------------------------------------------------

    def _link_person(self, p: Person) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return f"[[{p.name}]]"
        if r < 0.75:
            return f"[[{p.name}|{p.first}]]"
        if r < 0.85 and p.aliases:
            return f"[[{p.name}|{p.aliases[0]}]]"
        if r < 0.92:
            return f"[{p.first}](People/{quote(p.name)}.md)"
        return p.name

    def _link_company(self, company: str) -> str:
        r = self.rng.random()
        if r < 0.35:
            return f"[[{company}]]"
        if r < 0.42:
            return f"[[{company}#Culture|{company}]]"
        return company

    def _front_matter(self, chat: Chat) -> str:
        rng = self.rng
        p = chat.people[0]
        tags = rng.sample(TAGS, rng.randint(0, 3))
        if rng.random() < 0.018:
            if rng.random() < 0.5:
                return f'---\ndate: {chat.date}\nrole: "{p.role} @ {p.company}\ntags: [coffee-chat]\n---\n'
            return f"---\ndate: {chat.date}\nwith:\n\tname: {p.name}\n\tcompany: {p.company}\n---\n"
        lines = ["---", f"date: {chat.date}"]
        if len(chat.people) > 1:
            lines.append("people:")
            lines += [f'  - "[[{q.name}]]"' for q in chat.people]
        else:
            lines.append(rng.choice((f'with: "[[{p.name}]]"', f"person: {p.name}", f"with: {p.name}",
                                     f"people: [{p.name}]")))
        if rng.random() < 0.8:
            lines.append(rng.choice((f"company: {p.company}", f'company: "[[{p.company}]]"')))
        if rng.random() < 0.6:
            lines.append(f'role: "{p.role} @ {p.company}"')
        if rng.random() < 0.3:
            lines.append("type: chat")
        r = rng.random()
        if r < 0.35:
            lines.append(f"tags: [{', '.join(tags)}]")
        elif r < 0.7:
            lines.append("tags:")
            lines += [f"  - {t}" for t in tags]
            if rng.random() < 0.1:
                lines.append("  -")
        elif r < 0.85:
            lines.append(f"tags: {' '.join(tags)}")
        lines.append("---")
        return "\n".join(lines) + "\n"

    def _context_sentence(self, p: Person) -> str:
        rng = self.rng
        past = p.past[0] if p.past else rng.choice(self.companies)
        other = self._pick_person()
        years = rng.randint(2, 12)
        templates = (
            f"{p.first} worked at {self._link_company(past)} for {years} years before joining {p.company}.",
            f"{p.first} is ex-{past}, now at {self._link_company(p.company)} as a {p.role}.",
            f"Before that, {p.first} was a {rng.choice(ROLES)} at {past}.",
            f"{p.first} introduced me to {self._link_person(other)}, who is at {other.company} now.",
            f"{p.first}'s mentor was {other.name} back at {past}.",
            f"Left {past} in {rng.randint(2012, 2023)} to co-found a startup called {rng.choice(STARTUPS)}.",
            f"{p.first} mentioned {other.first} from the {p.company} platform team.",
            f"They joined {p.company} from {past} and have been there {years} years.",
        )
        return rng.choice(templates)

    def _answer(self, p: Person, topic: str) -> str:
        rng = self.rng
        sentences = rng.sample(ADVICE[topic], min(len(ADVICE[topic]), rng.randint(1, 3)))
        for _ in range(rng.randint(0, 3)):
            sentences.append(rng.choice(ELABORATION).format(first=p.first, company=p.company))
        if rng.random() < 0.5:
            sentences.insert(rng.randint(0, len(sentences)), self._context_sentence(p))
        if rng.random() < 0.3:
            sentences.append(rng.choice(FILLER).format(first=p.first))
        return " ".join(sentences)

    def _question_line(self, text: str, style: str) -> str:
        if style == "heading":
            return f"### {text}"
        if style == "bold":
            return f"**{text}**"
        return text

    def _random_link(self) -> str:
        """A link to some other note, of any Obsidian form, sometimes dangling."""
        rng = self.rng
        r = rng.random()
        if r < 0.30:
            chat = rng.choice(self.chats[: max(1, len(self.chats) // 2)]) if self.chats else None
            if chat is not None:
                if rng.random() < 0.7:
                    return f"[[{chat.title}]]"
                return f"[last time]({quote(chat.path)})"
        if r < 0.45:
            return f"[[{rng.choice(MISSING_NOTES)}]]"
        if r < 0.60:
            return f"![[{rng.choice(self.attachments).rsplit('/', 1)[1]}]]"
        if r < 0.65:
            return "![[scan-missing.png]]"
        if r < 0.85 and self.topics:
            title = rng.choice(self.topics)[0]
            return rng.choice((f"[[{title}]]", f"[[{title}#Advice]]", f"[[{title}|{title.lower()}]]"))
        return f"[[{rng.choice(self.companies)}]]"

    def _render_chat(self, chat: Chat) -> str:
        rng = self.rng
        p = chat.people[0]
        parts: list[str] = []
        if rng.random() < 0.78:
            parts.append(self._front_matter(chat))
        plain = rng.random() < 0.25
        if not plain or rng.random() < 0.5:
            parts.append(f"# {chat.title}\n")
        if plain:
            parts.append(chat.date.strftime("%B %d, %Y") + "\n")
        elif rng.random() < 0.3:
            parts.append(rng.choice((f"Company: {p.company}", f"**Company:** {p.company}",
                                     f"Company:: [[{p.company}]]", f"Role: {p.role} @ {p.company}")) + "\n")

        intro = rng.choice((
            (f"Met {self._link_person(p)} for coffee at {rng.choice(PLACES)}. {p.first} is a {p.role} at "
             f"{self._link_company(p.company)}."),
            (f"Quick call with {self._link_person(p)} ({p.role}, {p.company}). "
             f"{self._pick_person().name} introduced us after the {rng.choice(COMMUNITIES)} meetup."),
            (f"Informational interview with {self._link_person(p)}. I found {p.first} through the "
             f"{rng.choice(COMMUNITIES)} Slack; {p.first} has been at {self._link_company(p.company)} "
             f"for {rng.randint(1, 9)} years."),
            (f"I had a 30-min chat today with {p.name}, who's been at {p.company}"
             + (f" and {p.past[0]}" if p.past else "") + f" for {rng.randint(3, 15)} years."),
        ))
        if len(chat.people) > 1:
            intro += f" {self._link_person(chat.people[1])} joined too."
        parts.append(intro + " " + self._context_sentence(p) + "\n")

        if not plain and rng.random() < 0.5:
            bullet = rng.choice(("-", "•", "*"))
            lines = ["## Background"]
            for _ in range(rng.randint(2, 4)):
                lines.append(f"{bullet} {self._context_sentence(p)}")
            parts.append("\n".join(lines) + "\n")

        q_style = "plain" if plain else rng.choice(("heading", "bold", "plain"))
        if not plain:
            parts.append(rng.choice(("## Questions", "## Q&A", "Questions I asked:", "## Notes")) + "\n")
        fields = rng.sample(FIELDS, 2)
        topics_seen: list[str] = []
        n_questions = max(1, min(len(QUESTIONS), round(4.8 * rng.lognormvariate(0, 0.45))))
        for q, topic in rng.sample(QUESTIONS, n_questions):
            text = q.format(field=fields[0], field2=fields[1], company=p.company,
                            past=p.past[0] if p.past else "consulting")
            topics_seen.append(topic)
            answer = self._answer(p, topic)
            if rng.random() < 0.35:
                answer += f" See {self._random_link()}."
            parts.append(self._question_line(text, q_style) + "\n\n" + answer + "\n")

        if rng.random() < 0.08:
            parts.append(rng.choice((
                (f"```python\nmentors = [\"{p.name}\", \"{self._pick_person().name}\"]\n"
                 f"for m in mentors:\n    print(m, \"at {p.company}\")\n```\n"),
                f"```sql\nSELECT name FROM people WHERE company = '{p.company}';\n```\n",
                f"~~~\n[[{p.name}]] worked at {p.company}  <- not a real link, it's code\n~~~\n",
            )))

        header = rng.choice(("## Advice", "Takeaways:", "## Key takeaways", "**Takeaways**",
                             "## What I'm taking away"))
        bullet = rng.choice(("-", "•", "-", "*"))
        advice = []
        for topic in topics_seen[: rng.randint(1, 4)]:
            advice.append(f"{bullet} {rng.choice(ADVICE[topic])}")
        parts.append(header + "\n" + "\n".join(advice) + "\n")

        if rng.random() < 0.15:
            parts.append(f"> [!tip] {rng.choice(ADVICE[rng.choice(topics_seen)])}\n")
        if rng.random() < 0.1:
            parts.append(f"%% private: follow up with {p.first} in Q{rng.randint(1, 4)} %%\n")
        if rng.random() < 0.06:
            parts.append("| Person | Company |\n|---|---|\n"
                         f"| [[{p.name}\\|{p.first}]] | {p.company} |\n")

        if rng.random() < 0.6:
            lines = ["## Follow-ups"]
            lines.append(f"- [ ] Send {p.first} a thank-you note")
            for _ in range(rng.randint(1, 3)):
                lines.append(f"- [ ] Read {self._random_link()}")
            if rng.random() < 0.4:
                lines.append(f"- Intro to {self._link_person(self._pick_person())} (they're at "
                             f"{rng.choice(self.companies)})")
            parts.append("\n".join(lines) + "\n")
        if rng.random() < 0.3:
            parts.append(" ".join(f"#{t}" for t in rng.sample(TAGS, rng.randint(1, 3))) + "\n")
        if rng.random() < 0.2:
            parts.append(f"https://www.linkedin.com/in/{p.name.lower().replace(' ', '-')}\n")
        text = "\n".join(parts)
        return text if rng.random() < 0.9 else text.rstrip("\n")

    def _render_person_hub(self, p: Person) -> str:
        rng = self.rng
        lines = ["---", "type: person"]
        if p.aliases:
            lines.append(f"aliases: [{', '.join(p.aliases)}]" if rng.random() < 0.7
                         else f"aliases: {p.aliases[0]}")
        lines.append(rng.choice((f"company: {p.company}", f'company: "[[{p.company}]]"')))
        lines.append(f"role: {p.role}")
        lines += ["tags: [person]", "---", f"# {p.name}", ""]
        past = ", ".join(p.past) if p.past else "a few startups"
        lines.append(f"{p.role} at [[{p.company}]]. Previously at {past}.")
        chats = self.by_person.get(p.name, [])
        if chats:
            lines += ["", "## Conversations"]
            lines += [f"- [[{c.title}]] ({c.date})" for c in sorted(chats, key=lambda c: (c.date, c.path))]
        return "\n".join(lines) + "\n"

    def _render_company_hub(self, company: str) -> str:
        lines = ["---", "type: company"]
        aliases = COMPANY_ALIASES.get(company)
        if aliases:
            lines.append(f"aliases: [{', '.join(aliases)}]")
        lines += ["tags: [company]", "---", f"# {company}", "", "## Culture",
                  f"Notes on what people told me about working at {company}.", "", "## People"]
        lines += [f"- [[{p.name}]]" for p in self.people if p.company == company][:40]
        return "\n".join(lines) + "\n"

    def _render_topic_hub(self, title: str, aliases: tuple[str, ...], tag: str) -> str:
        lines = ["---", "type: topic", f"aliases: [{', '.join(aliases)}]", f"tags: [topic, {tag}]", "---",
                 f"# {title}", "", "## Advice"]
        lines += [f"- {a}" for a in ADVICE[tag]]
        return "\n".join(lines) + "\n"

    def _render_template(self) -> str:
        return ("---\ndate: {{date}}\nwith: \"[[]]\"\ncompany: \nrole: \"@ \"\ntags: [coffee-chat]\n---\n"
                "# Coffee chat with {{title}}\n\n## Questions\n\n## Takeaways:\n- \n")

    def _render_journal(self, day: dt.date) -> str:
        rng = self.rng
        lines = [f"---\ndate: {day}\ntags: [daily]\n---"] if rng.random() < 0.5 else []
        lines += [f"# {day.strftime('%A, %B %d, %Y')}", ""]
        for _ in range(rng.randint(1, 4)):
            lines.append(rng.choice((
                "- Gym, then groceries.",
                "- Worked on the job search plan for an hour.",
                f"- Coffee with {self._link_person(self._pick_person())}, see notes.",
                f"- Applied to {rng.choice(self.companies)}.",
                f"- Read about {rng.choice(TOPICS)[0].lower()} for a bit.",
                "- Tired today, early night.",
                f"- Sent thank-you to {self._pick_person().first}.",
            )))
        return "\n".join(lines) + "\n"

    def _render_recipe(self, base: str) -> str:
        rng = self.rng
        ingredients = rng.sample(("2 apples", "1 cup flour", "3 eggs", "a pinch of salt", "olive oil",
                                  "1 onion", "2 cloves garlic", "butter", "sugar", "lemon zest",
                                  "1 can chickpeas", "rice"), rng.randint(3, 7))
        steps = rng.randint(3, 6)
        body = ["---", "tags: [recipe]", f"serves: {rng.randint(2, 6)}", "---", f"# {base}", "", "#recipe", "",
                "## Ingredients"] + [f"- {i}" for i in ingredients]
        body += ["", "## Steps"] + [f"{k + 1}. Step {k + 1}: mix, wait, taste." for k in range(steps)]
        return "\n".join(body) + "\n"

    def _render_misc(self, title: str) -> str:
        rng = self.rng
        lines = [f"# {title}", ""]
        for _ in range(rng.randint(1, 6)):
            lines.append(rng.choice((
                f"- {rng.choice(ADVICE[rng.choice(TOPICS)[2]])}",
                f"- Ask {self._pick_person().first} about {rng.choice(self.companies)}",
                f"- {self._random_link()}",
                "- ???",
                "- Follow up next week",
            )))
        return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line entry: generate a vault and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="where to write the vault (must not exist or be empty)")
    parser.add_argument("--notes", type=int, default=10000, help="number of Markdown notes (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    try:
        make_vault(args.out_dir, args.notes, args.seed)
    except (FileExistsError, ValueError) as exc:
        print(f"make_vault: {exc}", file=sys.stderr)
        return 2
    stats = summarize_vault(args.out_dir)
    print(f"{stats.notes} notes, {stats.attachments} other files, "
          f"median note {stats.median_bytes / 1024:.2f} KiB, total {stats.total_bytes / 1024 / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
