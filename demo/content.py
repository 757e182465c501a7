"""What the demo says: its accounts, invented news and comment threads.

All of it is written for the demo. The news is marked as invented wherever it
shows (title, summary, source), so nobody mistakes it for real Season 2 news.
"""

from discussions.models import Stance
from news.models import Effect

JUSTIFIED, OVERBLOWN, UNDECIDED = Stance.JUSTIFIED, Stance.OVERBLOWN, Stance.UNDECIDED

# The fans a person can sign in as; each writes in the threads below.
FANS = [
    "demo_minji",
    "demo_jaehyun",
    "demo_sora",
    "demo_dana",
    "demo_tomas",
    "demo_priya",
    "demo_leo",
    "demo_hana",
    "demo_eunji",
    "demo_seojun",
]
TROLL = "demo_rex"
SPAMMER = "demo_spambot"
MODERATOR = "demo_moderator"
CURATOR = "demo_curator"
# Enough of a crowd that the weeks around each update hold votes every day.
CROWD = [f"demo_fan{n:03d}" for n in range(1, 361)]
USERNAMES = [*FANS, TROLL, SPAMMER, MODERATOR, CURATOR, *CROWD]

DEMO_SOURCE = "Demo data, not real news"

# (days ago, title, summary, spoiler, [(concern slug, effect, reason)])
UPDATES = [
    (
        120,
        "Demo news: the first teaser centres on the surviving students",
        "Invented for the demo. A short teaser shows the students who made it out of "
        "Hyosan High sitting together at night, saying little. No zombies appear.",
        False,
        [
            ("sidelined-survivors", Effect.EASES, "The teaser is about the survivors alone."),
            ("sequel-syndrome", Effect.EASES, "It sells the same small, quiet moments."),
        ],
    ),
    (
        85,
        "Demo news: behind-the-scenes footage shows large action sets",
        "Invented for the demo. A making-of clip shows a rebuilt city street, crowds "
        "of extras in zombie make-up and stunt rigs several storeys high.",
        False,
        [
            ("conventional-zombie-action", Effect.CONFIRMS, "The footage is all scale and stunts."),
            ("tired-tropes", Effect.UNCLEAR, "Big sets say little about the story."),
        ],
    ),
    (
        50,
        "Demo news: the writer says the action will serve the characters",
        "Invented for the demo. In an interview the writer says the new season keeps "
        "its focus on friendships under pressure, and that every fight scene was "
        "written around a choice one of the students has to make.",
        False,
        [
            ("conventional-zombie-action", Effect.EASES, "The action is said to follow choices."),
            ("sequel-syndrome", Effect.EASES, "The writer describes the same heart."),
        ],
    ),
    (
        18,
        "Demo news: a trailer introduces a faster, stronger kind of zombie",
        "Invented for the demo. The full trailer ends on a new kind of infected that "
        "climbs walls and seems to recognise people, hinted at as a mutation.",
        True,
        [
            (
                "tired-tropes",
                Effect.CONFIRMS,
                "A stronger mutated zombie is a familiar escalation.",
            ),
            ("conventional-zombie-action", Effect.UNCLEAR, "It could go either way."),
        ],
    ),
    (
        6,
        "Demo news: the showrunner says the new school is at the story's centre",
        "Invented for the demo. Asked about the mutated zombies, the showrunner says "
        "they matter less than the new school the survivors end up in, where the "
        "teachers and the older students decide who gets food and shelter.",
        False,
        [
            (
                "tired-tropes",
                Effect.EASES,
                "Power in a school is back at the centre, not the monster.",
            ),
        ],
    ),
]


