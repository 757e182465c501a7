"""Stored client addresses and sent mail are kept 90 days at most."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from moderation.models import Report
from outbox.mail import deliver
from privacy.retention import forget_old_records
from privacy.tasks import forget_old_records as forget_old_records_daily
from tests.factories import make_comment, make_user

NOW = timezone.now()


def make_record(model, days_old):
    fields = {"failures_since_start": 1} if model is AccessAttempt else {}
    record = model.objects.create(ip_address="203.0.113.9", username="onjo", **fields)
    model.objects.filter(pk=record.pk).update(attempt_time=NOW - datetime.timedelta(days=days_old))
    return record


def make_finished_task(days_old, status=TaskResultStatus.SUCCESSFUL):
    result = deliver.enqueue({"to": ["fan@example.com"]})
    finished = NOW - datetime.timedelta(days=days_old)
    DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished)
    return result.id


@pytest.mark.django_db
@pytest.mark.parametrize("model", [AccessAttempt, AccessFailureLog, AccessLog])
def test_address_records_older_than_90_days_are_deleted(model):
    make_record(model, days_old=91)
    forget_old_records(NOW)
    assert not model.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", [AccessAttempt, AccessFailureLog, AccessLog])
def test_address_records_younger_than_90_days_are_kept(model):
    make_record(model, days_old=89)
    forget_old_records(NOW)
    assert model.objects.count() == 1


@pytest.mark.django_db
def test_sent_mail_older_than_90_days_is_deleted():
    make_finished_task(days_old=91)
    forget_old_records(NOW)
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_mail_still_waiting_is_never_deleted():
    deliver.enqueue({"to": ["fan@example.com"]})
    DBTaskResult.objects.update(enqueued_at=NOW - datetime.timedelta(days=200))
    forget_old_records(NOW)
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_the_daily_run_queues_the_next():
    forget_old_records_daily.call()
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.task_path == "privacy.tasks.forget_old_records"
    assert waiting.run_after > timezone.now()


@pytest.mark.django_db
def test_the_privacy_page_states_the_retention(client, settings):
    settings.RECORDS_RETENTION = datetime.timedelta(days=90)
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert "deleted after 90 days at most" in response.content.decode()


@pytest.mark.django_db
def test_every_page_links_the_privacy_page(client):
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_old_open_reports_lose_their_address_digest(db):
    comment = make_comment()
    report = Report.objects.create(
        comment=comment,
        reporter=make_user(),
        reason=Report.Reason.SPAM,
        address_digest="a" * 64,
        reporter_was_new=True,
        created_at=NOW - settings.RECORDS_RETENTION - datetime.timedelta(days=1),
    )
    forget_old_records(NOW)
    report.refresh_from_db()
    assert report.address_digest == ""
