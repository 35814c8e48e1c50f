// Baishitong page behaviour: no inline scripts (CSP), only data-attributes wired here.
(function () {
  "use strict";
  // Keyboard shortcuts declared as data-shortcut="alt+n" on links, buttons and inputs.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey) return;
    var key = "alt+" + event.key.toLowerCase();
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.matches("input, select, textarea")) target.focus(); else target.click();
  });
  // data-confirm="…" on a submit button asks before posting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
  });
  // A list that polls (data-poll) is not replaced while the user is choosing in it (a select, a note).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-poll")) return;
    var active = document.activeElement;
    if (active && active !== document.body && elt.contains(active) && active.matches("input, select, textarea")) {
      event.preventDefault();
    }
  });
})();
