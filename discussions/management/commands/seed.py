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
    "summary_en": (
        "A fan of the 2022 Netflix zombie drama, adapted from the webtoon Now at "
        "Our School, looks at what is known about Season 2 and worries about where "
        "it is heading. Season 1 closed on a cliffhanger with much of the class dead "
        "or missing, and the writer fears the follow-up will swap what made it "
        "stand out for a bigger, louder and more familiar show."
    ),
    "summary_ko": (
        "웹툰 「지금 우리 학교는」을 원작으로 한 2022년 넷플릭스 좀비 드라마의 한 팬이 "
        "지금까지 알려진 시즌 2 소식을 살펴보며 이야기가 어디로 향할지 걱정한다. 시즌 1은 "
        "반 친구들 상당수가 죽거나 실종된 채 다음 이야기를 예고하며 끝났고, 글쓴이는 후속작이 "
        "이 작품을 돋보이게 한 것을 버리고 더 크고 요란하며 익숙한 드라마가 될까 봐 우려한다."
    ),
}

CONCERNS = [
    {
        "slug": "conventional-zombie-action",
        "title_en": "Conventional zombie action",
        "description_en": (
            "Season 1 was a survival story told through the people living it. The "
            "fear is that Season 2 trades that for a standard zombie-action series, "
            "where set pieces come first and the characters exist to move between "
            "them."
        ),
        "title_ko": "뻔한 좀비 액션",
        "description_ko": (
            "시즌 1은 그 안에서 살아남으려 애쓰는 사람들의 눈으로 그린 생존 이야기였다. 시즌 "
            "2가 이를 흔한 좀비 액션물로 바꿔, 볼거리가 먼저이고 인물은 액션 장면 사이를 "
            "오가는 역할에 그칠까 봐 걱정된다."
        ),
    },
    {
        "slug": "tired-tropes",
        "title_en": "Tired tropes",
        "description_en": (
            "Stronger, mutated zombies and an outbreak spread across a wider area "
            "could push the show towards formulas the genre has used many times. "
            "Leaving the school also risks losing the lens it gave on bullying, "
            "class division and the failures of people in authority."
        ),
        "title_ko": "식상한 클리셰",
        "description_ko": (
            "더 강하게 변이한 좀비와 더 넓은 지역으로 번진 감염 사태는 이 장르가 수없이 "
            "되풀이해 온 공식으로 작품을 끌고 갈 수 있다. 학교를 벗어나면 학교라는 무대가 "
            "보여 주던 학교 폭력, 계층 갈등, 책임을 다하지 못한 어른들에 대한 시선도 잃을 "
            "위험이 있다."
        ),
    },
    {
        "slug": "sidelined-survivors",
        "title_en": "Sidelined survivors",
        "description_en": (
            "The students who made it out carried the first season's emotional "
            "weight: their friendships, their growing up and the hard choices they "
            "faced. The fear is that Season 2 reduces them to people who merely "
            "survive, with spectacle taking the place of their stories."
        ),
        "title_ko": "뒷전으로 밀린 생존자들",
        "description_ko": (
            "살아남은 학생들은 우정과 성장, 그리고 그들이 마주한 힘든 선택으로 시즌 1의 감정을 "
            "떠받쳤다. 시즌 2가 이들을 그저 살아남기만 하는 인물로 만들고, 이들의 이야기가 "
            "있던 자리를 볼거리로 채울까 봐 걱정된다."
        ),
    },
    {
        "slug": "sequel-syndrome",
        "title_en": "Sequel syndrome",
        "description_en": (
            "The broadest worry of all: that a second season, made because the first "
            "was a hit, cannot hold on to what made the first one special. Bigger is "
            "not the same as better."
        ),
        "title_ko": "속편 징크스",
        "description_ko": (
            "가장 폭넓은 걱정이다. 첫 시즌이 흥행해서 만들어진 두 번째 시즌이 첫 시즌을 "
            "특별하게 만든 것을 지켜 내지 못할 수 있다. 규모가 커진다고 더 나아지는 것은 "
            "아니다."
        ),
    },
]

