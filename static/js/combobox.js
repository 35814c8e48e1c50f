// Search-as-you-type for a choice among many (the export's room): <input data-combobox="URL"
// data-combobox-for="hidden-input-id" aria-controls="listbox-id">. The server answers `URL?q=` with
// <li role="option" data-id data-value> items; picking one fills the hidden input with its id. No inline script.
(function () {
  "use strict";

  function listOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function items(list) { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
  function close(input) { listOf(input).hidden = true; input.setAttribute("aria-expanded", "false"); }
  function mark(input, li) {
    items(listOf(input)).forEach(function (x) { x.removeAttribute("aria-selected"); });
    if (!li) { input.removeAttribute("aria-activedescendant"); return; }
    li.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({ block: "nearest" });
  }
  function pick(input, li) {
    input.value = li.getAttribute("data-value");
    document.getElementById(input.getAttribute("data-combobox-for")).value = li.getAttribute("data-id");
    close(input);
  }

  var timer = null;
  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest("[data-combobox]");
    if (!input) return;
    document.getElementById(input.getAttribute("data-combobox-for")).value = "";  // typed, not picked yet
    window.clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { close(input); return; }
    timer = window.setTimeout(function () {
      var url = input.getAttribute("data-combobox") + "?q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (input.value.trim() !== q) return;  // an older answer
          var list = listOf(input);
          list.innerHTML = html;
          list.hidden = !html.trim();
          input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
          mark(input, items(list)[0]);
        });
    }, 200);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-combobox]");
    if (!input) return;
    var list = listOf(input), all = items(list), current = list.querySelector('[aria-selected="true"]');
    if (list.hidden || !all.length) return;
    var i = all.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      mark(input, all[event.key === "ArrowDown" ? Math.min(i + 1, all.length - 1) : Math.max(i - 1, 0)]);
    } else if (event.key === "Enter" && current) {
      event.preventDefault();
      pick(input, current);
    } else if (event.key === "Escape") {
      close(input);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var li = event.target.closest && event.target.closest('[role="option"]');
    if (!li) return;
    var input = document.querySelector('[data-combobox][aria-controls="' + li.parentNode.id + '"]');
    if (input) { event.preventDefault(); pick(input, li); }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target.closest && event.target.closest("[data-combobox]");
    if (input) window.setTimeout(function () { close(input); }, 150);
  });
})();
