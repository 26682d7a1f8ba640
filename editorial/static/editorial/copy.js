/* A "Copy" button beside each read-only field marked data-copyable (the approval link).
 * Progressive enhancement: without JavaScript the field can be selected and copied by hand.
 * A static file: the Content-Security-Policy allows no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-copyable]").forEach(function (field) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button copy-button";
    button.textContent = "Copy the link";
    const status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      field.select();
      const done = function () { status.textContent = "Copied."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
    field.insertAdjacentElement("afterend", status);
    field.insertAdjacentElement("afterend", button);
  });
});
