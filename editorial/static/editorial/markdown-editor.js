/* The writing surface of the admin's Markdown bodies (editorial/widgets.py, MarkdownTextarea).
 * A static file: the Content-Security-Policy allows no inline script. Without JavaScript the
 * textarea works as before.
 * - a toolbar (bold, italic, link, list, quote, heading; Ctrl+B, Ctrl+I, Ctrl+K);
 * - a preview beside the box, rendered by the site's own renderer and sanitiser (a POST to the
 *   staff-only endpoint editorial:markdown_preview, with the form's CSRF token);
 * - autosave: the form's text boxes are kept in localStorage, keyed by the form's URL, as they
 *   are typed; a page that comes back with other text than was typed (a closed tab, a lost
 *   connection) gets it restored, with a notice and a way back. */
"use strict";
(function () {
  const PREFIX = "sl-autosave:";
  const key = PREFIX + window.location.pathname + window.location.search;

  // --- Toolbar ---------------------------------------------------------------------------
  function wrap(box, before, after, placeholder) {
    const start = box.selectionStart;
    const end = box.selectionEnd;
    const chosen = box.value.slice(start, end) || placeholder;
    box.setRangeText(before + chosen + after, start, end, "end");
    box.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  function prefixLines(box, prefix) {
    const value = box.value;
    const start = value.lastIndexOf("\n", box.selectionStart - 1) + 1;
    let end = value.indexOf("\n", box.selectionEnd);
    if (end === -1) end = value.length;
    const lines = value.slice(start, end).split("\n");
    const done = lines.map((line) => (line.startsWith(prefix) ? line : prefix + line)).join("\n");
    box.setRangeText(done, start, end, "select");
  }

  const ACTIONS = [
    { name: "bold", label: "Bold", text: "B", key: "b", run: (b) => wrap(b, "**", "**", "bold text") },
    { name: "italic", label: "Italic", text: "I", key: "i", run: (b) => wrap(b, "*", "*", "italic text") },
    {
      name: "link", label: "Link", text: "Link", key: "k",
      run: function (box) {
        const start = box.selectionStart;
        const chosen = box.value.slice(start, box.selectionEnd) || "link text";
        box.setRangeText("[" + chosen + "](https://)", start, box.selectionEnd, "end");
        const url = start + chosen.length + 3;
        box.setSelectionRange(url, url + "https://".length);
      },
    },
    { name: "list", label: "Bulleted list", text: "List", run: (b) => prefixLines(b, "- ") },
    { name: "quote", label: "Quote", text: "Quote", run: (b) => prefixLines(b, "> ") },
    { name: "heading", label: "Heading", text: "H", run: (b) => prefixLines(b, "## ") },
  ];

  function act(box, action) {
    box.focus();
    action.run(box);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function toolbar(box) {
    const bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Format " + labelOf(box));
    ACTIONS.forEach(function (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "md-button md-" + action.name;
      button.textContent = action.text;
      button.title = action.label + (action.key ? " (Ctrl+" + action.key.toUpperCase() + ")" : "");
      button.setAttribute("aria-label", action.label);
      button.addEventListener("click", () => act(box, action));
      bar.appendChild(button);
    });
    box.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey)) return;
      const action = ACTIONS.find((a) => a.key === event.key.toLowerCase());
      if (action) {
        event.preventDefault();
        act(box, action);
      }
    });
    return bar;
  }

  function labelOf(box) {
    const label = box.id && document.querySelector("label[for='" + box.id + "']");
    return label ? label.textContent.replace(/:$/, "").trim() : "the text";
  }

  // --- Preview ---------------------------------------------------------------------------
  function csrfToken(box) {
    const form = box.form || document;
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function previewer(box, pane) {
    let timer = null;
    let sent = 0;
    function render() {
      const asked = ++sent;
      const body = new FormData();
      body.append("text", box.value);
      fetch(box.dataset.previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(box) },
      })
        .then((response) => response.json().then((data) => ({ ok: response.ok, data: data })))
        .then(function (result) {
          if (asked !== sent) return; // a newer preview is on its way
          pane.classList.toggle("md-preview--error", !result.ok);
          if (result.ok) {
            pane.innerHTML = result.data.html; // cleaned by the server's sanitiser (nh3)
          } else {
            pane.textContent = result.data.error || "The preview is not available.";
          }
        })
        .catch(function () {
          if (asked === sent) pane.textContent = "No connection: the preview will follow. Your text is kept in this browser.";
        });
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 300);
    });
    return render;
  }

  function enhance(box) {
    if (box.dataset.mdEditor || box.name.indexOf("__prefix__") !== -1) return;
    box.dataset.mdEditor = "1";
    const editor = document.createElement("div");
    editor.className = "md-editor";
    const panes = document.createElement("div");
    panes.className = "md-panes";
    const write = document.createElement("div");
    write.className = "md-write";
    const pane = document.createElement("div");
    pane.className = "md-preview";
    pane.id = (box.id || box.name) + "-preview";
    pane.setAttribute("role", "region");
    pane.setAttribute("aria-live", "polite");
    pane.setAttribute("aria-label", "Preview of " + labelOf(box));
    box.parentNode.insertBefore(editor, box);
    write.appendChild(box);
    panes.appendChild(write);
    panes.appendChild(pane);
    editor.appendChild(toolbar(box));
    editor.appendChild(panes);
    const render = previewer(box, pane);
    if (box.value.trim()) render();
  }

  // --- Autosave --------------------------------------------------------------------------
  function boxes(form) {
    return Array.from(form.querySelectorAll("textarea, input[type=text]")).filter(
      (box) => box.name && box.name.indexOf("__prefix__") === -1
    );
  }

  function same(a, b) {
    return a.replace(/\r\n/g, "\n").trim() === b.replace(/\r\n/g, "\n").trim();
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage blocked: no autosave, the form works as ever
    }
  }

  function autosave(form) {
    const store = storage();
    if (!store) return;
    let saved = null;
    try {
      saved = JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      saved = null;
    }
    if (saved && saved.values) {
      const differs = boxes(form).filter(
        (box) => box.name in saved.values && !same(saved.values[box.name], box.value)
      );
      if (differs.length) {
        restore(form, differs, saved);
      } else {
        store.removeItem(key); // what was typed is what the page holds: it was saved
      }
    }
    let timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const values = {};
        boxes(form).forEach((box) => (values[box.name] = box.value));
        try {
          store.setItem(key, JSON.stringify({ at: new Date().toISOString(), values: values }));
        } catch (error) {
          /* storage full: the form still works */
        }
      }, 400);
    });
  }

  function restore(form, differs, saved) {
    const before = {};
    differs.forEach(function (box) {
      before[box.name] = box.value;
      box.value = saved.values[box.name];
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
    const when = new Date(saved.at);
    const notice = document.createElement("div");
    notice.className = "md-restored";
    notice.id = "autosave-notice";
    notice.setAttribute("role", "status");
    const text = document.createElement("p");
    text.textContent =
      "Restored what you typed here on " +
      when.toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }) +
      " and had not saved (" + differs.map(labelOf).join(", ") + "). Save to keep it.";
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "button";
    undo.textContent = "Discard the restored text";
    undo.addEventListener("click", function () {
      differs.forEach(function (box) {
        box.value = before[box.name];
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      const store = storage();
      if (store) store.removeItem(key);
      notice.remove();
    });
    notice.appendChild(text);
    notice.appendChild(undo);
    form.insertBefore(notice, form.firstElementChild);
  }

  function start() {
    document.querySelectorAll("textarea.markdown-editor").forEach(enhance);
    const form = document.querySelector("#content-main form[method=post]");
    if (form && form.querySelector("textarea.markdown-editor")) autosave(form);
  }

  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("textarea.markdown-editor").forEach(enhance);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
