/* A "Copy" button beside each read-only field marked data-copy: the share links' link (every
 * interview, post and quote page) and the admin's approval link. The attribute's value is the
 * button's label, data-copy-done what it says once copied, data-copy-class more classes for the
 * button (the admin's "button"). Progressive enhancement: without JavaScript the field is there
 * to select and copy by hand. A static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function copy(field, status) {
    field.select();
    var done = function () { status.textContent = field.getAttribute("data-copy-done") || "Copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  }

  function init() {
    var fields = document.querySelectorAll("input[data-copy]");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      var button = document.createElement("button");
      button.type = "button";
      button.className = ("copy-button " + (field.getAttribute("data-copy-class") || "")).trim();
      button.textContent = field.getAttribute("data-copy") || "Copy";
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", copy.bind(null, field, status));
      field.insertAdjacentElement("afterend", status);
      field.insertAdjacentElement("afterend", button);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
