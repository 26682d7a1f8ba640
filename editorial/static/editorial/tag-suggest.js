/* Themes and tags offered as you type (editorial/widgets.py, SuggestingTagWidget). A static file
 * (the CSP allows no inline script). The box stays taggit's comma-separated list: the last name
 * being typed is completed from the existing names, through a <datalist> of whole values.
 * Without JavaScript, the plain box. */
"use strict";
(function () {
  function parts(value) {
    const names = value.split(",");
    const last = names.pop().trim();
    return { done: names.map((n) => n.trim()).filter(Boolean), last: last };
  }

  function enhance(input) {
    if (input.dataset.suggesting) return;
    input.dataset.suggesting = "1";
    const list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    let timer = null;
    let asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const typed = parts(input.value);
        if (!typed.last) {
          list.replaceChildren();
          return;
        }
        const mine = ++asked;
        const url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(typed.last);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { names: [] }))
          .then(function (data) {
            if (mine !== asked) return;
            const chosen = new Set(typed.done.map((n) => n.toLowerCase()));
            const prefix = typed.done.length ? typed.done.join(", ") + ", " : "";
            list.replaceChildren(
              ...data.names
                .filter((name) => !chosen.has(name.toLowerCase()))
                .map(function (name) {
                  const option = document.createElement("option");
                  option.value = prefix + name;
                  option.label = name;
                  return option;
                })
            );
          })
          .catch(() => list.replaceChildren());
      }, 150);
    });
  }

  function start() {
    document.querySelectorAll("input[data-suggest-url]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
