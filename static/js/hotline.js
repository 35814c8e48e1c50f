// Hotline desk behaviour: type-ahead lists, the caller panel's room buttons, Enter to submit from the
// description, the check panel refresh and a board poll that waits while an action is open. No inline script.
(function () {
  "use strict";

  function fire(name) { document.body.dispatchEvent(new CustomEvent(name, { bubbles: true })); }

  // --- Type-ahead: an input with data-typeahead="listbox-id"; options are <li role=option data-value> ---
  function options(list) { return Array.prototype.filter.call(list.querySelectorAll('[role="option"]'), function (li) { return !li.hidden; }); }
  function open(input, list) { var any = options(list).length > 0; list.hidden = !any; input.setAttribute("aria-expanded", any ? "true" : "false"); }
  function close(input, list) { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  function active(list) { return list.querySelector('[aria-selected="true"]'); }
  function highlight(input, list, li) {
    var current = active(list);
    if (current) current.removeAttribute("aria-selected");
    if (!li) return;
    li.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({ block: "nearest" });
  }
  function choose(input, list, li) {
    input.value = li.getAttribute("data-value");
    if (li.hasAttribute("data-id")) {
      var hidden = document.getElementById("id_category");
      hidden.value = li.getAttribute("data-id");
      var urgency = document.getElementById("id_urgency");
      if (urgency) urgency.value = li.getAttribute("data-urgency") || "";
    }
    close(input, list);
    fire("bst:check");
  }
  // The caller's words (没水, 跳闸, 堵了) stand for the category wording (停水, 停电, 下水堵塞): CategorySynonym.
  function synonymsOf(input) {
    if (!input._synonyms) {
      try { input._synonyms = JSON.parse(input.getAttribute("data-synonyms") || "{}"); } catch (e) { input._synonyms = {}; }
    }
    return input._synonyms;
  }
  function filterLocal(input, list) {
    var q = input.value.trim().toLowerCase().replace(/\s+/g, "");
    var synonyms = synonymsOf(input), means = [];
    Object.keys(synonyms).forEach(function (word) { if (q && q.indexOf(word) >= 0) means.push(synonyms[word]); });
    // A leaf matched by its own name, pinyin or a synonym ranks before one matched only by its trade (the
    // parent: "dg" = 电工); the trade's leaves show only when no leaf matches by itself.
    var leafHits = [], parentHits = [];
    Array.prototype.forEach.call(list.querySelectorAll('[role="option"]'), function (li) {
      var name = li.getAttribute("data-value").toLowerCase();
      var leafName = name.split(" / ").pop();
      var words = (li.getAttribute("data-pinyin") || "").toLowerCase().split(" ");
      var leafPinyin = words[words.length - 1] || "";
      li.hidden = true;
      li.removeAttribute("aria-selected");
      if (!q) return;
      var leaf = leafName.indexOf(q) >= 0 || leafPinyin.indexOf(q) === 0 || words.join("").indexOf(q) === 0 && q.length > words[0].length ||
        means.some(function (m) { return name.indexOf(m) >= 0; });
      if (leaf) leafHits.push(li);
      else if (name.indexOf(q) >= 0 || words.some(function (w) { return w.indexOf(q) === 0; })) parentHits.push(li);
    });
    (leafHits.length ? leafHits : parentHits).slice(0, 12).forEach(function (li) { li.hidden = false; });
    var first = options(list)[0];
    highlight(input, list, first);
    open(input, list);
  }

  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-typeahead]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("data-typeahead"));
    if (input.getAttribute("data-local") === "true") {
      document.getElementById("id_category").value = "";
      filterLocal(input, list);
    }
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-typeahead]");
    if (input) {
      var list = document.getElementById(input.getAttribute("data-typeahead"));
      var items = options(list), current = active(list), index = items.indexOf(current);
      if (!list.hidden && items.length) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          var next = event.key === "ArrowDown" ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0);
          highlight(input, list, items[next]);
          return;
        }
        if (event.key === "Enter" || (event.key === "Tab" && current)) {
          if (current) { if (event.key === "Enter") event.preventDefault(); choose(input, list, current); }
          return;
        }
        if (event.key === "Escape") { event.preventDefault(); close(input, list); return; }
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault(); open(input, list); highlight(input, list, items[0]); return;
      }
    }
    // Enter submits from a description textarea (Shift+Enter keeps a new line).
    var area = event.target.closest && event.target.closest("textarea[data-enter-submits]");
    if (area && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      var submit = document.getElementById("submit-call");
      if (submit) submit.click();
      return;
    }
    // Enter in a small inline form (the caller registration) clicks its own button, not the page's submit.
    var own = event.target.closest && event.target.closest("[data-enter]");
    if (own && event.key === "Enter") {
      event.preventDefault();
      document.querySelector(own.getAttribute("data-enter")).click();
    }
  });

  document.addEventListener("mousedown", function (event) {
    var li = event.target.closest('[role="option"]');
    if (!li) return;
    var list = li.closest('[role="listbox"]');
    var input = document.querySelector('[data-typeahead="' + list.id + '"]');
    if (input) { event.preventDefault(); choose(input, list, li); }
  });

  // The address list is filled by htmx as the dispatcher types; show it with the first option highlighted.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "address-options") {
      var input = document.getElementById("id_address");
      var first = options(target)[0];
      open(input, target);
      highlight(input, target, null);
      if (first && document.activeElement === input) target.hidden = false;
    }
    if (target && target.id === "caller-panel") {
      // A known caller with one home: take that address when none has been typed yet.
      var rooms = target.querySelectorAll("[data-fill]");
      var address = document.getElementById("id_address");
      if (address && rooms.length === 1 && !address.value) {
        address.value = rooms[0].getAttribute("data-value");
        fire("bst:check");
      }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "id_address") fire("bst:check");
    if (event.target.id === "id_call_type") showTypeFields();
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target.closest && event.target.closest("[data-typeahead]");
    if (input) {
      var list = document.getElementById(input.getAttribute("data-typeahead"));
      window.setTimeout(function () { close(input, list); }, 150);
    }
  });

  // Room buttons of the caller panel fill the address.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-fill"));
    field.value = button.getAttribute("data-value");
    field.focus();
    fire("bst:check");
  });

  // Fields that belong to some call types only (data-types="repair inquiry").
  function showTypeFields() {
    var select = document.getElementById("id_call_type");
    if (!select) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-types]"), function (el) {
      el.hidden = el.getAttribute("data-types").split(" ").indexOf(select.value) < 0;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showTypeFields();
    var hidden = document.getElementById("id_category");
    var address = document.getElementById("id_address");
    if (hidden && address && hidden.value && address.value) fire("bst:check");
  });

  // The board polls every 15 s but not while the dispatcher has an action open or is typing in it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.detail.elt;
    if (el && el.getAttribute("data-poll") === "true") {
      if (el.querySelector("details[open]") || el.contains(document.activeElement)) event.preventDefault();
    }
  });

  // The duplicate check re-renders when the address or category changes (and once on a form the server sent
  // back): a "create a new order anyway" the dispatcher already ticked stays ticked across the swap.
  var confirmed = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "check-panel") return;
    var box = event.detail.target.querySelector("[name=confirm_duplicate]");
    confirmed = !!(box && box.checked);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "check-panel" || !confirmed) return;
    var box = event.detail.target.querySelector("[name=confirm_duplicate]");
    if (box) box.checked = true;
  });

  // --- Call time and the phone system's screen pop ---------------------------------------------------------
  // The call starts at the first keystroke of the number or when the phone system pops it; the form sends the
  // elapsed milliseconds (a monotonic clock: a PC whose clock is off does not matter).
  var intakeStart = null;
  function startIntake(at) { if (intakeStart === null) intakeStart = at; }
  document.addEventListener("DOMContentLoaded", function () {
    var kept = document.getElementById("id_intake_ms");  // a form the server sent back keeps its start
    if (kept && /^[0-9]+$/.test(kept.value)) intakeStart = performance.now() - parseInt(kept.value, 10);
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_phone") startIntake(performance.now());
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "intake-form") return;
    var field = document.getElementById("id_intake_ms");
    if (field && intakeStart !== null) field.value = String(Math.round(performance.now() - intakeStart));
  });
  document.addEventListener("bst:ring", function (event) {
    var phone = document.getElementById("id_phone");
    if (!phone || !event.detail || !event.detail.phone) return;
    intakeStart = performance.now();
    phone.value = event.detail.phone;
    phone.dispatchEvent(new Event("change", { bubbles: true }));  // its hx-trigger loads the caller screen
    phone.focus();
  });
})();
