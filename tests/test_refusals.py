"""One answer to each refusal, for full pages and htmx: aouad.middleware.RefusalMiddleware.

A test route raises each refusal as an operation would; the site's own views
are checked too, so no view answers for itself.
"""

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path

from accounts.limits import RateLimited
from aouad.urls import handler400, handler403, handler404, handler500  # noqa: F401
from aouad.urls import urlpatterns as site_urlpatterns
from discussions.authoring import OwnComment
from discussions.models import Comment, HelpfulMark
from opinion.models import Vote
from tests.factories import make_comment, make_suspension

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

HTMX = {"HTTP_HX_REQUEST": "true"}


def raiser(request, kind):
    if kind == "suspended":
        request.user.refuse_if_suspended()
    elif kind == "rate-limited":
        raise RateLimited(42, "Hold your horses.")
    elif kind == "refused":
        raise OwnComment
    elif kind == "denied":
        raise PermissionDenied("Internal detail")
    elif kind == "missing":
        raise Http404("No Comment matches the given query.")
    elif kind == "login":
        return redirect_to_login("/somewhere/")
    return HttpResponse("<p>Done</p>")


urlpatterns = [path("refusals/<str:kind>/", raiser), *site_urlpatterns]


def post(client, kind, **headers):
    return client.post(f"/refusals/{kind}/", **headers)


def is_inline(response, status):
    return (
        response.status_code == status
        and response["HX-Retarget"] == "#inline-refusal"
        and response["HX-Reswap"] == "innerHTML"
        and "<html" not in response.text
    )


def test_every_page_has_the_live_region(client, concern):
    html = client.get(concern.get_absolute_url()).text
    assert (
        '<div id="inline-refusal" class="inline-refusal" role="status" aria-live="polite">' in html
    )


# Suspended


def test_suspended_full_request_gets_the_notice(fan_client, fan):
    make_suspension(fan)
    response = post(fan_client, "suspended")
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert "Trolling" in response.text


def test_suspended_htmx_request_reloads_the_page_it_came_from(fan_client, fan):
    make_suspension(fan)
    response = post(
        fan_client, "suspended", HTTP_HX_CURRENT_URL="http://testserver/concerns/x/", **HTMX
    )
    assert response["HX-Redirect"] == "http://testserver/concerns/x/"


@pytest.mark.parametrize("current", ["https://evil.example/", "javascript:alert(1)", ""])
def test_suspended_htmx_request_never_goes_off_site(fan_client, fan, current):
    make_suspension(fan)
    response = post(fan_client, "suspended", HTTP_HX_CURRENT_URL=current, **HTMX)
    assert response["HX-Redirect"] == "/"


# RateLimited


def test_rate_limited_full_request_gets_the_429_page(fan_client):
    response = post(fan_client, "rate-limited")
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert "Hold your horses." in response.text
    assert "Nothing was saved." in response.text
    assert "<html" in response.text
    assert "HX-Retarget" not in response


def test_rate_limited_htmx_request_says_so_in_the_live_region(fan_client):
    response = post(fan_client, "rate-limited", **HTMX)
    assert is_inline(response, 429)
    assert response["Retry-After"] == "42"
    assert "Hold your horses. Please try again in 42 seconds. Nothing was saved." in response.text


# Other refusals and missing rows


def test_refusal_for_htmx_says_why_in_the_live_region(fan_client):
    response = post(fan_client, "refused", **HTMX)
    assert is_inline(response, 403)
    assert "mark your own comment as helpful" in response.text


def test_plain_permission_denied_for_htmx_gives_no_internals(fan_client):
    response = post(fan_client, "denied", **HTMX)
    assert is_inline(response, 403)
    assert "Internal detail" not in response.text


def test_missing_row_for_htmx_says_so_in_the_live_region(fan_client):
    response = post(fan_client, "missing", **HTMX)
    assert is_inline(response, 404)
    assert "No Comment matches" not in response.text


@pytest.mark.parametrize(("kind", "status"), [("refused", 403), ("denied", 403), ("missing", 404)])
def test_full_requests_keep_the_error_pages(fan_client, kind, status):
    response = post(fan_client, kind)
    assert response.status_code == status
    assert "HX-Retarget" not in response
    assert "<html" in response.text


# Log-in redirects


def test_login_redirect_for_htmx_takes_the_whole_page(client):
    response = post(client, "login", **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/somewhere/"


def test_login_redirect_for_a_full_request_stays_a_redirect(client):
    response = post(client, "login")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/somewhere/"
    assert "HX-Redirect" not in response


# Success clears what an earlier refusal said


def test_successful_htmx_answer_empties_the_live_region(fan_client):
    response = post(fan_client, "fine", **HTMX)
    assert response.text == (
        '<p>Done</p><div id="inline-refusal" data-hx-swap-oob="innerHTML"></div>'
    )


def test_full_answer_is_left_alone(fan_client):
    assert post(fan_client, "fine").text == "<p>Done</p>"


# The site's own views let refusals through to the middleware


def test_inline_helpful_mark_on_own_comment_is_refused_in_place(fan_client, fan, concern):
    own = make_comment(concern, author=fan)
    response = fan_client.post(f"/comments/{own.pk}/helpful/", **HTMX)
    assert is_inline(response, 403)
    assert "mark your own comment as helpful" in response.text
    assert not HelpfulMark.objects.exists()


def test_inline_helpful_mark_on_a_hidden_comment_is_refused_in_place(fan_client, concern):
    hidden = make_comment(concern, status=Comment.Status.HIDDEN)
    response = fan_client.post(f"/comments/{hidden.pk}/helpful/", **HTMX)
    assert is_inline(response, 404)


def test_suspended_inline_comment_reloads_the_page(fan_client, fan, concern):
    make_suspension(fan)
    url = f"http://testserver{concern.get_absolute_url()}"
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/",
        {"body": "Let me in"},
        HTTP_HX_CURRENT_URL=url,
        **HTMX,
    )
    assert response["HX-Redirect"] == url
    assert not Comment.objects.exists()


def test_anonymous_inline_comment_goes_to_login(client, concern):
    response = client.post(f"/concerns/{concern.slug}/comments/", {"body": "Hi"}, **HTMX)
    assert response["HX-Redirect"] == f"/accounts/login/?next=/concerns/{concern.slug}/"


def test_inline_vote_after_a_refusal_clears_it(fan_client, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"}, **HTMX)
    assert response.status_code == 200
    assert '<div id="inline-refusal" data-hx-swap-oob="innerHTML"></div>' in response.text
    assert Vote.objects.get().verdict == "justified"