UPDATES = [
    {
        "slug": "netflix-renews-for-season-2",
        "title_en": "Netflix renews the series for a second season",
        "summary_en": (
            "Netflix announced a second season in June 2022 at its Geeked Week "
            "event, with a short teaser. No story details came with it."
        ),
        "title_ko": "넷플릭스, 시즌 2 제작 확정",
        "summary_ko": (
            "넷플릭스는 2022년 6월 긱 위크(Geeked Week) 행사에서 짧은 티저와 함께 시즌 2 "
            "제작을 발표했다. 줄거리에 관한 내용은 나오지 않았다."
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
                "제작 확정은 속편이 나온다는 뜻일 뿐, 작품의 핵심을 지킬지는 알려 주지 않는다.",
            ),
        ],
    },
    {
        "slug": "season-2-moves-to-seoul",
        "title_en": "Season 2 takes the outbreak to Seoul, with returning students",
        "summary_en": (
            "Netflix says the new season moves beyond the school to Seoul. Park "
            "Ji-hu, Yoon Chan-young, Cho Yi-hyun and Lomon return; new cast members "
            "play university students caught in the outbreak and an intelligence "
            "service team leader. The directors and the writer of Season 1 are back."
        ),
        "title_ko": "시즌 2, 돌아온 학생들과 함께 감염 사태를 서울로 넓힌다",
        "summary_ko": (
            "넷플릭스에 따르면 새 시즌은 학교를 벗어나 서울로 무대를 옮긴다. 박지후, 윤찬영, "
            "조이현, 로몬이 돌아오고, 새로 합류한 배우들은 감염 사태에 휘말린 대학생들과 "
            "정보기관 팀장을 연기한다. 시즌 1의 감독과 작가도 다시 참여한다."
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
                "이야기가 학교를 떠나 도시 전체로 넓어진다.",
            ),
            (
                "sidelined-survivors",
                UpdateEffect.Effect.EASES,
                "Four of the surviving students are named first in the cast.",
                "살아남은 학생 네 명이 출연진 가운데 가장 먼저 이름을 올렸다.",
            ),
            (
                "conventional-zombie-action",
                UpdateEffect.Effect.UNCLEAR,
                "An intelligence-service role hints at a bigger action canvas.",
                "정보기관 인물의 등장은 액션의 판이 더 커진다는 신호다.",
            ),
        ],
    },
]


KOREAN = ("title_ko", "summary_ko", "description_ko", "reason_ko")


def fill_korean(row, data):
    """Give the row the Korean in `data` it has none of; return whether it did.

    So a site seeded before the Korean was written gets it, and what a curator
    has written in Korean since stays as it is.
    """
    missing = [name for name in KOREAN if name in data and not getattr(row, name)]
    for name in missing:
        setattr(row, name, data[name])
    if missing:
        row.save(update_fields=missing)
    return bool(missing)


class Command(BaseCommand):
    help = (
        "Add the article, its four concerns and the first Season 2 updates, in "
        "English and Korean. Safe to run again: nothing is added twice, staff "
        "edits are kept, and Korean missing from rows seeded before is filled in."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created, translated = [], []
        article, made = Article.objects.get_or_create(
            slug=ARTICLE["slug"],
            defaults={
                **{k: v for k, v in ARTICLE.items() if k != "slug"},
                # The home page opens on it, unless a curator featured another first.
                "featured": not Article.objects.filter(featured=True).exists(),
            },
        )
        if made:
            created.append(f"article {article.slug}")
        elif fill_korean(article, ARTICLE):
            translated.append(f"article {article.slug}")
        concerns = {}
        for position, data in enumerate(CONCERNS, start=1):
            concern, made = Concern.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "article": article,
                    "position": position,
                    **{k: v for k, v in data.items() if k != "slug"},
                },
            )
            concerns[concern.slug] = concern
            if made:
                created.append(f"concern {concern.slug}")
            elif fill_korean(concern, data):
                translated.append(f"concern {concern.slug}")
        for data in UPDATES:
            update, made = SeasonUpdate.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    k: v for k, v in data.items() if k not in {"slug", "published_at", "effects"}
                },
            )
            if made:
                created.append(f"update {update.slug}")
            elif fill_korean(update, data):
                translated.append(f"update {update.slug}")
            for slug, effect, reason_en, reason_ko in data["effects"]:
                if made:
                    UpdateEffect.objects.create(
                        update=update,
                        concern=concerns[slug],
                        effect=effect,
                        reason_en=reason_en,
                        reason_ko=reason_ko,
                    )
                    continue
                # A curator may have taken the effect off the update since: leave it off.
                found = UpdateEffect.objects.filter(update=update, concern=concerns[slug]).first()
                if found is not None and fill_korean(found, {"reason_ko": reason_ko}):
                    translated.append(f"effect {update.slug} → {slug}")
            if made:
                # With its effects, so what it did to opinion is measured.
                publish_update(update, at=data["published_at"])
        if created:
            self.stdout.write(self.style.SUCCESS("Seeded: " + ", ".join(created)))
        if translated:
            self.stdout.write(self.style.SUCCESS("Korean added: " + ", ".join(translated)))
        if not created and not translated:
            self.stdout.write("Seed data already present; nothing changed.")