# The updates in Korean: {English title: (title, summary)}, and each effect's
# reason {English: Korean}. Beside UPDATES rather than in it, so each stays one
# language's text to read through; what has no Korean here shows in English.
KOREAN_UPDATES = {
    "Demo news: the first teaser centres on the surviving students": (
        "데모 소식: 첫 티저는 살아남은 학생들에게 초점을 맞춘다",
        "데모를 위해 지어낸 소식이다. 짧은 티저는 효산고를 빠져나온 학생들이 밤에 함께 앉아 "
        "말없이 있는 모습을 보여 준다. 좀비는 한 번도 나오지 않는다.",
    ),
    "Demo news: behind-the-scenes footage shows large action sets": (
        "데모 소식: 촬영 현장 영상에 대규모 액션 세트가 담겼다",
        "데모를 위해 지어낸 소식이다. 메이킹 영상에는 새로 지은 도심 거리 세트, 좀비 분장을 "
        "한 수많은 보조 출연자, 몇 층 높이의 스턴트 장비가 나온다.",
    ),
    "Demo news: the writer says the action will serve the characters": (
        "데모 소식: 작가는 액션이 인물을 위해 쓰일 것이라고 말한다",
        "데모를 위해 지어낸 소식이다. 작가는 인터뷰에서 새 시즌도 위기 속의 우정에 초점을 "
        "맞추며, 모든 싸움 장면을 학생 중 한 명이 내려야 하는 선택을 중심으로 썼다고 말한다.",
    ),
    "Demo news: a trailer introduces a faster, stronger kind of zombie": (
        "데모 소식: 예고편에 더 빠르고 강한 좀비가 등장한다",
        "데모를 위해 지어낸 소식이다. 본 예고편은 벽을 타고 오르고 사람을 알아보는 듯한 "
        "새로운 감염자로 끝나며, 변이라는 암시를 남긴다.",
    ),
    "Demo news: the showrunner says the new school is at the story's centre": (
        "데모 소식: 쇼러너는 새 학교가 이야기의 중심이라고 말한다",
        "데모를 위해 지어낸 소식이다. 변이 좀비에 관한 질문에 쇼러너는 그보다 생존자들이 "
        "다다르는 새 학교가 더 중요하다고 답한다. 그곳에서는 교사들과 상급생들이 누가 음식과 "
        "잠자리를 얻을지 정한다.",
    ),
}
KOREAN_REASONS = {
    "The teaser is about the survivors alone.": "티저가 오로지 생존자들에 관한 것이다.",
    "It sells the same small, quiet moments.": "시즌 1처럼 작고 조용한 순간을 앞세운다.",
    "The footage is all scale and stunts.": "영상에는 규모와 스턴트뿐이다.",
    "Big sets say little about the story.": "큰 세트만으로는 이야기를 알 수 없다.",
    "The action is said to follow choices.": "액션이 인물의 선택을 따라간다고 한다.",
    "The writer describes the same heart.": "작가가 말하는 작품의 중심은 시즌 1과 같다.",
    "A stronger mutated zombie is a familiar escalation.": (
        "더 강해진 변이 좀비는 흔히 보던 판 키우기다."
    ),
    "It could go either way.": "어느 쪽으로든 흘러갈 수 있다.",
    "Power in a school is back at the centre, not the monster.": (
        "괴물이 아니라 학교 안의 권력이 다시 중심에 선다."
    ),
}


def _comment(author, stance, body, *, ago=None, after=None, marks=0, spoiler=False, key=None):
    """One comment of a thread: `ago` days before now, or `after` hours after its parent."""
    return {
        "author": author,
        "stance": stance,
        "body": body,
        "ago": ago,
        "after": after,
        "marks": marks,
        "spoiler": spoiler,
        "key": key,
        "replies": [],
    }


def _thread(top, *replies):
    top["replies"] = list(replies)
    return top


C = _comment
T = _thread

