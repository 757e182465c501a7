// Live threads on a concern page: asks discussions:concern-live every few seconds
// whether comments were posted or the tally moved, and says so without moving the
// page. Polling with ETags, not a held connection: docs/decisions.md. Without
// JavaScript the page simply stays as it was read.
(function () {
  "use strict";

  var bar = document.getElementById("live-bar");
  if (!bar || !window.fetch) {
    return;
  }
  var every = Math.max(Number(bar.dataset.seconds) || 10, 1) * 1000;
  // Errors and refusals double the wait, up to this (ms).
  var LONGEST = 5 * 60 * 1000;
  var wait = every;
  var timer = null;
  var busy = false;
  var etag = null;

  // The count the threads on the page stand for: htmx replaces the heading
  // when the fan posts or the new comments are shown, so it is read each time.
  function countShown() {
    var heading = document.getElementById("comments-heading");
    return heading ? Number(heading.dataset.count) || 0 : 0;
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = document.hidden ? null : window.setTimeout(poll, delay);
  }

  function poll() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    var headers = { Accept: "application/json" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    fetch(bar.dataset.url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) {
          return null;
        }
        if (!response.ok) {
          throw response;
        }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (answer) {
        wait = every;
        if (answer) {
          update(answer);
        }
      })
      .catch(function (failure) {
        wait = Math.min(wait * 2, LONGEST);
        var after = failure && failure.headers ? Number(failure.headers.get("Retry-After")) : 0;
        if (after > 0) {
          wait = Math.min(Math.max(wait, after * 1000), LONGEST);
        }
      })
      .then(function () {
        busy = false;
        schedule(wait);
      });
  }

  function update(answer) {
    // The figures change quietly: announced every few seconds they would drown the page.
    var tally = document.getElementById("live-tally");
    if (tally && tally.innerHTML.trim() !== answer.tally_html) {
      tally.innerHTML = answer.tally_html;
    }
    var fresh = answer.comments - countShown();
    if (fresh > 0) {
      offer(fresh);
    } else {
      bar.textContent = "";
    }
  }

  // The bar is a polite status region: screen readers hear it once per change.
  function offer(count) {
    var text = (count === 1 ? bar.dataset.one : bar.dataset.other).replace("%(count)s", count);
    var button = bar.querySelector("button");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-accent live-show";
      button.addEventListener("click", showNew);
      bar.appendChild(button);
    }
    if (button.textContent !== text) {
      button.textContent = text;
    }
  }

  // The first page of threads in the page's order, in place; its first comment
  // takes focus (the bar's button is gone), as after "Load older comments".
  function showNew() {
    var url = new URL(window.location.href);
    url.searchParams.delete("page");
    var path = url.pathname + url.search;
    if (!window.htmx) {
      window.location.assign(path + "#comments");
      return;
    }
    window.htmx.ajax("GET", path, { target: "#comment-list", swap: "innerHTML" }).then(function () {
      // The heading came along with the new count; a comment posted since shows at the next poll.
      bar.textContent = "";
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else {
      // Back on the tab: ask now, unless the last answers were errors.
      schedule(wait === every ? 0 : wait);
    }
  });
  schedule(every);
})();
