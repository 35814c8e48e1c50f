// Work-order pages: add a material row to a Django formset, print the slip, answer the 六个一 all "yes",
// and check the completion form in the page before sending it (a refused form would lose the chosen
// photos: the browser never refills a file input). No inline scripts.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      var rows = document.getElementById(add.getAttribute("data-add-row"));
      var template = document.getElementById(add.getAttribute("data-template"));
      var prefix = rows.getAttribute("data-formset-prefix");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
      if (first) first.focus();
      return;
    }
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("click", function (event) {
    var all = event.target.closest("[data-all-yes]");
    if (!all) return;
    event.preventDefault();
    var form = all.closest("form");
    form.querySelectorAll('.check-item input[type=radio][value="yes"]').forEach(function (radio) {
      radio.checked = true;
      radio.closest(".check-item").classList.remove("has-error");
    });
  });

  function clearErrors(form) {
    form.querySelectorAll(".js-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".check-item.has-error, .mcell.has-error").forEach(function (el) {
      el.classList.remove("has-error");
    });
  }

  function mark(field, message) {
    var list = document.createElement("ul");
    list.className = "errorlist js-error";
    var item = document.createElement("li");
    item.textContent = message;
    list.appendChild(item);
    field.insertAdjacentElement("afterend", list);
    var holder = field.closest(".check-item, .mcell");
    if (holder) holder.classList.add("has-error");
    return field;
  }

  function isNumber(text, min) {
    var n = Number(text);
    return text.trim() !== "" && !isNaN(n) && n >= min;
  }

  // The rules the server applies, checked before sending; the server still checks everything.
  function problems(form) {
    var msg = form.dataset;
    var first = null;
    function note(field, text) { var f = mark(field, text); first = first || f; }
    form.querySelectorAll(".check-item[data-check]").forEach(function (item) {
      var chosen = item.querySelector("input[type=radio]:checked");
      var group = item.querySelector(".yesno");
      if (!chosen) note(group, msg.msgAnswer);
      else if (chosen.value === "no") {
        var reason = item.querySelector(".reason input");
        if (!reason.value.trim()) note(reason, msg.msgReason);
      }
    });
    var resolution = form.querySelector('textarea[name="resolution"]');
    if (resolution && !resolution.value.trim()) note(resolution, msg.msgRequired);
    form.querySelectorAll("#material-rows .material-row").forEach(function (row) {
      var name = row.querySelector('input[name$="-name"]');
      var quantity = row.querySelector('input[name$="-quantity"]');
      var price = row.querySelector('input[name$="-unit_price"]');
      var filled = [name, quantity, price].some(function (f) { return f && f.value.trim() !== ""; });
      if (!filled) return;
      if (!name.value.trim()) note(name, msg.msgRequired);
      if (!isNumber(quantity.value, 0.01)) note(quantity, msg.msgQuantity);
      if (price && price.value.trim() !== "" && !isNumber(price.value, 0)) note(price, msg.msgPrice);
    });
    return first;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-check-before-send]")) return;
    clearErrors(form);
    var first = problems(form);
    var banner = document.getElementById("form-problems");
    if (!first) {
      if (banner) banner.hidden = true;
      return;
    }
    event.preventDefault();
    if (banner) banner.hidden = false;
    first.scrollIntoView({ block: "center" });
    var focusable = first.matches("input, textarea, select") ? first : first.querySelector("input");
    if (focusable) focusable.focus({ preventScroll: true });
  });
  // 一次通检: a finding becomes its own order in one tap (a new tab: the completion form stays as it is).
  document.addEventListener("click", function (event) {
    var open = event.target.closest("[data-open-finding]");
    if (!open) return;
    event.preventDefault();
    var source = document.getElementById(open.getAttribute("data-source"));
    var text = source ? source.value.trim() : "";
    var url = open.getAttribute("data-open-finding") + "&description=" + encodeURIComponent(text);
    window.open(url, "_blank", "noopener");
  });
})();