THREADS = {
    "conventional-zombie-action": [
        T(
            C(
                "demo_jaehyun",
                JUSTIFIED,
                "Season 1 spent whole episodes in one classroom and never felt small, because "
                "every barricade meant somebody had to decide who stayed outside. A city-wide "
                "outbreak with an intelligence team attached sounds like a show about logistics "
                "and firepower. I hope I'm wrong, but that is the usual path when a hit gets a "
                "bigger budget.",
                ago=52,
                marks=7,
            ),
            T(
                C(
                    "demo_sora",
                    OVERBLOWN,
                    "A bigger budget doesn't automatically mean more explosions. The same "
                    "directors and writer are back, and they made a library and a science lab "
                    "feel like whole worlds. I'd rather judge the first episode than the cast "
                    "list.",
                    after=18,
                    marks=4,
                ),
                C(
                    "demo_jaehyun",
                    JUSTIFIED,
                    "Fair, the returning crew is the best argument on your side. My worry is the "
                    "premise, not the people: a whole city gives them fewer reasons to keep the "
                    "camera on a handful of kids.",
                    after=6,
                ),
                C(
                    "demo_hana",
                    UNDECIDED,
                    "I think you're each right about a different half. The first two episodes "
                    "will show which half wins.",
                    after=20,
                    marks=1,
                ),
            ),
            C(
                "demo_seojun",
                JUSTIFIED,
                "정보기관 팀장이 새로 나온다는 것부터 액션 위주로 갈 것 같은 느낌이에요. "
                "1편의 숨 막히고 무서운 분위기가 그대로 남았으면 좋겠습니다.",
                after=50,
                marks=2,
            ),
        ),
        T(
            C(
                "demo_priya",
                OVERBLOWN,
                "People forget how much action Season 1 already had: the gym, the stairwell "
                "chase, the police station. It worked because we cared who was in the middle "
                "of it. Nothing we've heard says the show forgets that; a wider setting is just "
                "where the outbreak was always heading.",
                ago=30,
                marks=5,
            ),
            T(
                C(
                    "demo_tomas",
                    JUSTIFIED,
                    "The action in Season 1 was desperate, not cool. That is what I'm afraid of "
                    "losing: kids with mop handles and fire extinguishers, not trained squads.",
                    after=5,
                    marks=2,
                ),
                C(
                    "demo_priya",
                    OVERBLOWN,
                    "Then let's hope they keep the mop handles. Honestly, a trained squad "
                    "failing while the kids get through would be a very Season 1 move.",
                    after=3,
                    marks=3,
                ),
            ),
        ),
        T(
            C(
                "demo_dana",
                UNDECIDED,
                "Genuinely split on this one. The making-of footage looked huge, but huge sets "
                "don't tell you how a scene is cut. Waiting for a proper trailer before I vote.",
                ago=9,
                marks=1,
            ),
            C(
                "demo_leo",
                JUSTIFIED,
                "You can vote now and change it when the trailer lands, that's what I did. "
                "Justified for the moment, mostly because of the stunt rigs.",
                after=12,
            ),
        ),
        T(
            C(
                TROLL,
                JUSTIFIED,
                "Anyone who thinks this will be good has never watched a sequel in their life. "
                "Honestly, you people are clueless.",
                ago=20,
                key="insult",
            ),
            C(
                "demo_minji",
                UNDECIDED,
                "We can disagree without calling each other clueless. The sets look bigger; "
                "that is honestly all we know so far.",
                after=2,
                marks=4,
            ),
        ),
        T(
            C(
                SPAMMER,
                UNDECIDED,
                "Watch every Season 2 episode early, free, no sign-up!!! Link in my profile.",
                ago=4,
                key="spam",
            ),
        ),
    ],
    "tired-tropes": [
        T(
            C(
                "demo_minji",
                JUSTIFIED,
                "Faster, mutated zombies are the oldest escalation trick there is. Season 1's "
                "zombies were frightening because they had been classmates an hour earlier; "
                "once they become a new strain, the show starts explaining instead of scaring.",
                ago=60,
                marks=6,
            ),
            T(
                C(
                    "demo_tomas",
                    OVERBLOWN,
                    "The halfbies were already a twist on the formula, and they were the most "
                    "interesting idea in the season. A new variant could be used the same way, "
                    "to ask what still counts as human.",
                    after=26,
                    marks=3,
                ),
                C(
                    "demo_minji",
                    JUSTIFIED,
                    "That's the generous reading and I'd love it to be true. I just don't trust "
                    "a trailer that leads with the monster instead of the people.",
                    after=4,
                    marks=1,
                ),
            ),
            C(
                "demo_eunji",
                JUSTIFIED,
                "학교 밖으로 나가면 따돌림이나 계급 같은 1편의 주제가 흐려질까 봐 걱정돼요. "
                "물론 서울이라는 배경이 더 넓은 사회 문제를 보여 줄 수도 있겠지만요.",
                after=70,
                marks=2,
            ),
        ),
        T(
            C(
                "demo_leo",
                OVERBLOWN,
                "Leaving the school isn't the same as leaving its themes. A university, a city "
                "government, an intelligence service: those are bigger versions of the teachers "
                "and police who failed the students the first time.",
                ago=25,
                marks=4,
            ),
            C(
                "demo_seojun",
                OVERBLOWN,
                "맞아요. 어른들이 아이들을 지켜 주지 못하는 이야기는 배경이 커져도 "
                "얼마든지 이어질 수 있어요.",
                after=8,
                marks=1,
            ),
            C(
                "demo_hana",
                UNDECIDED,
                "Bigger institutions could sharpen that critique, or flatten it into a generic "
                "government-conspiracy plot. It depends entirely on the writing.",
                after=40,
            ),
        ),
        T(
            C(
                "demo_sora",
                JUSTIFIED,
                "The finale's rooftop scene with Nam-ra already set up a mythology around "
                "halfbies. If Season 2 turns that into a chosen-one story with a hunt for a "
                "cure, that is exactly the trope I'm afraid of.",
                ago=12,
                marks=3,
                spoiler=True,
            ),
            C(
                "demo_dana",
                OVERBLOWN,
                "Counterpoint: Nam-ra keeping her distance at the end was about belonging, not "
                "powers. I think they'll keep it there.",
                after=10,
                spoiler=True,
                marks=2,
            ),
        ),
    ],
    "sidelined-survivors": [
        T(
            C(
                "demo_hana",
                OVERBLOWN,
                "The first teaser was almost entirely the survivors sitting together, not "
                "fighting anything. Whatever else changes, the show clearly knows people came "
                "back for those kids.",
                ago=70,
                marks=8,
            ),
            T(
                C(
                    "demo_jaehyun",
                    JUSTIFIED,
                    "A teaser is marketing. Season 1's poster looked like an ensemble too, and "
                    "half of them were gone by episode five.",
                    after=22,
                    marks=2,
                ),
                C(
                    "demo_hana",
                    OVERBLOWN,
                    "Sure, but that was the point. Losing people only hurt because we got to "
                    "know them first.",
                    after=5,
                    marks=1,
                ),
            ),
            C(
                "demo_eunji",
                OVERBLOWN,
                "온조랑 수혁이 이야기만 제대로 이어지면 저는 만족해요. "
                "새 인물이 많아져도 중심은 그대로일 것 같아요.",
                after=48,
                marks=3,
            ),
        ),
        T(
            C(
                "demo_tomas",
                JUSTIFIED,
                "New leads who are university students is the part that worries me. Give them "
                "the big arcs and the survivors become guest stars in their own story.",
                ago=35,
                marks=3,
            ),
            C(
                "demo_priya",
                UNDECIDED,
                "Or the new students are there to mirror them: the same disaster, one stage of "
                "life later. That could be a smart pairing.",
                after=7,
                marks=2,
            ),
        ),
        T(
            C(
                "demo_leo",
                JUSTIFIED,
                "I'm still not over the way Cheong-san's story ended in the finale. If Season 2 "
                "doesn't deal with that loss properly, the survivors won't feel like the same "
                "people.",
                ago=6,
                key="unmarked_spoiler",
            ),
        ),
        T(
            C(
                "demo_seojun",
                UNDECIDED,
                "아직 판단하기 이르다고 생각해요. 예고편이 나오면 다시 생각해 보고 투표할게요.",
                ago=3,
            ),
        ),
    ],
    "sequel-syndrome": [
        T(
            C(
                "demo_dana",
                JUSTIFIED,
                "Season 1 felt like a complete story that happened to leave a door open. "
                "Renewals made on the back of viewing figures have a way of stretching a tight "
                "story into a franchise.",
                ago=80,
                marks=5,
            ),
            C(
                "demo_sora",
                OVERBLOWN,
                "Some shows get better when they're allowed to grow. The writer came back, "
                "which to me says there was more to tell, not just more to sell.",
                after=12,
                marks=3,
            ),
            C(
                "demo_minji",
                UNDECIDED,
                "I'd feel better if we knew the episode count. Twelve again would be a good "
                "sign; sixteen would make me nervous.",
                after=50,
            ),
        ),
        T(
            C(
                "demo_priya",
                OVERBLOWN,
                "Every sequel gets this fear, and few deserve it as much as people expect. The "
                "worst case is a season that is merely fine, and I'd still watch the survivors "
                "again.",
                ago=40,
                marks=6,
            ),
            T(
                C(
                    "demo_tomas",
                    JUSTIFIED,
                    "'Merely fine' is exactly the fear, though. The first one was special; fine "
                    "would be a loss.",
                    after=24,
                    marks=1,
                ),
                C(
                    "demo_priya",
                    OVERBLOWN,
                    "Fair. I'm just not willing to call it a loss before I've seen a single scene.",
                    after=6,
                    marks=2,
                ),
            ),
        ),
        T(
            C(
                "demo_eunji",
                OVERBLOWN,
                "1편이 워낙 좋아서 걱정하는 마음은 이해하지만, 같은 감독과 작가가 돌아온다니 "
                "한번 믿어 보고 싶어요.",
                ago=14,
                marks=2,
            ),
        ),
        T(
            C(
                "demo_leo",
                JUSTIFIED,
                "Moving the story to Seoul reads like a studio note: make it bigger. I'd love "
                "to be proven wrong.",
                ago=2,
                marks=1,
            ),
        ),
        T(
            C(
                TROLL,
                JUSTIFIED,
                "Season 2 will be garbage and everyone defending it is coping. Cope harder.",
                ago=1,
                key="rant",
            ),
        ),
        T(
            C(
                SPAMMER,
                UNDECIDED,
                "Best zombie streams here, 100% free, message me for the link!!!",
                ago=3,
            ),
        ),
    ],
}

