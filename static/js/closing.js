// The closing form shows only the fields of the answer chosen (feedback given, or why not).
// Without JavaScript both groups stay visible and the server ignores the one that does not apply.
(function () {
  "use strict";
  var form = document.getElementById("close-form");
  if (!form) { return; }
  function update() {
    var chosen = form.querySelector('input[name="cl-feedback_given"]:checked');
    var value = chosen ? chosen.value : "yes";
    form.querySelectorAll("[data-feedback]").forEach(function (group) {
      group.hidden = group.getAttribute("data-feedback") !== value;
    });
  }
  form.addEventListener("change", update);
  update();
})();
