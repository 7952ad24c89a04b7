// Type-ahead multi-selects over the checkbox groups marked data-multiselect (languages, situation, themes of
// the recording form). Progressive: the checkboxes stay in the form, hidden, and post the values; without
// JavaScript they are shown and ticked as before. One input per group (a combobox with a listbox, WAI-ARIA
// APG): type a few letters of the label in French, Dutch or English, without accents ("ara", "logem",
// "daklo"); Arrow keys move, Enter adds the highlighted option and stays for another, Tab adds it and moves
// on (one Tab per group), Backspace in the empty input removes the last chip, Escape closes the list.
(function () {
  "use strict";
  var counter = 0;

  // The same folding as helpdesk.followup.choice_terms.fold_words on the server.
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[-'’,;()\/]/g, " ").replace(/\s+/g, " ").trim();
  }

  function setup(fieldset) {
    var legend = fieldset.querySelector("legend");
    var options = fieldset.querySelector("ul.multiselect-options");
    var help = fieldset.querySelector(".multiselect-help");
    var boxes = Array.prototype.slice.call(options.querySelectorAll("input[type=checkbox]"));
    var id = options.id + "-input";
    var text = function (name) { return fieldset.getAttribute("data-label-" + name) || ""; };
    var order = boxes.filter(function (b) { return b.checked; });  // chips in the order they were chosen
    var shown = [], active = -1;
    counter += 1;

    var chips = document.createElement("ul");
    chips.className = "chips";
    var input = document.createElement("input");
    input.type = "text";
    input.id = id;
    input.autocomplete = "off";
    input.className = "multiselect-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-labelledby", legend.id);
    if (help) { help.hidden = false; input.setAttribute("aria-describedby", help.id); }
    if (fieldset.getAttribute("data-invalid") === "true") { input.setAttribute("aria-invalid", "true"); }
    var list = document.createElement("ul");
    list.className = "autocomplete-list";
    list.id = options.id + "-listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-labelledby", legend.id);
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    var box = document.createElement("div");
    box.className = "multiselect-box autocomplete";
    box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    options.hidden = true;
    options.parentNode.insertBefore(box, options);
    fieldset.appendChild(status);
    // Clicking the legend goes to the input, as a label would.
    legend.addEventListener("click", function () { input.focus(); });

    function labelOf(checkbox) {
      var label = fieldset.querySelector("label[for='" + checkbox.id + "']");
      return label ? label.textContent.trim() : checkbox.value;
    }
    function say(template, label) { status.textContent = template.replace("%s", label); }

    function renderChips() {
      chips.innerHTML = "";
      order.forEach(function (checkbox) {
        var li = document.createElement("li");
        li.className = "chip";
        var span = document.createElement("span");
        span.textContent = labelOf(checkbox);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.tabIndex = -1;  // Backspace removes from the keyboard; Tab goes on to the next field
        remove.textContent = "×";
        remove.setAttribute("aria-label", text("remove").replace("%s", labelOf(checkbox)));
        remove.addEventListener("click", function () { unchoose(checkbox); input.focus(); });
        li.appendChild(span);
        li.appendChild(remove);
        chips.appendChild(li);
      });
    }
    function close() {
      list.hidden = true; list.innerHTML = ""; shown = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var items = list.querySelectorAll("li[role=option]");
      active = i;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        if (items[i].scrollIntoView) { items[i].scrollIntoView({block: "nearest"}); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    // Every typed word must be found in the option's words; options where each word starts a word come
    // first, then in the page's order.
    function matches(query) {
      var words = fold(query).split(" ").filter(Boolean);
      var scored = [];
      boxes.forEach(function (checkbox, position) {
        if (checkbox.checked) { return; }
        var haystack = " " + fold(checkbox.getAttribute("data-search") + " " + labelOf(checkbox)) + " ";
        var score = 0;
        for (var k = 0; k < words.length; k += 1) {
          if (haystack.indexOf(words[k]) < 0) { return; }
          if (haystack.indexOf(" " + words[k]) >= 0) { score += 1; }
        }
        if (fold(labelOf(checkbox)).indexOf(words.join(" ")) === 0) { score += 1; }
        scored.push({box: checkbox, score: score, position: position});
      });
      scored.sort(function (a, b) { return b.score - a.score || a.position - b.position; });
      return scored.map(function (s) { return s.box; });
    }
    function optionFor(checkbox, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.textContent = labelOf(checkbox);
      // mousedown, not click: the input keeps the focus (no blur closing the list first)
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(checkbox); });
      return li;
    }
    function open(query) {
      shown = matches(query);
      list.innerHTML = "";
      shown.forEach(function (checkbox, i) { list.appendChild(optionFor(checkbox, i)); });
      if (!shown.length && query) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = text("none");
        list.appendChild(none);
      }
      list.hidden = !list.childNodes.length;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      highlight(shown.length && query ? 0 : -1);
    }
    function choose(checkbox) {
      checkbox.checked = true;
      checkbox.dispatchEvent(new Event("change", {bubbles: true}));
      order.push(checkbox);
      input.value = "";
      close();
      renderChips();
      say(text("added"), labelOf(checkbox));
    }
    function unchoose(checkbox) {
      checkbox.checked = false;
      checkbox.dispatchEvent(new Event("change", {bubbles: true}));
      order = order.filter(function (b) { return b !== checkbox; });
      renderChips();
      say(text("removed"), labelOf(checkbox));
    }

    input.addEventListener("input", function () {
      if (input.value.trim()) { open(input.value); } else { close(); }
    });
    input.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var key = event.key;
      if (key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { open(input.value); highlight(0); } else { highlight(Math.min(active + 1, shown.length - 1)); }
      } else if (key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) { highlight(Math.max(active - 1, 0)); }
      } else if (key === "Enter") {
        event.preventDefault();  // never submits the form: Enter is for choosing here
        if (active >= 0 && shown[active]) { choose(shown[active]); }
      } else if (key === "Tab" && !event.shiftKey) {
        // What was typed and is highlighted is taken, rather than lost; the focus moves on as usual.
        if (input.value.trim() && active >= 0 && shown[active]) { choose(shown[active]); }
      } else if (key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); } else if (input.value) { input.value = ""; }
      } else if (key === "Backspace" && !input.value && order.length) {
        event.preventDefault();
        unchoose(order[order.length - 1]);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    renderChips();
  }

  document.querySelectorAll("fieldset[data-multiselect]").forEach(setup);
}());
