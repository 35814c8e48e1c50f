// Outage pages: the planning form reloads its area choices when the district changes; filter forms marked
// data-autosubmit submit on change. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    var form = el.form;
    if (!form) return;
    if (form.id === "outage-form" && el.name === "district") {
      var url = new URL(window.location.href);
      url.searchParams.set("district", el.value);
      var system = form.querySelector("[name=system]");
      if (system) url.searchParams.set("system", system.value);
      window.location.assign(url.toString());
    } else if (form.hasAttribute("data-autosubmit")) {
      if (el.name === "district") {
        var b = form.querySelector("[name=building]");
        if (b) b.value = "";
      }
      form.submit();
    }
  });
})();

// The hazard form: the place type-ahead (options come by htmx; choosing one fills the hidden `place` token,
// typing again clears it) and the due date that follows the severity until the reporter sets one.
(function () {
  "use strict";
  function options(list) { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
  function hidden(input) { return input.form.querySelector("[name=place]"); }
  function open(input, list) {
    var any = options(list).length > 0;
    list.hidden = !any;
    input.setAttribute("aria-expanded", any ? "true" : "false");
  }
  function close(input, list) { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  function highlight(input, list, li) {
    options(list).forEach(function (o) { o.removeAttribute("aria-selected"); });
    if (!li) return;
    li.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", li.id);
  }
  function choose(input, list, li) {
    input.value = li.getAttribute("data-value");
    hidden(input).value = li.getAttribute("data-place");
    close(input, list);
  }
  function inputOf(list) { return document.querySelector('[data-place-typeahead="' + list.id + '"]'); }

  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest("[data-place-typeahead]");
    if (input) hidden(input).value = "";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.target;
    if (list.id === "place-options") { var input = inputOf(list); if (input) open(input, list); }
  });
  document.addEventListener("click", function (event) {
    var li = event.target.closest && event.target.closest('#place-options [role="option"]');
    if (li) { var list = li.parentNode; choose(inputOf(list), list, li); }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-place-typeahead]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("data-place-typeahead"));
    var items = options(list), current = list.querySelector('[aria-selected="true"]'), index = items.indexOf(current);
    if (list.hidden || !items.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(input, list, items[event.key === "ArrowDown" ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0)]);
    } else if (event.key === "Enter" && current) {
      event.preventDefault();
      choose(input, list, current);
    } else if (event.key === "Escape") {
      close(input, list);
    }
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.form || el.form.id !== "hazard-form") return;
    var due = el.form.querySelector("[name=due_on]");
    if (el.name === "due_on") { due.setAttribute("data-chosen", "true"); return; }
    if (el.name !== "severity" || due.getAttribute("data-chosen") === "true") return;
    var days = JSON.parse(el.getAttribute("data-due-days") || "{}")[el.value];
    if (days === undefined) return;
    var d = new Date(Date.now() + days * 86400000);
    due.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  });
})();

// The round template form: "Add an item" copies the formset's empty row (its __prefix__ numbered) and counts
// it in TOTAL_FORMS. (A new district swaps in its places through htmx, keeping the checklist as typed.)
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("#add-item")) return;
    var total = document.getElementById("id_items-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var html = document.getElementById("template-item-empty").innerHTML.replace(/__prefix__/g, String(n));
    document.getElementById("template-items").insertAdjacentHTML("beforeend", html);
    total.value = String(n + 1);
    var rows = document.querySelectorAll("#template-items [data-item]");
    var label = rows[rows.length - 1].querySelector("input[name$='-label']");
    if (label) label.focus();
  });
})();
