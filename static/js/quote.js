// "Quote" on a comment. Without JavaScript it is a link to the reply page, its
// form starting with the quote; with htmx it swaps that form in under the
// comment. When the fan has already started a reply there, swapping would
// throw their text away, so this puts the quote into their text instead, at
// the cursor. Runs in the capture phase, before htmx hears the click.
(function () {
  "use strict";

  function join(before, quote, after) {
    var gap = "";
    if (before && !/\n\n$/.test(before)) {
      gap = /\n$/.test(before) ? "\n" : "\n\n";
    }
    return before + gap + quote + after;
  }

  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("a[data-quote-for]");
      if (!link) {
        return;
      }
      var textarea = document.getElementById("reply-body-" + link.dataset.quoteFor);
      if (!textarea || !textarea.value.trim()) {
        return; // nothing typed yet: htmx brings the form with the quote
      }
      event.preventDefault();
      event.stopPropagation();
      fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser()
            .parseFromString(html, "text/html")
            .querySelector("textarea[name=body]");
          if (!fresh) {
            return;
          }
          var at = textarea.selectionStart || textarea.value.length;
          var before = textarea.value.slice(0, at);
          textarea.value = join(before, fresh.value, textarea.value.slice(at));
          textarea.focus();
        })
        .catch(function () {
          // The page of its own still works, and the fan's text stays in this tab.
          window.open(link.href, "_blank", "noopener");
        });
    },
    true
  );
})();
