// The request page's lead search during a call: results as you type (the server renders the partial, escaped),
// the focus left in the box; ArrowDown / ArrowUp move through the results, Enter adds the highlighted one as a
// lead (its own "Add as lead" form, a normal POST); the chips' "×" lift a preset filter without reloading.
// Progressive: without this script the search form, the chips' links and the add forms work as they are.
(function () {
  "use strict";
  var form = document.querySelector("form[data-lead-search]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=lead_q]");
  var results = document.getElementById("lead-results");
  var live = document.getElementById("lead-live");
  var timer = null;
  var latest = 0;
  var active = -1;

  function options() { return results.querySelectorAll("[role=option]"); }

  function highlight(index) {
    var all = options();
    if (active >= 0 && all[active]) {
      all[active].classList.remove("active");
      all[active].setAttribute("aria-selected", "false");
    }
    active = all.length ? Math.max(-1, Math.min(index, all.length - 1)) : -1;
    if (active >= 0) {
      all[active].classList.add("active");
      all[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function queryString(extra) {
    var params = new URLSearchParams(new FormData(form));  // with the lifted chips' inputs (form=…)
    if (!params.get("lead_q")) { params.delete("lead_q"); }
    Object.keys(extra || {}).forEach(function (name) { params.append(name, extra[name]); });
    return params;
  }

  function refresh(extra) {
    var params = queryString(extra);
    var ticket = ++latest;
    fetch(form.getAttribute("data-partial-url") + "?" + params.toString(),
          { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== latest) { return; }  // a newer keystroke won
        results.innerHTML = html;  // server-rendered and escaped by the template
        active = -1;
        input.removeAttribute("aria-activedescendant");
        var count = results.querySelector("[data-count]");
        var found = options().length > 0;
        input.setAttribute("aria-expanded", found ? "true" : "false");
        live.textContent = count ? count.textContent : "";
        params.delete("final");
        var qs = params.toString();
        history.replaceState(null, "", form.getAttribute("action").split("#")[0] + (qs ? "?" + qs : "") + "#leads");
      })
      .catch(function () { /* keep the current results; the form still submits */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      highlight(active + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      highlight(active - 1);
    } else if (event.key === "Escape" || event.key === "Esc") {
      highlight(-1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      var add = options()[active].querySelector("form[data-add-lead]");
      if (add) {
        if (add.requestSubmit) { add.requestSubmit(); } else { add.submit(); }
      }
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh({ final: "1" });
  });
  results.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-lift], a[data-restore], a[data-page]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    var extra = {};
    if (link.hasAttribute("data-lift")) {
      var lifted = document.createElement("input");
      lifted.type = "hidden";
      lifted.name = "lift";
      lifted.value = link.getAttribute("data-lift");
      lifted.setAttribute("form", form.id);
      results.appendChild(lifted);
    } else if (link.hasAttribute("data-restore")) {
      var key = link.getAttribute("data-restore");
      results.querySelectorAll("input[name=lift]").forEach(function (el) {
        if (el.value === key) { el.parentNode.removeChild(el); }
      });
    } else {
      extra.lead_page = link.getAttribute("data-page");
    }
    refresh(extra);
    input.focus();
  });
})();
