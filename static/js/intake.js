// Intake form: after a refused submission, the cursor goes to the first field in error (the server marks it
// with aria-invalid), rather than to the autofocused first field of the form.
(function () {
  "use strict";
  var first = document.querySelector("form.intake-form [aria-invalid=true], form.intake-form .has-error input");
  if (first) { first.focus(); }
}());
