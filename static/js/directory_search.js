// Results as you type on the directory search page. Progressive: without this script the form submits.
// On a phone the filters fold behind their "Filters" button (a <details>, open without this script).
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-search]");
  if (!form || !window.fetch) { return; }
  var live = document.getElementById("directory-live");
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 600px)") : null;
  var timer = null;
  var latest = 0;

  function fold() { return live.querySelector("details[data-fold-narrow]"); }
  function foldForScreen() {
    var details = fold();
    if (details) { details.open = !(narrow && narrow.matches); }
  }
  foldForScreen();
  if (narrow) {
    if (narrow.addEventListener) { narrow.addEventListener("change", foldForScreen); }
    else if (narrow.addListener) { narrow.addListener(foldForScreen); }
  }

  function queryString(page) {
    var params = new URLSearchParams(new FormData(form));
    ["q", "near", "sort"].forEach(function (name) { if (!params.get(name)) { params.delete(name); } });
    if (page) { params.set("page", page); }
    return params.toString();
  }

  function refresh() {
    var qs = queryString();
    var ticket = ++latest;
    fetch(form.getAttribute("data-partial-url") + "?" + qs + (qs ? "&" : "") + "partial=1",
          { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== latest) { return; }  // a newer keystroke won
        var before = fold();
        var wasOpen = before ? before.open : true;
        live.innerHTML = html;  // server-rendered and escaped by the template
        var after = fold();
        if (after) { after.open = wasOpen; }  // the person's choice survives the new results
        history.replaceState(null, "", form.getAttribute("action") + (qs ? "?" + qs : ""));
      })
      .catch(function () { /* keep the current results; the form still submits */ });
  }

  form.addEventListener("input", function (event) {
    if (event.target.type !== "search" && event.target.type !== "text") { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") { refresh(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
})();