# How each concern leans before any news, and how far decisive news moves it.
LEANING = {
    "conventional-zombie-action": 0.55,
    "tired-tropes": 0.5,
    "sidelined-survivors": 0.6,
    "sequel-syndrome": 0.55,
    # The second article's (SECOND_ARTICLE_CONCERNS).
    "nam-ra-left-behind": 0.6,
    "losses-undone": 0.45,
}
NEWS_PULL = 0.2

# A second article, invented for the demo and named as such, so the home page
# lists two: the seeded Season 2 piece stays featured, this one follows it.
# Its fears lean as LEANING says; each effect names a demo update by its title,
# with its reason in English and Korean.
SECOND_ARTICLE = {
    "slug": "demo-article-season-1-ending",
    "title": "Demo article: Season 1's ending left too much hanging",
    "publication": "Demo data, not a real article",
    "summary_en": (
        "Invented for the demo. A fan looks back at how the first season closed, with "
        "Nam-ra living apart from her friends as a half-infected and Cheong-san's fate "
        "unclear, and worries that Season 2 will either leave those threads loose or "
        "tie them up cheaply."
    ),
    "summary_ko": (
        "데모를 위해 지어낸 글이다. 한 팬이 남라가 반감염자가 되어 친구들과 떨어져 지내고 "
        "청산의 생사가 불분명한 채 끝난 시즌 1의 결말을 돌아보며, 시즌 2가 그 이야기들을 "
        "풀지 않은 채 두거나 너무 쉽게 매듭지을까 봐 걱정한다."
    ),
}
SECOND_ARTICLE_CONCERNS = [
    {
        "slug": "nam-ra-left-behind",
        "title_en": "Nam-ra's story left unresolved",
        "description_en": (
            "Season 1 ended with Nam-ra apart from the others, neither human nor zombie. "
            "The fear is that Season 2 keeps her at the edges, a cameo instead of the "
            "story the ending promised."
        ),
        "title_ko": "풀리지 않은 남라의 이야기",
        "description_ko": (
            "시즌 1은 사람도 좀비도 아닌 남라가 친구들과 떨어진 채 끝났다. 시즌 2가 결말이 "
            "약속한 이야기 대신 그녀를 잠깐 얼굴만 비추는 인물로 남겨 둘까 봐 걱정된다."
        ),
        "effects": [
            (
                "Demo news: the first teaser centres on the surviving students",
                Effect.EASES,
                "The survivors are shown together again.",
                "생존자들이 다시 함께 있는 모습이 나온다.",
            ),
        ],
    },
    {
        "slug": "losses-undone",
        "title_en": "Losses undone",
        "description_en": (
            "The first season let its deaths stand, and that gave them weight. Bringing "
            "a lost character back through a new kind of infection could make every "
            "loss feel temporary."
        ),
        "title_ko": "되돌려지는 죽음",
        "description_ko": (
            "시즌 1은 죽음을 되돌리지 않았고, 그래서 무게가 있었다. 새로운 감염을 핑계로 "
            "떠난 인물을 되살린다면 모든 상실이 잠깐의 일처럼 느껴질 수 있다."
        ),
        "effects": [
            (
                "Demo news: a trailer introduces a faster, stronger kind of zombie",
                Effect.CONFIRMS,
                "Infected who recognise people could bring someone back.",
                "사람을 알아보는 감염자라면 누군가를 되살릴 수 있다.",
            ),
        ],
    },
]
