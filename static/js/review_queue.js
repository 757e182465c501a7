// Keys for the review queue (admin): j/k move between comments, h hides
// (after the moderator picks the rule broken), d dismisses the reports.
// Without JavaScript the checkboxes, the action bar and its Run button do
// the same.
(function () {
  "use strict";

  var form = document.getElementById("changelist-form");
  if (!form) {
    return;
  }
  var rows = Array.prototype.slice.call(form.querySelectorAll("#result_list tbody tr"));
  var actionSelect = form.querySelector("select[name=action]");
  var ruleSelect = form.querySelector("select[name=rule]");
  var runButton = form.querySelector("button[name=index]");
  if (!rows.length || !actionSelect || !runButton) {
    return;
  }
  var current = -1;

  function checkbox(row) {
    return row.querySelector("input.action-select");
  }

  function move(to) {
    if (current >= 0) {
      rows[current].classList.remove("queue-current");
    }
    current = Math.max(0, Math.min(rows.length - 1, to));
    var row = rows[current];
    row.classList.add("queue-current");
    checkbox(row).focus();
    row.scrollIntoView({ block: "nearest" });
  }

  // Clicking, not setting .checked, so the admin's own script counts the selection.
  function selectOnly(row) {
    rows.forEach(function (other) {
      var box = checkbox(other);
      if (box.checked !== (other === row)) {
        box.click();
      }
    });
  }

  function choose(action) {
    if (current < 0) {
      move(0);
    }
    selectOnly(rows[current]);
    actionSelect.value = action;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var target = event.target;
    // A select does not send its form on Enter; here, with a rule chosen, it hides.
    if (ruleSelect && target === ruleSelect && event.key === "Enter") {
      event.preventDefault();
      if (ruleSelect.value) {
        runButton.click();
      }
      return;
    }
    if (target.matches("input[type=text], input[type=search], textarea, select")) {
      return;
    }
    switch (event.key) {
      case "j":
        move(current + 1);
        break;
      case "k":
        move(current - 1);
        break;
      case "h":
        choose("hide_comments");
        if (ruleSelect) {
          ruleSelect.focus();
        }
        break;
      case "d":
        choose("dismiss_reports");
        runButton.click();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
