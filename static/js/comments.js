/* Comments: progressive enhancement only. Without this script, each "Reply" link reloads the
   page with ?reply_to=<id> and the form below the comments becomes a reply. With it, the form
   moves under the comment being answered, and "Cancel reply" puts it back. The name, email and
   website typed last time are filled in from this browser's localStorage (the page itself is the
   same for every reader). After posting, the page's message is beside the comment it is about,
   put there by the server, with or without this script. No inline scripts: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var REMEMBERED = ["name", "email", "website"];
  var STORE_KEY = "comments:commenter";

  function remembered() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function rememberFields(form) {
    var saved = remembered();
    REMEMBERED.forEach(function (name) {
      var field = form.querySelector("input[name=" + name + "]");
      if (field && !field.value && saved[name]) {
        field.value = saved[name];
      }
    });
    form.addEventListener("submit", function () {
      var values = {};
      REMEMBERED.forEach(function (name) {
        var field = form.querySelector("input[name=" + name + "]");
        if (field && field.value) {
          values[name] = field.value;
        }
      });
      try {
        window.localStorage.setItem(STORE_KEY, JSON.stringify(values));
      } catch (e) {
        /* storage full or blocked: the browser's own autocomplete still offers them */
      }
    });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-remember-fields]");
    for (var i = 0; i < forms.length; i += 1) {
      rememberFields(forms[i]);
    }
    var section = document.querySelector("[data-comment-section]");
    var form = document.getElementById("comment-form-element");
    if (!section || !form) {
      return;
    }
    var home = document.createElement("div");
    home.hidden = true;
    form.parentNode.insertBefore(home, form);
    var parentField = form.querySelector("input[name=parent]");
    var replying = form.querySelector("[data-replying]");
    var replyingName = form.querySelector("[data-replying-name]");
    var replyingExcerpt = form.querySelector("[data-replying-excerpt]");
    var cancel = form.querySelector("[data-cancel-reply]");
    var body = form.querySelector("textarea");

    function moveUnder(link) {
      var comment = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
      if (!comment || !parentField) {
        return false;
      }
      var article = comment.querySelector(".comment__body") || comment;
      article.parentNode.insertBefore(form, article.nextSibling);
      parentField.value = link.getAttribute("data-reply-to");
      if (replying) {
        replyingName.textContent = link.getAttribute("data-reply-name") || "";
        if (replyingExcerpt) {
          replyingExcerpt.textContent = link.getAttribute("data-reply-excerpt") || "";
        }
        replying.hidden = false;
      }
      form.classList.add("comment-form--inline");
      if (body) {
        body.focus();
      }
      return true;
    }

    function putBack() {
      home.parentNode.insertBefore(form, home.nextSibling);
      if (parentField) {
        parentField.value = "";
      }
      if (replying) {
        replying.hidden = true;
      }
      form.classList.remove("comment-form--inline");
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("[data-reply-to]") : null;
      if (link && moveUnder(link)) {
        event.preventDefault();
      }
    });
    if (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        putBack();
        if (body) {
          body.focus();
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
