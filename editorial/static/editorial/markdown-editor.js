/* The writing surface of the admin's Markdown bodies (editorial/widgets.py, MarkdownTextarea).
 * A static file: the Content-Security-Policy allows no inline script. Without JavaScript the
 * textarea works as before.
 * - a toolbar (bold, italic, link, list, quote, heading; Ctrl+B, Ctrl+I, Ctrl+K) and, on bodies
 *   that may hold them, "Image": a chooser of the library's thumbnails (images' admin
 *   images_image_choose) that places ![Alt text](image:12), alt text required;
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

  // --- Library images: a chooser of the library's thumbnails, alt text required ------------
  let chooser = null;

  function element(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((name) => node.setAttribute(name, attrs[name]));
    if (text) node.textContent = text;
    return node;
  }

  function imageChooser() {
    if (chooser) return chooser;
    const dialog = element("dialog", { class: "md-chooser", id: "image-chooser", "aria-labelledby": "image-chooser-title" });
    const form = element("form", { method: "dialog" });
    form.appendChild(element("h2", { id: "image-chooser-title" }, "Place an image from the library"));
    const searchLabel = element("label", { for: "image-chooser-search" }, "Search the library");
    const search = element("input", { type: "search", id: "image-chooser-search", autocomplete: "off" });
    const grid = element("div", { class: "md-chooser__grid", role: "group", "aria-label": "Library images" });
    const altLabel = element("label", { for: "image-chooser-alt" }, "Alt text (required): what the image shows, for readers who cannot see it");
    const alt = element("input", { type: "text", id: "image-chooser-alt", maxlength: "200", "aria-required": "true", "aria-describedby": "image-chooser-error" });
    const error = element("p", { class: "md-chooser__error", id: "image-chooser-error", role: "alert" });
    const actions = element("div", { class: "md-chooser__actions" });
    const insert = element("button", { type: "submit", class: "default", value: "insert" }, "Place the image");
    const cancel = element("button", { type: "button", class: "button" }, "Cancel");
    actions.append(insert, cancel);
    form.append(searchLabel, search, grid, altLabel, alt, error, actions);
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    chooser = { dialog: dialog, grid: grid, search: search, alt: alt, error: error, chosen: null, box: null };

    function choose(button, image) {
      grid.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", "false"));
      button.setAttribute("aria-pressed", "true");
      chooser.chosen = image;
      if (!alt.value.trim()) alt.value = image.alt || "";
      error.textContent = "";
    }

    let timer = null;
    function load() {
      const url = chooser.box.dataset.imageChooserUrl + "?q=" + encodeURIComponent(search.value.trim());
      fetch(url, { credentials: "same-origin" })
        .then((response) => response.json())
        .then(function (data) {
          grid.textContent = "";
          if (!data.images || !data.images.length) {
            grid.appendChild(element("p", {}, "No image found: upload one in the image library first."));
            return;
          }
          data.images.forEach(function (image) {
            const button = element("button", { type: "button", class: "md-chooser__image", "aria-pressed": "false", "data-image-id": String(image.id) });
            button.appendChild(element("img", { src: image.thumbnail, alt: "", width: "96", height: "96", loading: "lazy" }));
            button.appendChild(element("span", {}, image.title));
            button.addEventListener("click", () => choose(button, image));
            grid.appendChild(button);
          });
        })
        .catch(() => (grid.textContent = "The library could not be reached."));
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    cancel.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", function (event) {
      const text = alt.value.replace(/[\[\]]/g, "").trim();
      if (!chooser.chosen) {
        event.preventDefault();
        error.textContent = "Choose an image first.";
        return;
      }
      if (!text) {
        event.preventDefault();
        error.textContent = "Write the alt text: describe what the image shows.";
        alt.focus();
        return;
      }
      const box = chooser.box;
      const start = box.selectionStart;
      const before = box.value.slice(0, start);
      const lead = !before || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
      box.setRangeText(lead + "![" + text + "](image:" + chooser.chosen.id + ")\n\n", start, box.selectionEnd, "end");
      box.focus();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
    chooser.load = load;
    return chooser;
  }

  function openChooser(box) {
    const found = imageChooser();
    found.box = box;
    found.chosen = null;
    found.alt.value = "";
    found.error.textContent = "";
    found.load();
    found.dialog.showModal();
    found.search.focus();
  }

  function toolbar(box) {
    const bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Format " + labelOf(box));
    const actions = ACTIONS.slice();
    if (box.dataset.imageChooserUrl) {
      actions.push({ name: "image", label: "Image from the library", text: "Image", run: openChooser });
    }
    actions.forEach(function (action) {
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
