import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from discussions.models import Comment, Concern
from moderation import decisions
from moderation.models import Rule
from news.models import SeasonUpdate, UpdateEffect
from opinion.models import Verdict, Vote, VoteEvent
from opinion.stats import Tally
from tests.factories import (
    make_article,
    make_comment,
    make_concern,
    make_moderator,
    make_update,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db


def test_vote_allows_one_row_per_fan_and_concern(concern, fan):
    Vote.objects.create(user=fan, concern=concern, verdict=Verdict.JUSTIFIED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(user=fan, concern=concern, verdict=Verdict.OVERBLOWN)


def test_vote_rejects_unknown_verdict_in_database(concern, fan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(user=fan, concern=concern, verdict="meh")


def test_vote_event_clear_must_not_carry_verdict(concern, fan):
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteEvent.objects.create(
            user=fan, concern=concern, action=VoteEvent.Action.CLEAR, verdict="justified"
        )


def test_vote_event_cast_must_carry_verdict(concern, fan):
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteEvent.objects.create(user=fan, concern=concern, action=VoteEvent.Action.CAST)


def test_comment_body_cannot_be_empty_in_database(concern, fan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(concern=concern, author=fan, body="")


def test_comment_body_cannot_exceed_limit_in_database(concern, fan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(concern=concern, author=fan, body="x" * 5001)


def test_comment_body_at_limit_is_stored(concern, fan):
    comment = Comment.objects.create(concern=concern, author=fan, body="x" * 5000)
    assert len(Comment.objects.get(pk=comment.pk).body) == 5000


def test_reply_records_its_thread_root(concern):
    top = make_comment(concern)
    reply = make_comment(parent=top)
    reply_to_reply = make_comment(parent=reply)
    assert reply.root == top
    assert reply_to_reply.root == top


def test_reply_without_root_is_refused_by_database(concern, fan):
    top = make_comment(concern)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=make_comment(parent=top).pk).update(root=None)


def test_hiding_keeps_the_row(concern):
    comment = make_comment(concern)
    decisions.hide_comments([comment], make_moderator(), Rule.RESPECT)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert not Comment.objects.visible().filter(pk=comment.pk).exists()


def test_restore_puts_comment_back(concern):
    comment = make_comment(concern, status=Comment.Status.HIDDEN)
    decisions.restore_comments([comment], make_moderator())
    assert Comment.objects.visible().filter(pk=comment.pk).exists()


def test_published_update_needs_publication_time_in_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SeasonUpdate.objects.create(
            title="t", slug="t", summary="s", source_name="n", status="published"
        )


def test_publishing_without_time_in_form_means_now():
    update = SeasonUpdate(title="t", slug="t", summary="s", source_name="n", status="published")
    update.full_clean()
    assert update.published_at <= timezone.now()


def test_update_links_a_concern_once(concern):
    update = make_update([(concern, UpdateEffect.Effect.EASES)])
    with pytest.raises(IntegrityError), transaction.atomic():
        UpdateEffect.objects.create(
            update=update, concern=concern, effect="confirms", reason="again"
        )


def test_published_excludes_drafts_and_future_updates():
    live = make_update()
    make_update(status=SeasonUpdate.Status.DRAFT, published_at=None)
    make_update(published_at=timezone.now() + timezone.timedelta(days=1))
    assert list(SeasonUpdate.objects.published()) == [live]


def test_update_is_public_only_when_published_and_due():
    assert make_update().is_public
    assert not make_update(published_at=timezone.now() + timezone.timedelta(days=1)).is_public


def test_usernames_are_unique_regardless_of_case():
    make_user("Cheongsan")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="cheongsan", password="x")


def test_username_clash_reports_clean_validation_error():
    make_user("Cheongsan")
    with pytest.raises(ValidationError):
        User(username="CHEONGSAN", password="x").validate_constraints()


def test_tally_percentages_add_up_to_one_hundred():
    tally = Tally(justified=1, overblown=2)
    assert (tally.justified_percent, tally.overblown_percent) == (33, 67)


def test_empty_tally_shows_zero_percent():
    assert Tally(0, 0).justified_percent == 0
    assert Tally(0, 0).overblown_percent == 0


def test_with_tallies_counts_votes(concern):
    for verdict in ["justified", "justified", "overblown"]:
        make_vote(concern, verdict=verdict)
    assert Concern.objects.with_tallies().get(pk=concern.pk).tally == Tally(2, 1)


def test_with_comment_counts_counts_only_visible_comments(concern):
    make_comment(concern)
    make_comment(concern, status=Comment.Status.HIDDEN)
    assert Concern.objects.with_comment_counts().get(pk=concern.pk).comment_count == 1


def test_tally_without_annotation_matches_rows(concern):
    make_vote(concern, verdict="overblown")
    assert Concern.objects.get(pk=concern.pk).tally == Tally(0, 1)


def test_string_forms_and_urls():
    article = make_article(title="Worst fears", slug="worst-fears")
    concern = make_concern(article, title="Tired tropes", slug="tired-tropes")
    comment = make_comment(concern)
    update = make_update(title="Seoul", slug="seoul")
    assert str(article) == "Worst fears"
    assert str(concern) == "Tired tropes"
    assert str(update) == "Seoul"
    assert f"#{comment.pk}" in str(comment)
    assert article.get_absolute_url() == "/articles/worst-fears/"
    assert concern.get_absolute_url() == "/concerns/tired-tropes/"
    assert comment.get_absolute_url() == f"/concerns/tired-tropes/#comment-{comment.pk}"
    assert update.get_absolute_url() == "/updates/seoul/"


def test_slug_is_made_from_the_title_when_left_empty():
    make_update(slug="teaser-drops")
    update = SeasonUpdate(title="Teaser drops!", summary="s", source_name="n")
    update.full_clean()
    assert update.slug == "teaser-drops-2"


def test_title_without_latin_letters_still_gets_a_slug():
    concern = Concern(article=make_article(), title="시즌 2", description="d")
    concern.full_clean()
    assert concern.slug == "2"
    other = Concern(article=concern.article, title="좀비", description="d")
    other.full_clean()
    assert other.slug == "concern"
