"""More than one article: the featured one leads the home page, the others follow it."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from aouad import pagecache
from discussions.featuring import feature_article
from discussions.models import Article, Concern
from tests.factories import (
    count_queries,
    make_article,
    make_concern,
    make_curator,
    make_moderator,
    make_user,
    make_vote,
)
from tests.test_demo import run_demo

pytestmark = pytest.mark.django_db


def make_two_articles():
    """The Season 2 piece, featured, and a newer one that once would have replaced it."""
    season_2 = make_article(title="Season 2 worst fears", slug="season-2", featured=True)
    ending = make_article(
        title="How the first season ended",
        slug="season-1-ending",
        author="A. Writer",
        publication="Fan Weekly",
    )
    fears = [make_concern(season_2, title=f"Season 2 fear {n}") for n in range(3)]
    ending_fears = [make_concern(ending, title=f"Ending fear {n}") for n in range(2)]
    return season_2, ending, fears, ending_fears


def test_a_second_article_sits_beside_the_first(client):
    season_2, ending, _fears, _ending_fears = make_two_articles()
    html = client.get("/").text
    assert f"“{season_2.title}”" in html
    assert f'href="/articles/{ending.slug}/"' in html


def test_the_featured_article_leads_the_home_page_though_older(client):
    season_2, ending, _fears, _ending_fears = make_two_articles()
    response = client.get("/")
    assert response.context["page"].article == season_2
    assert response.text.index(season_2.title) < response.text.index(ending.title)


def test_with_none_featured_the_newest_leads_as_before(client):
    make_article(title="Older piece")
    newer = make_article(title="Newer piece")
    assert client.get("/").context["page"].article == newer


def test_home_links_every_concern_of_the_featured_article(client):
    _season_2, _ending, fears, _ending_fears = make_two_articles()
    html = client.get("/").text
    for fear in fears:
        assert f'href="/concerns/{fear.slug}/"' in html


def test_home_names_each_other_article_with_attribution_count_and_fears(client):
    _season_2, _ending, _fears, ending_fears = make_two_articles()
    html = client.get("/").text
    assert "More articles" in html
    assert "An opinion piece by A. Writer in Fan Weekly." in html
    assert "2 fears to weigh" in html
    for fear in ending_fears:
        assert f'href="/concerns/{fear.slug}/"' in html


def test_an_articles_own_page_shows_its_fears_and_lists_the_featured_one(client):
    season_2, ending, _fears, ending_fears = make_two_articles()
    response = client.get(f"/articles/{ending.slug}/")
    assert response.status_code == 200
    assert response.context["page"].article == ending
    assert [card.concern for card in response.context["page"].cards] == ending_fears
    assert f'href="/articles/{season_2.slug}/"' in response.text


def test_existing_urls_stay_as_they_were():
    assert reverse("discussions:home") == "/"
    assert reverse("discussions:article-detail", args=["season-2"]) == "/articles/season-2/"
    assert reverse("discussions:concern-detail", args=["fear"]) == "/concerns/fear/"


def test_home_queries_stay_flat_as_articles_grow(client):
    make_two_articles()
    two = count_queries(client, "/")
    for n in range(4):
        make_concern(make_article(title=f"Another piece {n}"))
    assert count_queries(client, "/") == two


def test_the_database_holds_one_featured_article_at_most():
    make_article(featured=True)
    with pytest.raises(IntegrityError):
        make_article(featured=True)


def test_featuring_an_article_takes_the_feature_from_the_other(client):
    season_2, ending, _fears, _ending_fears = make_two_articles()
    feature_article(ending)
    season_2.refresh_from_db()
    assert not season_2.featured
    assert client.get("/").context["page"].article == ending


def test_a_new_article_shows_on_the_cached_home_page_at_once(settings):
    settings.TALLY_FRESH_SECONDS = 60
    make_two_articles()
    Client().get("/")
    assert Client().get("/")[pagecache.HEADER] == "hit"
    make_article(title="Just added by a curator", slug="just-added")
    response = Client().get("/")
    assert response[pagecache.HEADER] == "miss"
    assert 'href="/articles/just-added/"' in response.text


def test_featuring_refreshes_the_cached_home_page(settings):
    settings.TALLY_FRESH_SECONDS = 60
    _season_2, ending, _fears, _ending_fears = make_two_articles()
    Client().get("/")
    feature_article(ending)
    assert Client().get("/").context["page"].article == ending


@pytest.fixture
def feature_action():
    def post(client, article):
        return client.post(
            reverse("admin:discussions_article_changelist"),
            {"action": "feature", "_selected_action": [article.pk]},
        )

    return post


def test_feature_action_is_refused_to_anonymous_visitors(client, feature_action):
    _season_2, ending, _fears, _ending_fears = make_two_articles()
    response = feature_action(client, ending)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Article.objects.get(pk=ending.pk).featured


def test_feature_action_is_refused_to_moderators(client, feature_action):
    _season_2, ending, _fears, _ending_fears = make_two_articles()
    client.force_login(make_moderator())
    feature_action(client, ending)
    assert not Article.objects.get(pk=ending.pk).featured


def test_curators_feature_an_article_from_the_admin(client, feature_action):
    _season_2, ending, _fears, _ending_fears = make_two_articles()
    client.force_login(make_curator())
    assert feature_action(client, ending).status_code == 302
    assert list(Article.objects.filter(featured=True)) == [ending]


def test_feature_action_asks_for_one_article(client, feature_action):
    season_2, ending, _fears, _ending_fears = make_two_articles()
    client.force_login(make_curator())
    response = client.post(
        reverse("admin:discussions_article_changelist"),
        {"action": "feature", "_selected_action": [season_2.pk, ending.pk]},
        follow=True,
    )
    assert "Choose one article" in response.text
    assert list(Article.objects.filter(featured=True)) == [season_2]


def test_curators_add_an_article_with_its_concerns_beside_the_featured_one(client):
    season_2, _ending, _fears, _ending_fears = make_two_articles()
    client.force_login(make_curator())
    response = client.post(
        reverse("admin:discussions_article_add"),
        {
            "title": "A third piece",
            "slug": "a-third-piece",
            "summary_en": "Our words.",
            "concerns-TOTAL_FORMS": "1",
            "concerns-INITIAL_FORMS": "0",
            "concerns-0-position": "1",
            "concerns-0-title_en": "A third fear",
            "concerns-0-slug": "a-third-fear",
            "concerns-0-description_en": "Why fans worry.",
        },
    )
    assert response.status_code == 302
    html = Client().get("/").text
    assert 'href="/articles/a-third-piece/"' in html
    assert 'href="/concerns/a-third-fear/"' in html
    assert list(Article.objects.filter(featured=True)) == [season_2]


def test_the_seed_features_the_season_2_article():
    call_command("seed", stdout=io.StringIO())
    article = Article.objects.get(featured=True)
    assert article.slug == "season-2-update-worst-fears"


def test_the_sitemap_lists_every_article(client):
    season_2, ending, _fears, _ending_fears = make_two_articles()
    xml = client.get("/sitemap.xml").text
    assert f"/articles/{season_2.slug}/" in xml
    assert f"/articles/{ending.slug}/" in xml


def test_the_demo_adds_a_second_article_after_the_featured_season_2_piece(client):
    run_demo()
    page = client.get("/").context["page"]
    assert page.article.slug == "season-2-update-worst-fears"
    assert [article.slug for article in page.other_articles] == ["demo-article-season-1-ending"]
    assert page.other_articles[0].concern_count == 2


def test_the_demo_article_is_in_korean_too(client):
    run_demo()
    html = client.get("/articles/demo-article-season-1-ending/?lang=ko").text
    assert "풀리지 않은 남라의 이야기" in html
    assert "데모를 위해 지어낸 글이다." in html


def test_removing_the_demo_removes_its_article_and_keeps_the_seeded_one():
    run_demo()
    run_demo("--remove")
    assert list(Article.objects.values_list("slug", flat=True)) == ["season-2-update-worst-fears"]


def test_removing_the_demo_keeps_its_article_where_a_real_fan_voted():
    run_demo()
    concern = Concern.objects.get(slug="losses-undone")
    make_vote(concern, make_user("real_fan"))
    run_demo("--remove")
    assert Article.objects.filter(slug="demo-article-season-1-ending").exists()
    assert concern.tally.total == 1


BEFORE = [("discussions", "0013_comment_body_html")]
AFTER = [("discussions", "0014_articles_featured")]


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(latest)


def test_the_migration_features_the_article_the_home_page_showed(executor):
    apps = executor.loader.project_state(BEFORE).apps
    Old = apps.get_model("discussions", "Article")
    Old.objects.create(title="Older", slug="older", summary="Ours.")
    Old.objects.create(title="Newest", slug="newest", summary="Ours.")
    executor.loader.build_graph()
    executor.migrate(AFTER)
    assert list(Article.objects.filter(featured=True).values_list("slug", flat=True)) == ["newest"]
