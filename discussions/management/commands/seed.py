import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from discussions.models import Article, Concern
from news.models import SeasonUpdate, UpdateEffect
from news.publishing import publish_update

ARTICLE = {
    "slug": "season-2-update-worst-fears",
    "title": (
        "All of Us Are Dead's Season 2 Update All But Confirms My Worst Fears "
        "About The Netflix K-Drama"
    ),
    "summary": (
        "A fan of the 2022 Netflix zombie drama, adapted from the webtoon Now at "
        "Our School, looks at what is known about Season 2 and worries about where "
        "it is heading. Season 1 closed on a cliffhanger with much of the class dead "
        "or missing, and the writer fears the follow-up will swap what made it "
        "stand out for a bigger, louder and more familiar show."
    ),
}

CONCERNS = [
    {
        "slug": "conventional-zombie-action",
        "title": "Conventional zombie action",
        "description": (
            "Season 1 was a survival story told through the people living it. The "
            "fear is that Season 2 trades that for a standard zombie-action series, "
            "where set pieces come first and the characters exist to move between "
            "them."
        ),
    },
    {
        "slug": "tired-tropes",
        "title": "Tired tropes",
        "description": (
            "Stronger, mutated zombies and an outbreak spread across a wider area "
            "could push the show towards formulas the genre has used many times. "
            "Leaving the school also risks losing the lens it gave on bullying, "
            "class division and the failures of people in authority."
        ),
    },
    {
        "slug": "sidelined-survivors",
        "title": "Sidelined survivors",
        "description": (
            "The students who made it out carried the first season's emotional "
            "weight: their friendships, their growing up and the hard choices they "
            "faced. The fear is that Season 2 reduces them to people who merely "
            "survive, with spectacle taking the place of their stories."
        ),
    },
    {
        "slug": "sequel-syndrome",
        "title": "Sequel syndrome",
        "description": (
            "The broadest worry of all: that a second season, made because the first "
            "was a hit, cannot hold on to what made the first one special. Bigger is "
            "not the same as better."
        ),
    },
]

UPDATES = [
    {
        "slug": "netflix-renews-for-season-2",
        "title": "Netflix renews the series for a second season",
        "summary": (
            "Netflix announced a second season in June 2022 at its Geeked Week "
            "event, with a short teaser. No story details came with it."
        ),
        "source_name": "/Film",
        "source_url": (
            "https://www.slashfilm.com/886058/"
            "all-of-us-are-dead-season-2-officially-coming-to-netflix/"
        ),
        "published_at": datetime.datetime(2022, 6, 6, 12, 0, tzinfo=datetime.UTC),
        "effects": [
            (
                "sequel-syndrome",
                UpdateEffect.Effect.UNCLEAR,
                "A renewal says a sequel is coming, not whether it keeps the heart.",
            ),
        ],
    },
    {
        "slug": "season-2-moves-to-seoul",
        "title": "Season 2 takes the outbreak to Seoul, with returning students",
        "summary": (
            "Netflix says the new season moves beyond the school to Seoul. Park "
            "Ji-hu, Yoon Chan-young, Cho Yi-hyun and Lomon return; new cast members "
            "play university students caught in the outbreak and an intelligence "
            "service team leader. The directors and the writer of Season 1 are back."
        ),
        "source_name": "Netflix announcement, as reported by NewsBytes",
        "source_url": (
            "https://www.newsbytesapp.com/news/entertainment/"
            "all-of-us-are-dead-season-2-heads-to-seoul/tldr"
        ),
        # We do not hold the announcement's exact date: stamp it when seeded.
        "published_at": None,
        "effects": [
            (
                "tired-tropes",
                UpdateEffect.Effect.CONFIRMS,
                "The story leaves the school for a whole city.",
            ),
            (
                "sidelined-survivors",
                UpdateEffect.Effect.EASES,
                "Four of the surviving students are named first in the cast.",
            ),
            (
                "conventional-zombie-action",
                UpdateEffect.Effect.UNCLEAR,
                "An intelligence-service role hints at a bigger action canvas.",
            ),
        ],
    },
]


class Command(BaseCommand):
    help = (
        "Add the article, its four concerns and the first Season 2 updates. "
        "Safe to run again: nothing is added twice and staff edits are kept."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = []
        article, made = Article.objects.get_or_create(
            slug=ARTICLE["slug"],
            defaults={k: v for k, v in ARTICLE.items() if k != "slug"},
        )
        if made:
            created.append(f"article {article.slug}")
        concerns = {}
        for position, data in enumerate(CONCERNS, start=1):
            concern, made = Concern.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "article": article,
                    "position": position,
                    "title": data["title"],
                    "description": data["description"],
                },
            )
            concerns[concern.slug] = concern
            if made:
                created.append(f"concern {concern.slug}")
        for data in UPDATES:
            update, made = SeasonUpdate.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "title": data["title"],
                    "summary": data["summary"],
                    "source_name": data["source_name"],
                    "source_url": data["source_url"],
                },
            )
            if not made:
                continue
            publish_update(update, at=data["published_at"])
            created.append(f"update {update.slug}")
            for slug, effect, reason in data["effects"]:
                UpdateEffect.objects.create(
                    update=update, concern=concerns[slug], effect=effect, reason=reason
                )
        if created:
            self.stdout.write(self.style.SUCCESS("Seeded: " + ", ".join(created)))
        else:
            self.stdout.write("Seed data already present; nothing changed.")
