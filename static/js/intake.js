// Intake form: after a refused submission, the cursor goes to the first field in error (the server marks it
// with aria-invalid), rather than to the autofocused first field of the form. Ctrl+Enter (Cmd+Enter) records
// the request from any field, so the last field typed need not be followed by Tabs to the button.
(function () {
  "use strict";
  var form = document.querySelector("form.intake-form");
  if (!form) { return; }
  var candidates = form.querySelectorAll("[aria-invalid=true], .has-error input");
  for (var i = 0; i < candidates.length; i += 1) {
    if (candidates[i].getClientRects().length) { candidates[i].focus(); break; }  // hidden checkboxes skipped
  }
  var hint = form.querySelector(".submit-shortcut");
  if (hint) { hint.hidden = false; }
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
}());
