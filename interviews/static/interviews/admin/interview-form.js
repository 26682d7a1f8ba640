/* The interview form in the admin (interviews/admin.py, InterviewAdmin). A static file: the
 * Content-Security-Policy allows no inline script. Without JavaScript the form still works:
 * questions keep their order fields' values and quotes are picked by question. */
"use strict";
(function () {
  const ANSWERS = "#answers-group";

  // Every answer row can be dragged, new ones too: django-admin-sortable2 sorts the rows marked
  // `has_original`, checked when a drag starts. Marked once Django's inlines.js has given the
  // unsaved rows their "remove" buttons (its ready handler runs before this one).
  function markSortable(row) {
    if (row && !row.classList.contains("empty-form")) row.classList.add("has_original");
  }

  // A new interview: picking another series lays out that series' questions and number, as
  // long as nothing has been written in the answers yet.
  function followSeries() {
    const series = document.getElementById("id_series");
    if (!series || !/\/add\/$/.test(window.location.pathname)) return;
    series.addEventListener("change", function () {
      const written = Array.from(document.querySelectorAll(ANSWERS + " textarea")).some(
        (box) => box.value.trim() !== ""
      );
      if (written) return;
      const params = new URLSearchParams(window.location.search);
      params.set("series", series.value);
      window.location.search = params.toString();
    });
  }

  function say(text) {
    const status = document.getElementById("quote-status");
    if (status) status.textContent = text;
  }

  // "Quote the selection": a pull quote made of the words selected in an answer, tied to
  // that answer's question.
  function addQuoteButton(box) {
    if (!box || box.dataset.quoteButton) return;
    box.dataset.quoteButton = "1";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button quote-selection";
    button.textContent = "Quote the selection";
    button.addEventListener("click", function () {
      const words = box.value.slice(box.selectionStart, box.selectionEnd).trim();
      if (!words) {
        say("Select the words to quote in the answer first.");
        return;
      }
      const add = document.querySelector("#quotes-group .add-row a");
      if (!add) return;
      add.click();
      const rows = document.querySelectorAll("#quotes-group .inline-related:not(.empty-form)");
      const row = rows[rows.length - 1];
      row.querySelector("textarea[name$='-text']").value = words;
      const row_question = box.closest(".inline-related").querySelector("select[name$='-question']");
      const from = row.querySelector("select[name$='-from_question']");
      if (row_question && from) from.value = row_question.value;
      say("Added a pull quote: “" + words + "”.");
    });
    box.insertAdjacentElement("afterend", button);
  }

  function keyboardArrows(root) {
    root.querySelectorAll(".sort i[role=button]").forEach(function (arrow) {
      arrow.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          arrow.click();
        }
      });
    });
  }

  document.addEventListener("formset:added", function (event) {
    if (event.target.closest(ANSWERS)) {
      markSortable(event.target);
      event.target.querySelectorAll("textarea[name$='-body']").forEach(addQuoteButton);
    }
  });

  window.django.jQuery(function () {
    const group = document.querySelector(ANSWERS);
    if (!group) return;
    group.querySelectorAll(".inline-related").forEach(markSortable);
    group.querySelectorAll(".inline-related:not(.empty-form) textarea[name$='-body']").forEach(addQuoteButton);
    keyboardArrows(group);
    const quotes = document.getElementById("quotes-group");
    if (quotes && !document.getElementById("quote-status")) {
      const status = document.createElement("p");
      status.id = "quote-status";
      status.className = "help";
      status.setAttribute("role", "status");
      quotes.querySelector("fieldset").insertAdjacentElement("afterbegin", status);
    }
    followSeries();
    // select2's box (the leader) carries the name of the field it stands for.
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const label = document.querySelector("label[for='" + select.id + "']");
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      if (!label || !box) return;
      const name = label.textContent.replace(/:$/, "");
      box.setAttribute("aria-label", name);
      box.querySelectorAll("[role=textbox]").forEach((shown) => shown.setAttribute("aria-label", name));
    });
  });
})();
