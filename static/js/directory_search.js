// Results as you type on the directory search page. Progressive: without this script the form submits.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-search]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=q]");
  var live = document.getElementById("directory-live");
  var timer = null;
  var latest = 0;

  function queryString(page) {
    var params = new URLSearchParams(new FormData(form));
    if (!params.get("q")) { params.delete("q"); }
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
        live.innerHTML = html;  // server-rendered and escaped by the template
        history.replaceState(null, "", form.getAttribute("action") + (qs ? "?" + qs : ""));
      })
      .catch(function () { /* keep the current results; the form still submits */ });
  }

  input.addEventListener("input", function () {
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
