// A table wider than the screen scrolls inside itself (app.css, small screens). Such a table is made focusable
// so that the keyboard can scroll it too (arrow keys once it has the focus); a table that fits stays out of the
// tab order. Checked again when the window changes size (a phone turned sideways).
(function () {
  "use strict";
  function update() {
    document.querySelectorAll("main table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && table.hasAttribute("data-scroll-focus")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-scroll-focus");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
