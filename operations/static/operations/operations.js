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
