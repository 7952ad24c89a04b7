// Organisation autocomplete for inputs marked data-autocomplete="organisations" (progressive: without
// JavaScript the name is simply typed freely). Arrow keys move, Enter picks, Escape closes.
(function () {
  "use strict";
  function setup(input) {
    var target = document.getElementById(input.getAttribute("data-autocomplete-target"));
    var list = document.createElement("ul");
    var timer = null, items = [], active = -1, counter = 0;
    list.className = "autocomplete-list";
    list.id = input.id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function label(hit) {
      var name = hit.name || "";  // in the reader's language, named by the server (Organisation.name_in)
      return hit.postcode ? name + " (" + hit.postcode + ")" : name;
    }
    function choose(i) {
      var hit = items[i];
      if (!hit) { return; }
      input.value = hit.name || "";
      if (target) { target.value = hit.id; }
      close();
    }
    function highlight(i) {
      var options = list.querySelectorAll("li");
      active = i;
      options.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (options[i]) { input.setAttribute("aria-activedescendant", options[i].id); }
    }
    function render(hits) {
      list.innerHTML = ""; items = hits; active = -1;
      hits.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = label(hit);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    }
    function search() {
      var q = input.value.trim(), mine = ++counter;
      if (q.length < 2) { close(); return; }
      fetch("/api/v1/organisations?limit=8&q=" + encodeURIComponent(q), {credentials: "same-origin",
                                                                           headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {hits: []}; })
        .then(function (data) { if (mine === counter) { render(data.hits || []); } })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      if (target) { target.value = ""; }
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  document.querySelectorAll("input[data-autocomplete=organisations]").forEach(setup);
}());
