/* Image library admin, on top of plain fields (everything works without this file):
   - the chooser's preview follows the chosen image;
   - the focal point is set by clicking the image (or with the arrow keys), filling the two
     number fields, which stay editable. */
"use strict";
(function () {
  function onChange(input, handler) {
    input.addEventListener("change", handler);
    input.addEventListener("input", handler);
    // Django's lookup popup sets the value and triggers a jQuery event, not a native one.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(input).on("change", handler);
    }
  }

  function setUpChooser(chooser) {
    const input = chooser.querySelector("input.vForeignKeyRawIdAdminField");
    const preview = chooser.querySelector(".image-chooser__preview");
    const pattern = chooser.dataset.thumbnailUrl;
    if (!input || !preview || !pattern) return;
    onChange(input, function () {
      const pk = input.value.trim();
      if (/^\d+$/.test(pk)) {
        preview.src = pattern.replace("__pk__", pk);
        preview.hidden = false;
      } else {
        preview.removeAttribute("src");
        preview.hidden = true;
      }
    });
  }

  function setUpFocalPicker(picker) {
    const form = picker.closest("form");
    const inputX = form && form.querySelector("input[name=focus_x]");
    const inputY = form && form.querySelector("input[name=focus_y]");
    const image = picker.querySelector("img");
    if (!inputX || !inputY || !image) return;
    const marker = document.createElement("span");
    marker.className = "focal-picker__marker";
    marker.setAttribute("aria-hidden", "true");
    picker.appendChild(marker);
    picker.classList.add("focal-picker--active");
    picker.tabIndex = 0;
    picker.setAttribute("role", "application");
    picker.setAttribute("aria-label", "Focal point: click or use the arrow keys");

    function value(input) {
      const number = parseFloat(input.value);
      return Number.isFinite(number) ? Math.min(Math.max(number, 0), 1) : 0.5;
    }
    function show() {
      marker.style.left = value(inputX) * 100 + "%";
      marker.style.top = value(inputY) * 100 + "%";
    }
    function set(x, y) {
      inputX.value = Math.min(Math.max(x, 0), 1).toFixed(3);
      inputY.value = Math.min(Math.max(y, 0), 1).toFixed(3);
      show();
    }
    image.addEventListener("click", function (event) {
      const box = image.getBoundingClientRect();
      set((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    });
    picker.addEventListener("keydown", function (event) {
      const step = event.shiftKey ? 0.1 : 0.02;
      const moves = {
        ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step],
      };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      set(value(inputX) + move[0], value(inputY) + move[1]);
    });
    inputX.addEventListener("input", show);
    inputY.addEventListener("input", show);
    show();
  }

  function start() {
    document.querySelectorAll(".image-chooser").forEach(setUpChooser);
    document.querySelectorAll(".focal-picker").forEach(setUpFocalPicker);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
