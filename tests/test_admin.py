import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from discussions.models import Comment
from moderation import decisions
from moderation.models import Rule
from news.models import SeasonUpdate, UpdateEffect
from opinion.models import Vote
from tests.factories import make_comment, make_moderator, make_staff, make_update, make_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(concern):
    comment = make_comment(concern)
    # Cast as the site casts it, so the vote has its history row too.
    vote = Vote.objects.get(user=make_vote(concern, verdict="justified"))
    update = make_update(effects=[(concern, UpdateEffect.Effect.CONFIRMS)])
    return {
        "article": concern.article,
        "concern": concern,
        "comment": comment,
        "vote": vote,
        "seasonupdate": update,
    }


APP_OF = {"seasonupdate": "news", "updateeffect": "news", "vote": "opinion", "voteevent": "opinion"}
MODELS = ["article", "concern", "comment", "vote", "seasonupdate", "voteevent", "updateeffect"]


def admin_url(model, view, *args):
    return reverse(f"admin:{APP_OF.get(model, 'discussions')}_{model}_{view}", args=args)


def test_anonymous_is_sent_to_admin_login(client, db):
    response = client.get("/admin/discussions/comment/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_fan_without_staff_flag_cannot_enter_admin(fan_client):
    response = fan_client.get("/admin/discussions/comment/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_without_permissions_is_forbidden(client, db):
    client.force_login(make_staff())
    assert client.get("/admin/discussions/comment/").status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_superuser_sees_every_changelist(admin_client, data, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


# Each list's row in `data`, and a field of it that the list's search looks in.
SEARCHED = {
    "article": ("article", "title"),
    "concern": ("concern", "title"),
    "comment": ("comment", "body"),
    "vote": ("vote", "user"),
    "seasonupdate": ("seasonupdate", "title"),
    "voteevent": ("vote", "user"),
    "updateeffect": ("seasonupdate", "title"),
}


@pytest.mark.parametrize("model", MODELS)
def test_superuser_changelist_search_keeps_only_matching_rows(admin_client, data, model):
    row, field = SEARCHED[model]
    url = admin_url(model, "changelist")
    found = admin_client.get(url, {"q": str(getattr(data[row], field))})
    assert found.context["cl"].result_count == 1
    # No row of `data` says "zombie" anywhere.
    assert admin_client.get(url, {"q": "zombie"}).context["cl"].result_count == 0


@pytest.mark.parametrize("model", ["article", "concern", "comment", "vote", "seasonupdate"])
def test_superuser_opens_every_change_page(admin_client, data, model):
    url = admin_url(model, "change", data[model].pk)
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", ["article", "concern", "seasonupdate"])
def test_superuser_opens_add_pages(admin_client, db, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200


def test_user_admin_pages_render(admin_client, fan):
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_user_change", args=[fan.pk])).status_code == 200


def test_hide_comments_action_hides_and_page_drops_it(admin_client, client, data):
    comment = data["comment"]
    response = admin_client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [comment.pk], "rule": Rule.RESPECT},
        follow=True,
    )
    assert "1 comment hidden." in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert comment.body not in client.get(data["concern"].get_absolute_url()).text


def test_restore_comments_action_brings_it_back(admin_client, client, data):
    comment = data["comment"]
    decisions.hide_comments([comment], make_moderator(), Rule.RESPECT)
    response = admin_client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "restore_comments", "_selected_action": [comment.pk]},
        follow=True,
    )
    assert "1 comment restored." in response.text
    assert comment.body in client.get(data["concern"].get_absolute_url()).text


def test_comments_cannot_be_deleted_in_admin(admin_client, data):
    url = reverse("admin:discussions_comment_delete", args=[data["comment"].pk])
    assert admin_client.get(url).status_code == 403


def test_vote_history_is_read_only(admin_client, data):
    assert admin_client.get(reverse("admin:opinion_voteevent_add")).status_code == 403


def test_curator_publishes_update_with_effects_inline(admin_client, concern, client):
    response = admin_client.post(
        reverse("admin:news_seasonupdate_add"),
        {
            "title_en": "Filming wraps",
            "slug": "filming-wraps",
            "summary_en": "Production finished.",
            "source_name": "Netflix",
            "source_url": "https://about.netflix.com/",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "effects-TOTAL_FORMS": "1",
            "effects-INITIAL_FORMS": "0",
            "effects-MIN_NUM_FORMS": "0",
            "effects-MAX_NUM_FORMS": "1000",
            "effects-0-concern": concern.pk,
            "effects-0-effect": "eases",
            "effects-0-reason_en": "The cast is back.",
        },
    )
    assert response.status_code == 302
    update = SeasonUpdate.objects.get(slug="filming-wraps")
    assert update.is_public
    assert update.effects.get().effect == "eases"
    assert "Filming wraps" in client.get(concern.get_absolute_url()).text


def test_update_with_non_http_source_is_refused_in_admin(admin_client, db):
    response = admin_client.post(
        reverse("admin:news_seasonupdate_add"),
        {
            "title_en": "Bad",
            "slug": "bad",
            "summary_en": "s",
            "source_name": "n",
            "source_url": "javascript:alert(1)",
            "status": "draft",
            "effects-TOTAL_FORMS": "0",
            "effects-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not SeasonUpdate.objects.filter(slug="bad").exists()


def test_concerns_editable_inline_from_article(admin_client, data):
    article, concern = data["article"], data["concern"]
    response = admin_client.post(
        reverse("admin:discussions_article_change", args=[article.pk]),
        {
            "title": article.title,
            "slug": article.slug,
            "summary_en": article.summary,
            "concerns-TOTAL_FORMS": "1",
            "concerns-INITIAL_FORMS": "1",
            "concerns-0-id": concern.pk,
            "concerns-0-article": article.pk,
            "concerns-0-position": "9",
            "concerns-0-title_en": "Renamed fear",
            "concerns-0-slug": concern.slug,
            "concerns-0-description_en": concern.description,
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.title, concern.position) == ("Renamed fear", 9)


def test_view_on_site_links_published_update(admin_client, db):
    update = make_update()
    html = admin_client.get(reverse("admin:news_seasonupdate_change", args=[update.pk])).text
    assert "View on site" in html


def test_deleting_article_with_concerns_explains_instead_of_failing(admin_client, data):
    url = reverse("admin:discussions_article_delete", args=[data["article"].pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.text
    assert data["article"].__class__.objects.filter(pk=data["article"].pk).exists()


def test_deleting_fan_who_commented_keeps_their_comments(admin_client, data):
    author = data["comment"].author
    response = admin_client.post(
        reverse("admin:accounts_user_delete", args=[author.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert Comment.objects.filter(pk=data["comment"].pk).exists()


def test_staff_with_comment_permissions_can_hide(client, data):
    moderator = make_staff()
    moderator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(moderator)
    client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [data["comment"].pk], "rule": Rule.RESPECT},
    )
    data["comment"].refresh_from_db()
    assert data["comment"].status == Comment.Status.HIDDEN


def test_staff_who_may_only_view_comments_cannot_hide(client, data):
    viewer = make_staff()
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [data["comment"].pk], "rule": Rule.RESPECT},
    )
    data["comment"].refresh_from_db()
    assert data["comment"].status == Comment.Status.VISIBLE
