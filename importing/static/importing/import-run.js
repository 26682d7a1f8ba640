// A running import's page (importing/templates/importing/admin/run.html): fetches the page
// again every two seconds and puts its new content in place, until the run has finished.
// A button stops and restarts it. Without JavaScript, reloading the page does the same.
(function () {
  "use strict";
  var main = document.getElementById("content-main");
  if (!main || main.dataset.running !== "yes") return;
  var paused = false;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button import-pause";
  button.textContent = "Stop updating this page";
  button.addEventListener("click", function () {
    paused = !paused;
    button.textContent = paused ? "Update this page again" : "Stop updating this page";
    if (!paused) tick();
  });
  main.insertBefore(button, main.querySelector(".import-status").nextSibling);
  function say(root) {
    root.querySelectorAll(".import-refresh").forEach(function (el) {
      el.textContent = "This page updates itself.";
    });
  }
  say(main);
  function tick() {
    if (paused) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("content-main");
        if (!fresh) return;
        var status = main.querySelector(".import-status");
        var newStatus = fresh.querySelector(".import-status");
        if (fresh.dataset.running !== "yes") {
          // Finished: the whole report replaces the page's content.
          main.replaceWith(fresh);
          return;
        }
        if (status && newStatus) {
          say(newStatus);
          status.innerHTML = newStatus.innerHTML;
        }
        window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
