/* Share links: a "Copy link" button beside the link field. Progressive enhancement: without
 * JavaScript the field is there to select and copy by hand. A static file: the
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function copy(field, status) {
    field.select();
    var done = function () { status.textContent = "Link copied."; };
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
    var fields = document.querySelectorAll("input[data-share-copy]");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      var button = document.createElement("button");
      button.type = "button";
      button.className = "share-links__button";
      button.textContent = "Copy link";
      var status = document.createElement("span");
      status.className = "share-links__status";
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
