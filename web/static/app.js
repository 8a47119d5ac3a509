// kaiwu: optional progressive enhancement. Every page works without it.
// - Ctrl/⌘+S in a document editor submits the form.
// - Forms are disabled while submitting, so a double click does not post twice.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "s" && e.target && e.target.tagName === "TEXTAREA" && e.target.form) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });
  document.addEventListener("submit", function (e) {
    var b = e.target.querySelector("button:not([name])");
    if (b && e.target.method === "post") { setTimeout(function () { b.disabled = true; }, 0); }
  });
})();
